package io.streamdl.trainer;

import io.streamdl.models.inference.FeatureTensors;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The records an {@link OnlineTrainer} emits besides updates: its {@code dashboard.metrics}
 * entries, the metrics an update carries, and its own dead letters. Stateless.
 */
final class TrainerRecords {
    private TrainerRecords() {}

    /** One {@code dashboard.metrics} record of model {@code model} over the current window. */
    static DashboardMetric metric(
            String model,
            String name,
            double value,
            long count,
            long now,
            PrequentialWindow window,
            Long version) {
        return DashboardMetric.newBuilder()
                .setMetric(name)
                .setModel(model)
                .setWindowStart(window.oldestTime(now))
                .setWindowEnd(now)
                .setCount(count)
                .setValue(value)
                .setModelVersion(version)
                .setTs(now)
                .build();
    }

    /**
     * The metrics a published update carries: the window's numbers (accuracy and loss of a
     * classifier, the mean error of an anomaly model) and the trainer's counts.
     */
    static Map<String, Double> updateMetrics(
            Objective objective, PrequentialWindow window, TrainerCounters counters) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (objective == Objective.CLASSIFY) {
            m.put(TrainerMetrics.UPDATE_ACCURACY, window.accuracy());
            m.put(TrainerMetrics.UPDATE_LOSS, window.meanLoss());
        } else {
            m.put(TrainerMetrics.UPDATE_MEAN_ERROR, window.meanLoss());
        }
        m.put(TrainerMetrics.UPDATE_WINDOW, (double) window.count());
        m.put(TrainerMetrics.UPDATE_EXAMPLES, (double) counters.examplesLearned());
        m.put(TrainerMetrics.UPDATE_REPLAYED, (double) counters.examplesReplayed());
        m.put(TrainerMetrics.UPDATE_DRIFTS, (double) counters.driftEvents());
        m.put(TrainerMetrics.UPDATE_HELD_BACK, (double) counters.heldBack());
        return m;
    }

    /** The dead letter of an example whose label is not one of {@code spec}'s classes. */
    static DeadLetter unknownLabel(LabelledExample example, ModelSpec spec, long now) {
        return deadLetter(
                example,
                Topics.EVENTS_LABELS.name(),
                "UNKNOWN_LABEL",
                "label '"
                        + example.label
                        + "' of event "
                        + example.eventId
                        + " is not a class of model "
                        + spec.name()
                        + " "
                        + spec.labels(),
                now);
    }

    /** The dead letter of an example whose features the model cannot take. */
    static DeadLetter misfit(LabelledExample example, FeatureTensors.Refusal misfit, long now) {
        return deadLetter(
                example,
                featuresTopic(example.features),
                misfit.reason().name(),
                misfit.message(),
                now);
    }

    /**
     * A dead letter of an example the trainer itself refuses. A TrainJob checks both inputs as they
     * arrive (with their coordinates and bytes), so this only serves trainers fed otherwise.
     */
    static DeadLetter deadLetter(
            LabelledExample example, String topic, String reason, String message, long now) {
        return DeadLetter.newBuilder()
                .setSourceTopic(topic)
                .setPartition(-1)
                .setOffset(-1L)
                .setStage("train")
                .setError(reason)
                .setMessage(message)
                .setKey(
                        example.eventId == null
                                ? null
                                : ByteBuffer.wrap(example.eventId.getBytes(StandardCharsets.UTF_8)))
                .setValue(null)
                .setTs(now)
                .build();
    }

    /** {@code features.<encoder>} from the features' {@code name@version} stamp. */
    static String featuresTopic(Features features) {
        String by = features.getEncodedBy();
        int at = by == null ? -1 : by.indexOf('@');
        return "features." + (at > 0 ? by.substring(0, at) : by);
    }
}
