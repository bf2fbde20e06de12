package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PageHinkleyTest {
    private static int alarms(PageHinkley ph, Random r, double errorRate, int n) {
        int alarms = 0;
        for (int i = 0; i < n; i++) {
            if (ph.add(r.nextDouble() < errorRate ? 1 : 0)) {
                alarms++;
            }
        }
        return alarms;
    }

    @Test
    void aStationaryErrorStreamRaisesNoAlarm() {
        for (double rate : new double[] {0.05, 0.2, 0.5}) {
            PageHinkley ph = new PageHinkley(0.05, 50, 100);
            assertThat(alarms(ph, new Random(1), rate, 50_000)).as("error rate " + rate).isZero();
        }
    }

    @Test
    void aJumpOfTheErrorRateRaisesAnAlarmSoonAfter() {
        PageHinkley ph = new PageHinkley(0.05, 50, 100);
        Random r = new Random(2);
        assertThat(alarms(ph, r, 0.2, 5_000)).isZero();
        int delay = 0;
        while (!ph.add(r.nextDouble() < 0.7 ? 1 : 0)) {
            delay++;
            assertThat(delay).as("examples after the jump").isLessThan(400);
        }
        assertThat(ph.lastAlarmStatistic()).isGreaterThan(50);
        assertThat(ph.count()).as("restarted after the alarm").isZero();
    }

    @Test
    void aFallingErrorRateIsNoAlarm() {
        PageHinkley ph = new PageHinkley(0.05, 50, 100);
        Random r = new Random(3);
        assertThat(alarms(ph, r, 0.8, 2_000) + alarms(ph, r, 0.1, 5_000)).isZero();
    }

    @Test
    void noAlarmBeforeTheMinimumNumberOfExamples() {
        PageHinkley ph = new PageHinkley(0.0, 5, 50);
        for (int i = 0; i < 20; i++) {
            ph.add(0);
        }
        for (int i = 0; i < 29; i++) {
            assertThat(ph.add(1)).isFalse();
        }
        assertThat(ph.add(1)).isTrue();
    }
}
