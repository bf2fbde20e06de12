package io.streamdl.trainer;

/**
 * The {@code metric} names the trainer writes to {@code dashboard.metrics} (each record also names
 * the model and the newest published version), and the keys of {@code ModelUpdate.metrics}.
 */
public final class TrainerMetrics {
    /** Prequential accuracy over the sliding window; count = examples in the window. */
    public static final String ACCURACY = "prequential_accuracy";

    /** Mean prequential cross-entropy over the sliding window; count = examples in the window. */
    public static final String LOSS = "prequential_loss";

    /**
     * An anomaly model's mean prequential error (reconstruction or forecast error, the anomaly
     * score of each event before it was learned) over the sliding window; count = examples in the
     * window.
     */
    public static final String MEAN_ERROR = "prequential_mean_error";

    /**
     * Emitted with each accuracy and loss: value = examples seen (evaluated) so far, count =
     * examples learned so far; places the window on the stream and shows the training rate.
     */
    public static final String EXAMPLES = "examples_seen";

    /** A drift event; value = the detector's statistic, count = drift events so far. */
    public static final String DRIFT = "drift";

    /** A published update; value = its version, count = examples learned so far. */
    public static final String MODEL_VERSION = "model_version";

    /**
     * The trainer adopted a version another publisher put on the model topic (a rollback's copy of
     * older weights); value = that version, count = examples learned so far.
     */
    public static final String MODEL_ADOPTED = "model_adopted";

    /**
     * An update held back for a worse figure (lower accuracy, or higher mean error for an anomaly
     * model); value = that figure, count = such updates so far.
     */
    public static final String HELD_BACK_REGRESSION = "update_held_back_regression";

    /**
     * An update held back for NaN or infinite weights (training rolls back to the last good
     * weights); value = its figure, count = such updates so far.
     */
    public static final String HELD_BACK_NON_FINITE = "update_held_back_non_finite";

    /** Keys of {@code ModelUpdate.metrics}. */
    public static final String UPDATE_ACCURACY = "prequential_accuracy";

    public static final String UPDATE_LOSS = "prequential_loss";
    public static final String UPDATE_MEAN_ERROR = "prequential_mean_error";
    public static final String UPDATE_WINDOW = "window_examples";
    public static final String UPDATE_EXAMPLES = "examples_learned";
    public static final String UPDATE_REPLAYED = "examples_replayed";
    public static final String UPDATE_DRIFTS = "drift_events";
    public static final String UPDATE_HELD_BACK = "updates_held_back";

    private TrainerMetrics() {}
}
