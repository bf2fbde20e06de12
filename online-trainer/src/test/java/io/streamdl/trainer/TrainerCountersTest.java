package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class TrainerCountersTest {
    @Test
    void aStepCountsItsExamplesAsLearnedAndTowardsTheNextPublishAttempt() {
        TrainerCounters c = new TrainerCounters();
        c.addStep(16);
        c.addStep(5);
        assertThat(c.steps()).isEqualTo(2);
        assertThat(c.examplesLearned()).isEqualTo(21);
        assertThat(c.learnedSinceAttempt()).isEqualTo(21);

        c.resetLearnedSinceAttempt();
        c.addStep(3);
        assertThat(c.learnedSinceAttempt()).isEqualTo(3);
        assertThat(c.examplesLearned()).isEqualTo(24);
    }

    @Test
    void refusalsAndHoldBacksAddUpAcrossTheirReasons() {
        TrainerCounters c = new TrainerCounters();
        c.addUnknownLabel();
        c.addMisfit();
        c.addMisfit();
        c.addHeldBackRegression();
        c.addHeldBackNonFinite();
        c.addHeldBackNonFinite();
        assertThat(c.refused()).isEqualTo(3);
        assertThat(c.heldBackRegression()).isEqualTo(1);
        assertThat(c.heldBackNonFinite()).isEqualTo(2);
        assertThat(c.heldBack()).isEqualTo(3);
    }

    @Test
    void evaluatedExamplesCountUntilTheMetricsAreEmitted() {
        TrainerCounters c = new TrainerCounters();
        c.addEvaluated(16);
        c.addEvaluated(16);
        assertThat(c.evaluatedSinceMetrics()).isEqualTo(32);
        c.resetEvaluatedSinceMetrics();
        assertThat(c.evaluatedSinceMetrics()).isZero();
    }

    @Test
    void theCountersAreWrittenInTheOrderOfSnapshotFormat3AndReadBack() throws IOException {
        TrainerCounters c = new TrainerCounters();
        for (int i = 0; i < 11; i++) {
            c.addSeen();
        }
        c.addStep(7); // learned 7, since attempt 7, steps 1
        c.addEvaluated(5);
        c.addPublished();
        c.addPublished();
        c.addHeldBackRegression();
        c.addHeldBackNonFinite();
        c.addHeldBackNonFinite();
        c.addHeldBackNonFinite();
        c.addUnknownLabel();
        c.addMisfit();
        c.addMisfit();
        c.addDrift();
        c.addReplayed(32);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        c.writeTo(new DataOutputStream(bytes));
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        long[] written = new long[12];
        for (int i = 0; i < written.length; i++) {
            written[i] = in.readLong();
        }
        assertThat(in.available()).isZero();
        // seen, learned, learned since attempt, evaluated since metrics, steps, published,
        // held back (regression, non-finite), unknown labels, misfits, drifts, replayed
        assertThat(written).containsExactly(11, 7, 7, 5, 1, 2, 1, 3, 1, 2, 1, 32);

        TrainerCounters read =
                TrainerCounters.readFrom(
                        new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(read.examplesSeen()).isEqualTo(11);
        assertThat(read.examplesLearned()).isEqualTo(7);
        assertThat(read.learnedSinceAttempt()).isEqualTo(7);
        assertThat(read.evaluatedSinceMetrics()).isEqualTo(5);
        assertThat(read.steps()).isEqualTo(1);
        assertThat(read.published()).isEqualTo(2);
        assertThat(read.heldBackRegression()).isEqualTo(1);
        assertThat(read.heldBackNonFinite()).isEqualTo(3);
        assertThat(read.refused()).isEqualTo(3);
        assertThat(read.driftEvents()).isEqualTo(1);
        assertThat(read.examplesReplayed()).isEqualTo(32);
    }
}
