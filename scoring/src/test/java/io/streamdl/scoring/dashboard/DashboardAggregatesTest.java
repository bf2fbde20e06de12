package io.streamdl.scoring.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.Recommendation;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.WireSerde;
import io.streamdl.schemas.testing.TestingSchemaRegistryClient;
import io.streamdl.schemas.topics.DeadLetterRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard aggregates on a {@link TopologyTestDriver}: window contents per model version,
 * latency percentiles against a brute-force computation over the same records, late records inside
 * and outside the grace period, and dead letters per reason.
 */
class DashboardAggregatesTest {
    private final TestingSchemaRegistryClient registry = new TestingSchemaRegistryClient();
    private final SerdeConfig values = SerdeConfig.forValues("http://registry.test");
    private final Serde<Score> scores = WireSerde.specific(registry, values, Score.class);
    private final Serde<DeadLetter> letters =
            WireSerde.specific(registry, values, DeadLetter.class);
    private final Serde<Anomaly> anomalies = WireSerde.specific(registry, values, Anomaly.class);
    private final Serde<Recommendation> recommendations =
            WireSerde.specific(registry, values, Recommendation.class);
    private final Serde<Label> labels = WireSerde.specific(registry, values, Label.class);
    private final Serde<DashboardMetric> metrics =
            WireSerde.specific(registry, values, DashboardMetric.class);

    @TempDir Path stateDir;

    @Test
    void eachClosedWindowCountsTheScoresOfEachModelVersion() {
        try (Harness h = new Harness("1000", 500)) {
            for (int i = 0; i < 5; i++) {
                h.score("image", 1, 100 + i * 100, 10);
            }
            h.score("image", 2, 700, 10);
            h.score("text", 1, 800, 10);
            h.score("image", 1, 1200, 10); // the next window
            assertThat(h.metrics()).isEmpty(); // nothing closed yet
            h.score("text", 1, 1600, 10); // stream time 1600 > 1000 + 500: window 0 closes
            List<DashboardMetric> out = h.metrics();
            assertThat(out)
                    .filteredOn(m -> m.getMetric().equals(DashboardAggregates.THROUGHPUT))
                    .extracting(m -> m.getModel() + "@" + m.getModelVersion() + "=" + m.getCount())
                    .containsExactlyInAnyOrder("image@1=5", "image@2=1", "text@1=1");
            DashboardMetric image1 = find(out, DashboardAggregates.THROUGHPUT, "image", 1);
            assertThat(image1.getWindowStart()).isZero();
            assertThat(image1.getWindowEnd()).isEqualTo(1000);
            assertThat(image1.getValue()).isEqualTo(5.0); // per second over a 1 s window
        }
    }

    @Test
    void percentilesMatchABruteForceComputationOverTheSameRecords() {
        try (Harness h = new Harness("10000", 0)) {
            Random random = new Random(3);
            long[] latencies = new long[2000];
            for (int i = 0; i < latencies.length; i++) {
                latencies[i] = (long) Math.exp(3 + 2 * random.nextGaussian());
                h.score("audio", 4, 1 + i * 4, latencies[i]);
            }
            h.score("audio", 4, 10_000, 1); // closes [0, 10000)
            DashboardMetric latency = find(h.metrics(), DashboardAggregates.LATENCY, "audio", 4);
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            assertThat(latency.getCount()).isEqualTo(2000);
            assertThat(latency.getValue()).isCloseTo(sorted[sorted.length - 1], tolerance(sorted));
            assertThat(latency.getP50()).isCloseTo(nearestRank(sorted, 50), tolerance(sorted));
            assertThat(latency.getP95()).isCloseTo(nearestRank(sorted, 95), tolerance(sorted));
            assertThat(latency.getP99()).isCloseTo(nearestRank(sorted, 99), tolerance(sorted));
        }
    }

