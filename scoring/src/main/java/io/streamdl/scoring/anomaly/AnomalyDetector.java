package io.streamdl.scoring.anomaly;

import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.SchemaRegistryClient;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.WireSerde;
import io.streamdl.schemas.topics.Topics;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The anomaly detector's topology: scores in, alerts out.
 *
 * <pre>
 * scores.&lt;model&gt;... ─read-scores─> check-scores ─┬─ refused ─> dead-letters ─write-dlq─> dlq
 *                                               └─ usable ──> scores-by-series (repartition, key: series)
 *                                                              ─> detect-anomalies [anomaly-series-state]
 *                                                              ─write-anomalies─> anomalies (key: eventId)
 * </pre>
 *
 * Scores are keyed by series ({@link #seriesKey}) and repartitioned, so one task owns each series'
 * state; the store is persistent (RocksDB) with a changelog. The rule is {@link SeriesState}'s; bad
 * records are handled as {@link CheckScores} says. A pure factory: it starts nothing, and the
 * serdes (hence the registry client) are passed in.
 */
public final class AnomalyDetector {
    public static final String SOURCE = "read-scores";
    public static final String CHECK = "check-scores";
    public static final String SPLIT = "checked-";
    public static final String TO_LETTERS = "dead-letters";
    public static final String DLQ_SINK = "write-dlq";
    public static final String TO_SCORES = "usable-scores";
    public static final String BY_SERIES = "scores-by-series";
    public static final String DETECT = "detect-anomalies";
    public static final String ANOMALY_SINK = "write-anomalies";

    /**
     * The per-series state; its changelog is {@code
     * <application.id>-anomaly-series-state-changelog}.
     */
    public static final String STORE = "anomaly-series-state";

    private AnomalyDetector() {}

    /** The topology with wire-format serdes backed by {@code registry}. */
    public static Topology buildTopology(
            AnomalyDetectorConfig config, SchemaRegistryClient registry) {
        SerdeConfig values = SerdeConfig.forValues(config.registryUrl());
        return buildTopology(
                config,
                WireSerde.specific(registry, values, Score.class),
                WireSerde.specific(registry, values, Anomaly.class),
                WireSerde.specific(registry, values, DeadLetter.class));
    }

    public static Topology buildTopology(
            AnomalyDetectorConfig config,
            Serde<Score> scores,
            Serde<Anomaly> anomalies,
            Serde<DeadLetter> letters) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(STORE),
                                Serdes.String(),
                                new SeriesStateSerde())
                        .withLoggingEnabled(java.util.Map.of()));

        KStream<String, CheckScores.Checked> checked =
                builder.stream(
                                config.scoreTopics(),
                                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                                        .withName(SOURCE))
                        .process(() -> new CheckScores(scores.deserializer()), Named.as(CHECK));

        checked.split(Named.as(SPLIT))
                .branch(
                        (series, c) -> c.refused(),
                        Branched.withConsumer(
                                refused ->
                                        refused.mapValues(
                                                        CheckScores.Checked::letter,
                                                        Named.as(TO_LETTERS))
                                                .to(
                                                        Topics.DLQ.name(),
                                                        Produced.with(Serdes.String(), letters)
                                                                .withName(DLQ_SINK)),
                                "refused"))
                .defaultBranch(
                        Branched.withConsumer(
                                usable ->
                                        usable.mapValues(
                                                        CheckScores.Checked::score,
                                                        Named.as(TO_SCORES))
                                                .repartition(
                                                        Repartitioned.with(Serdes.String(), scores)
                                                                .withName(BY_SERIES))
                                                .process(
                                                        () -> new DetectAnomalies(config),
                                                        Named.as(DETECT),
                                                        STORE)
                                                .to(
                                                        Topics.ANOMALIES.name(),
                                                        Produced.with(Serdes.String(), anomalies)
                                                                .withName(ANOMALY_SINK)),
                                "usable"));
        return builder.build();
    }

    /**
     * The state key of a score's series: the model name when the score has no series, else {@code
     * <model>/<series>}. The model is part of the key because two models may score series of the
     * same name on different scales.
     */
    public static String seriesKey(String model, String series) {
        return series == null || series.isEmpty() ? model : model + "/" + series;
    }
}
