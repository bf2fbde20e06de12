package io.streamdl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LearnBenchmarkTest {
    /** Curve points every 512 examples, as the trainer emits them with batches of 32. */
    private static List<Integer> positions(int n) {
        List<Integer> p = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            p.add(i * 512);
        }
        return p;
    }

    /** 0.9 for windows ending up to {@code driftAt}, then the given values. */
    private static List<Double> curve(int driftAt, double... afterDrift) {
        List<Double> c = new ArrayList<>();
        for (int end = 512; end <= driftAt; end += 512) {
            c.add(0.9);
        }
        for (double v : afterDrift) {
            c.add(v);
        }
        return c;
    }

    @Test
    void recoveryCountsEventsToTheFirstWholePostDriftWindowBackWithinTolerance() {
        // drift at 10,240 (point 20); points then end at 10,752, 11,264, 11,776, ...
        List<Double> c = curve(10_240, 0.5, 0.6, 0.8, 0.86, 0.88, 0.9);
        LearnBenchmark.Recovery r = LearnBenchmark.recovery(c, positions(c.size()), 10_240);
        assertThat(r.preDriftLevel()).isCloseTo(0.9, within(1e-12));
        // 0.88 is the point ending at 12,800: 2,560 events after the drift
        assertThat(r.eventsAfterDrift()).isEqualTo(2_560);
    }

    @Test
    void aWindowOverlappingTheDriftDoesNotCountAsRecovered() {
        // the point ending at 10,752 still holds 512 pre-drift examples of its 1,000
        List<Double> c = curve(10_240, 0.89, 0.5, 0.7);
        assertThat(LearnBenchmark.recovery(c, positions(c.size()), 10_240).eventsAfterDrift())
                .isEqualTo(-1);
    }

    @Test
    void theLastSpanAveragesNonOverlappingWindows() {
        List<Double> c = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            c.add(i < 20 ? 0.5 : (i % 2 == 1 ? 0.9 : 0.0));
        }
        // windows of 1,000 every 512: every second point from the last (odd i) tiles the span
        assertThat(LearnBenchmark.lastSpanAccuracy(c, positions(40), 10_000))
                .isCloseTo(0.9, within(1e-12));
    }
}
