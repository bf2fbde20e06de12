package io.streamdl.encoders.audio;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncodeException.Reason;
import io.streamdl.encoders.testing.TestWavs;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random, truncated and damaged inputs: nothing but an {@link EncodeException} may escape. */
class AudioEncoderPropertyTest {
    private static final AudioEncoder ENCODER = new AudioEncoder(AudioEncoderConfig.defaults());

    private final Map<Reason, Integer> reasons = new EnumMap<>(Reason.class);

    private Reason attempt(byte[] bytes, String label) {
        try {
            float[][] frames = ENCODER.encode(ByteBuffer.wrap(bytes), "audio/wav");
            assertThat(frames).as(label).hasNumberOfRows(98);
            for (float[] frame : frames) {
                for (float v : frame) {
                    assertThat(Float.isFinite(v)).as(label).isTrue();
                }
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
        Random random = new Random(1234);
        byte[] header = "RIFF\0\0\0\0WAVEfmt ".getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < 1500; i++) {
            byte[] bytes = new byte[random.nextInt(400)];
            random.nextBytes(bytes);
            if (i % 2 == 0) {
                System.arraycopy(header, 0, bytes, 0, Math.min(header.length, bytes.length));
            }
            attempt(bytes, "random case " + i);
        }
        assertThat(reasons).containsKeys(Reason.NOT_WAV, Reason.CORRUPT_AUDIO);
    }

    @Test
    void everyTruncationOfAValidWavIsRefused() {
        byte[] wav = TestWavs.pcm16(16000, TestWavs.sine(440, 0.5, 16000, 0.05));
        assertThat(attempt(wav, "whole")).isNull();
        for (int n = 0; n < wav.length; n++) {
            assertThat(attempt(Arrays.copyOf(wav, n), "cut at " + n))
                    .isEqualTo(n < 12 ? Reason.NOT_WAV : Reason.CORRUPT_AUDIO);
        }
    }

    @Test
    void damagedHeadersOnlyEverRaiseEncodeException() {
        Random random = new Random(99);
        byte[][] files = {
            TestWavs.pcm16(16000, TestWavs.sine(440, 0.5, 16000, 0.1)),
            TestWavs.wav(3, 44100, 32, true, null, TestWavs.sine(440, 0.5, 44100, 0.1)),
            TestWavs.wav(
                    1,
                    8000,
                    24,
                    false,
                    new byte[] {1, 2, 3},
                    TestWavs.sine(440, 0.5, 8000, 0.1),
                    TestWavs.sine(220, 0.5, 8000, 0.1))
        };
        for (int i = 0; i < 1500; i++) {
            byte[] damaged = files[i % files.length].clone();
            int flips = 1 + random.nextInt(3);
            for (int k = 0; k < flips; k++) {
                int at = random.nextInt(Math.min(80, damaged.length));
                damaged[at] =
                        random.nextInt(4) == 0
                                ? (byte) random.nextInt()
                                : (byte) (damaged[at] ^ (1 << random.nextInt(8)));
            }
            attempt(damaged, "damage case " + i);
        }
        assertThat(reasons).containsKey(Reason.UNSUPPORTED_AUDIO_FORMAT);
    }
}