    @Test
    void aBacklogScoredAfterAnOutageCountsInTheWindowsItWasScoredIn() {
        try (Harness h = new Harness("1000", 500)) {
            h.score("image", 1, 100, 10);
            // an outage: the events of 200..5,000 are scored from 60,000 on, each record stamped
            // with its event's time, long after the grace of their events' windows
            for (int i = 0; i < 40; i++) {
                h.scoredLate("image", 1, 60_000 + i * 10, 200 + i * 120);
            }
            h.score("image", 1, 62_000, 10); // closes [60000, 61000)
            List<DashboardMetric> out = h.metrics();
            assertThat(find(out, DashboardAggregates.THROUGHPUT, "image", 1).getCount())
                    .isEqualTo(1); // the window of the first score, [0, 1000)
            DashboardMetric backlog =
                    out.stream()
                            .filter(
                                    m ->
                                            m.getMetric().equals(DashboardAggregates.THROUGHPUT)
                                                    && m.getWindowStart() == 60_000)
                            .findFirst()
                            .orElseThrow();
            assertThat(backlog.getCount()).isEqualTo(40);
            DashboardMetric latency =
                    out.stream()
                            .filter(
                                    m ->
                                            m.getMetric().equals(DashboardAggregates.LATENCY)
                                                    && m.getWindowStart() == 60_000)
                            .findFirst()
                            .orElseThrow();
            assertThat(latency.getValue()).isCloseTo(59_800.0, within(60.0));
        }
    }

    @Test
    void aLateRecordCountsInsideTheGraceAmendsItsWindowAfterItAndIsDroppedPastAmending() {
        try (Harness h = new Harness("1000", 2000, 3000)) {
            h.score("image", 1, 500, 10);
            h.score("image", 1, 2500, 10); // stream time 2500: window 0 still open (ends 3000)
            h.score("image", 1, 900, 10); // late, inside the grace: counts
            h.score("image", 1, 3100, 10); // window 0 closes: revision 0
            h.score("image", 1, 950, 10); // after the grace: amends window 0, revision 1
            h.score("image", 1, 980, 10); // and again, revision 2
            h.score("image", 1, 9000, 10); // window 0 is past amending from 1000 + 2000 + 3000
            h.score("image", 1, 990, 10); // dropped
            List<DashboardMetric> out = h.metrics();
            assertThat(out)
                    .filteredOn(
                            m ->
                                    m.getMetric().equals(DashboardAggregates.THROUGHPUT)
                                            && m.getWindowStart() == 0)
                    .extracting(m -> m.getRevision() + ":" + m.getCount())
                    .containsExactly("0:2", "1:3", "2:4");
            assertThat(out)
                    .filteredOn(
                            m ->
                                    m.getMetric().equals(DashboardAggregates.LATENCY)
                                            && m.getWindowStart() == 0)
                    .extracting(DashboardMetric::getRevision)
                    .containsExactly(0, 1, 2);
            assertThat(out)
                    .filteredOn(
                            m ->
                                    m.getMetric().equals(DashboardAggregates.THROUGHPUT)
                                            && m.getRevision() == 0)
                    .extracting(DashboardMetric::getWindowStart)
                    .containsExactly(0L, 2000L, 3000L);
        }
    }

    @Test
    void aWindowClosesByTheWallClockWhenItsPartitionGoesQuiet() {
        try (Harness h = new Harness("1000", 2000)) {
            h.score("image", 1, 500, 10);
            h.score("image", 1, 700, 10);
            h.driver.advanceWallClockTime(Duration.ofMillis(2500));
            assertThat(h.metrics()).isEmpty(); // 2,500 on the clock: window 0 ends 1000 + 2000
            h.driver.advanceWallClockTime(Duration.ofMillis(1000));
            assertThat(h.metrics())
                    .filteredOn(m -> m.getMetric().equals(DashboardAggregates.THROUGHPUT))
                    .extracting(
                            m -> m.getWindowStart() + ":" + m.getRevision() + ":" + m.getCount())
                    .containsExactly("0:0:2");
        }
    }

