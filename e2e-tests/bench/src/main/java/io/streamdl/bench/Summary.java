package io.streamdl.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One number of a scenario over its repeated runs: the median, the smallest and the largest, and
 * every run's value in run order. A run that could not measure the number contributes NaN, which is
 * kept in {@link #values} but left out of the median and range; with no finite value at all the
 * three are NaN.
 */
public record Summary(double median, double min, double max, List<Double> values) {
    public Summary {
        values = List.copyOf(values);
    }

    /** The summary of {@code values}, one per run. */
    public static Summary of(List<Double> values) {
        List<Double> finite = new ArrayList<>();
        for (double v : values) {
            if (Double.isFinite(v)) {
                finite.add(v);
            }
        }
        if (finite.isEmpty()) {
            return new Summary(Double.NaN, Double.NaN, Double.NaN, values);
        }
        finite.sort(Double::compare);
        int n = finite.size();
        double median =
                n % 2 == 1 ? finite.get(n / 2) : (finite.get(n / 2 - 1) + finite.get(n / 2)) / 2;
        return new Summary(median, finite.get(0), finite.get(n - 1), values);
    }

    /** How many runs measured the number. */
    public int measuredRuns() {
        return (int) values.stream().filter(Double::isFinite).count();
    }
}
