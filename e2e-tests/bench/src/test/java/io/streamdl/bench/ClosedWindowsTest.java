package io.streamdl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.bench.MetricsWatcher.Seen;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClosedWindowsTest {
    private static Seen throughput(
            String model, long version, long start, long count, long readAt) {
        return revised(model, version, start, count, 0, readAt);
    }

    private static Seen revised(
            String model, long version, long start, long count, int revision, long readAt) {
        return new Seen(
                "throughput", model, version, null, start, start + 1000, count, revision, readAt);
    }

    @Test
    void aPhaseHasTheOneSecondThroughputWindowsOfItsTimeButNotTheFlushModelsOrOtherMetrics() {
        List<Seen> seen =
                List.of(
                        throughput("image", 1, 9_000, 99, 12_100), // before the phase
                        throughput("image", 1, 10_000, 5, 13_150), // holds the first send
                        throughput("audio", 2, 11_000, 7, 14_100),
                        throughput(DashboardTraffic.FLUSH_MODEL, 1, 11_000, 1, 14_100),
                        new Seen("latency_ms", "image", 1L, null, 11_000, 12_000, 7, 0, 14_100),
                        new Seen("throughput", "image", 1L, null, 10_000, 20_000, 12, 0, 23_000),
                        throughput("image", 2, 12_000, 4, 16_000), // closed by the flush
                        throughput("image", 1, 13_000, 99, 16_000)); // after the last send
        ClosedWindows w = ClosedWindows.of(seen, 1000, 10_400, 12_900);
        assertThat(w.size()).isEqualTo(3);
        assertThat(w.count()).isEqualTo(5 + 7 + 4);
        assertThat(w.countByModel())
                .containsExactly(Map.entry("audio", 7L), Map.entry("image", 9L));
        assertThat(w.versions()).containsExactly("audio@2", "image@1", "image@2");
        assertThat(w.duplicates()).isZero();
        // a record at 13,000 closes the windows ending by 13,000 - 2,000 grace
        assertThat(w.delays(13_000, 2000)).containsExactly(2150L);
        assertThat(w.delays(14_100, 2000)).containsExactly(2150L, 2100L);
    }

    @Test
    void aWindowReadTwiceAtOneRevisionIsADuplicateAndCountsOnce() {
        List<Seen> seen =
                List.of(throughput("image", 1, 0, 5, 3000), throughput("image", 1, 0, 5, 3001));
        ClosedWindows w = ClosedWindows.of(seen, 1000, 0, 500);
        assertThat(w.duplicates()).isEqualTo(1);
        assertThat(w.count()).isEqualTo(5);
    }

    @Test
    void anAmendedWindowCountsItsHighestRevisionAndItsDelayIsTheFirst() {
        List<Seen> seen =
                List.of(
                        revised("image", 1, 0, 5, 0, 3000),
                        revised("image", 1, 0, 8, 2, 9000),
                        revised("image", 1, 0, 7, 1, 6000));
        ClosedWindows w = ClosedWindows.of(seen, 1000, 0, 500);
        assertThat(w.count()).isEqualTo(8);
        assertThat(w.amended()).isEqualTo(1);
        assertThat(w.duplicates()).isZero();
        assertThat(w.delays(10_000, 2000)).containsExactly(2000L);
    }

    @Test
    void percentilesAreNearestRank() {
        List<Long> values = new java.util.ArrayList<>();
        for (long i = 100; i >= 1; i--) {
            values.add(i);
        }
        assertThat(ClosedWindows.percentiles(values))
                .containsExactly(
                        Map.entry("count", 100),
                        Map.entry("p50", 50L),
                        Map.entry("p95", 95L),
                        Map.entry("max", 100L));
        assertThat(ClosedWindows.percentiles(List.of())).containsExactly(Map.entry("count", 0));
    }
}
