package io.streamdl.scoring.lifecycle;

import io.streamdl.schemas.avro.ModelEvent;
import java.util.HashMap;
import java.util.Map;

/** The kinds of {@code models.events} records and the metric keys lifecycle updates carry. */
public final class ModelEvents {
    /** A scorer task serves {@code version} (from {@code fromVersion}). */
    public static final String SERVING = "SERVING";

    /** Scorers keep serving {@code version} whatever the trainer publishes. */
    public static final String PINNED = "PINNED";

    /** Scorers serve the newest version again. */
    public static final String UNPINNED = "UNPINNED";

    /** An operator published {@code version}, a copy of {@code fromVersion}'s weights. */
    public static final String ROLLED_BACK = "ROLLED_BACK";

    /** An operator published {@code version}, a model trained elsewhere. */
    public static final String IMPORTED = "IMPORTED";

    /** {@code version} scores in shadow beside the served {@code fromVersion}. */
    public static final String SHADOW = "SHADOW";

    /**
     * {@code version} serves a share of the events as a canary beside the served {@code
     * fromVersion}.
     */
    public static final String CANARY = "CANARY";

    /** {@code version} was judged not worse than {@code fromVersion} and serves. */
    public static final String PROMOTED = "PROMOTED";

    /** {@code version} was judged worse than {@code fromVersion} and never serves. */
    public static final String REFUSED = "REFUSED";

    /**
     * After promotion {@code fromVersion}'s live quality dropped; {@code version}, a copy of the
     * version before it, serves.
     */
    public static final String AUTO_ROLLED_BACK = "AUTO_ROLLED_BACK";

    /**
     * The metric of an update published by an operator or the lifecycle controller (a rollback's
     * copy): the version whose weights it copies. Such an update serves without a shadow trial.
     */
    public static final String ROLLBACK_OF = "rollbackOf";

    /** The metric of an imported update (value 1): it serves without a shadow trial. */
    public static final String IMPORTED_METRIC = "imported";

    private ModelEvents() {}

    public static ModelEvent of(
            String model,
            String kind,
            Long version,
            Long fromVersion,
            String reason,
            Map<String, Double> metrics,
            String actor,
            long ts) {
        return ModelEvent.newBuilder()
                .setModel(model)
                .setKind(kind)
                .setVersion(version)
                .setFromVersion(fromVersion)
                .setReason(reason)
                .setMetrics(new HashMap<>(metrics))
                .setActor(actor)
                .setTs(ts)
                .build();
    }

    /** Whether an update was published by an operator or the controller, to serve at once. */
    public static boolean servesDirectly(Map<String, Double> metrics) {
        return metrics.containsKey(ROLLBACK_OF) || metrics.containsKey(IMPORTED_METRIC);
    }
}
