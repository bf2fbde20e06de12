package io.streamdl.schemas.topics;

import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Interaction;
import io.streamdl.schemas.avro.ItemEmbedding;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.avro.Recommendation;
import io.streamdl.schemas.avro.Score;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The pipeline's topics, in one place. Every module and test names topics through here. */
public final class Topics {
    /** Model updates carry whole networks: 32 MiB per message. */
    public static final int MODEL_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

    public static final List<String> ENCODERS = List.of("image", "audio", "text", "metric");

    /**
     * The features the {@code Recommender} writes for the recommendation model's trainer: each
     * interaction's user profile before it ({@code features.recs}).
     */
    public static final String RECS_FEATURES = "recs";

    public static final List<String> MODELS =
            List.of("image", "audio", "text", "anomaly", "metric", "recs");

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

    /**
     * The config of every stream (not compacted) topic: records are stamped when the broker appends
     * them, so retention follows arrival. Producers stamp records with the event's own time, which
     * for a replay of old data (NAB's series are from 2013-2015) is years past the 7-day retention:
     * the broker deleted such records within 30 s of the topic's creation, and a consumer still
     * behind them skipped them silently (earliest-offset reset). Event time stays in each record's
     * payload ({@code ts}); nothing reads it from the Kafka timestamp.
     */
    public static final Map<String, String> STREAM_CONFIG =
            Map.of("message.timestamp.type", "LogAppendTime");

    public static final TopicSpec<RawEvent> EVENTS_RAW =
            new TopicSpec<>(
                    "events.raw",
                    RawEvent.class,
                    STREAM_CONFIG,
                    "raw image, audio and text events");
    public static final TopicSpec<Label> EVENTS_LABELS =
            new TopicSpec<>(
                    "events.labels", Label.class, STREAM_CONFIG, "labelled feedback for training");
    public static final TopicSpec<Interaction> INTERACTIONS =
            new TopicSpec<>(
                    "interactions", Interaction.class, STREAM_CONFIG, "user-item interactions");
    public static final TopicSpec<Recommendation> RECOMMENDATIONS =
            new TopicSpec<>(
                    "recommendations", Recommendation.class, STREAM_CONFIG, "top items per user");
    public static final TopicSpec<ItemEmbedding> ITEMS_EMBEDDINGS =
            new TopicSpec<>(
                    "items.embeddings",
                    ItemEmbedding.class,
                    Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0"),
                    "content embedding of each catalogue item, newest wins");
    public static final TopicSpec<Anomaly> ANOMALIES =
            new TopicSpec<>(
                    "anomalies", Anomaly.class, STREAM_CONFIG, "events scored above threshold");
    public static final TopicSpec<DashboardMetric> DASHBOARD_METRICS =
            new TopicSpec<>(
                    "dashboard.metrics",
                    DashboardMetric.class,
                    STREAM_CONFIG,
                    "windowed aggregates");
    public static final TopicSpec<DeadLetter> DLQ =
            new TopicSpec<>(
                    "dlq",
                    DeadLetter.class,
                    STREAM_CONFIG,
                    "every rejected input, with its reason");

    /**
     * The model lifecycle's record: versions serving, pins, rollbacks, imports, promotions and
     * refusals, keyed by model.
     */
    public static final TopicSpec<ModelEvent> MODEL_EVENTS =
            new TopicSpec<>(
                    "models.events",
                    ModelEvent.class,
                    STREAM_CONFIG,
                    "model lifecycle decisions, with the numbers behind each");

    private Topics() {}

    public static TopicSpec<Features> features(String encoder) {
        return new TopicSpec<>(
                "features." + checkName(encoder),
                Features.class,
                STREAM_CONFIG,
                "tensors from the " + encoder + " encoder");
    }

    public static TopicSpec<ModelUpdate> models(String model) {
        if ("events".equals(model)) {
            throw new IllegalArgumentException(
                    "a model cannot be named 'events': models.events is the lifecycle's topic");
        }
        return new TopicSpec<>(
                "models." + checkName(model),
                ModelUpdate.class,
                Map.of(
                        "cleanup.policy", "compact",
                        "max.message.bytes", Integer.toString(MODEL_MAX_MESSAGE_BYTES),
                        "min.compaction.lag.ms", "0"),
                "weights of model " + model + ", newest wins");
    }

    public static TopicSpec<Score> scores(String model) {
        return new TopicSpec<>(
                "scores." + checkName(model),
                Score.class,
                STREAM_CONFIG,
                "scores of model " + model);
    }

    /** The scores of a candidate version in shadow: the served version is unchanged. */
    public static TopicSpec<Score> shadowScores(String model) {
        return new TopicSpec<>(
                "scores." + checkName(model) + ".shadow",
                Score.class,
                STREAM_CONFIG,
                "scores of model " + model + "'s candidate in shadow");
    }

    /** Every topic the default pipeline uses. */
    public static List<TopicSpec<?>> all() {
        List<TopicSpec<?>> all = new ArrayList<>(List.of(EVENTS_RAW, EVENTS_LABELS));
        ENCODERS.forEach(e -> all.add(features(e)));
        all.add(features(RECS_FEATURES));
        MODELS.forEach(m -> all.add(models(m)));
        MODELS.forEach(m -> all.add(scores(m)));
        MODELS.forEach(m -> all.add(shadowScores(m)));
        all.addAll(
                List.of(
                        INTERACTIONS,
                        RECOMMENDATIONS,
                        ITEMS_EMBEDDINGS,
                        ANOMALIES,
                        DASHBOARD_METRICS,
                        MODEL_EVENTS,
                        DLQ));
        return List.copyOf(all);
    }

    private static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "invalid encoder or model name '"
                            + name
                            + "': use lower-case letters, digits, '_' or '-'");
        }
        return name;
    }
}
