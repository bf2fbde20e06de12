package io.streamdl.scoring.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real app (exactly-once Kafka Streams) on the embedded broker: 50 scores of one model version,
 * each 250 ms after its event, come out as 1 s windows on {@code dashboard.metrics}, closed by the
 * wall clock with no later record, whose highest revisions' counts add up to 50 and whose latency
 * percentiles are 250 ms.
 */
class DashboardAggregatesITCase {
    @TempDir Path dataDir;

    @Test
    void scoresOnTheBrokerBecomeClosedWindowsOnDashboardMetrics() throws Exception {
        try (Platform platform = Platform.start(PlatformConfig.ephemeral(dataDir, 1));
                RestSchemaRegistryClient registry =
                        new RestSchemaRegistryClient(platform.registryUrl());
                KafkaProducer<byte[], byte[]> producer =
                        TestingKafka.producer(platform.bootstrapServers())) {
            AvroWireSerializer<Object> avro =
                    new AvroWireSerializer<>(
                            registry, SerdeConfig.forValues(platform.registryUrl()));
            DashboardAggregatesConfig config =
                    DashboardAggregatesConfig.of(
                            platform.bootstrapServers(),
                            platform.registryUrl(),
                            Map.of(
                                    "dashboard.windows-ms", "1000",
                                    "dashboard.grace-ms", "0",
                                    "dashboard.accuracy-grace-ms", "0",
                                    "dashboard.state-dir", dataDir.resolve("s").toString()));
            try (DashboardAggregatesApp app = DashboardAggregatesApp.start(config, registry)) {
                assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
                for (int i = 0; i < 50; i++) {
                    send(producer, avro, "e" + i);
                    label(producer, avro, "e" + i, i < 40 ? "cat" : "dog");
                }
                producer.flush();
                // throughput and latency windows close by the wall clock; the accuracy windows
                // (by event time) when a later joined score moves their task's stream time past
                // them. What reaches a window after it was written amends it (a higher revision)
                Thread.sleep(2500);
                long laterWindow = System.currentTimeMillis() / 1000 * 1000;
                send(producer, avro, "later");
                label(producer, avro, "later", "cat");
                producer.flush();
                AvroWireDeserializer<DashboardMetric> reader =
                        AvroWireDeserializer.specific(registry, DashboardMetric.class);
                Map<String, DashboardMetric> last = new java.util.TreeMap<>();
                for (ConsumerRecord<byte[], byte[]> r :
                        TestingKafka.readCommitted(
                                platform.bootstrapServers(),
                                "dashboard.metrics",
                                l ->
                                        sumCounts(
                                                                l,
                                                                reader,
                                                                DashboardAggregates.THROUGHPUT,
                                                                laterWindow)
                                                        >= 50
                                                && sumCounts(
                                                                l,
                                                                reader,
                                                                DashboardAggregates.ACCURACY,
                                                                laterWindow)
                                                        >= 50,
                                Duration.ofSeconds(60),
                                Duration.ofSeconds(1))) {
                    DashboardMetric m = reader.deserialize(r.topic(), r.value());
                    last.merge(
                            m.getMetric() + "/" + m.getModelVersion() + "/" + m.getWindowStart(),
                            m,
                            (a, b) -> b.getRevision() > a.getRevision() ? b : a);
                }
                List<DashboardMetric> throughput = new ArrayList<>();
                List<DashboardMetric> latency = new ArrayList<>();
                List<DashboardMetric> accuracy = new ArrayList<>();
                for (DashboardMetric m : last.values()) {
                    if (m.getWindowStart() >= laterWindow) {
                        continue; // the later score's own windows
                    }
                    switch (m.getMetric()) {
                        case DashboardAggregates.THROUGHPUT -> throughput.add(m);
                        case DashboardAggregates.LATENCY -> latency.add(m);
                        default -> accuracy.add(m);
                    }
                }
                assertThat(throughput.stream().mapToLong(DashboardMetric::getCount).sum())
                        .isEqualTo(50);
                assertThat(throughput)
                        .allSatisfy(
                                m -> {
                                    assertThat(m.getModel()).isEqualTo("image");
                                    assertThat(m.getModelVersion()).isEqualTo(7);
                                    assertThat(m.getWindowEnd() - m.getWindowStart())
                                            .isEqualTo(1000);
                                });
                // served accuracy: 40 of the 50 labels agree with the scores' class
                assertThat(accuracy.stream().mapToLong(DashboardMetric::getCount).sum())
                        .isEqualTo(50);
                assertThat(accuracy.stream().mapToDouble(m -> m.getValue() * m.getCount()).sum())
                        .isCloseTo(40.0, within(1e-9));
                assertThat(accuracy)
                        .allSatisfy(m -> assertThat(m.getMetric()).isEqualTo("accuracy"));
                assertThat(latency)
                        .isNotEmpty()
                        .allSatisfy(
                                m -> {
                                    assertThat(m.getP50()).isCloseTo(250.0, within(1.0));
                                    assertThat(m.getP99()).isCloseTo(250.0, within(1.0));
                                });
            }
        }
    }

    /** The counts of {@code metric}'s windows before {@code until}, each its highest revision. */
    private static long sumCounts(
            List<ConsumerRecord<byte[], byte[]>> records,
            AvroWireDeserializer<DashboardMetric> reader,
            String metric,
            long until) {
        Map<String, DashboardMetric> last = new java.util.HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            DashboardMetric m = reader.deserialize(r.topic(), r.value());
            if (m.getMetric().equals(metric) && m.getWindowStart() < until) {
                last.merge(
                        m.getModelVersion() + "/" + m.getWindowStart(),
                        m,
                        (a, b) -> b.getRevision() > a.getRevision() ? b : a);
            }
        }
        return last.values().stream().mapToLong(DashboardMetric::getCount).sum();
    }

    private static void label(
            KafkaProducer<byte[], byte[]> producer,
            AvroWireSerializer<Object> avro,
            String id,
            String label) {
        producer.send(
                new ProducerRecord<>(
                        "events.labels",
                        id.getBytes(StandardCharsets.UTF_8),
                        avro.serialize(
                                "events.labels",
                                new Label(id, label, System.currentTimeMillis()))));
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer, AvroWireSerializer<Object> avro, String id) {
        long now = System.currentTimeMillis();
        Score s =
                Score.newBuilder()
                        .setEventId(id)
                        .setModel("image")
                        .setModelVersion(7L)
                        .setLabel("cat")
                        .setScore(0.9)
                        .setEventTs(now - 250)
                        .setScoredTs(now)
                        .build();
        producer.send(
                new ProducerRecord<>(
                        "scores.image",
                        id.getBytes(StandardCharsets.UTF_8),
                        avro.serialize("scores.image", s)));
    }
}
