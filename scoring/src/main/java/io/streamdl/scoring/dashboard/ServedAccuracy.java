package io.streamdl.scoring.dashboard;

import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The accuracy of served scores: each classifier score joined by event id with the label that
 * {@code events.labels} later (or earlier) carries for the same event, within {@code
 * dashboard.label-wait-ms}, then counted per model version and window as {@code accuracy} (value =
 * the share of joined scores whose predicted class is the label, count = joined scores).
 *
 * <p>Both sides are re-keyed by event id, so Kafka Streams repartitions them into topics of its
 * own: the join never depends on a user's score topic having as many partitions as {@code
 * events.labels}. Only the model, version and predicted class of a score travel (a few dozen
 * bytes), not its probabilities.
 */
final class ServedAccuracy {
    static final String ACCURACY = "accuracy";

    private static final String SEP = "\u0000";

    private ServedAccuracy() {}

    /** Adds the join and the windowed counts, writing {@code accuracy} to dashboard.metrics. */
    static void add(
            StreamsBuilder builder,
            KStream<String, Score> scores,
            Serde<Label> labels,
            DashboardAggregatesConfig config,
            Serde<DashboardMetric> metrics,
            Function<RuntimeException, List<KeyValue<String, String>>> skip) {
        Deserializer<Label> reader = labels.deserializer();
        KStream<String, String> served =
                scores.flatMap(
                        (id, sc) -> {
                            if (sc.getLabel() == null) {
                                return List.of();
                            }
                            if (sc.getModel().contains(SEP) || sc.getLabel().contains(SEP)) {
                                return skip.apply(
                                        new IllegalArgumentException(
                                                "a score whose model or class has a NUL character"));
                            }
                            return List.of(
                                    KeyValue.pair(
                                            sc.getEventId(),
                                            sc.getModelVersion()
                                                    + SEP
                                                    + sc.getModel()
                                                    + SEP
                                                    + sc.getLabel()));
                        },
                        Named.as("served-by-event"));
        KStream<String, String> truth =
                builder.stream(
                                Topics.EVENTS_LABELS.name(),
                                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                                        .withName("read-labels"))
                        .flatMap(
                                (k, v) -> {
                                    if (v == null) {
                                        return List.of();
                                    }
                                    try {
                                        Label l = reader.deserialize("events.labels", v);
                                        if (l.getLabel().contains(SEP)) {
                                            return skip.apply(
                                                    new IllegalArgumentException(
                                                            "a label with a NUL character"));
                                        }
                                        return List.of(KeyValue.pair(l.getEventId(), l.getLabel()));
                                    } catch (RuntimeException e) {
                                        return skip.apply(e);
                                    }
                                },
                                Named.as("labels-by-event"));
        JoinWindows wait =
                JoinWindows.ofTimeDifferenceAndGrace(
                        Duration.ofMillis(config.labelWaitMillis()),
                        Duration.ofMillis(config.accuracyGraceMillis()));
        KStream<String, Long> hits =
                served.join(
                                truth,
                                (s, t) -> s + SEP + t,
                                wait,
                                StreamJoined.with(Serdes.String(), Serdes.String(), Serdes.String())
                                        .withName("scores-with-labels")
                                        .withStoreName("dashboard-accuracy-join"))
                        .map(ServedAccuracy::hit, Named.as("hit-by-version"));
        for (long size : config.windowsMillis()) {
            ClosedWindows.of(
                            hits.groupByKey(
                                            Grouped.with(Serdes.String(), Serdes.Long())
                                                    .withName("hits-by-version-" + size))
                                    .windowedBy(
                                            TimeWindows.ofSizeAndGrace(
                                                    Duration.ofMillis(size),
                                                    Duration.ofMillis(
                                                            config.accuracyGraceMillis()
                                                                    + config.amendMillis())))
                                    .aggregate(
                                            () -> 0L,
                                            (key, hit, total) -> total + hit,
                                            Named.as("accuracy-" + size),
                                            Materialized
                                                    .<String, Long, WindowStore<Bytes, byte[]>>as(
                                                            "dashboard-accuracy-" + size)
                                                    .withKeySerde(Serdes.String())
                                                    .withValueSerde(Serdes.Long())),
                            "closed-accuracy-" + size,
                            Serdes.Long(),
                            config.accuracyGraceMillis(),
                            config.amendMillis(),
                            // event-time windows (a replay's may be years old): by stream time only
                            false,
                            ServedAccuracy::metric)
                    .to(
                            Topics.DASHBOARD_METRICS.name(),
                            Produced.with(Serdes.String(), metrics)
                                    .withName("write-accuracy-metrics-" + size));
        }
    }

    /**
     * One joined score ({@code version NUL model NUL predicted NUL label}) as {@code
     * <model>@<version>} and a packed count: one score ({@code 1 << 32}) plus one if its class was
     * right, so that a sum holds both the count and the hits.
     */
    private static KeyValue<String, Long> hit(String eventId, String joined) {
        // version, model, predicted class, label: none holds a NUL (refused above)
        String[] p = joined.split(SEP, -1);
        long right = p[2].equals(p[3]) ? 1 : 0;
        return KeyValue.pair(
                DashboardAggregates.versionKey(p[1], Long.parseLong(p[0])), (1L << 32) + right);
    }

    private static List<KeyValue<String, DashboardMetric>> metric(
            String key, long start, long end, Long packed, int revision) {
        int at = key.lastIndexOf('@');
        long count = packed >>> 32;
        long right = packed & 0xffff_ffffL;
        String model = key.substring(0, at);
        return List.of(
                KeyValue.pair(
                        ACCURACY + "/" + model,
                        DashboardAggregates.metric(
                                        ACCURACY,
                                        model,
                                        Long.parseLong(key.substring(at + 1)),
                                        start,
                                        end,
                                        count,
                                        revision)
                                .setValue(count == 0 ? 0 : (double) right / count)
                                .build()));
    }
}
