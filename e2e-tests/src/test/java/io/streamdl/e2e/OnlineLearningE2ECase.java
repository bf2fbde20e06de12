package io.streamdl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.bench.BenchPipeline;
import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop for images on the embedded platform: labelled Fashion-MNIST events stream in, the
 * TrainJob publishes several versions, the ScoreJob hot-swaps them, and the accuracy of the scores
 * rises from the first version to the last.
 */
class OnlineLearningE2ECase {
    private static final int EVENTS = 3000;

    @TempDir Path dataDir;

    @Test
    void accuracyOfServedScoresRisesOverPublishedVersions() throws Exception {

        try (Platform platform = Platform.start(PlatformConfig.ephemeral(dataDir, 4))) {
            String url = platform.registryUrl();
            // the same wiring as the learning benchmarks: Encode, Score and Train jobs of image
            BenchPipeline.learning(
                    platform,
                    "e2e",
                    "image",
                    Map.of(
                            "models.hmac.key", PipelineJobs.DEVELOPMENT_KEY,
                            "trainer.publish.every-examples", "160",
                            "trainer.publish.every-seconds", "600"));

            FashionMnist images = FashionMnist.sample(FashionMnist.Split.TRAIN);
            Map<String, String> truth = new HashMap<>();
            try (VersionWatch versions = new VersionWatch(platform.bootstrapServers());
                    EventSender sender =
                            new EventSender(
                                    platform.bootstrapServers(), url, Duration.ofMillis(200))) {
                for (int i = 0; i < EVENTS; i++) {
                    String id = "fm-" + i;
                    truth.put(id, images.className(i));
                    sender.send(
                            Events.image(
                                    id,
                                    System.currentTimeMillis(),
                                    "e2e",
                                    "image/png",
                                    ImageCodecs.png(images.image(i), 28, 28),
                                    28,
                                    28,
                                    Map.of()),
                            images.className(i));
                    if (i % 500 == 499) {
                        // Chunks of 500, each sent once the trainer has published the versions
                        // that learned the previous one (it publishes every 160 learned
                        // examples, 5 batches of 32), so later chunks are scored by versions
                        // that learned more, however slow the machine.
                        sender.flush();
                        versions.awaitAtLeast((i + 1) / 160, Duration.ofSeconds(90));
                    }
                }
            }

            // Events before the first version wait for it; the rest are scored as they come.
            List<ConsumerRecord<byte[], byte[]>> records =
                    TestingKafka.readCommitted(
                            platform.bootstrapServers(),
                            "scores.image",
                            r -> r.size() >= EVENTS,
                            Duration.ofSeconds(240),
                            Duration.ofSeconds(1));
            try (RestSchemaRegistryClient registry = new RestSchemaRegistryClient(url)) {
                AvroWireDeserializer<Score> reader =
                        AvroWireDeserializer.specific(registry, Score.class);
                Map<Long, int[]> byVersion = new TreeMap<>();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    Score s = reader.deserialize(r.topic(), r.value());
                    int[] counts = byVersion.computeIfAbsent(s.getModelVersion(), v -> new int[2]);
                    counts[0]++;
                    if (truth.get(s.getEventId()).equals(s.getLabel())) {
                        counts[1]++;
                    }
                }
                StringBuilder table = new StringBuilder();
                byVersion.forEach(
                        (v, c) ->
                                table.append(
                                        String.format(
                                                " v%d: %d scores, accuracy %.3f;",
                                                v, c[0], (double) c[1] / c[0])));
                System.out.println("OnlineLearningE2ECase:" + table);
                assertThat(records).hasSize(EVENTS);
                assertThat(byVersion).as("several versions served").hasSizeGreaterThanOrEqualTo(3);
                long first = byVersion.keySet().stream().findFirst().orElseThrow();
                // the newest version that served enough scores for its accuracy to mean something
                long last =
                        byVersion.entrySet().stream()
                                .filter(e -> e.getValue()[0] >= 100)
                                .map(Map.Entry::getKey)
                                .reduce((a, b) -> b)
                                .orElseThrow();
                assertThat(last)
                        .as("a later version served at least 100 scores")
                        .isNotEqualTo(first);
                double firstAccuracy = (double) byVersion.get(first)[1] / byVersion.get(first)[0];
                double lastAccuracy = (double) byVersion.get(last)[1] / byVersion.get(last)[0];
                assertThat(lastAccuracy)
                        .as("accuracy rises over versions")
                        .isGreaterThan(firstAccuracy + 0.05);
            }
        }
    }

    /** Counts committed updates on models.image. */
    private static final class VersionWatch implements AutoCloseable {
        private final org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer;
        private int seen;

        VersionWatch(String bootstrap) {
            java.util.Properties p = new java.util.Properties();
            p.put("bootstrap.servers", bootstrap);
            p.put("group.id", "version-watch-" + System.nanoTime());
            p.put("auto.offset.reset", "earliest");
            p.put("isolation.level", "read_committed");
            p.put("max.partition.fetch.bytes", 34 << 20);
            consumer =
                    new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                            p,
                            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                            new org.apache.kafka.common.serialization.ByteArrayDeserializer());
            consumer.subscribe(List.of("models.image"));
        }

        void awaitAtLeast(int versions, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (seen < versions && System.nanoTime() < deadline) {
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
