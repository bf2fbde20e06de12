package io.streamdl.ops.load;

import java.util.Arrays;

/**
 * Exact percentiles (nearest rank) of a set of latencies in microseconds, for a load run's report.
 * Immutable once built.
 */
public final class LatencyStats {
    private final long[] sorted;

    public LatencyStats(long[] micros) {
        sorted = micros.clone();
        Arrays.sort(sorted);
    }

    public int count() {
        return sorted.length;
    }

    /** The smallest value with at least {@code p}% of the values at or below it; NaN if none. */
    public double percentileMillis(double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] / 1000.0;
    }

    public double maxMillis() {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1000.0;
    }
}
