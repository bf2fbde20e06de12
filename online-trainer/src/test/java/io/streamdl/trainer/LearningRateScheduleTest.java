package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    private static LearningRateSchedule schedule(String adaptation, String halfLife) {
        return new LearningRateSchedule(
                OnlineTrainerTest.settings(
                        "trainer.learning-rate", "0.008",
                        "trainer.learning-rate.half-life-examples", halfLife,
                        "trainer.learning-rate.floor", "0.125",
                        "trainer.drift.adaptation", adaptation,
                        "trainer.drift.lr-boost", "4",
                        "trainer.drift.boost-steps", "2"));
    }

    @Test
    void theRateHalvesEveryHalfLifeDownToItsFloor() {
        LearningRateSchedule s = schedule("none", "64");
        assertThat(s.rate()).isEqualTo(0.008);
        assertThat(s.refresh()).as("the base rate is in use from the start").isFalse();

        s.afterStep(32);
        assertThat(s.refresh()).isTrue();
        assertThat(s.rate()).isCloseTo(0.008 * Math.sqrt(0.5), within(1e-12));
        s.afterStep(32);
        s.refresh();
        assertThat(s.rate()).isCloseTo(0.004, within(1e-12));

        for (int i = 0; i < 20; i++) {
            s.afterStep(64);
        }
        s.refresh();
        assertThat(s.rate()).as("the floor").isCloseTo(0.001, within(1e-12));
        s.afterStep(64);
        assertThat(s.refresh()).as("at the floor nothing changes").isFalse();
    }

    @Test
    void withoutAHalfLifeTheRateStaysAtTheBase() {
        LearningRateSchedule s = schedule("none", "0");
        s.afterStep(1_000_000);
        assertThat(s.refresh()).isFalse();
        assertThat(s.rate()).isEqualTo(0.008);
    }

    @Test
    void aDriftEventRestartsTheDecay() {
        LearningRateSchedule s = schedule("none", "64");
        s.afterStep(128);
        s.refresh();
        assertThat(s.rate()).isCloseTo(0.002, within(1e-12));
        assertThat(s.onDrift()).as("no optimizer reset").isFalse();
        assertThat(s.refresh()).isTrue();
        assertThat(s.rate()).isEqualTo(0.008);
    }

    @Test
    void aBoostMultipliesTheRateForItsStepsThenEnds() {
        LearningRateSchedule s = schedule("lr-boost", "0");
        assertThat(s.onDrift()).isFalse();
        s.refresh();
        assertThat(s.rate()).isEqualTo(0.008 * 4);
        s.afterStep(16);
        assertThat(s.refresh()).isFalse();
        assertThat(s.rate()).isEqualTo(0.008 * 4);
        s.afterStep(16);
        assertThat(s.refresh()).isTrue();
        assertThat(s.rate()).as("boost over after 2 steps").isEqualTo(0.008);
    }

    @Test
    void theAdaptationDecidesBoostAndOptimizerReset() {
        LearningRateSchedule reset = schedule("reset-optimizer", "0");
        assertThat(reset.onDrift()).isTrue();
        assertThat(reset.refresh()).as("no boost").isFalse();

        LearningRateSchedule both = schedule("both", "0");
        assertThat(both.onDrift()).isTrue();
        both.refresh();
        assertThat(both.rate()).isEqualTo(0.008 * 4);

        LearningRateSchedule none = schedule("none", "0");
        assertThat(none.onDrift()).isFalse();
        assertThat(none.refresh()).isFalse();
    }

    @Test
    void aRestoredScheduleContinuesItsBoostAndDecayAndAppliesItsRateOnce() {
        LearningRateSchedule s = schedule("both", "64");
        s.afterStep(64);
        s.onDrift();
        s.afterStep(64);
        s.refresh();
        LearningRateSchedule restored = schedule("both", "64");
        restored.restore(s.state());
        assertThat(restored.refresh())
                .as("the network must be given the rate, even an unchanged one")
                .isTrue();
        assertThat(restored.rate()).isEqualTo(s.rate()).isCloseTo(0.016, within(1e-12));
        assertThat(restored.refresh()).isFalse();

        s.afterStep(64);
        restored.afterStep(64);
        s.refresh();
        restored.refresh();
        assertThat(restored.rate()).as("boost over, decayed twice").isEqualTo(s.rate());
        assertThat(restored.rate()).isCloseTo(0.002, within(1e-12));
    }
}
