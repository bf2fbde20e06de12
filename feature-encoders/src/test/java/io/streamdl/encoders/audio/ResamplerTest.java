package io.streamdl.encoders.audio;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResamplerTest {
    private final Resampler resampler = new Resampler(16000);

    private static float[] sine(double frequency, int rate, int n) {
        float[] samples = new float[n];
        for (int i = 0; i < n; i++) {
            samples[i] = (float) (0.5 * Math.sin(2 * Math.PI * frequency * i / rate));
        }
        return samples;
    }

    /** The largest difference from the ideal 16 kHz sine, away from the zero-padded edges. */
    private static double maxError(float[] out, double frequency) {
        float[] ideal = sine(frequency, 16000, out.length);
        double max = 0;
        for (int i = 400; i < out.length - 400; i++) {
            max = Math.max(max, Math.abs(out[i] - ideal[i]));
        }
        return max;
    }

    private static double rms(float[] samples, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += samples[i] * samples[i];
        }
        return Math.sqrt(sum / (to - from));
    }

    @Test
    void upsamplesEightKilohertz() {
        float[] out = resampler.resample(sine(1000, 8000, 8000), 8000);
        assertThat(out).hasSize(16000);
        assertThat(maxError(out, 1000)).isLessThan(2e-3);
    }

    @Test
    void downsamplesCommonRates() {
        for (int rate : new int[] {44100, 48000, 22050, 11025, 96000}) {
            float[] out = resampler.resample(sine(1000, rate, rate), rate);
            assertThat(out).as("%d Hz", rate).hasSize(16000);
            assertThat(maxError(out, 1000)).as("%d Hz", rate).isLessThan(2e-3);
        }
    }

    @Test
    void oddRatioWithoutAPhaseTableGivesTheSameQuality() {
        // 44101 / 16000 is already in lowest terms: 16000 phases, evaluated per sample
        float[] out = resampler.resample(sine(440, 44101, 44101), 44101);
        assertThat(out).hasSize(16000);
        assertThat(maxError(out, 440)).isLessThan(2e-3);
    }

    @Test
    void frequenciesAboveTheNewNyquistAreRemovedNotAliased() {
        for (double frequency : new double[] {10000, 12000, 15000}) {
            float[] in = sine(frequency, 44100, 44100);
            float[] out = resampler.resample(in, 44100);
            // at least 60 dB down from the input level
            assertThat(rms(out, 400, out.length - 400))
                    .as("%s Hz", frequency)
                    .isLessThan(rms(in, 0, in.length) * 1e-3);
        }
    }

    @Test
    void sameRateIsUntouchedAndConstantsKeepTheirLevel() {
        float[] in = sine(1000, 16000, 100);
        assertThat(resampler.resample(in, 16000)).isSameAs(in);
        float[] ones = new float[8000];
        java.util.Arrays.fill(ones, 1f);
        float[] out = resampler.resample(ones, 8000);
        for (int i = 200; i < out.length - 200; i++) {
            assertThat(out[i]).isBetween(0.999f, 1.001f);
        }
    }
}
