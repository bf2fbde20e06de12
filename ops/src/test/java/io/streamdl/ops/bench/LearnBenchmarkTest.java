package io.streamdl.ops.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LearnBenchmarkTest {
    /** A curve point every 500 examples: 0.9 up to {@code driftAt}, then the given values. */
    private static List<Double> curve(int driftAt, double... afterDrift) {
        List<Double> c = new ArrayList<>();
        for (int end = LearnBenchmark.METRIC_EVERY; end <= driftAt; end += 500) {
            c.add(0.9);
        }
        for (double v : afterDrift) {
            c.add(v);
        }
        return c;
    }

    @Test
    void recoveryCountsEventsToTheFirstWholePostDriftWindowBackWithinTolerance() {
        // points end at 10,500, 11,000, ...; the first window wholly after 10,000 ends at 11,000
        List<Double> c = curve(10_000, 0.5, 0.6, 0.8, 0.86, 0.88, 0.9);
        LearnBenchmark.Recovery r = LearnBenchmark.recovery(c, 10_000);
        assertThat(r.preDriftLevel()).isCloseTo(0.9, within(1e-12));
        assertThat(r.eventsAfterDrift()).as("0.88 at the window ending 12,500").isEqualTo(2_500);
    }

    @Test
    void aWindowOverlappingTheDriftDoesNotCountAsRecovered() {
        // the point ending at 10,500 still holds 500 pre-drift examples
        List<Double> c = curve(10_000, 0.89, 0.5, 0.7);
        assertThat(LearnBenchmark.recovery(c, 10_000).eventsAfterDrift()).isEqualTo(-1);
    }

    @Test
    void theLastSpanAveragesNonOverlappingWindows() {
        List<Double> c = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            c.add(i < 20 ? 0.5 : (i % 2 == 1 ? 0.9 : 0.0));
        }
        // 10k examples = the last 10 windows of 1,000 = every second point from the last (odd i)
        assertThat(LearnBenchmark.lastSpanAccuracy(c, 10_000)).isCloseTo(0.9, within(1e-12));
    }
}
