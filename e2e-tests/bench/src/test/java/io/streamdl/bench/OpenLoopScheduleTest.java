package io.streamdl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OpenLoopScheduleTest {
    private static final long MS = 1_000_000;

    @Test
    void recordsFallDueAtTheRateFromTheStartWhateverWasSent() {
        OpenLoopSchedule s = new OpenLoopSchedule(1000 * MS, 1000, 100);
        assertThat(s.due(999 * MS)).isZero();
        assertThat(s.due(1000 * MS)).isEqualTo(1);
        assertThat(s.due(1010 * MS + MS / 2)).isEqualTo(11);
        assertThat(s.plannedNanos(10)).isEqualTo(1010 * MS);
        assertThat(s.nanosUntilNext(999 * MS)).isEqualTo(MS);
    }

    @Test
    void aSenderBehindSendsEveryDueRecordAtOnceAndTheLatenessIsKept() {
        OpenLoopSchedule s = new OpenLoopSchedule(0, 100, 1000);
        s.sent(0);
        // 50 ms late: records 1 to 5 are due and go at once; the schedule does not shift
        long now = 50 * MS;
        long due = s.due(now);
        assertThat(due).isEqualTo(5);
        for (long i = 0; i < due; i++) {
            s.sent(now);
        }
        assertThat(s.due(now)).isZero();
        assertThat(s.maxBehindNanos()).isEqualTo(40 * MS);
        assertThat(s.nanosUntilNext(now)).isEqualTo(10 * MS);
    }

    @Test
    void theTotalCapsWhatFallsDue() {
        OpenLoopSchedule s = new OpenLoopSchedule(0, 10, 3);
        assertThat(s.due(60_000 * MS)).isEqualTo(3);
        s.sent(1);
        s.sent(1);
        s.sent(1);
        assertThat(s.done()).isTrue();
        assertThat(s.due(60_000 * MS)).isZero();
        assertThatThrownBy(() -> s.sent(2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new OpenLoopSchedule(0, 0, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
