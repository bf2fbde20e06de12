package io.streamdl.bench;

/**
 * The send times of an open-loop sender, fixed before it starts: record {@code i} is due at {@code
 * start + i / rate}, whatever the earlier sends took. A sender that falls behind sends every due
 * record at once rather than shifting the rest, so the offered rate stays the planned one; how far
 * behind it fell is {@link #maxBehindNanos()}.
 */
final class OpenLoopSchedule {
    private final long startNanos;
    private final double rate;
    private final long total;
    private long sent;
    private long maxBehindNanos;

    /**
     * @param rate records per second
     * @param total records to send
     */
    OpenLoopSchedule(long startNanos, double rate, long total) {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be positive and finite: " + rate);
        }
        if (total < 0) {
            throw new IllegalArgumentException("negative total " + total);
        }
        this.startNanos = startNanos;
        this.rate = rate;
        this.total = total;
    }

    /** When record {@code i} is due. */
    long plannedNanos(long i) {
        return startNanos + (long) (i * 1e9 / rate);
    }

    /** How many records are due at {@code nowNanos} and not yet sent. */
    long due(long nowNanos) {
        if (nowNanos < startNanos) {
            return 0;
        }
        long dueBy = Math.min(total, (long) Math.floor((nowNanos - startNanos) * rate / 1e9) + 1);
        // the floor above can disagree with plannedNanos' rounding by one record at a boundary
        while (dueBy < total && plannedNanos(dueBy) <= nowNanos) {
            dueBy++;
        }
        while (dueBy > sent && plannedNanos(dueBy - 1) > nowNanos) {
            dueBy--;
        }
        return Math.max(0, dueBy - sent);
    }

    /** Records the next due record as sent at {@code nowNanos}. */
    void sent(long nowNanos) {
        if (sent >= total) {
            throw new IllegalStateException("all " + total + " records were sent");
        }
        maxBehindNanos = Math.max(maxBehindNanos, nowNanos - plannedNanos(sent));
        sent++;
    }

    /** Nanoseconds from {@code nowNanos} until the next record is due (0 if it is due). */
    long nanosUntilNext(long nowNanos) {
        return done() ? 0 : Math.max(0, plannedNanos(sent) - nowNanos);
    }

    boolean done() {
        return sent >= total;
    }

    long sentSoFar() {
        return sent;
    }

    long total() {
        return total;
    }

    double rate() {
        return rate;
    }

    /** The most a record was sent after it was due. */
    long maxBehindNanos() {
        return maxBehindNanos;
    }
}
