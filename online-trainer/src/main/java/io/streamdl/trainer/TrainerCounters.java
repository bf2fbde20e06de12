package io.streamdl.trainer;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * What an {@link OnlineTrainer} has counted: examples seen, refused, learned and replayed, steps,
 * publish outcomes and drift events, plus the two running counts that trigger a publish attempt and
 * window metrics. Not thread-safe.
 */
final class TrainerCounters {
    private long examplesSeen;
    private long examplesLearned;
    private long learnedSinceAttempt;
    private long evaluatedSinceMetrics;
    private long steps;
    private long published;
    private long heldBackRegression;
    private long heldBackNonFinite;
    private long unknownLabels;
    private long misfits;
    private long driftEvents;
    private long examplesReplayed;

    void addSeen() {
        examplesSeen++;
    }

    void addUnknownLabel() {
        unknownLabels++;
    }

    void addMisfit() {
        misfits++;
    }

    void addEvaluated(int n) {
        evaluatedSinceMetrics += n;
    }

    /** One optimizer step on {@code n} new examples. */
    void addStep(int n) {
        steps++;
        examplesLearned += n;
        learnedSinceAttempt += n;
    }

    void addReplayed(int n) {
        examplesReplayed += n;
    }

    void addDrift() {
        driftEvents++;
    }

    void addPublished() {
        published++;
    }

    void addHeldBackRegression() {
        heldBackRegression++;
    }

    void addHeldBackNonFinite() {
        heldBackNonFinite++;
    }

    void resetLearnedSinceAttempt() {
        learnedSinceAttempt = 0;
    }

    void resetEvaluatedSinceMetrics() {
        evaluatedSinceMetrics = 0;
    }

    long examplesSeen() {
        return examplesSeen;
    }

    long examplesLearned() {
        return examplesLearned;
    }

    long learnedSinceAttempt() {
        return learnedSinceAttempt;
    }

    long evaluatedSinceMetrics() {
        return evaluatedSinceMetrics;
    }

    long steps() {
        return steps;
    }

    long published() {
        return published;
    }

    long heldBackRegression() {
        return heldBackRegression;
    }

    long heldBackNonFinite() {
        return heldBackNonFinite;
    }

    /** Updates held back for either reason. */
    long heldBack() {
        return heldBackRegression + heldBackNonFinite;
    }

    /** Examples refused for an unknown label or features the model cannot take. */
    long refused() {
        return unknownLabels + misfits;
    }

    long driftEvents() {
        return driftEvents;
    }

    long examplesReplayed() {
        return examplesReplayed;
    }

    /** Writes the counters as longs, in the order of snapshot format 3. */
    void writeTo(DataOutput out) throws IOException {
        out.writeLong(examplesSeen);
        out.writeLong(examplesLearned);
        out.writeLong(learnedSinceAttempt);
        out.writeLong(evaluatedSinceMetrics);
        out.writeLong(steps);
        out.writeLong(published);
        out.writeLong(heldBackRegression);
        out.writeLong(heldBackNonFinite);
        out.writeLong(unknownLabels);
        out.writeLong(misfits);
        out.writeLong(driftEvents);
        out.writeLong(examplesReplayed);
    }

    /** Reads what {@link #writeTo} wrote. */
    static TrainerCounters readFrom(DataInput in) throws IOException {
        TrainerCounters c = new TrainerCounters();
        c.examplesSeen = in.readLong();
        c.examplesLearned = in.readLong();
        c.learnedSinceAttempt = in.readLong();
        c.evaluatedSinceMetrics = in.readLong();
        c.steps = in.readLong();
        c.published = in.readLong();
        c.heldBackRegression = in.readLong();
        c.heldBackNonFinite = in.readLong();
        c.unknownLabels = in.readLong();
        c.misfits = in.readLong();
        c.driftEvents = in.readLong();
        c.examplesReplayed = in.readLong();
        return c;
    }
}
