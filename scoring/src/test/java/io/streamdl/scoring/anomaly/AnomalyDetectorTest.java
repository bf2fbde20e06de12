package io.streamdl.scoring.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.WireSerde;
import io.streamdl.schemas.testing.TestingSchemaRegistryClient;
import io.streamdl.scoring.StateDirectories;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector's topology on a {@link TopologyTestDriver} with an in-memory registry. Scores follow
 * a repeating pattern {@code level + 0.01 * (i % 10)}, so with the 0.95 quantile of the last 100
 * scores the threshold of a series is exactly its level + 0.09 and no normal score exceeds it.
 */
class AnomalyDetectorTest {
    private static final double EPS = 1e-9;

    private final TestingSchemaRegistryClient registry = new TestingSchemaRegistryClient();
    private final SerdeConfig values = SerdeConfig.forValues("http://registry.test");
    private final Serde<Score> scores = WireSerde.specific(registry, values, Score.class);
    private final Serde<Anomaly> anomalies = WireSerde.specific(registry, values, Anomaly.class);
    private final Serde<DeadLetter> letters =
            WireSerde.specific(registry, values, DeadLetter.class);

    @TempDir Path stateDir;

    @Test
    void theThresholdFollowsEachSeriesLevel() {
        try (Harness h = new Harness(stateDir)) {
            for (int i = 0; i < 150; i++) {
                h.send(score("low-" + i, "low", normal(1.0, i), i));
                h.send(score("high-" + i, "high", normal(10.0, i), i));
            }
            assertThat(h.anomalies()).isEmpty();
            assertThat(h.view("low").threshold().getAsDouble()).isCloseTo(1.09, within());
            assertThat(h.view("high").threshold().getAsDouble()).isCloseTo(10.09, within());
            assertThat(h.view("low").seen()).isEqualTo(150);

            // The level of a series shifts: within a window its threshold is the new level's.
            for (int i = 0; i < 200; i++) {
                h.send(score("lower-" + i, "low", normal(0.5, i), 200 + i));
            }
            assertThat(h.view("low").threshold().getAsDouble()).isCloseTo(0.59, within());
            assertThat(h.view("high").threshold().getAsDouble()).isCloseTo(10.09, within());
        }
    }

    @Test
    void aSingleOutlierFiresExactlyOneAnomalyWithItsFields() {
        try (Harness h = new Harness(stateDir)) {
            for (int i = 0; i < 60; i++) {
                h.send(score("n-" + i, "cpu", normal(1.0, i), 1000 + i));
            }
            h.send(score("spike", "cpu", 5.0, 2000));
            for (int i = 60; i < 120; i++) {
                h.send(score("n-" + i, "cpu", normal(1.0, i), 3000 + i));
            }

            List<org.apache.kafka.streams.test.TestRecord<String, Anomaly>> out =
                    h.anomalyTopic.readRecordsToList();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).key()).isEqualTo("spike");
            Anomaly a = out.get(0).value();
            assertThat(a.getEventId()).isEqualTo("spike");
            assertThat(a.getModel()).isEqualTo("anomaly");
            assertThat(a.getModelVersion()).isEqualTo(7L);
            assertThat(a.getScore()).isEqualTo(5.0);
            assertThat(a.getThreshold()).isCloseTo(1.09, within());
            assertThat(a.getSeries()).isEqualTo("cpu");
            assertThat(a.getTs()).isEqualTo(2000L);

