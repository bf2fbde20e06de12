package io.streamdl.encoders.audio;

import java.util.Arrays;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Log-mel frames of a mono signal, without centring ("snip edges", as Kaldi): frame {@code i}
 * covers samples {@code [i * hop, i * hop + window)}, so a signal of {@code n >= window} samples
 * gives {@code 1 + (n - window) / hop} frames and a shorter one is zero-padded to one window. Each
 * frame is multiplied by a periodic Hann window, zero-padded at the end to {@code nFft}, and
 * transformed with JTransforms' real FFT; the power spectrum {@code |X[k]|^2} goes through the
 * {@link MelFilterbank}, and each mel energy {@code e} becomes {@code ln(e + logOffset)}. No
 * pre-emphasis, dithering or DC removal. Thread-safe.
 */
public final class LogMelSpectrogram {
    private final int window;
    private final int hop;
    private final int nFft;
    private final double logOffset;
    private final MelFilterbank filterbank;
    private final double[] hann;

    public LogMelSpectrogram(
            int window, int hop, int nFft, double logOffset, MelFilterbank filterbank) {
        if (window < 1 || hop < 1 || nFft < window || nFft % 2 != 0) {
            throw new IllegalArgumentException(
                    "need 1 <= window <= nFft, nFft even, hop >= 1; got window "
                            + window
                            + ", hop "
                            + hop
                            + ", nFft "
                            + nFft);
        }
        if (filterbank.numBins() != nFft / 2 + 1) {
            throw new IllegalArgumentException("the filterbank is not built for nFft " + nFft);
        }
        this.window = window;
        this.hop = hop;
        this.nFft = nFft;
        this.logOffset = logOffset;
        this.filterbank = filterbank;
        this.hann = new double[window];
        for (int i = 0; i < window; i++) {
            hann[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / window);
        }
    }

    /** The number of frames a signal of {@code samples} samples gives (at least 1 if non-empty). */
    public int frameCount(int samples) {
        if (samples <= 0) {
            return 0;
        }
        return samples <= window ? 1 : 1 + (samples - window) / hop;
    }

    /**
     * Computes at most {@code maxFrames} frames from the start of {@code samples}.
     *
     * @return {@code [frames][nMels]} natural-log mel energies
     */
    public float[][] compute(float[] samples, int maxFrames) {
        int frames = Math.min(frameCount(samples.length), maxFrames);
        float[][] out = new float[frames][filterbank.numMels()];
        double[] buffer = new double[nFft];
        double[] power = new double[nFft / 2 + 1];
        double[] mel = new double[filterbank.numMels()];
        // JTransforms does not document its transforms as thread-safe, so each call plans its
        // own; for 512 points that costs a few microseconds against ~0.5 ms per clip
        DoubleFFT_1D fft = new DoubleFFT_1D(nFft);
        for (int f = 0; f < frames; f++) {
            int start = f * hop;
            Arrays.fill(buffer, 0);
            int available = Math.min(window, samples.length - start);
            for (int i = 0; i < available; i++) {
                buffer[i] = samples[start + i] * hann[i];
            }
            fft.realForward(buffer);
            // realForward packs Re[0], Re[n/2], then (Re[k], Im[k]) for 0 < k < n/2
            power[0] = buffer[0] * buffer[0];
            power[nFft / 2] = buffer[1] * buffer[1];
            for (int k = 1; k < nFft / 2; k++) {
                double re = buffer[2 * k];
                double im = buffer[2 * k + 1];
                power[k] = re * re + im * im;
            }
            filterbank.apply(power, mel);
            for (int m = 0; m < mel.length; m++) {
                out[f][m] = (float) Math.log(mel[m] + logOffset);
            }
        }
        return out;
    }

    /** The value of a frame of digital silence: {@code ln(logOffset)} in every mel bin. */
    public float silence() {
        return (float) Math.log(logOffset);
    }
}
