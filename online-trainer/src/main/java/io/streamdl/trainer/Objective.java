package io.streamdl.trainer;

import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.ModelSpec;

/**
 * What a trainer learns its model for, which decides what an example needs, how a prediction is
 * judged and which figure the publish guard compares.
 *
 * <ul>
 *   <li>{@link #CLASSIFY}: a classifier learns from labelled examples (features joined with {@code
 *       events.labels}); its figure is prequential accuracy, higher is better.
 *   <li>{@link #RECONSTRUCT}: an anomaly model (an autoencoder reconstructing its input, a
 *       forecaster predicting the newest point of a window) learns from features alone; the model's
 *       own output is each event's anomaly score (reconstruction or forecast error), which is also
 *       its loss, and its figure is the mean prequential error, lower is better.
 * </ul>
 */
enum Objective {
    CLASSIFY(TrainerMetrics.ACCURACY, TrainerMetrics.UPDATE_ACCURACY, true),
    RECONSTRUCT(TrainerMetrics.MEAN_ERROR, TrainerMetrics.UPDATE_MEAN_ERROR, false);

    private final String metric;
    private final String updateKey;
    private final boolean higherIsBetter;

    Objective(String metric, String updateKey, boolean higherIsBetter) {
        this.metric = metric;
        this.updateKey = updateKey;
        this.higherIsBetter = higherIsBetter;
    }

    /**
     * The objective of {@code spec}'s model.
     *
     * @throws IllegalArgumentException for a model the online trainer cannot learn (a
     *     recommendation model learns from interactions, not from features or labels)
     */
    static Objective of(ModelSpec spec) {
        if (spec.isClassifier()) {
            return CLASSIFY;
        }
        if (spec.kind() == ArchitectureKind.RECS) {
            throw new IllegalArgumentException(
                    "the online trainer learns classifiers from labels and anomaly models from"
                            + " features; model '"
                            + spec.name()
                            + "' is a "
                            + spec.kind()
                            + ", learned from interactions");
        }
        return RECONSTRUCT;
    }

    /** Whether examples carry a label to learn from. */
    boolean needsLabels() {
        return this == CLASSIFY;
    }

    /** The window's figure the guard compares: accuracy, or mean error. */
    double quality(PrequentialWindow window) {
        return this == CLASSIFY ? window.accuracy() : window.meanLoss();
    }

    /** The {@code dashboard.metrics} name of {@link #quality}. */
    String metric() {
        return metric;
    }

    /** The {@code ModelUpdate.metrics} key {@link #quality} is published under. */
    String updateKey() {
        return updateKey;
    }

    /** Whether a larger {@link #quality} is better. */
    boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** How the figure reads in log lines. */
    String describe() {
        return this == CLASSIFY ? "prequential accuracy" : "mean prequential error";
    }
}
