package io.streamdl.bench.nab;

import java.time.LocalDateTime;
import java.util.List;

/**
 * A detector's output for one NAB file: an anomaly score for every row, in the file's row order.
 * NAB scores each row, so the timestamps are those of the file's rows; {@link NabScorer#forCorpus}
 * checks that. Their order is not checked: NAB's files repeat timestamps at daylight-saving changes
 * and one steps back an hour, and the rules go by row position. Immutable.
 */
public final class ScoredSeries {
    private final List<LocalDateTime> timestamps;
    private final double[] scores;

    private ScoredSeries(List<LocalDateTime> timestamps, double[] scores) {
        this.timestamps = timestamps;
        this.scores = scores;
    }

    /**
     * @param timestamps the rows' timestamps, in row order
     * @param scores one finite anomaly score per row (NAB's detectors give [0, 1])
     * @throws IllegalArgumentException if the lengths differ or a score is not finite
     */
    public static ScoredSeries of(List<LocalDateTime> timestamps, double[] scores) {
        List<LocalDateTime> ts = List.copyOf(timestamps);
        if (ts.size() != scores.length) {
            throw new IllegalArgumentException(
                    ts.size() + " timestamps but " + scores.length + " scores");
        }
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException("score of row " + i + " is " + scores[i]);
            }
        }
        return new ScoredSeries(ts, scores.clone());
    }

    public int size() {
        return scores.length;
    }

    public List<LocalDateTime> timestamps() {
        return timestamps;
    }

    public LocalDateTime timestamp(int row) {
        return timestamps.get(row);
    }

    public double score(int row) {
        return scores[row];
    }
}
