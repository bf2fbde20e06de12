package io.streamdl.encoders.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncodeException.Reason;
import io.streamdl.encoders.Tensors;
import io.streamdl.encoders.testing.TestWavs;
import io.streamdl.schemas.avro.AudioPayload;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.config.ConfigException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AudioEncoderTest {
    private static final AudioEncoderConfig RAW =
            AudioEncoderConfig.defaults().withNormalize(false);

    private static float[][] encode(AudioEncoderConfig config, byte[] wav) {
        return new AudioEncoder(config).encode(ByteBuffer.wrap(wav), "audio/wav");
    }

    private static int loudestBin(float[] frame) {
        int best = 0;
        for (int m = 1; m < frame.length; m++) {
            if (frame[m] > frame[best]) {
                best = m;
            }
        }
        return best;
    }

    private static void assertRefused(Runnable call, Reason reason) {
        assertThatThrownBy(call::run)
                .isInstanceOf(EncodeException.class)
                .satisfies(e -> assertThat(((EncodeException) e).reason()).isEqualTo(reason));
    }

    @Test
    void oneSecondClipGivesNinetyEightFramesOfFortyMels() {
        byte[] wav = TestWavs.pcm16(16000, TestWavs.sine(440, 0.5, 16000, 1.0));
        AudioEncoder encoder = new AudioEncoder(AudioEncoderConfig.defaults());
        Features features =
                encoder.encode("clip-1", 99L, new AudioPayload("audio/wav", ByteBuffer.wrap(wav)));
        assertThat(features.getShape()).containsExactly(98, 40);
        assertThat(features.getDtype()).isEqualTo("float32");
        assertThat(features.getEncodedBy())
                .isEqualTo(encoder.encodedBy())
                .matches("audio@1-[0-9a-f]{8}");
        assertThat(Tensors.floats(features)).hasSize(98 * 40);
        // 1 + (16000 - 400) / 160 = 98 real frames: no padding needed
        assertThat(
                        new AudioEncoder(AudioEncoderConfig.defaults().withFrames(0))
                                .encode(ByteBuffer.wrap(wav), null))
                .hasNumberOfRows(98);
    }

    @Test
    void oneKilohertzSineLandsInMelBandThirteen() {
        // Slaney scale, 0 to 8 kHz, 40 bands: 42 edges 1.10355 mel apart; 1 kHz is mel 15, i.e.
        // edge 13.59, so the band peaking at edge 14 (band 13, 1031.4 Hz) is the closest and
        // band 12 (peak 956.4 Hz) the runner-up; 1000 Hz is exactly FFT bin 32
        double[] edges =
                MelFilterbank.create(
                                16000,
                                512,
                                40,
                                0,
                                8000,
                                MelFilterbank.Scale.SLANEY,
                                MelFilterbank.Norm.SLANEY)
                        .bandEdges();
        assertThat(edges[13]).isCloseTo(956.41, within(0.01));
        assertThat(edges[14]).isCloseTo(1031.40, within(0.01));

        float[][] frames = encode(RAW, TestWavs.pcm16(16000, TestWavs.sine(1000, 0.5, 16000, 1.0)));
        for (float[] frame : frames) {
            assertThat(loudestBin(frame)).isEqualTo(13);
            assertThat(frame[13]).isGreaterThan(frame[12]).isGreaterThan(frame[15] + 5);
        }
    }

    @Test
    void eightAndFortyFourKilohertzInputGiveTheSameSpectrogram() {
        float[][] reference =
                encode(
                        RAW,
                        TestWavs.wav(
                                3, 16000, 32, false, null, TestWavs.sine(1000, 0.5, 16000, 1.0)));
        for (int rate : new int[] {8000, 44100}) {
            float[][] frames =
                    encode(
                            RAW,
                            TestWavs.wav(
                                    3, rate, 32, false, null, TestWavs.sine(1000, 0.5, rate, 1.0)));
            assertThat(frames).hasNumberOfRows(98);
            // the first and last frames see the resampler's zero-padded edges
            for (int f = 3; f < 95; f++) {
                assertThat(loudestBin(frames[f])).isEqualTo(13);
                for (int m = 10; m <= 16; m++) {
                    assertThat(frames[f][m])
                            .as("%d Hz frame %d band %d", rate, f, m)
                            .isCloseTo(reference[f][m], within(0.05f));
                }
            }
        }
    }

    @Test
    void shortClipsArePaddedAndLongOnesTruncated() {
        byte[] half = TestWavs.pcm16(16000, TestWavs.sine(1000, 0.5, 16000, 0.5));
        float[][] raw = encode(RAW, half);
        // 1 + (8000 - 400) / 160 = 48 real frames, then silence: ln(1e-6)
        assertThat(raw).hasNumberOfRows(98);
        assertThat(raw[47][13]).isGreaterThan(0f);
        assertThat(raw[48]).containsOnly((float) Math.log(1e-6));
        assertThat(encode(AudioEncoderConfig.defaults(), half)[97]).containsOnly(0f);

        byte[] twoSeconds = TestWavs.pcm16(16000, TestWavs.sine(700, 0.5, 16000, 2.0));
        float[][] all = encode(RAW.withFrames(0), twoSeconds);
        assertThat(all).hasNumberOfRows(1 + (32000 - 400) / 160);
        float[][] cut = encode(RAW, twoSeconds);
        assertThat(cut).hasNumberOfRows(98);
        for (int f = 0; f < 98; f++) {
            assertThat(cut[f]).containsExactly(all[f]);
        }

        float[][] tiny = encode(RAW.withFrames(0), TestWavs.pcm16(16000, new double[] {0.5, -0.5}));
        assertThat(tiny).hasNumberOfRows(1);
    }

    @Test
    void normalisationGivesEachBandZeroMeanAndUnitVariance() {
        Random random = new Random(3);
        double[] noise = new double[16000];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = 0.2 * random.nextGaussian();
        }
        float[][] frames = encode(AudioEncoderConfig.defaults(), TestWavs.pcm16(16000, noise));
        for (int m = 0; m < 40; m++) {
            double sum = 0;
            double squares = 0;
            for (float[] frame : frames) {
                sum += frame[m];
                squares += frame[m] * frame[m];
            }
            assertThat(sum / 98).isCloseTo(0, within(1e-4));
            assertThat(squares / 98).isCloseTo(1, within(1e-3));
        }
    }

    @Test
    void silenceStaysFinite() {
        byte[] silence = TestWavs.pcm16(16000, new double[16000]);
        assertThat(encode(RAW, silence)[50]).containsOnly((float) Math.log(1e-6));
        assertThat(encode(AudioEncoderConfig.defaults(), silence)[50]).containsOnly(0f);
    }

    @Test
    void badPayloadsAreRefusedWithTheirReason() {
        AudioEncoder encoder = new AudioEncoder(AudioEncoderConfig.defaults());
        byte[] wav = TestWavs.pcm16(16000, TestWavs.sine(440, 0.5, 16000, 1.0));
        AudioEncoder small =
                new AudioEncoder(AudioEncoderConfig.defaults().withLimits(10, wav.length - 1));
        assertRefused(
                () -> small.encode(ByteBuffer.wrap(wav), "audio/wav"), Reason.PAYLOAD_TOO_LARGE);
        assertRefused(
                () -> encoder.encode(ByteBuffer.wrap(wav), "audio/mpeg"),
                Reason.UNSUPPORTED_AUDIO_FORMAT);
        assertRefused(
                () -> encoder.encode(ByteBuffer.wrap("ID3 not a wav".getBytes()), "audio/wav"),
                Reason.NOT_WAV);
        byte[] long11 = TestWavs.pcm16(16000, new double[16000 * 11]);
        assertRefused(() -> encoder.encode(ByteBuffer.wrap(long11), null), Reason.AUDIO_TOO_LONG);
        assertRefused(() -> encoder.features(new float[0]), Reason.EMPTY_AUDIO);
        assertRefused(() -> encoder.encode("e", 0, null), Reason.NO_ENCODER);
    }

    @Test
    void versionFollowsTheOutputAffectingConfiguration() {
        String base = new AudioEncoder(AudioEncoderConfig.defaults()).version();
        assertThat(new AudioEncoder(AudioEncoderConfig.defaults()).version()).isEqualTo(base);
        assertThat(new AudioEncoder(AudioEncoderConfig.defaults().withFrames(100)).version())
                .isNotEqualTo(base);
        assertThat(new AudioEncoder(RAW).version()).isNotEqualTo(base);
        assertThat(
                        new AudioEncoder(
                                        AudioEncoderConfig.defaults()
                                                .withMel(
                                                        MelFilterbank.Scale.HTK,
                                                        MelFilterbank.Norm.NONE))
                                .version())
                .isNotEqualTo(base);
        assertThat(new AudioEncoder(AudioEncoderConfig.defaults().withLimits(2, 1000)).version())
                .isEqualTo(base);
    }

    @Test
    void configIsValidatedWithTheKeyNamed() {
        assertThat(AudioEncoderConfig.defaults())
                .isEqualTo(
                        new AudioEncoderConfig(
                                16000,
                                400,
                                160,
                                512,
                                40,
                                0,
                                8000,
                                MelFilterbank.Scale.SLANEY,
                                MelFilterbank.Norm.SLANEY,
                                1e-6,
                                true,
                                98,
                                10.0,
                                4 << 20));
        assertThatThrownBy(() -> AudioEncoderConfig.from(Map.of("audio.n.fft", "256")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("audio.n.fft");
        assertThatThrownBy(() -> AudioEncoderConfig.from(Map.of("audio.f.max", "9000")))
                .hasMessageContaining("audio.f.max");
        assertThatThrownBy(() -> AudioEncoderConfig.from(Map.of("audio.mel.scale", "bark")))
                .hasMessageContaining("audio.mel.scale");
        assertThatThrownBy(() -> AudioEncoderConfig.from(Map.of("audio.frame", "98")))
                .hasMessageContaining("audio.frame");
        assertThatThrownBy(
                        () ->
                                new AudioEncoder(
                                        AudioEncoderConfig.from(Map.of("audio.n.mels", "200"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("audio.n.mels");
        AudioEncoderConfig custom =
                AudioEncoderConfig.from(
                        Map.of(
                                "audio.mel.scale",
                                "htk",
                                "audio.normalize",
                                "FALSE",
                                "image.width",
                                "3"));
        assertThat(custom.melScale()).isEqualTo(MelFilterbank.Scale.HTK);
        assertThat(custom.normalize()).isFalse();
    }
}
