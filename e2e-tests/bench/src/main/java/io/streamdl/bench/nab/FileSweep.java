package io.streamdl.bench.nab;

import java.util.List;

/**
 * One file's rows as NAB's rules see them under one profile, before any threshold is chosen: for
 * each row, which window it lies in (or none, or the probationary period) and what a detection on
 * it would be worth. Both the threshold sweep and the scoring at a fixed threshold read this.
 */
final class FileSweep {
    /** {@link #windowOf} of a scored row outside every window. */
    static final int OUTSIDE = -1;

    /** {@link #windowOf} of a row in the probationary period, which no rule scores. */
    static final int PROBATION = -2;

    /** The relative position ({@code -1}) of a window's first row, where a detection earns most. */
    private static final double MAX_TP = scaledSigmoid(-1.0);

    final String file;
    final double[] anomalyScores;

    /**
     * What a detection on each row adds to the score: inside a window, its (positive) share of the
     * TP weight; outside, its (negative) share of the FP weight.
     */
    final double[] rowScores;

    /** The index of each row's window in the file's window list, or OUTSIDE, or PROBATION. */
    final int[] windowOf;

    /** Whether a window has a row after the probationary period: only those earn or cost. */
    final boolean[] scorableWindow;

    private FileSweep(
            String file,
            double[] anomalyScores,
            double[] rowScores,
            int[] windowOf,
            boolean[] scorableWindow) {
        this.file = file;
        this.anomalyScores = anomalyScores;
        this.rowScores = rowScores;
        this.windowOf = windowOf;
        this.scorableWindow = scorableWindow;
    }

    /**
     * NAB's scaled sigmoid of a detection's position relative to a window's right end, measured in
     * window widths: {@code -1} is the window's first row, {@code 0} just past its last row,
     * positive positions lie after the window. It falls from 0.987 at -1 through 0 at 0 to -0.987
     * at 1 and is clamped to -1 beyond 3 (a false positive that far from any window costs the full
     * weight).
     */
    static double scaledSigmoid(double position) {
        if (position > 3.0) {
            return -1.0;
        }
        return 2.0 / (1.0 + Math.exp(5.0 * position)) - 1.0;
    }

    /**
     * The number of leading rows in the probationary period: {@code probationPercent} of the rows,
     * rounded down, but at most {@code probationPercent} of 5000 (a detector gets that long to
     * learn a long series, no longer).
     */
    static int probationRows(int rows, double probationPercent) {
        return (int)
                Math.ceil(Math.min(Math.floor(probationPercent * rows), probationPercent * 5000));
    }

    static FileSweep of(
            String file,
            ScoredSeries series,
            List<NabWindow> windows,
            NabProfile profile,
            double probationPercent) {
        int n = series.size();
        int w = windows.size();
        int[] first = new int[w];
        int[] last = new int[w];
        int row = 0;
        for (int k = 0; k < w; k++) {
            NabWindow window = windows.get(k);
            if (k > 0 && !window.start().isAfter(windows.get(k - 1).end())) {
                throw new IllegalArgumentException(
                        file
                                + ": windows must be in time order and disjoint, but "
                                + window
                                + " starts before "
                                + windows.get(k - 1)
                                + " ends");
            }
            while (row < n && series.timestamp(row).isBefore(window.start())) {
                row++;
            }
            first[k] = row;
            while (row < n && series.timestamp(row).isBefore(window.end())) {
                row++;
            }
            // NAB's files repeat some timestamps (at daylight-saving changes): like NAB, end the
            // window on the first row at its end, not the last.
            last[k] = row < n && series.timestamp(row).equals(window.end()) ? row : row - 1;
            row = last[k] + 1;
            if (last[k] < first[k]) {
                throw new IllegalArgumentException(file + ": window " + window + " holds no row");
            }
        }

        int probation = probationRows(n, probationPercent);
        double[] anomaly = new double[n];
        double[] rowScores = new double[n];
        int[] windowOf = new int[n];
        boolean[] scorable = new boolean[w];
        int next = 0; // the first window that has not ended before this row
        for (int i = 0; i < n; i++) {
            while (next < w && last[next] < i) {
                next++;
            }
            anomaly[i] = series.score(i);
            if (next < w && i >= first[next]) {
                double width = last[next] - first[next] + 1;
                double position = -(last[next] - i + 1) / width;
                rowScores[i] = scaledSigmoid(position) * profile.tpWeight() / MAX_TP;
                windowOf[i] = next;
            } else {
                // Outside: the cost depends on the distance past the last window that ended, in
                // that window's widths; before the first window it is the full FP weight.
                int prev = next - 1;
                double unweighted;
                if (prev < 0) {
                    unweighted = -1.0;
                } else {
                    // A one-row window has width 0 here: the position is infinite, the cost full.
                    double position = (double) (i - last[prev]) / (last[prev] - first[prev]);
                    unweighted = scaledSigmoid(position);
                }
                rowScores[i] = unweighted * profile.fpWeight();
                windowOf[i] = OUTSIDE;
            }
            if (i < probation) {
                windowOf[i] = PROBATION;
            } else if (windowOf[i] >= 0) {
                scorable[windowOf[i]] = true;
            }
        }
        return new FileSweep(file, anomaly, rowScores, windowOf, scorable);
    }

    int scorableWindows() {
        int count = 0;
        for (boolean s : scorableWindow) {
            if (s) {
                count++;
            }
        }
        return count;
    }

    /**
     * The file's score and counts when every row scoring at least {@code threshold} is a detection:
     * each window earns its first detection's share of the TP weight or, without one, costs the FN
     * weight; each detection outside the windows costs its share of the FP weight. The counts are
     * of rows after the probationary period, as NAB reports them.
     */
    FileScore scoreAt(double threshold, double fnWeight) {
        int w = scorableWindow.length;
        boolean[] detected = new boolean[w];
        double[] earned = new double[w];
        double falsePositives = 0;
        int tp = 0;
        int tn = 0;
        int fp = 0;
        int fn = 0;
        for (int i = 0; i < anomalyScores.length; i++) {
            int window = windowOf[i];
            if (window == PROBATION) {
                continue;
            }
            boolean detection = anomalyScores[i] >= threshold;
            if (window == OUTSIDE) {
                if (detection) {
                    fp++;
                    falsePositives += rowScores[i];
                } else {
                    tn++;
                }
            } else if (detection) {
                tp++;
                // Only the earliest detection in a window counts; later ones neither earn nor cost.
                if (!detected[window]) {
                    detected[window] = true;
                    earned[window] = rowScores[i];
                }
            } else {
                fn++;
            }
        }
        double score = falsePositives;
        for (int k = 0; k < w; k++) {
            if (scorableWindow[k]) {
                score += detected[k] ? earned[k] : -fnWeight;
            }
        }
        return new FileScore(file, score, tp, tn, fp, fn, anomalyScores.length);
    }
}