    @Test
    void aScoreMadeOffTheClockIsSkippedAndMovesNoWindow() {
        try (Harness h = new Harness("1000", 500)) {
            long skipped = DashboardAggregates.skippedRecords();
            h.score("image", 1, 100, 10);
            // anyone may write a score topic: a day ahead of the clock, and before 1970
            h.scoredLate("image", 1, System.currentTimeMillis() + 86_400_000L, 200);
            h.scoredLate("image", 1, -5, 300);
            h.score("image", 1, 900, 10); // window 0 still open: counted
            h.score("image", 1, 1600, 10); // closes window 0
            assertThat(DashboardAggregates.skippedRecords()).isEqualTo(skipped + 2);
            assertThat(h.metrics())
                    .filteredOn(m -> m.getMetric().equals(DashboardAggregates.THROUGHPUT))
                    .extracting(m -> m.getWindowStart() + ":" + m.getCount())
                    .containsExactly("0:2");
        }
    }

    @Test
    void deadLettersAreCountedPerReasonAndBadRecordsSkipped() {
        try (Harness h = new Harness("1000,10000", 0)) {
            h.letter("EMPTY_USER", 100);
            h.letter("EMPTY_USER", 200);
            h.letter("UNKNOWN_ITEM", 300);
            long skipped = DashboardAggregates.skippedRecords();
            h.scoreInput.pipeInput(new byte[] {1}, new byte[] {0, 0, 0, 0, 9}, 400L);
            assertThat(DashboardAggregates.skippedRecords()).isEqualTo(skipped + 1);
            h.letter("UNKNOWN_ITEM", 10_500); // closes both windows starting at 0
            List<DashboardMetric> out = h.metrics();
            assertThat(out)
                    .filteredOn(m -> m.getWindowEnd() - m.getWindowStart() == 1000)
                    .extracting(m -> m.getLabel() + "=" + m.getCount())
                    .containsExactlyInAnyOrder("EMPTY_USER=2", "UNKNOWN_ITEM=1");
            assertThat(out)
                    .filteredOn(m -> m.getWindowEnd() - m.getWindowStart() == 10_000)
                    .extracting(m -> m.getLabel() + "=" + m.getValue())
                    .containsExactlyInAnyOrder("EMPTY_USER=0.2", "UNKNOWN_ITEM=0.1");
            assertThat(out).allSatisfy(m -> assertThat(m.getMetric()).isEqualTo("dead_letters"));
        }
    }

    @Test
    void anomaliesArePerSeriesAndRecommendationsPerBasisAndVersion() {
        try (Harness h = new Harness("1000", 0)) {
            h.anomaly("metric", "cpu|host 1", 100);
            h.anomaly("metric", "cpu|host 1", 200);
            h.anomaly("metric", "mem", 300);
            h.recommendation("model", 4, 400);
            h.recommendation("model", 4, 500);
            h.recommendation("popular", 0, 600);
            h.recommendation("model", 4, 1500); // closes [0, 1000)
            List<DashboardMetric> out = h.metrics();
            assertThat(out)
                    .filteredOn(m -> m.getMetric().equals(DashboardAggregates.ANOMALIES))
                    .extracting(
                            m ->
                                    m.getModel()
                                            + "@"
                                            + m.getModelVersion()
                                            + " "
                                            + m.getLabel()
                                            + "="
                                            + m.getCount())
                    .containsExactlyInAnyOrder("metric@3 cpu|host 1=2", "metric@3 mem=1");
            assertThat(out)
                    .filteredOn(m -> m.getMetric().equals(DashboardAggregates.RECOMMENDATIONS))
                    .extracting(m -> m.getLabel() + " v" + m.getModelVersion() + "=" + m.getCount())
                    .containsExactlyInAnyOrder("model v4=2", "popular v0=1");
        }
    }

