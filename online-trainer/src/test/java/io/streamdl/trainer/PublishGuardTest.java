package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.trainer.PublishGuard.Verdict;
import org.junit.jupiter.api.Test;

class PublishGuardTest {
    private final PublishGuard guard = new PublishGuard(0.05);
    private final float[] fine = {0.1f, -2f, 3f};

    @Test
    void withinTheMarginOrWithoutReferenceAnUpdateIsPublished() {
        assertThat(guard.judge(fine, 0.90, Double.NaN)).isEqualTo(Verdict.PUBLISH);
        assertThat(guard.judge(fine, 0.86, 0.90)).isEqualTo(Verdict.PUBLISH);
        assertThat(guard.judge(fine, 0.95, 0.90)).isEqualTo(Verdict.PUBLISH);
    }

    @Test
    void aDropBeyondTheMarginIsHeldBack() {
        assertThat(guard.judge(fine, 0.84, 0.90)).isEqualTo(Verdict.HOLD_REGRESSION);
        assertThat(guard.judge(fine, Double.NaN, 0.90)).isEqualTo(Verdict.HOLD_REGRESSION);
    }

    @Test
    void aMeanErrorIsJudgedLowerIsBetterAndRelativeToTheReference() {
        assertThat(guard.judge(fine, 0.5, Double.NaN, false)).isEqualTo(Verdict.PUBLISH);
        assertThat(guard.judge(fine, 2.09, 2.0, false)).isEqualTo(Verdict.PUBLISH);
        assertThat(guard.judge(fine, 0.1, 2.0, false)).isEqualTo(Verdict.PUBLISH);
        assertThat(guard.judge(fine, 2.11, 2.0, false)).isEqualTo(Verdict.HOLD_REGRESSION);
        assertThat(guard.judge(fine, Double.NaN, 2.0, false)).isEqualTo(Verdict.HOLD_REGRESSION);
    }

    @Test
    void nanOrInfiniteWeightsAreAlwaysHeldBack() {
        assertThat(guard.judge(new float[] {1f, Float.NaN}, 1.0, Double.NaN))
                .isEqualTo(Verdict.HOLD_NON_FINITE);
        assertThat(guard.judge(new float[] {Float.NEGATIVE_INFINITY}, 1.0, 0.5))
                .isEqualTo(Verdict.HOLD_NON_FINITE);
    }
}
