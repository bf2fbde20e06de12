package io.streamdl.scoring.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real app (exactly-once Kafka Streams) on the embedded broker and registry: two series of
 * scores with outliers on {@code scores.anomaly}; every outlier fires exactly one committed
 * anomaly, a NaN score lands in {@code dlq}, and after a restart on an empty state directory (so
 * the state comes back from the changelog) the next outlier fires at once, with the same threshold.
 */
class AnomalyDetectorITCase {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir Path dataDir;

    @Test
    void outliersFireOnceEachAndTheStateSurvivesARestart() throws Exception {
        try (Platform platform = Platform.start(PlatformConfig.ephemeral(dataDir, 1));
                RestSchemaRegistryClient registry =
                        new RestSchemaRegistryClient(platform.registryUrl());
                KafkaProducer<byte[], byte[]> producer =
                        TestingKafka.producer(platform.bootstrapServers())) {
            AvroWireSerializer<Object> avro =
                    new AvroWireSerializer<>(
                            registry, SerdeConfig.forValues(platform.registryUrl()));
            Sender send = new Sender(producer, avro);

            double threshold;
            try (AnomalyDetectorApp app = start(platform, registry, "state-1")) {
                assertThat(app.awaitRunning(WAIT)).as("running").isTrue();
                // Scores are keyed by event id, so one series spreads over both partitions and its
                // order holds only between phases (each waits until the previous one is seen);
                // within a phase the normal scores are equal, so their order does not matter.
                for (int i = 0; i < 60; i++) {
                    send.score("cpu-" + i, "cpu", 1.0);
                    send.score("mem-" + i, "mem", 10.0);
                }
                producer.flush();
                awaitSeen(app, "cpu", 60);
                awaitSeen(app, "mem", 60);

                send.score("cpu-spike-1", "cpu", 5.0);
                send.score("nan", "cpu", Double.NaN);
                send.score("mem-spike", "mem", 50.0);
                producer.flush();
                assertThat(readAnomalies(platform, registry, l -> l.size() >= 2))
                        .extracting(Anomaly::getEventId)
                        .containsExactlyInAnyOrder("cpu-spike-1", "mem-spike");

                for (int i = 60; i < 100; i++) {
                    send.score("cpu-" + i, "cpu", 1.0);
                }
                producer.flush();
                awaitSeen(app, "cpu", 101);
                send.score("cpu-spike-2", "cpu", 6.0);
                producer.flush();
                assertThat(readAnomalies(platform, registry, l -> l.size() >= 3))
                        .extracting(Anomaly::getEventId)
                        .containsExactlyInAnyOrder("cpu-spike-1", "mem-spike", "cpu-spike-2");

                List<DeadLetter> dead = readDeadLetters(platform, registry);
                assertThat(dead)
                        .singleElement()
                        .satisfies(
                                d -> {
                                    assertThat(d.getStage()).isEqualTo("anomalies");
                                    assertThat(d.getError()).isEqualTo("NON_FINITE_SCORE");
                                    assertThat(d.getSourceTopic()).isEqualTo("scores.anomaly");
                                });

                SeriesView cpu = awaitSeen(app, "cpu", 102);
                assertThat(cpu.alerts()).isEqualTo(2);
                assertThat(cpu.recentAnomalies())
                        .extracting(Anomaly::getEventId)
                        .containsExactly("cpu-spike-1", "cpu-spike-2");
                threshold = cpu.threshold().orElseThrow();
                assertThat(threshold).isEqualTo(1.0);
                assertThat(awaitSeen(app, "mem", 61).alerts()).isEqualTo(1);
            }

            // A new instance on an empty state directory: the series state comes from the
            // changelog, so the very first outlier fires (no second warm-up).
            try (AnomalyDetectorApp app = start(platform, registry, "state-2")) {
                assertThat(app.awaitRunning(WAIT)).as("running again").isTrue();
                SeriesView restored = app.series("anomaly", "cpu").orElseThrow();
                assertThat(restored.seen()).isEqualTo(102);
                assertThat(restored.threshold()).hasValue(threshold);

                send.score("cpu-spike-3", "cpu", 7.0);
                producer.flush();
                List<Anomaly> all = readAnomalies(platform, registry, l -> l.size() >= 4);
                Map<String, Integer> times = new HashMap<>();
                all.forEach(a -> times.merge(a.getEventId(), 1, Integer::sum));
                assertThat(times)
                        .as("every outlier fired exactly once")
                        .containsExactlyInAnyOrderEntriesOf(
                                Map.of(
                                        "cpu-spike-1", 1,
                                        "mem-spike", 1,
                                        "cpu-spike-2", 1,
                                        "cpu-spike-3", 1));
                Anomaly third =
                        all.stream()
                                .filter(a -> a.getEventId().equals("cpu-spike-3"))
                                .findFirst()
                                .orElseThrow();
                assertThat(third.getThreshold()).isEqualTo(threshold);
                assertThat(third.getSeries()).isEqualTo("cpu");
                assertThat(third.getModelVersion()).isEqualTo(3L);
                System.out.printf(
                        "AnomalyDetectorITCase: %d anomalies, cpu threshold %.4f%n",
                        all.size(), threshold);
            }
        }
    }

