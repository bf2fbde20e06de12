package io.streamdl.encoders.image;

import static io.streamdl.encoders.testing.TestImages.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncodeException.Reason;
import io.streamdl.encoders.Tensors;
import io.streamdl.encoders.testing.TestImages;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ImagePayload;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ImageEncoderTest {
    private static final ImageEncoderConfig GRAY_PLAIN =
            ImageEncoderConfig.defaults().withChannels(1, List.of(0.0), List.of(1.0));

    private static ImagePayload payload(String type, byte[] bytes) {
        return new ImagePayload(type, null, null, ByteBuffer.wrap(bytes));
    }

    private static float[] encode(ImageEncoderConfig config, String type, byte[] bytes) {
        return Tensors.floats(new ImageEncoder(config).encode("e", 1L, payload(type, bytes)));
    }

    private static void assertRefused(ThrowingCallable call, Reason reason) {
        assertThatThrownBy(call)
                .isInstanceOf(EncodeException.class)
                .satisfies(e -> assertThat(((EncodeException) e).reason()).isEqualTo(reason));
    }

    @Test
    void handMadePngIsResizedAndNormalisedAsComputedByHand() {
        // a 2x2 PNG with gray levels 40, 80 / 120, 160, i.e. 40/255 x [[1, 2], [3, 4]]
        byte[] png = TestImages.png(TestImages.gray(2, 2, 40, 80, 120, 160));
        ImageEncoderConfig config =
                ImageEncoderConfig.defaults()
                        .withSize(4, 4)
                        .withChannels(1, List.of(0.5), List.of(0.25));
        ImageEncoder encoder = new ImageEncoder(config);

        Features features =
                encoder.encode(
                        "event-1",
                        1234L,
                        new ImagePayload(ImageEncoder.PNG, 2, 2, ByteBuffer.wrap(png)));

        assertThat(features.getEventId()).isEqualTo("event-1");
        assertThat(features.getTs()).isEqualTo(1234L);
        assertThat(features.getEncodedBy()).isEqualTo(encoder.encodedBy()).startsWith("image@1-");
        assertThat(features.getDtype()).isEqualTo("float32");
        assertThat(features.getShape()).containsExactly(1, 1, 4, 4);
        assertThat(features.getMask()).isNull();
        // half-pixel bilinear upsampling of [[1, 2], [3, 4]] (see ResizerTest), times 40/255,
        // then (v - 0.5) / 0.25; e.g. the second value is (40/255 * 1.25 - 0.5) / 0.25 = -1.2157
        double[] grid = {
            1.00, 1.25, 1.75, 2.00, 1.50, 1.75, 2.25, 2.50, 2.50, 2.75, 3.25, 3.50, 3.00, 3.25,
            3.75, 4.00
        };
        float[] values = Tensors.floats(features);
        assertThat(values[1]).isCloseTo(-1.2157f, within(1e-4f));
        for (int i = 0; i < 16; i++) {
            double expected = (40.0 / 255 * grid[i] - 0.5) / 0.25;
            assertThat(values[i]).as("value %d", i).isCloseTo((float) expected, within(1e-5f));
        }
    }

    @Test
    void sameSizeKeepsEveryPixelExactly() {
        byte[] png = TestImages.png(TestImages.gray(2, 2, 0, 51, 204, 255));
        float[] values = encode(GRAY_PLAIN.withSize(2, 2), ImageEncoder.PNG, png);
        assertThat(values).containsExactly(new float[] {0f, 0.2f, 0.8f, 1f}, within(1e-6f));
    }

    @Test
    void defaultConfigNormalisesWithFashionMnistStatistics() {
        byte[] png = TestImages.png(TestImages.gray(28, 28, new int[28 * 28]));
        float[] values = encode(ImageEncoderConfig.defaults(), ImageEncoder.PNG, png);
        assertThat(values).hasSize(784);
        // black: (0 - 0.2860) / 0.3530
        assertThat(values[0]).isCloseTo(-0.81020f, within(1e-5f));
    }

    @Test
    void colourBecomesBt601LumaInGrayscale() {
        byte[] png = TestImages.png(TestImages.rgb(3, 1, 0xFF0000, 0x00FF00, 0x0000FF));
        float[] values = encode(GRAY_PLAIN.withSize(3, 1), ImageEncoder.PNG, png);
        assertThat(values).containsExactly(new float[] {0.299f, 0.587f, 0.114f}, within(1e-6f));
    }

    @Test
    void rgbOutputIsPlanarRedGreenBlueAndGrayIsRepeated() {
        ImageEncoderConfig rgb =
                ImageEncoderConfig.defaults()
                        .withSize(2, 1)
                        .withChannels(3, List.of(0.0), List.of(1.0));
        byte[] colour = TestImages.png(TestImages.rgb(2, 1, 0xFF8000, 0x0000FF));
        assertThat(encode(rgb, ImageEncoder.PNG, colour))
                .containsExactly(new float[] {1, 0, 128 / 255f, 0, 0, 1}, within(1e-6f));
        byte[] gray = TestImages.png(TestImages.gray(2, 1, 51, 255));
        assertThat(encode(rgb, ImageEncoder.PNG, gray))
                .containsExactly(new float[] {0.2f, 1, 0.2f, 1, 0.2f, 1}, within(1e-6f));
        assertThat(new ImageEncoder(rgb).shape()).containsExactly(1, 3, 1, 2);
    }

    @Test
    void perChannelMeanAndStdApply() {
        ImageEncoderConfig rgb =
                ImageEncoderConfig.defaults()
                        .withSize(1, 1)
                        .withChannels(3, List.of(0.5, 0.0, 1.0), List.of(0.5, 2.0, 0.25));
        byte[] white = TestImages.png(TestImages.rgb(1, 1, 0xFFFFFF));
        assertThat(encode(rgb, ImageEncoder.PNG, white))
                .containsExactly(new float[] {1f, 0.5f, 0f}, within(1e-6f));
    }

    @Test
    void sixteenBitGrayIsReadFromTheRasterWithoutGammaConversion() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        image.getRaster().setSample(0, 0, 0, 32768);
        image.getRaster().setSample(1, 0, 0, 65535);
        float[] values = encode(GRAY_PLAIN.withSize(2, 1), ImageEncoder.PNG, TestImages.png(image));
        assertThat(values).containsExactly(new float[] {32768 / 65535f, 1f}, within(1e-6f));
    }

    @Test
    void transparentPixelsAreCompositedOverBlack() {
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0x00FFFFFF);
        image.setRGB(1, 0, 0x80FFFFFF);
        image.setRGB(2, 0, 0xFFFFFFFF);
        float[] values = encode(GRAY_PLAIN.withSize(3, 1), ImageEncoder.PNG, TestImages.png(image));
        assertThat(values).containsExactly(new float[] {0f, 128 / 255f, 1f}, within(1e-5f));
    }

    @Test
    void palettePngIsDecoded() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY);
        image.setRGB(1, 0, 0xFFFFFF);
        float[] values = encode(GRAY_PLAIN.withSize(2, 1), ImageEncoder.PNG, TestImages.png(image));
        assertThat(values).containsExactly(new float[] {0f, 1f}, within(1e-6f));
    }

    @Test
    void jpegIsDecoded() {
        int[] mid = new int[16 * 16];
        Arrays.fill(mid, 128);
        byte[] flat = TestImages.jpeg(TestImages.gray(16, 16, mid));
        float[] values = encode(GRAY_PLAIN.withSize(16, 16), ImageEncoder.JPEG, flat);
        for (float v : values) {
            assertThat(v).isCloseTo(128 / 255f, within(2 / 255f));
        }

        BufferedImage pattern = TestImages.pattern(56, 56, BufferedImage.TYPE_INT_RGB);
        float[] fromJpeg =
                encode(GRAY_PLAIN, "image/jpeg; charset=binary", TestImages.jpeg(pattern));
        float[] fromPng = encode(GRAY_PLAIN, ImageEncoder.PNG, TestImages.png(pattern));
        double meanError = 0;
        for (int i = 0; i < fromPng.length; i++) {
            meanError += Math.abs(fromJpeg[i] - fromPng[i]) / fromPng.length;
        }
        assertThat(meanError).isLessThan(0.02);
    }

    @Test
    void idxSingleImageAndRawBytesAreDecoded() {
        byte[] idx = {
            0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 51, (byte) 204, (byte) 255
        };
        assertThat(encode(GRAY_PLAIN.withSize(2, 2), ImageEncoder.IDX, idx))
                .containsExactly(new float[] {0f, 0.2f, 0.8f, 1f}, within(1e-6f));

        byte[] raw = new byte[784];
        raw[29] = (byte) 255; // row 1, column 1
        float[] values = encode(GRAY_PLAIN, ImageEncoder.IDX, raw);
        assertThat(values[29]).isEqualTo(1f);
        assertThat(values[28]).isEqualTo(0f);

        ImagePayload declared =
                new ImagePayload(
                        ImageEncoder.IDX,
                        3,
                        2,
                        ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 0, (byte) 255}));
        float[] small =
                Tensors.floats(
                        new ImageEncoder(GRAY_PLAIN.withSize(3, 2)).encode("e", 0, declared));
        assertThat(small).containsExactly(0, 0, 0, 0, 0, 1);
    }

    @Test
    void idxWithSeveralImagesOrWrongLengthIsRefused() {
        byte[] two = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 7, 9};
        assertRefused(
                () -> encode(GRAY_PLAIN, ImageEncoder.IDX, two), Reason.UNSUPPORTED_IMAGE_FORMAT);
        byte[] truncated = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 51, 7};
        assertRefused(() -> encode(GRAY_PLAIN, ImageEncoder.IDX, truncated), Reason.CORRUPT_IMAGE);
        assertRefused(
                () -> encode(GRAY_PLAIN, ImageEncoder.IDX, new byte[783]), Reason.CORRUPT_IMAGE);
        byte[] bomb = {0, 0, 8, 3, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 1};
        assertRefused(() -> encode(GRAY_PLAIN, ImageEncoder.IDX, bomb), Reason.IMAGE_TOO_LARGE);
    }

    @Test
    void pngBombIsRefusedFromItsHeaderBeforeDecoding() {
        // only a header: decoding would fail as corrupt, so IMAGE_TOO_LARGE proves the header
        // alone was judged; a real bomb's IDAT would never be inflated
        byte[] bomb = TestImages.pngHeaderOnly(100_000, 100_000);
        assertThatThrownBy(() -> encode(GRAY_PLAIN, ImageEncoder.PNG, bomb))
                .isInstanceOf(EncodeException.class)
                .hasMessageContaining("100000 x 100000")
                .satisfies(
                        e ->
                                assertThat(((EncodeException) e).reason())
                                        .isEqualTo(Reason.IMAGE_TOO_LARGE));
        assertRefused(
                () -> encode(GRAY_PLAIN, ImageEncoder.PNG, TestImages.pngHeaderOnly(28, 28)),
                Reason.CORRUPT_IMAGE);
    }

    @Test
    void jpegBombIsRefusedFromItsFrameHeader() {
        assertRefused(
                () ->
                        encode(
                                GRAY_PLAIN,
                                ImageEncoder.JPEG,
                                TestImages.jpegHeaderOnly(60_000, 60_000)),
                Reason.IMAGE_TOO_LARGE);
        assertRefused(
                () -> encode(GRAY_PLAIN, ImageEncoder.JPEG, TestImages.jpegHeaderOnly(28, 28)),
                Reason.CORRUPT_IMAGE);
    }

    @Test
    void declaredDimensionsAreCheckedFirstAndMustMatch() {
        byte[] png = TestImages.png(TestImages.gray(2, 2, 0, 0, 0, 0));
        ImageEncoder encoder = new ImageEncoder(GRAY_PLAIN);
        assertRefused(
                () ->
                        encoder.encode(
                                "e",
                                0,
                                new ImagePayload(
                                        ImageEncoder.PNG, 100_000, 100_000, ByteBuffer.wrap(png))),
                Reason.IMAGE_TOO_LARGE);
        assertRefused(
                () ->
                        encoder.encode(
                                "e",
                                0,
                                new ImagePayload(ImageEncoder.PNG, 3, 2, ByteBuffer.wrap(png))),
                Reason.IMAGE_DIMENSION_MISMATCH);
        assertRefused(
                () ->
                        encoder.encode(
                                "e",
                                0,
                                new ImagePayload(ImageEncoder.PNG, -2, null, ByteBuffer.wrap(png))),
                Reason.IMAGE_DIMENSION_MISMATCH);
    }

    @Test
    void payloadOverTheLimitIsRefused() {
        byte[] png = TestImages.png(TestImages.pattern(28, 28, BufferedImage.TYPE_INT_RGB));
        ImageEncoderConfig small = GRAY_PLAIN.withLimits(png.length - 1, 1 << 20);
        assertRefused(() -> encode(small, ImageEncoder.PNG, png), Reason.PAYLOAD_TOO_LARGE);
        assertThat(encode(GRAY_PLAIN.withLimits(png.length, 1 << 20), ImageEncoder.PNG, png))
                .hasSize(784);
    }

    @Test
    void contentTypeSelectsTheFormatAndMustMatchTheBytes() {
        byte[] png = TestImages.png(TestImages.gray(2, 2, 0, 0, 0, 0));
        byte[] jpeg = TestImages.jpeg(TestImages.gray(8, 8, new int[64]));
        assertRefused(() -> encode(GRAY_PLAIN, "image/gif", png), Reason.UNSUPPORTED_IMAGE_FORMAT);
        assertRefused(() -> encode(GRAY_PLAIN, ImageEncoder.PNG, jpeg), Reason.CORRUPT_IMAGE);
        assertRefused(() -> encode(GRAY_PLAIN, ImageEncoder.JPEG, png), Reason.CORRUPT_IMAGE);
        assertThat(encode(GRAY_PLAIN, null, png)).hasSize(784);
        assertThat(encode(GRAY_PLAIN, "application/octet-stream", jpeg)).hasSize(784);
        assertRefused(
                () -> encode(GRAY_PLAIN, "", new byte[] {1, 2, 3}),
                Reason.UNSUPPORTED_IMAGE_FORMAT);
        assertRefused(
                () -> encode(GRAY_PLAIN, ImageEncoder.PNG, new byte[0]), Reason.CORRUPT_IMAGE);
    }

    @Test
    void truncatedOrDamagedFilesAreCorrupt() {
        byte[] png = TestImages.png(TestImages.pattern(28, 28, BufferedImage.TYPE_INT_RGB));
        assertRefused(
                () -> encode(GRAY_PLAIN, ImageEncoder.PNG, Arrays.copyOf(png, png.length / 2)),
                Reason.CORRUPT_IMAGE);
        byte[] flipped = png.clone();
        flipped[png.length / 2] ^= 0x10;
        assertThatThrownBy(() -> encode(GRAY_PLAIN, ImageEncoder.PNG, flipped))
                .isInstanceOf(EncodeException.class)
                .hasMessageContaining("CRC");

        byte[] jpeg = TestImages.jpeg(TestImages.pattern(28, 28, BufferedImage.TYPE_INT_RGB));
        assertRefused(
                () -> encode(GRAY_PLAIN, ImageEncoder.JPEG, Arrays.copyOf(jpeg, jpeg.length - 2)),
                Reason.CORRUPT_IMAGE);
    }

    @Test
    void unsupportedJpegVariantsAreRefusedFromTheHeader() {
        byte[] cmyk = TestImages.jpegHeaderOnly(8, 8);
        cmyk[11] = 4; // component count
        assertRefused(
                () -> encode(GRAY_PLAIN, ImageEncoder.JPEG, cmyk), Reason.UNSUPPORTED_IMAGE_FORMAT);
        byte[] lossless = TestImages.jpegHeaderOnly(8, 8);
        lossless[3] = (byte) 0xC3;
        assertRefused(
                () -> encode(GRAY_PLAIN, ImageEncoder.JPEG, lossless),
                Reason.UNSUPPORTED_IMAGE_FORMAT);
        byte[] twelveBit = TestImages.jpegHeaderOnly(8, 8);
        twelveBit[6] = 12;
        assertRefused(
                () -> encode(GRAY_PLAIN, ImageEncoder.JPEG, twelveBit),
                Reason.UNSUPPORTED_IMAGE_FORMAT);
    }

    @Test
    void compressedAncillaryChunksAreDroppedUninflated() {
        // a zTXt chunk that would inflate to 64 MiB if the decoder read it
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(new byte[64 << 20]);
        deflater.finish();
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        while (!deflater.finished()) {
            compressed.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        byte[] zTxt = concat("Comment".getBytes(), new byte[] {0, 0}, compressed.toByteArray());
        byte[] png = TestImages.png(TestImages.gray(2, 2, 0, 51, 204, 255));
        byte[] withBomb = TestImages.insertAfterHeader(png, TestImages.chunk("zTXt", zTxt));

        assertThat(encode(GRAY_PLAIN.withSize(2, 2), ImageEncoder.PNG, withBomb))
                .containsExactly(encode(GRAY_PLAIN.withSize(2, 2), ImageEncoder.PNG, png));
        byte[] unknownCritical =
                TestImages.insertAfterHeader(png, TestImages.chunk("ABCD", new byte[] {1}));
        assertRefused(
                () -> encode(GRAY_PLAIN, ImageEncoder.PNG, unknownCritical),
                Reason.UNSUPPORTED_IMAGE_FORMAT);
    }

    @Test
    void versionFollowsTheOutputAffectingConfiguration() {
        ImageEncoder base = new ImageEncoder(ImageEncoderConfig.defaults());
        assertThat(base.name()).isEqualTo("image");
        assertThat(base.version()).matches("1-[0-9a-f]{8}");
        assertThat(new ImageEncoder(ImageEncoderConfig.defaults()).version())
                .isEqualTo(base.version());
        assertThat(new ImageEncoder(ImageEncoderConfig.defaults().withSize(32, 32)).version())
                .isNotEqualTo(base.version());
        assertThat(
                        new ImageEncoder(
                                        ImageEncoderConfig.defaults()
                                                .withInterpolation(Interpolation.AREA))
                                .version())
                .isNotEqualTo(base.version());
        // limits do not change features, so they do not change the version
        assertThat(new ImageEncoder(ImageEncoderConfig.defaults().withLimits(100, 100)).version())
                .isEqualTo(base.version());
        ImageEncoderConfig one =
                ImageEncoderConfig.defaults().withChannels(3, List.of(0.5), List.of(0.2));
        ImageEncoderConfig three =
                ImageEncoderConfig.defaults().withChannels(3, List.of(0.5, 0.5, 0.5), List.of(0.2));
        assertThat(new ImageEncoder(one).version()).isEqualTo(new ImageEncoder(three).version());
    }
}