    @Test
    void servedAccuracyJoinsEachClassifierScoreWithItsLabelPerVersion() {
        try (Harness h = new Harness("1000", 0)) {
            h.label("a0", "cat", 100); // the label before its score
            h.classified("a0", "image", 1, "cat", 150, 10);
            h.classified("a1", "image", 1, "cat", 200, 10);
            h.label("a1", "dog", 250); // wrong
            h.classified("a2", "image", 1, "dog", 300, 10);
            h.label("a2", "dog", 350);
            h.classified("a3", "image", 2, "dog", 400, 10);
            h.label("a3", "dog", 450);
            h.classified("a4", "image", 1, "cat", 500, 10); // no label ever
            h.label("nobody", "cat", 600); // no score ever
            h.classified("late", "image", 1, "cat", 700, 10);
            h.label("late", "cat", 6_000); // beyond dashboard.label-wait-ms (5 s): no join
            long skipped = DashboardAggregates.skippedRecords();
            h.classified("nul", "im\u0000age", 1, "cat", 800, 10); // anyone can write this
            h.label("nul", "c\u0000at", 800);
            assertThat(DashboardAggregates.skippedRecords()).isEqualTo(skipped + 2);
            // a window closes when a later joined score passes its end: stream time is per task
            h.classified("x", "image", 1, "cat", 9_000, 10);
            h.label("x", "cat", 9_000);
            List<DashboardMetric> accuracy =
                    h.metrics().stream()
                            .filter(m -> m.getMetric().equals(DashboardAggregates.ACCURACY))
                            .toList();
            assertThat(accuracy)
                    .extracting(
                            m ->
                                    m.getModel()
                                            + "@"
                                            + m.getModelVersion()
                                            + " ["
                                            + m.getWindowStart()
                                            + "] "
                                            + m.getCount()
                                            + " "
                                            + m.getValue())
                    .containsExactlyInAnyOrder("image@1 [0] 3 " + 2.0 / 3, "image@2 [0] 1 1.0");
        }
    }

    private static DashboardMetric find(
            List<DashboardMetric> out, String metric, String model, long version) {
        return out.stream()
                .filter(
                        m ->
                                m.getMetric().equals(metric)
                                        && model.equals(m.getModel())
                                        && m.getModelVersion() == version)
                .findFirst()
                .orElseThrow();
    }

