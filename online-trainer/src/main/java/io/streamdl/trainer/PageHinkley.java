package io.streamdl.trainer;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The Page-Hinkley test for an increase of a stream's mean, here the prequential 0/1 error: it
 * accumulates {@code x - mean - delta} and raises an alarm when that sum rises more than {@code
 * lambda} above its minimum. {@code delta} is the change tolerated without alarm, {@code lambda}
 * trades detection delay against false alarms; no alarm is raised before {@code minExamples}
 * values. After an alarm the test starts afresh. Not thread-safe.
 */
public final class PageHinkley {
    private final double delta;
    private final double lambda;
    private final long minExamples;
    private long n;
    private double mean;
    private double sum;
    private double min;
    private double lastAlarm = Double.NaN;

    public PageHinkley(double delta, double lambda, long minExamples) {
        if (!(delta >= 0) || !(lambda > 0) || minExamples < 1) {
            throw new IllegalArgumentException(
                    "Page-Hinkley needs delta >= 0, lambda > 0, minExamples >= 1; got "
                            + delta
                            + ", "
                            + lambda
                            + ", "
                            + minExamples);
        }
        this.delta = delta;
        this.lambda = lambda;
        this.minExamples = minExamples;
    }

    /** Adds a value; true if it raises an alarm (and the test restarts). */
    public boolean add(double x) {
        n++;
        mean += (x - mean) / n;
        sum += x - mean - delta;
        min = Math.min(min, sum);
        if (n >= minExamples && sum - min > lambda) {
            lastAlarm = sum - min;
            reset();
            return true;
        }
        return false;
    }

    /** The current test statistic: how far the cumulative sum is above its minimum. */
    public double statistic() {
        return sum - min;
    }

    /** The statistic that raised the last alarm, or NaN if none was raised. */
    public double lastAlarmStatistic() {
        return lastAlarm;
    }

    /** Values seen since the start or the last alarm. */
    public long count() {
        return n;
    }

    public void reset() {
        n = 0;
        mean = 0;
        sum = 0;
        min = 0;
    }

    void writeTo(DataOutput out) throws IOException {
        out.writeLong(n);
        out.writeDouble(mean);
        out.writeDouble(sum);
        out.writeDouble(min);
    }

    void readFrom(DataInput in) throws IOException {
        n = in.readLong();
        mean = in.readDouble();
        sum = in.readDouble();
        min = in.readDouble();
    }
}
