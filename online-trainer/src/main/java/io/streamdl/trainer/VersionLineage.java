package io.streamdl.trainer;

/**
 * Where a trainer's weights stand in the chain of published versions: the newest version it
 * published or knows of (the next one is that plus one), the version the current weights descend
 * from, the quality that version was published with (its {@link Objective}'s figure, the guard's
 * reference), and the last good weights to roll back to. Versions already on the model topic fence
 * the numbering without changing the parent; an adopted version (a warm start's, or one another
 * publisher put on the topic) becomes the parent. Not thread-safe.
 */
final class VersionLineage {
    private long highestVersion;
    private Long parentVersion;
    private double referenceQuality = Double.NaN;
    private float[] lastGoodParams;

    /** Before version 1, descending from the initial weights {@code initialParams}. */
    VersionLineage(float[] initialParams) {
        this.lastGoodParams = initialParams;
    }

    /** The lineage's fields as a snapshot holds them. */
    record State(
            long highestVersion,
            Long parentVersion,
            double referenceQuality,
            float[] lastGoodParams) {}

    /**
     * Continues from {@code version}, published (by this trainer or another publisher) with quality
     * {@code quality} and weights {@code params}: it becomes the parent, the reference and the last
     * good weights. The numbering stays above both {@code version} and every version this lineage
     * already knew of.
     */
    void continueFrom(long version, double quality, float[] params) {
        highestVersion = Math.max(highestVersion, version);
        parentVersion = version;
        referenceQuality = quality;
        lastGoodParams = params;
    }

    /**
     * Raises the numbering above {@code newestKnown}, a version already on the model topic.
     *
     * @return whether the numbering moved
     */
    boolean fence(long newestKnown) {
        if (newestKnown > highestVersion) {
            highestVersion = newestKnown;
            return true;
        }
        return false;
    }

    /** The number the next published version takes. */
    long nextVersion() {
        return highestVersion + 1;
    }

    /**
     * Records that {@link #nextVersion} was published with quality {@code quality} from {@code
     * params}: it becomes the parent, the reference and the last good weights.
     *
     * @return the published version
     */
    long published(double quality, float[] params) {
        continueFrom(nextVersion(), quality, params);
        return highestVersion;
    }

    /** Drops the reference quality, so the next candidate is judged on finiteness only. */
    void forgetReferenceQuality() {
        referenceQuality = Double.NaN;
    }

    long version() {
        return highestVersion;
    }

    /** The version the current weights descend from, or null for the initial weights. */
    Long parentVersion() {
        return parentVersion;
    }

    /** The quality the parent was published with, or NaN if there is none to compare with. */
    double referenceQuality() {
        return referenceQuality;
    }

    float[] lastGoodParams() {
        return lastGoodParams;
    }

    State state() {
        return new State(highestVersion, parentVersion, referenceQuality, lastGoodParams);
    }

    void restore(State state) {
        highestVersion = state.highestVersion();
        parentVersion = state.parentVersion();
        referenceQuality = state.referenceQuality();
        lastGoodParams = state.lastGoodParams();
    }
}