            SeriesView view = h.view("cpu");
            assertThat(view.alerts()).isEqualTo(1);
            assertThat(view.recentAnomalies()).containsExactly(a);
            assertThat(view.seen()).isEqualTo(121);
        }
    }

    @Test
    void scoresWithoutSeriesShareTheModelsSeries() {
        try (Harness h = new Harness(stateDir)) {
            for (int i = 0; i < 40; i++) {
                h.send(score("n-" + i, null, normal(2.0, i), i));
            }
            h.send(score("spike", null, 9.0, 100));
            List<Anomaly> out = h.anomalies();
            assertThat(out).extracting(Anomaly::getEventId).containsExactly("spike");
            assertThat(out.get(0).getSeries()).isNull();
            assertThat(h.view(null).seen()).isEqualTo(41);
        }
    }

    @Test
    void nothingFiresDuringWarmUp() {
        try (Harness h = new Harness(stateDir)) {
            for (int i = 0; i < 19; i++) {
                h.send(score("n-" + i, "cpu", normal(1.0, i), i));
            }
            assertThat(h.view("cpu").threshold()).isEmpty();
            h.send(score("early-spike", "cpu", 50.0, 19)); // the 20th score: still warming up
            assertThat(h.anomalies()).isEmpty();
            assertThat(h.view("cpu").threshold()).isPresent();

            h.send(score("late-spike", "cpu", 60.0, 20));
            assertThat(h.anomalies()).extracting(Anomaly::getEventId).containsExactly("late-spike");
        }
    }

    @Test
    void nonFiniteAndUndecodableScoresAreDeadLetteredWithoutTouchingTheState() {
        try (Harness h = new Harness(stateDir)) {
            for (int i = 0; i < 60; i++) {
                h.send(score("n-" + i, "cpu", normal(1.0, i), i));
            }
            SeriesView before = h.view("cpu");

            h.send(score("nan", "cpu", Double.NaN, 60));
            h.send(score("inf", "cpu", Double.POSITIVE_INFINITY, 61));
            h.raw.pipeInput("junk".getBytes(), "{\"score\":1}".getBytes());
            h.raw.pipeInput("empty".getBytes(), (byte[]) null);

            SeriesView after = h.view("cpu");
            assertThat(after.seen()).isEqualTo(before.seen());
            assertThat(after.threshold()).isEqualTo(before.threshold());
            assertThat(h.anomalies()).isEmpty();

            List<DeadLetter> dead = h.letters.readValuesToList();
            assertThat(dead)
                    .extracting(DeadLetter::getStage, DeadLetter::getError)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("anomalies", "NON_FINITE_SCORE"),
                            org.assertj.core.groups.Tuple.tuple("anomalies", "NON_FINITE_SCORE"),
                            org.assertj.core.groups.Tuple.tuple("decode", "NO_MAGIC_BYTE"),
                            org.assertj.core.groups.Tuple.tuple("decode", "EMPTY_VALUE"));
            assertThat(dead).allMatch(d -> d.getSourceTopic().equals("scores.anomaly"));
            assertThat(dead).extracting(DeadLetter::getOffset).containsExactly(60L, 61L, 62L, 63L);
            assertThat(h.refusedTotal()).isEqualTo(4.0);

            // The app keeps going: the next outlier fires against the unchanged threshold.
            h.send(score("spike", "cpu", 5.0, 70));
            assertThat(h.anomalies())
                    .singleElement()
                    .satisfies(
                            a ->
                                    assertThat(a.getThreshold())
                                            .isEqualTo(before.threshold().getAsDouble()));
        }
    }

    @Test
    void stateSurvivesARestartOnTheSameDirectory() throws IOException {
        Path live = stateDir.resolve("live");
        Path saved = stateDir.resolve("saved");
        OptionalDouble threshold;
        try (Harness h = new Harness(live)) {
            for (int i = 0; i < 25; i++) {
                h.send(score("n-" + i, "cpu", normal(1.0, i), i));
            }
            threshold = h.view("cpu").threshold();
            assertThat(threshold).isPresent();
            // TopologyTestDriver#close() deletes its state directory (a real KafkaStreams keeps
            // it), so the committed state is set aside and put back, as a restart would find it.
            StateDirectories.copySettled(live, saved);
        }
        StateDirectories.copyTree(saved, live);

        try (Harness h = new Harness(live)) {
            SeriesView restored = h.view("cpu");
            assertThat(restored.seen()).isEqualTo(25);
            assertThat(restored.threshold()).isEqualTo(threshold);

            // The first score after the restart can already fire: warm-up is not repeated.
            h.send(score("spike", "cpu", 5.0, 100));
            assertThat(h.anomalies())
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.getEventId()).isEqualTo("spike");
                                assertThat(a.getThreshold()).isEqualTo(threshold.getAsDouble());
                            });
            assertThat(h.view("cpu").seen()).isEqualTo(26);
        }
    }

    @Test
    void aMinimumGapSuppressesAlertsThatComeTooSoon() {
        try (Harness h = new Harness(stateDir, Map.of("anomalies.min-gap-ms", "1000"))) {
            for (int i = 0; i < 30; i++) {
                h.send(score("n-" + i, "cpu", normal(1.0, i), i));
            }
            h.send(score("first", "cpu", 5.0, 10_000));
            h.send(score("too-soon", "cpu", 5.0, 10_500));
            // Both earlier outliers are among the recent scores now, and the 0.95 quantile of 32
            // scores is the second largest: the next one must beat 5.0.
            h.send(score("later", "cpu", 6.0, 11_000));
            assertThat(h.anomalies())
                    .extracting(Anomaly::getEventId)
                    .containsExactly("first", "later");
            assertThat(h.view("cpu").suppressed()).isEqualTo(1);
        }
    }

    @Test
    void everyProcessorAndStoreIsNamedAndTheStoreHasAChangelog() {
        AnomalyDetectorConfig config = config(stateDir, Map.of());
        Topology topology = AnomalyDetector.buildTopology(config, scores, anomalies, letters);
        TopologyDescription description = topology.describe();
        List<String> names =
                description.subtopologies().stream()
                        .flatMap(s -> s.nodes().stream())
                        .map(TopologyDescription.Node::name)
                        .toList();
        assertThat(names)
                .contains(
                        AnomalyDetector.SOURCE,
                        AnomalyDetector.CHECK,
                        AnomalyDetector.DLQ_SINK,
                        AnomalyDetector.DETECT,
                        AnomalyDetector.ANOMALY_SINK)
                .noneMatch(n -> n.startsWith("KSTREAM-") || n.startsWith("KTABLE-"));
        assertThat(description.toString())
                .contains("stores: [" + AnomalyDetector.STORE + "]")
                .contains(AnomalyDetector.BY_SERIES + "-repartition")
                .doesNotContain("KSTREAM-");

        try (Harness h = new Harness(stateDir)) {
            h.send(score("e", "cpu", 1.0, 0));
            assertThat(h.driver.producedTopicNames())
                    .contains(config.applicationId() + "-" + AnomalyDetector.STORE + "-changelog");
        }
    }

    @Test
    void aSeriesWithoutScoresForItsIdleTtlIsDeletedAndStartsAfresh() {
        try (Harness h = new Harness(stateDir, Map.of("anomalies.idle-ttl-hours", "1"))) {
            for (int i = 0; i < 30; i++) {
                h.send(score("a-" + i, "a", normal(1.0, i), i));
                h.send(score("b-" + i, "b", normal(1.0, i), i));
            }
            h.driver.advanceWallClockTime(Duration.ofMinutes(40));
            h.send(score("b-late", "b", 1.0, 100));
            h.driver.advanceWallClockTime(Duration.ofMinutes(30));

            KeyValueStore<String, SeriesState> store =
                    h.driver.getKeyValueStore(AnomalyDetector.STORE);
            assertThat(store.get(AnomalyDetector.seriesKey("anomaly", "a"))).isNull();
            assertThat(h.view("b").seen()).isEqualTo(31);

            h.send(score("a-again", "a", 1.0, 200));
            assertThat(h.view("a").seen()).isEqualTo(1);
        }
    }

    @Test
    void aStateOfTheFirstFormatReadsAsNeverSeenAndDoesNotExpire() {
        SeriesState state = SeriesState.empty(4, 2);
        state.touch(1_000);
        byte[] current = SeriesStateSerde.encode(state);
        assertThat(SeriesStateSerde.decode(current).lastSeenMillis()).isEqualTo(1_000);
        // format 1 is format 2 without the trailing last-seen time
        byte[] first = java.util.Arrays.copyOf(current, current.length - Long.BYTES);
        first[0] = 1;
        SeriesState old = SeriesStateSerde.decode(first);
        assertThat(old.lastSeenMillis()).isEqualTo(SeriesState.NEVER_SEEN);
        assertThat(old.idleFor(1, Long.MAX_VALUE)).isFalse();
        assertThat(state.idleFor(3_600_000, 3_601_000)).isTrue();
        assertThat(state.idleFor(3_600_000, 3_600_999)).isFalse();
    }

    @Test
    void theLikelihoodRuleAlertsWhereTheGaussianTailOfTheRecentScoresEnds() {
        AnomalyDetectorConfig config =
                config(stateDir, Map.of("anomalies.threshold.rule", "likelihood"));
        SeriesState state = SeriesState.empty(config.window(), config.recentAnomalies());
        for (int i = 0; i < 60; i++) {
            assertThat(state.observe(score("n-" + i, "s", normal(1.0, i), i), config)).isEmpty();
        }
        double[] recent = state.scores();
        double mean = java.util.Arrays.stream(recent).average().orElseThrow();
        double sigma =
                Math.sqrt(
                        java.util.Arrays.stream(recent).map(v -> (v - mean) * (v - mean)).sum()
                                / recent.length);
        double z = Gaussian.quantile(0.9999);
        assertThat(z).isCloseTo(3.719, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(state.threshold(config).getAsDouble()).isCloseTo(mean + z * sigma, within());
        assertThat(state.observe(score("just-below", "s", mean + 0.99 * z * sigma, 60), config))
                .isEmpty();
        assertThat(state.observe(score("outlier", "s", mean + 6 * sigma, 61), config))
                .hasValueSatisfying(a -> assertThat(a.getEventId()).isEqualTo("outlier"));
    }

    @Test
    void withAShortWindowTheLikelihoodRuleCatchesASustainedShiftNoSinglePointShows() {
        AnomalyDetectorConfig config =
                config(
                        stateDir,
                        Map.of(
                                "anomalies.threshold.rule", "likelihood",
                                "anomalies.likelihood.short-window", "4"));
        SeriesState state = SeriesState.empty(config.window(), config.recentAnomalies());
        for (int i = 0; i < 80; i++) {
            state.observe(score("n-" + i, "s", normal(1.0, i), i), config);
        }
        double[] recent = state.scores();
        double mean = java.util.Arrays.stream(recent).average().orElseThrow();
        double sigma =
                Math.sqrt(
                        java.util.Arrays.stream(recent).map(v -> (v - mean) * (v - mean)).sum()
                                / recent.length);
        // each point alone is within the tail of a single score; four in a row are not
        List<String> fired = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            state.observe(score("shift-" + i, "s", mean + 3 * sigma, 100 + i), config)
                    .ifPresent(a -> fired.add(a.getEventId()));
        }
        assertThat(fired).isNotEmpty().doesNotContain("shift-0");
        AnomalyDetectorConfig single =
                config(stateDir, Map.of("anomalies.threshold.rule", "likelihood"));
        SeriesState one = SeriesState.empty(single.window(), single.recentAnomalies());
        for (int i = 0; i < 80; i++) {
            one.observe(score("n-" + i, "s", normal(1.0, i), i), single);
        }
        assertThat(one.observe(score("shift-0", "s", mean + 3 * sigma, 100), single)).isEmpty();
    }

    @Test
    void theStateCodecRoundTripsAndRefusesOtherFormats() {
        AnomalyDetectorConfig config = config(stateDir, Map.of());
        SeriesState state = SeriesState.empty(4, 2);
        for (int i = 0; i < 150; i++) {
            state.observe(score("n-" + i, "s", normal(1.0, i), i), config);
        }
        state.observe(score("spike", "s", 99.0, 500), config);
        SeriesState copy = SeriesStateSerde.decode(SeriesStateSerde.encode(state));
        assertThat(copy.scores()).containsExactly(state.scores());
        assertThat(copy.seen()).isEqualTo(151);
        assertThat(copy.alerts()).isEqualTo(state.alerts()).isPositive();
        assertThat(copy.recentAnomalies()).isEqualTo(state.recentAnomalies()).hasSize(2);
        assertThat(copy.lastAlertTs()).isEqualTo(500);

        SeriesState smaller = copy.fitTo(2, 1);
        assertThat(smaller.scores()).containsExactly(normal(1.0, 149), 99.0);
        assertThat(smaller.recentAnomalies()).hasSize(1);

        byte[] bytes = SeriesStateSerde.encode(state);
        bytes[0] = 9;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SeriesStateSerde.decode(bytes))
                .hasMessageContaining("format 9");
    }

    @Test
    void theConfigReadsItsKeysAndNamesTheBadOne() {
        AnomalyDetectorConfig defaults = AnomalyDetectorConfig.of("b:9092", "http://r", Map.of());
        assertThat(defaults.models()).containsExactly("anomaly");
        assertThat(defaults.scoreTopics()).containsExactly("scores.anomaly");
        assertThat(defaults.quantile()).isEqualTo(0.99);
        assertThat(defaults.window()).isEqualTo(1000);
        assertThat(defaults.warmUp()).isEqualTo(100);
        assertThat(AnomalyDetectorApp.streamsProperties(defaults))
                .containsEntry("processing.guarantee", "exactly_once_v2")
                .containsEntry("application.id", "streamdl-anomalies")
                .doesNotContainKey("state.dir");

        AnomalyDetectorConfig two =
                AnomalyDetectorConfig.of(
                        "b:9092", "http://r", Map.of("anomalies.models", "anomaly, metrics"));
        assertThat(two.scoreTopics()).containsExactly("scores.anomaly", "scores.metrics");

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                AnomalyDetectorConfig.of(
                                        "b:9092",
                                        "http://r",
                                        Map.of("anomalies.threshold.quantil", "0.9")))
                .isInstanceOf(io.streamdl.schemas.config.ConfigException.class)
                .hasMessageContaining("anomalies.threshold.quantile");
        assertThat(defaults.rule()).isEqualTo(AnomalyDetectorConfig.ThresholdRule.QUANTILE);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                AnomalyDetectorConfig.of(
                                        "b:9092",
                                        "http://r",
                                        Map.of(
                                                "anomalies.threshold.window", "5",
                                                "anomalies.likelihood.short-window", "6")))
                .hasMessageContaining("anomalies.likelihood.short-window");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                AnomalyDetectorConfig.of(
                                        "b:9092",
                                        "http://r",
                                        Map.of("anomalies.threshold.rule", "median")))
                .hasMessageContaining("one of quantile, likelihood");
        for (Map.Entry<String, String> bad :
                Map.of(
                                "anomalies.threshold.quantile", "1.5",
                                "anomalies.threshold.window", "0",
                                "anomalies.warm-up", "-1",
                                "anomalies.models", "anomaly,anomaly",
                                "anomalies.application-id", "has space")
                        .entrySet()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () ->
                                    AnomalyDetectorConfig.of(
                                            "b:9092",
                                            "http://r",
                                            Map.of(bad.getKey(), bad.getValue())))
                    .as(bad.getKey())
                    .isInstanceOf(io.streamdl.schemas.config.ConfigException.class)
                    .hasMessageContaining(bad.getKey());
        }
    }

    private static double normal(double level, int i) {
        return level + 0.01 * (i % 10);
    }

    private static Score score(String id, String series, double value, long ts) {
        return Score.newBuilder()
                .setEventId(id)
                .setModel("anomaly")
                .setModelVersion(7L)
                .setScore(value)
                .setEventTs(ts)
                .setScoredTs(ts + 1)
                .setSeries(series)
                .build();
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(EPS);
    }

    private static AnomalyDetectorConfig config(Path dir, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>();
        settings.put("anomalies.threshold.window", "100");
        settings.put("anomalies.threshold.quantile", "0.95");
        settings.put("anomalies.warm-up", "20");
        settings.put("anomalies.state-dir", dir.toString());
        settings.putAll(extra);
        return AnomalyDetectorConfig.of("broker.test:9092", "http://registry.test", settings);
    }

    /** A driver on the detector's topology with the app's own Streams settings. */
    private final class Harness implements AutoCloseable {
        final AnomalyDetectorConfig config;
        final TopologyTestDriver driver;
        final TestInputTopic<String, Score> input;
        final TestInputTopic<byte[], byte[]> raw;
        final TestOutputTopic<String, Anomaly> anomalyTopic;
        final TestOutputTopic<String, DeadLetter> letters;

        Harness(Path dir) {
            this(dir, Map.of());
        }

        Harness(Path dir, Map<String, String> extra) {
            config = config(dir, extra);
            driver =
                    new TopologyTestDriver(
                            AnomalyDetector.buildTopology(
                                    config,
                                    AnomalyDetectorTest.this.scores,
                                    anomalies,
                                    AnomalyDetectorTest.this.letters),
                            AnomalyDetectorApp.streamsProperties(config));
            input =
                    driver.createInputTopic(
                            "scores.anomaly", new StringSerializer(), scores.serializer());
            raw =
                    driver.createInputTopic(
                            "scores.anomaly", new ByteArraySerializer(), new ByteArraySerializer());
            anomalyTopic =
                    driver.createOutputTopic(
                            "anomalies", new StringDeserializer(), anomalies.deserializer());
            letters =
                    driver.createOutputTopic(
                            "dlq",
                            new StringDeserializer(),
                            AnomalyDetectorTest.this.letters.deserializer());
        }

        void send(Score s) {
            input.pipeInput(s.getEventId(), s);
        }

        List<Anomaly> anomalies() {
            return anomalyTopic.readValuesToList();
        }

        SeriesView view(String series) {
            String key = AnomalyDetector.seriesKey("anomaly", series);
            KeyValueStore<String, SeriesState> store =
                    driver.getKeyValueStore(AnomalyDetector.STORE);
            SeriesState state = store.get(key);
            assertThat(state).as("state of " + key).isNotNull();
            return SeriesView.of(key, state, config);
        }

        double refusedTotal() {
            return driver.metrics().entrySet().stream()
                    .filter(e -> e.getKey().name().equals("refused-total"))
                    .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                    .sum();
        }

        @Override
        public void close() {
            driver.close();
        }
    }
}
