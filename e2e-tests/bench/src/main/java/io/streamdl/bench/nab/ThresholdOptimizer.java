package io.streamdl.bench.nab;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses the anomaly threshold that maximises a detector's raw NAB score over a whole corpus for
 * one profile (a row is a detection when its score is at least the threshold). The corpus score as
 * a function of the threshold is a step function that changes only at the rows' scores; it is
 * computed exactly, once, by sorting the rows by score and adding them in that order. Two searches
 * read it:
 *
 * <ul>
 *   <li>{@link Search#SWEEP} tries every step (every distinct score, and "no detection at all") and
 *       takes the best, the highest threshold of equal ones: NAB's optimiser since 2019.
 *   <li>{@link Search#HILL_CLIMB} is the local search NAB used before (from 0.5, a step of 0.1 that
 *       doubles after every improvement and halves after every failure in both directions, down to
 *       1e-7). It can stop on a local maximum, and it chose the thresholds behind NAB's published
 *       scores of the Numenta detector, so it is here to reproduce those.
 * </ul>
 */
public final class ThresholdOptimizer {
    /** The threshold meaning "no detection": no finite score reaches it. */
    public static final double NO_DETECTION = Double.POSITIVE_INFINITY;

    /** How the threshold is searched for. */
    public enum Search {
        /** Every distinct score: the global maximum. */
        SWEEP,
        /** NAB's earlier local search: a local maximum near 0.5. */
        HILL_CLIMB
    }

    private static final double CLIMB_START = 0.5;
    private static final double CLIMB_STEP = 0.1;
    private static final double CLIMB_TOLERANCE = 1e-7;

    /**
     * The best threshold found and the corpus's raw score at it.
     *
     * @param threshold a score of some row, or {@link #NO_DETECTION}, for a sweep; a point in [0,
     *     1] for a hill climb
     */
    public record Optimum(double threshold, double rawScore) {}

    private ThresholdOptimizer() {}

    static Optimum optimize(List<FileSweep> files, double fnWeight, Search search) {
        Steps steps = Steps.of(files, fnWeight);
        return search == Search.SWEEP ? steps.best() : steps.climb();
    }

    /**
     * The corpus score at each step, thresholds falling: {@code scores[k]} is the score when the
     * detections are the rows scoring at least {@code thresholds[k]}; step 0 is no detection.
     */
    private record Steps(double[] thresholds, double[] scores) {
        static Steps of(List<FileSweep> files, double fnWeight) {
            int rows = 0;
            int windows = 0;
            for (FileSweep f : files) {
                rows += f.anomalyScores.length;
                windows += f.scorableWindow.length;
            }
            // The scored rows of the whole corpus, with windows numbered across files.
            double[] anomaly = new double[rows];
            double[] rowScore = new double[rows];
            int[] window = new int[rows];
            double[] earned = new double[windows];
            int count = 0;
            int windowBase = 0;
            double score = 0;
            for (FileSweep f : files) {
                for (int i = 0; i < f.anomalyScores.length; i++) {
                    if (f.windowOf[i] == FileSweep.PROBATION) {
                        continue;
                    }
                    anomaly[count] = f.anomalyScores[i];
                    rowScore[count] = f.rowScores[i];
                    window[count] =
                            f.windowOf[i] == FileSweep.OUTSIDE ? -1 : windowBase + f.windowOf[i];
                    count++;
                }
                for (int k = 0; k < f.scorableWindow.length; k++) {
                    // With no detection every scorable window is missed.
                    earned[windowBase + k] = f.scorableWindow[k] ? -fnWeight : 0;
                    score += earned[windowBase + k];
                }
                windowBase += f.scorableWindow.length;
            }

            Integer[] order = new Integer[count];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, Comparator.comparingDouble((Integer i) -> anomaly[i]).reversed());

            double[] thresholds = new double[count + 1];
            double[] scores = new double[count + 1];
            thresholds[0] = NO_DETECTION;
            scores[0] = score;
            int steps = 1;
            double falsePositives = 0;
            int at = 0;
            while (at < count) {
                double threshold = anomaly[order[at]];
                // Every row with this score becomes a detection together.
                for (; at < count && anomaly[order[at]] == threshold; at++) {
                    int row = order[at];
                    if (window[row] < 0) {
                        falsePositives += rowScore[row];
                    } else if (rowScore[row] > earned[window[row]]) {
                        // A window's earliest detection is its best (the sigmoid falls across the
                        // window), so keeping the best is keeping the first.
                        score += rowScore[row] - earned[window[row]];
                        earned[window[row]] = rowScore[row];
                    }
                }
                thresholds[steps] = threshold;
                scores[steps] = score + falsePositives;
                steps++;
            }
            return new Steps(Arrays.copyOf(thresholds, steps), Arrays.copyOf(scores, steps));
        }

        Optimum best() {
            int best = 0;
            for (int k = 1; k < scores.length; k++) {
                if (scores[k] > scores[best]) {
                    best = k;
                }
            }
            return new Optimum(thresholds[best], scores[best]);
        }

        /** The corpus score at any threshold: that of the lowest step at or above it. */
        double scoreAt(double threshold) {
            if (!(threshold >= 0 && threshold <= 1)) {
                // NAB's hill climb searched [0, 1] only.
                return Double.NEGATIVE_INFINITY;
            }
            int lo = 0;
            int hi = thresholds.length - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (thresholds[mid] >= threshold) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return scores[lo];
        }

        Optimum climb() {
            double x = CLIMB_START;
            double step = CLIMB_STEP;
            double bestScore = scoreAt(x);
            Optimum best = new Optimum(x, bestScore);
            while (step > CLIMB_TOLERANCE) {
                x += step;
                double score = scoreAt(x);
                if (score <= bestScore) {
                    x -= 2 * step;
                    score = scoreAt(x);
                }
                if (score > bestScore) {
                    bestScore = score;
                    best = new Optimum(x, score);
                    step *= 2;
                } else {
                    // Neither direction helps: back to the centre with half the step.
                    x += step;
                    step *= 0.5;
                }
            }
            return best;
        }
    }
}
