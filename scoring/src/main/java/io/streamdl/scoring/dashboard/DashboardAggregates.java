package io.streamdl.scoring.dashboard;

import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.Recommendation;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.topics.Topics;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The dashboard aggregates' topology: every {@code scores.<model>} topic, {@code dlq}, {@code
 * anomalies} and {@code recommendations} in, windowed {@link DashboardMetric} records out on {@code
 * dashboard.metrics}.
 *
 * <ul>
 *   <li>Per model version and tumbling window (each of {@code dashboard.windows-ms}, by the time a
 *       score was made, its {@code scoredTs}): {@code throughput} (scores, and scores per second)
 *       and {@code latency_ms} (event time to score time: p50, p95, p99 from one HDR histogram of
 *       the window, value = the maximum).
 *   <li>Per dead-letter reason and window: {@code dead_letters} (count, and per second), the reason
 *       in {@code label}.
 *   <li>Per classifier version and window: {@code accuracy} of served scores, each joined by event
 *       id with its label on {@code events.labels} ({@link ServedAccuracy}).
 *   <li>Per anomaly model version and series: {@code anomalies} (the series in {@code label}); per
 *       recommendation model version and basis: {@code recommendations} (the basis, model / content
 *       / popular, in {@code label}).
 * </ul>
 *
 * Each window is written when it closes ({@code dashboard.grace-ms} past its end by the stream's
 * time or the wall clock), as revision 0, and written again with the next revision each time
 * records arriving later amend it, for {@code dashboard.amend-ms} more ({@link ClosedWindows}): the
 * highest revision of a window counts every score made in it, even when one partition's scores
 * reach the app a minute after another's. A score whose {@code scoredTs} is off the clock
 * (negative, or more than {@link #MAX_AHEAD_MS} ahead) and a record that does not decode are left
 * out, counted ({@link #skippedRecords()}) and logged; the latter is the owning app's to
 * dead-letter. A pure factory: it starts nothing.
 */
public final class DashboardAggregates {
    /** The score topics of every model, present and future. */
    public static final Pattern SCORE_TOPICS = Pattern.compile("scores\\.[a-z][a-z0-9_-]*");

    public static final String THROUGHPUT = "throughput";
    public static final String LATENCY = "latency_ms";
    public static final String DEAD_LETTERS = "dead_letters";
    public static final String ANOMALIES = "anomalies";
    public static final String RECOMMENDATIONS = "recommendations";
    public static final String ACCURACY = ServedAccuracy.ACCURACY;

    /** How far ahead of this clock a score's time may be (clocks apart) and still count. */
    static final long MAX_AHEAD_MS = 60_000;

    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(DashboardAggregates.class);
    private static final java.util.concurrent.atomic.AtomicLong SKIPPED =
            new java.util.concurrent.atomic.AtomicLong();

    private DashboardAggregates() {}

    public static Topology buildTopology(
            DashboardAggregatesConfig config,
            Serde<Score> scores,
            Serde<DeadLetter> letters,
            Serde<Anomaly> anomalies,
            Serde<Recommendation> recommendations,
            Serde<Label> labels,
            Serde<DashboardMetric> metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        Deserializer<Score> scoreReader = scores.deserializer();
        KStream<String, Score> decoded =
                builder.stream(
                                SCORE_TOPICS,
                                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                                        .withName("read-scores"))
                        .flatMap((k, v) -> score(scoreReader, v), Named.as("decode-scores"));
        // Throughput and latency are windowed by the time each score was made, not by its record
        // time (the event's): after an outage, the backlog's scores count where they were scored,
        // rather than as records later than any grace in the windows of their events.
        KStream<String, Long> latencies =
                decoded.processValues(AtScoredTime::new, Named.as("at-scored-time"))
                        .map(
                                (id, s) ->
                                        KeyValue.pair(
                                                versionKey(s.getModel(), s.getModelVersion()),
                                                s.getScoredTs() - s.getEventTs()),
                                Named.as("score-latencies"));
        ServedAccuracy.add(builder, decoded, labels, config, metrics, DashboardAggregates::skip);
        KStream<String, Long> counts =
                builder.stream(
                                Topics.DLQ.name(),
                                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                                        .withName("read-dlq"))
                        .flatMap(
                                (k, v) -> reason(letters.deserializer(), v),
                                Named.as("dead-letter-reasons"))
                        .merge(
                                builder.stream(
                                                Topics.ANOMALIES.name(),
                                                Consumed.with(
                                                                Serdes.ByteArray(),
                                                                Serdes.ByteArray())
                                                        .withName("read-anomalies"))
                                        .flatMap(
                                                (k, v) -> anomaly(anomalies.deserializer(), v),
                                                Named.as("anomaly-series")),
                                Named.as("merge-anomalies"))
                        .merge(
                                builder.stream(
                                                Topics.RECOMMENDATIONS.name(),
                                                Consumed.with(
                                                                Serdes.ByteArray(),
                                                                Serdes.ByteArray())
                                                        .withName("read-recommendations"))
                                        .flatMap(
                                                (k, v) ->
                                                        recommendation(
                                                                recommendations.deserializer(), v),
                                                Named.as("recommendation-bases")),
                                Named.as("merge-recommendations"));
        long closeAfter = config.graceMillis();
        long amend = config.amendMillis();
        for (long size : config.windowsMillis()) {
            TimeWindows windows =
                    TimeWindows.ofSizeAndGrace(
                            Duration.ofMillis(size), Duration.ofMillis(closeAfter + amend));
            ClosedWindows.of(
                            latencies
                                    .groupByKey(
                                            Grouped.with(Serdes.String(), Serdes.Long())
                                                    .withName("scores-by-version-" + size))
                                    .windowedBy(windows)
                                    .aggregate(
                                            LatencyWindow::new,
                                            (key, millis, window) -> window.add(millis),
                                            Named.as("latency-" + size),
                                            Materialized
                                                    .<String, LatencyWindow,
                                                            WindowStore<Bytes, byte[]>>
                                                            as("dashboard-latency-" + size)
                                                    .withKeySerde(Serdes.String())
                                                    .withValueSerde(LatencyWindow.SERDE)),
                            "closed-latency-" + size,
                            LatencyWindow.SERDE,
                            closeAfter,
                            amend,
                            true,
                            DashboardAggregates::scoreMetrics)
                    .to(
                            Topics.DASHBOARD_METRICS.name(),
                            Produced.with(Serdes.String(), metrics)
                                    .withName("write-score-metrics-" + size));
            ClosedWindows.of(
                            counts.groupByKey(
                                            Grouped.with(Serdes.String(), Serdes.Long())
                                                    .withName("counts-by-key-" + size))
                                    .windowedBy(windows)
                                    .count(
                                            Named.as("counts-" + size),
                                            Materialized
                                                    .<String, Long, WindowStore<Bytes, byte[]>>as(
                                                            "dashboard-counts-" + size)
                                                    .withKeySerde(Serdes.String())
                                                    .withValueSerde(Serdes.Long())),
                            "closed-counts-" + size,
                            Serdes.Long(),
                            closeAfter,
                            amend,
                            true,
                            DashboardAggregates::countMetric)
                    .to(
                            Topics.DASHBOARD_METRICS.name(),
                            Produced.with(Serdes.String(), metrics)
                                    .withName("write-count-metrics-" + size));
        }
        return builder.build();
    }

    /** Forwards each score with its {@code scoredTs} as the record time. */
    private static final class AtScoredTime implements FixedKeyProcessor<String, Score, Score> {
        private FixedKeyProcessorContext<String, Score> context;

        @Override
        public void init(FixedKeyProcessorContext<String, Score> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, Score> record) {
            // decode-scores left out the scores whose time is off the clock
            context.forward(record.withTimestamp(record.value().getScoredTs()));
        }
    }

    /**
     * A record that does not decode is the owning app's to dead-letter (the detector does for
     * scores); here it is left out of the aggregates, counted and logged (the first, then every
     * 1,000th), so that a dashboard never writes to the topic it reads.
     */
    private static <T> List<T> skip(RuntimeException e) {
        long n = SKIPPED.incrementAndGet();
        if (n == 1 || n % 1000 == 0) {
            LOG.warn("dashboard aggregates: a record left out ({} so far): {}", n, e.getMessage());
        }
        return List.of();
    }

    /** Records left out because they did not decode, since this JVM started. */
    public static long skippedRecords() {
        return SKIPPED.get();
    }

    /** The key of a model version: {@code <model>@<version>}. */
    static String versionKey(String model, long version) {
        return model + "@" + version;
    }

    private static List<KeyValue<String, Score>> score(Deserializer<Score> reader, byte[] v) {
        if (v == null) {
            return List.of();
        }
        try {
            Score s = reader.deserialize("scores", v);
            long made = s.getScoredTs();
            if (made < 0 || made > System.currentTimeMillis() + MAX_AHEAD_MS) {
                // anyone may write a score topic: a time off this clock would move the windows
                return skip(
                        new IllegalArgumentException(
                                "a score made at "
                                        + made
                                        + " ms, not a time on this clock (before 1970, or more"
                                        + " than a minute ahead)"));
            }
            return List.of(KeyValue.pair(s.getEventId(), s));
        } catch (RuntimeException e) {
            return skip(e);
        }
    }

    private static List<KeyValue<String, Long>> reason(Deserializer<DeadLetter> reader, byte[] v) {
        if (v == null) {
            return List.of();
        }
        try {
            String reason = reader.deserialize("dlq", v).getError();
            return List.of(KeyValue.pair(countKey(DEAD_LETTERS, null, null, reason), 1L));
        } catch (RuntimeException e) {
            return skip(e);
        }
    }

    private static List<KeyValue<String, Long>> anomaly(Deserializer<Anomaly> reader, byte[] v) {
        if (v == null) {
            return List.of();
        }
        try {
            Anomaly a = reader.deserialize("anomalies", v);
            return List.of(
                    KeyValue.pair(
                            countKey(ANOMALIES, a.getModel(), a.getModelVersion(), a.getSeries()),
                            1L));
        } catch (RuntimeException e) {
            return skip(e);
        }
    }

    private static List<KeyValue<String, Long>> recommendation(
            Deserializer<Recommendation> reader, byte[] v) {
        if (v == null) {
            return List.of();
        }
        try {
            Recommendation r = reader.deserialize("recommendations", v);
            return List.of(
                    KeyValue.pair(
                            countKey(RECOMMENDATIONS, null, r.getModelVersion(), r.getBasis()),
                            1L));
        } catch (RuntimeException e) {
            return skip(e);
        }
    }

    /** A counted key: metric, model, version and label, each URL-encoded, {@code ~} for none. */
    static String countKey(String metric, String model, Long version, String label) {
        return part(metric)
                + "|"
                + part(model)
                + "|"
                + (version == null ? "~" : version.toString())
                + "|"
                + part(label);
    }

    private static String part(String s) {
        return s == null ? "~" : URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String unpart(String s) {
        return s.equals("~") ? null : URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static List<KeyValue<String, DashboardMetric>> scoreMetrics(
            String key, long start, long end, LatencyWindow latencies, int revision) {
        int at = key.lastIndexOf('@');
        String model = key.substring(0, at);
        long version = Long.parseLong(key.substring(at + 1));
        double seconds = (end - start) / 1000.0;
        List<KeyValue<String, DashboardMetric>> out = new ArrayList<>(2);
        out.add(
                KeyValue.pair(
                        THROUGHPUT + "/" + model,
                        metric(THROUGHPUT, model, version, start, end, latencies.count(), revision)
                                .setValue(latencies.count() / seconds)
                                .build()));
        out.add(
                KeyValue.pair(
                        LATENCY + "/" + model,
                        metric(LATENCY, model, version, start, end, latencies.count(), revision)
                                .setValue(latencies.max())
                                .setP50(latencies.percentile(50))
                                .setP95(latencies.percentile(95))
                                .setP99(latencies.percentile(99))
                                .build()));
        return out;
    }

    private static List<KeyValue<String, DashboardMetric>> countMetric(
            String key, long start, long end, Long count, int revision) {
        String[] parts = key.split("\\|", -1);
        String metric = unpart(parts[0]);
        String model = unpart(parts[1]);
        Long version = parts[2].equals("~") ? null : Long.valueOf(parts[2]);
        String label = unpart(parts[3]);
        return List.of(
                KeyValue.pair(
                        metric
                                + (model == null ? "" : "/" + model)
                                + (label == null ? "" : "/" + label),
                        metric(metric, model, version, start, end, count, revision)
                                .setValue(count / ((end - start) / 1000.0))
                                .setLabel(label)
                                .build()));
    }

    static DashboardMetric.Builder metric(
            String name,
            String model,
            Long version,
            long start,
            long end,
            long count,
            int revision) {
        return DashboardMetric.newBuilder()
                .setMetric(name)
                .setModel(model)
                .setModelVersion(version)
                .setWindowStart(start)
                .setWindowEnd(end)
                .setCount(count)
                .setValue(0)
                .setP50(null)
                .setP95(null)
                .setP99(null)
                .setLabel(null)
                .setRevision(revision)
                .setTs(end);
    }
}