    /** The nearest-rank percentile: the smallest value with at least p% of values at or below. */
    private static double nearestRank(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    /** HDR with 3 significant digits: within 0.1% of the value (and 1 ms of rounding). */
    private static org.assertj.core.data.Offset<Double> tolerance(long[] sorted) {
        return within(Math.max(1.0, sorted[sorted.length - 1] * 0.001));
    }

    private final class Harness implements AutoCloseable {
        final TopologyTestDriver driver;
        final TestInputTopic<byte[], byte[]> scoreInput;
        final TestInputTopic<byte[], byte[]> dlqInput;
        final TestInputTopic<byte[], byte[]> anomalyInput;
        final TestInputTopic<byte[], byte[]> recsInput;
        final TestInputTopic<byte[], byte[]> labelInput;
        final TestOutputTopic<String, DashboardMetric> output;
        int n;

        Harness(String windows, long grace) {
            this(windows, grace, 3_600_000);
        }

        Harness(String windows, long grace, long amend) {
            Map<String, String> settings = new HashMap<>();
            settings.put("dashboard.amend-ms", Long.toString(amend));
            settings.put("dashboard.windows-ms", windows);
            settings.put("dashboard.grace-ms", Long.toString(grace));
            settings.put("dashboard.label-wait-ms", "5000");
            settings.put("dashboard.accuracy-grace-ms", Long.toString(grace));
            DashboardAggregatesConfig config =
                    DashboardAggregatesConfig.of(
                            "broker.test:9092", "http://registry.test", settings);
            Properties p = new Properties();
            p.put(StreamsConfig.APPLICATION_ID_CONFIG, "dashboard-test");
            p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "broker.test:9092");
            p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            driver =
                    new TopologyTestDriver(
                            DashboardAggregates.buildTopology(
                                    config,
                                    scores,
                                    letters,
                                    anomalies,
                                    recommendations,
                                    labels,
                                    metrics),
                            p,
                            Instant.EPOCH);
            scoreInput =
                    driver.createInputTopic(
                            "scores.image",
                            Serdes.ByteArray().serializer(),
                            Serdes.ByteArray().serializer());
            dlqInput =
                    driver.createInputTopic(
                            "dlq",
                            Serdes.ByteArray().serializer(),
                            Serdes.ByteArray().serializer());
            anomalyInput =
                    driver.createInputTopic(
                            "anomalies",
                            Serdes.ByteArray().serializer(),
                            Serdes.ByteArray().serializer());
            recsInput =
                    driver.createInputTopic(
                            "recommendations",
                            Serdes.ByteArray().serializer(),
                            Serdes.ByteArray().serializer());
            labelInput =
                    driver.createInputTopic(
                            "events.labels",
                            Serdes.ByteArray().serializer(),
                            Serdes.ByteArray().serializer());
            output =
                    driver.createOutputTopic(
                            "dashboard.metrics",
                            Serdes.String().deserializer(),
                            metrics.deserializer());
        }

        /** A score made at {@code at} of an event {@code latency} ms older. */
        void score(String model, long version, long at, long latency) {
            classified("e" + n++, model, version, null, at, latency);
        }

        /** A classifier's score of event {@code id}, predicting {@code label}. */
        void classified(
                String id, String model, long version, String label, long at, long latency) {
            Score s =
                    Score.newBuilder()
                            .setEventId(id)
                            .setModel(model)
                            .setModelVersion(version)
                            .setLabel(label)
                            .setProbabilities(List.of())
                            .setScore(0.5)
                            .setEventTs(at - latency)
                            .setScoredTs(at)
                            .setSeries(null)
                            .build();
            scoreInput.pipeInput(
                    s.getEventId().getBytes(), scores.serializer().serialize("scores.x", s), at);
        }

        /**
         * A score made at {@code at} of an event at {@code eventTs}, its record stamped with the
         * event's time as the scorer's sink does.
         */
        void scoredLate(String model, long version, long at, long eventTs) {
            Score s =
                    Score.newBuilder()
                            .setEventId("e" + n++)
                            .setModel(model)
                            .setModelVersion(version)
                            .setLabel(null)
                            .setProbabilities(List.of())
                            .setScore(0.5)
                            .setEventTs(eventTs)
                            .setScoredTs(at)
                            .setSeries(null)
                            .build();
            scoreInput.pipeInput(
                    s.getEventId().getBytes(),
                    scores.serializer().serialize("scores.x", s),
                    eventTs);
        }

        void label(String id, String label, long at) {
            Label l = new Label(id, label, at);
            labelInput.pipeInput(
                    id.getBytes(), labels.serializer().serialize("events.labels", l), at);
        }

        void letter(String reason, long at) {
            DeadLetter d =
                    DeadLetterRecords.of(
                            "interactions", 0, n++, null, null, "recommender", reason, null, at);
            dlqInput.pipeInput(null, letters.serializer().serialize("dlq", d), at);
        }

        void anomaly(String model, String series, long at) {
            Anomaly a = new Anomaly("a" + n++, model, 3L, 9.0, 2.0, series, at);
            anomalyInput.pipeInput(null, anomalies.serializer().serialize("anomalies", a), at);
        }

        void recommendation(String basis, long version, long at) {
            Recommendation r =
                    Recommendation.newBuilder()
                            .setUserId("u" + n++)
                            .setItems(List.of())
                            .setModelVersion(version)
                            .setTs(at)
                            .setEmbeddingVersion(1L)
                            .setBasis(basis)
                            .setInteractionTs(at)
                            .build();
            recsInput.pipeInput(
                    null, recommendations.serializer().serialize("recommendations", r), at);
        }

        List<DashboardMetric> metrics() {
            return new ArrayList<>(output.readValuesToList());
        }

        @Override
        public void close() {
            driver.close();
        }
    }
}
