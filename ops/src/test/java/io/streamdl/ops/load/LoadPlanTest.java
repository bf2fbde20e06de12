package io.streamdl.ops.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The schedule of a load run and its percentiles. */
class LoadPlanTest {
    @Test
    void eventsAreDueOnAFixedScheduleWhateverTheReplies() {
        LoadPlan plan =
                new LoadPlan(
                        250, Duration.ofSeconds(2), Duration.ofSeconds(1), "image", true, true);
        assertThat(plan.events()).isEqualTo(500);
        assertThat(plan.dueNanos(0)).isZero();
        assertThat(plan.dueNanos(1)).isEqualTo(4_000_000);
        assertThat(plan.dueNanos(499)).isEqualTo(1_996_000_000);
        assertThatThrownBy(
                        () ->
                                new LoadPlan(
                                        0,
                                        Duration.ofSeconds(1),
                                        Duration.ZERO,
                                        "image",
                                        true,
                                        true))
                .hasMessageContaining("--rate");
        assertThatThrownBy(
                        () -> new LoadPlan(10, Duration.ZERO, Duration.ZERO, "image", true, true))
                .hasMessageContaining("--duration");
    }

    @Test
    void percentilesAreNearestRankOverEveryValue() {
        long[] micros = new long[100];
        for (int i = 0; i < 100; i++) {
            micros[i] = (100 - i) * 1000L; // 1..100 ms, unsorted
        }
        LatencyStats s = new LatencyStats(micros);
        assertThat(s.percentileMillis(50)).isEqualTo(50.0);
        assertThat(s.percentileMillis(99)).isEqualTo(99.0);
        assertThat(s.maxMillis()).isEqualTo(100.0);
        assertThat(new LatencyStats(new long[0]).percentileMillis(50)).isNaN();
    }
}
