package io.streamdl.bench;

import io.streamdl.scoring.anomaly.Gaussian;
import java.util.ArrayDeque;

/**
 * Causal maps from a series' raw anomaly scores (the pipeline's forecast errors) to NAB's [0, 1]
 * detector scores: each output looks only at the score of its point and those before it, so the
 * threshold NAB optimises stays a rule a streaming detector can apply. Non-finite raw scores
 * (points that were dead-lettered or never came back) count as 0.
 */
final class NabScoreTransforms {
    private NabScoreTransforms() {}

    /**
     * The fraction of the previous {@code window} scores below each one (ties count half); 0 for
     * the first point. The statistic the AnomalyDetector's quantile threshold applies.
     */
    static double[] percentileRanks(double[] raw, int window) {
        double[] x = finite(raw);
        double[] ranks = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int from = Math.max(0, i - window);
            double below = 0;
            for (int j = from; j < i; j++) {
                below += x[j] < x[i] ? 1 : x[j] == x[i] ? 0.5 : 0;
            }
            ranks[i] = i == from || !Double.isFinite(raw[i]) ? 0 : below / (i - from);
        }
        return ranks;
    }

    /**
     * An anomaly likelihood in the manner of Numenta's: the Gaussian probability that the mean of
     * the last {@code shortWindow} scores is not above the mean of the previous {@code window}
     * scores, given their standard deviation (0.5 until 10 scores have been seen).
     */
    static double[] likelihood(double[] raw, int shortWindow, int window) {
        double[] x = finite(raw);
        int n = x.length;
        double[] out = new double[n];
        double recent = 0;
        for (int i = 0; i < n; i++) {
            recent += x[i] - (i >= shortWindow ? x[i - shortWindow] : 0);
            int from = Math.max(0, i - window);
            int count = i - from;
            if (count < 10) {
                out[i] = 0.5;
                continue;
            }
            double mean = 0;
            for (int j = from; j < i; j++) {
                mean += x[j];
            }
            mean /= count;
            double squares = 0;
            for (int j = from; j < i; j++) {
                squares += (x[j] - mean) * (x[j] - mean);
            }
            double std = Math.max(Math.sqrt(squares / count), 1e-6);
            double z = (recent / Math.min(i + 1, shortWindow) - mean) / std;
            out[i] = Gaussian.cdf(z);
        }
        return out;
    }

    /**
     * Each score against the largest of the previous {@code window}: r / (1 + r) for the ratio r,
     * so 0.5 is "as large as the recent maximum" (0 for the first 50 points).
     */
    static double[] maxRatio(double[] raw, int window) {
        double[] x = finite(raw);
        double[] out = new double[x.length];
        ArrayDeque<Integer> maxima = new ArrayDeque<>();
        for (int i = 0; i < x.length; i++) {
            while (!maxima.isEmpty() && maxima.peekFirst() < i - window) {
                maxima.pollFirst();
            }
            double max = maxima.isEmpty() ? 0 : x[maxima.peekFirst()];
            double r = max <= 0 ? 0 : x[i] / max;
            out[i] = i < 50 ? 0 : r / (1 + r);
            while (!maxima.isEmpty() && x[maxima.peekLast()] <= x[i]) {
                maxima.pollLast();
            }
            maxima.addLast(i);
        }
        return out;
    }

    private static double[] finite(double[] raw) {
        double[] x = new double[raw.length];
        for (int i = 0; i < raw.length; i++) {
            x[i] = Double.isFinite(raw[i]) ? raw[i] : 0;
        }
        return x;
    }
}