    private AnomalyDetectorApp start(
            Platform platform, RestSchemaRegistryClient registry, String stateDir) {
        AnomalyDetectorConfig config =
                AnomalyDetectorConfig.of(
                        platform.bootstrapServers(),
                        platform.registryUrl(),
                        Map.of(
                                "anomalies.application-id", "anomaly-it",
                                "anomalies.threshold.window", "100",
                                "anomalies.threshold.quantile", "0.95",
                                "anomalies.warm-up", "20",
                                "anomalies.state-dir", dataDir.resolve(stateDir).toString()));
        return AnomalyDetectorApp.start(config, registry);
    }

    /** Polls the local store until the series has seen {@code n} scores (a visible signal). */
    private static SeriesView awaitSeen(AnomalyDetectorApp app, String series, long n)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            var view = app.series("anomaly", series);
            if (view.isPresent() && view.get().seen() >= n) {
                assertThat(view.get().seen()).isEqualTo(n);
                return view.get();
            }
            assertThat(System.nanoTime())
                    .as("series " + series + " seen " + n)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static List<Anomaly> readAnomalies(
            Platform platform,
            RestSchemaRegistryClient registry,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
        AvroWireDeserializer<Anomaly> reader =
                AvroWireDeserializer.specific(registry, Anomaly.class);
        return TestingKafka.readCommitted(
                        platform.bootstrapServers(), "anomalies", done, WAIT, Duration.ofSeconds(2))
                .stream()
                .map(r -> reader.deserialize(r.topic(), r.value()))
                .toList();
    }

    private static List<DeadLetter> readDeadLetters(
            Platform platform, RestSchemaRegistryClient registry) {
        AvroWireDeserializer<DeadLetter> reader =
                AvroWireDeserializer.specific(registry, DeadLetter.class);
        return TestingKafka.readCommitted(
                        platform.bootstrapServers(),
                        "dlq",
                        l -> !l.isEmpty(),
                        WAIT,
                        Duration.ofSeconds(1))
                .stream()
                .map(r -> reader.deserialize(r.topic(), r.value()))
                .toList();
    }

    /** Sends scores of model {@code anomaly}, version 3, with increasing event times. */
    private static final class Sender {
        private final KafkaProducer<byte[], byte[]> producer;
        private final AvroWireSerializer<Object> avro;
        private long ts = 1_000_000L;

        Sender(KafkaProducer<byte[], byte[]> producer, AvroWireSerializer<Object> avro) {
            this.producer = producer;
            this.avro = avro;
        }

        void score(String id, String series, double value) {
            ts++;
            Score s =
                    Score.newBuilder()
                            .setEventId(id)
                            .setModel("anomaly")
                            .setModelVersion(3L)
                            .setScore(value)
                            .setEventTs(ts)
                            .setScoredTs(ts)
                            .setSeries(series)
                            .build();
            producer.send(
                    new ProducerRecord<>(
                            "scores.anomaly",
                            id.getBytes(StandardCharsets.UTF_8),
                            avro.serialize("scores.anomaly", s)));
        }
    }
}
