package io.streamdl.encoders.audio;

import java.util.Arrays;

/**
 * Triangular mel filters over the bins of a real FFT, built as librosa's {@code filters.mel} and
 * torchaudio's {@code melscale_fbanks} build them: {@code nMels + 2} points equally spaced on the
 * mel scale between {@code fMin} and {@code fMax}; filter {@code m} rises linearly (in Hz) from
 * point {@code m} to 1 at point {@code m + 1} and falls to 0 at point {@code m + 2}; FFT bin {@code
 * k} sits at {@code k * sampleRate / nFft} Hz.
 *
 * <p>With {@link Scale#SLANEY} and {@link Norm#SLANEY} this is librosa's default; with {@link
 * Scale#HTK} and {@link Norm#NONE}, torchaudio's. Immutable.
 */
public final class MelFilterbank {
    /** How Hz map to mels. */
    public enum Scale {
        /** {@code 2595 log10(1 + f / 700)} (HTK, O'Shaughnessy). */
        HTK,
        /**
         * Slaney's Auditory Toolbox: linear {@code 3 f / 200} below 1 kHz, logarithmic with 27
         * steps per factor 6.4 above (librosa's default).
         */
        SLANEY
    }

    /** How the triangles are scaled. */
    public enum Norm {
        /** Peak 1. */
        NONE,
        /** Divided by half the band width in Hz, {@code 2 / (f[m+2] - f[m])}, for equal area. */
        SLANEY
    }

    private static final double SLANEY_F_SP = 200.0 / 3;
    private static final double SLANEY_MIN_LOG_HZ = 1000.0;
    private static final double SLANEY_MIN_LOG_MEL = SLANEY_MIN_LOG_HZ / SLANEY_F_SP;
    private static final double SLANEY_LOG_STEP = Math.log(6.4) / 27.0;

    private final int nBins;
    private final double[] points;

    /** For each filter, its non-zero weights starting at bin {@code first[m]}. */
    private final double[][] weights;

    private final int[] first;

    private MelFilterbank(int nBins, double[] points, double[][] weights, int[] first) {
        this.nBins = nBins;
        this.points = points;
        this.weights = weights;
        this.first = first;
    }

    /**
     * Builds the filters for a real FFT of {@code nFft} points ({@code nFft / 2 + 1} bins).
     *
     * @throws IllegalArgumentException if the arguments do not describe a filterbank
     */
    public static MelFilterbank create(
            int sampleRate, int nFft, int nMels, double fMin, double fMax, Scale scale, Norm norm) {
        if (sampleRate <= 0 || nFft < 2 || nMels < 1) {
            throw new IllegalArgumentException("sample rate, nFft and nMels must be positive");
        }
        if (!(fMin >= 0 && fMin < fMax && fMax <= sampleRate / 2.0)) {
            throw new IllegalArgumentException(
                    "need 0 <= fMin < fMax <= sampleRate / 2, got " + fMin + " and " + fMax);
        }
        int nBins = nFft / 2 + 1;
        double melMin = hzToMel(fMin, scale);
        double melMax = hzToMel(fMax, scale);
        double[] points = new double[nMels + 2];
        for (int i = 0; i < points.length; i++) {
            points[i] = melToHz(melMin + (melMax - melMin) * i / (nMels + 1), scale);
        }
        double[][] weights = new double[nMels][];
        int[] first = new int[nMels];
        double[] row = new double[nBins];
        for (int m = 0; m < nMels; m++) {
            double lower = points[m];
            double centre = points[m + 1];
            double upper = points[m + 2];
            double scaleBy = norm == Norm.SLANEY ? 2.0 / (upper - lower) : 1.0;
            int lo = -1;
            int hi = -1;
            for (int k = 0; k < nBins; k++) {
                double f = (double) k * sampleRate / nFft;
                double rising = (f - lower) / (centre - lower);
                double falling = (upper - f) / (upper - centre);
                row[k] = Math.max(0, Math.min(rising, falling)) * scaleBy;
                if (row[k] > 0) {
                    if (lo < 0) {
                        lo = k;
                    }
                    hi = k;
                }
            }
            // a filter narrower than one bin has no weight; keep it (all zero) so indices hold
            first[m] = lo < 0 ? 0 : lo;
            weights[m] = lo < 0 ? new double[0] : Arrays.copyOfRange(row, lo, hi + 1);
        }
        return new MelFilterbank(nBins, points, weights, first);
    }

    public static double hzToMel(double hz, Scale scale) {
        if (scale == Scale.HTK) {
            return 2595.0 * Math.log10(1.0 + hz / 700.0);
        }
        if (hz < SLANEY_MIN_LOG_HZ) {
            return hz / SLANEY_F_SP;
        }
        return SLANEY_MIN_LOG_MEL + Math.log(hz / SLANEY_MIN_LOG_HZ) / SLANEY_LOG_STEP;
    }

    public static double melToHz(double mel, Scale scale) {
        if (scale == Scale.HTK) {
            return 700.0 * (Math.pow(10.0, mel / 2595.0) - 1.0);
        }
        if (mel < SLANEY_MIN_LOG_MEL) {
            return mel * SLANEY_F_SP;
        }
        return SLANEY_MIN_LOG_HZ * Math.exp(SLANEY_LOG_STEP * (mel - SLANEY_MIN_LOG_MEL));
    }

    public int numMels() {
        return weights.length;
    }

    public int numBins() {
        return nBins;
    }

    /** The {@code nMels + 2} band edges in Hz; filter {@code m} peaks at element {@code m + 1}. */
    public double[] bandEdges() {
        return points.clone();
    }

    /** The full {@code [nMels][nFft / 2 + 1]} weight matrix. */
    public double[][] matrix() {
        double[][] full = new double[weights.length][nBins];
        for (int m = 0; m < weights.length; m++) {
            System.arraycopy(weights[m], 0, full[m], first[m], weights[m].length);
        }
        return full;
    }

    /** Applies the filters to one power spectrum of {@code nFft / 2 + 1} bins. */
    public void apply(double[] power, double[] melOut) {
        for (int m = 0; m < weights.length; m++) {
            double[] w = weights[m];
            int base = first[m];
            double sum = 0;
            for (int i = 0; i < w.length; i++) {
                sum += w[i] * power[base + i];
            }
            melOut[m] = sum;
        }
    }
}
