package io.streamdl.encoders.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncodeException.Reason;
import io.streamdl.encoders.testing.TestImages;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random, truncated and damaged inputs: nothing but an {@link EncodeException} may escape. */
class ImageEncoderPropertyTest {
    private static final ImageEncoder ENCODER = new ImageEncoder(ImageEncoderConfig.defaults());
    private static final String[] TYPES = {
        ImageEncoder.PNG, ImageEncoder.JPEG, ImageEncoder.IDX, "", "image/webp"
    };

    private final Map<Reason, Integer> reasons = new EnumMap<>(Reason.class);

    /** Encodes; returns the refusal reason, or null if the input was accepted. */
    private Reason attempt(String type, byte[] bytes, String label) {
        try {
            float[] values = ENCODER.encode(ByteBuffer.wrap(bytes), type, null, null);
            assertThat(values).hasSize(784);
            for (float v : values) {
                assertThat(Float.isFinite(v)).as(label).isTrue();
            }
            return null;
        } catch (EncodeException e) {
            reasons.merge(e.reason(), 1, Integer::sum);
            return e.reason();
        } catch (Throwable t) {
            throw new AssertionError(label + " let " + t + " escape", t);
        }
    }

    @Test
    void randomBytesOnlyEverRaiseEncodeException() {
        Random random = new Random(20240601);
        for (int i = 0; i < 1500; i++) {
            byte[] bytes = new byte[random.nextInt(i % 10 == 0 ? 3000 : 200)];
            random.nextBytes(bytes);
            // half of the cases start like a real file so the parsers get past the signature
            switch (i % 4) {
                case 0 -> copy(PngInspector.SIGNATURE, bytes);
                case 1 -> copy(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, bytes);
                default -> {}
            }
            attempt(TYPES[random.nextInt(TYPES.length)], bytes, "random case " + i);
        }
        assertThat(reasons).containsKeys(Reason.CORRUPT_IMAGE, Reason.UNSUPPORTED_IMAGE_FORMAT);
    }

    @Test
    void everyTruncationOfAValidPngOrJpegIsRefusedAsCorrupt() {
        BufferedImage image = TestImages.pattern(28, 28, BufferedImage.TYPE_INT_RGB);
        byte[] png = TestImages.png(image);
        byte[] jpeg = TestImages.jpeg(image);
        assertThat(attempt(ImageEncoder.PNG, png, "whole png")).isNull();
        assertThat(attempt(ImageEncoder.JPEG, jpeg, "whole jpeg")).isNull();
        for (int n = 0; n < png.length; n++) {
            assertThat(attempt(ImageEncoder.PNG, Arrays.copyOf(png, n), "png cut at " + n))
                    .isEqualTo(Reason.CORRUPT_IMAGE);
        }
        for (int n = 0; n < jpeg.length; n++) {
            assertThat(attempt(ImageEncoder.JPEG, Arrays.copyOf(jpeg, n), "jpeg cut at " + n))
                    .isEqualTo(Reason.CORRUPT_IMAGE);
        }
    }

    @Test
    void damagedPngAndJpegBytesOnlyEverRaiseEncodeException() {
        Random random = new Random(77);
        BufferedImage image = TestImages.pattern(28, 28, BufferedImage.TYPE_INT_RGB);
        byte[][] files = {TestImages.png(image), TestImages.jpeg(image)};
        String[] types = {ImageEncoder.PNG, ImageEncoder.JPEG};
        int accepted = 0;
        for (int i = 0; i < 1200; i++) {
            int f = i % 2;
            byte[] damaged = files[f].clone();
            int flips = 1 + random.nextInt(4);
            for (int k = 0; k < flips; k++) {
                damaged[random.nextInt(damaged.length)] ^= (byte) (1 << random.nextInt(8));
            }
            if (attempt(types[f], damaged, types[f] + " damage case " + i) == null) {
                accepted++;
            }
        }
        // PNG damage is caught by the CRCs; JPEG entropy data has no checksum, so some damaged
        // JPEGs legitimately decode to a slightly different picture
        assertThat(accepted).isLessThan(1200);
        assertThat(reasons).containsKey(Reason.CORRUPT_IMAGE);
    }

    private static void copy(byte[] prefix, byte[] into) {
        System.arraycopy(prefix, 0, into, 0, Math.min(prefix.length, into.length));
    }
}
