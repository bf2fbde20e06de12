package io.streamdl.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.encoders.EncoderRegistry;
import io.streamdl.encoders.job.EncodeJob;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.jobs.JobRunner;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fused path on the embedded broker, registry and MiniCluster: raw Fashion-MNIST PNGs encoded
 * and scored in one job (parallelism 2, exactly-once, a model update mid-stream). Every valid event
 * is scored once and its features reach {@code features.image} once, in the same bytes a scorer
 * reading the topic would decode; a corrupt image is a dead letter of the encoder. Features that
 * another client writes to {@code features.image} are scored too, and a record there that is no
 * features record is a dead letter of the scorer: in = out + dead letters, read_committed.
 */
class FusedScoreJobITCase {
    private static final byte[] KEY =
            "a-test-hmac-key-of-32-bytes-long".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @TempDir Path dataDir;

    @Test
    void encodesAndScoresInOneJobWithEveryEventAccountedFor() throws Exception {
        ModelSpec spec = DefaultSpecs.image();
        ModelUpdateCodec codec = new ModelUpdateCodec(ModelUpdateCodec.Config.signed(KEY));
        ComputationGraph network = Architectures.build(spec);
        ModelUpdate v1 = codec.encode(spec, network, 1, null, Map.of());
        network.params().muli(1.5);
        ModelUpdate v2 = codec.encode(spec, network, 2, 1L, Map.of());

        try (Platform platform = Platform.start(PlatformConfig.ephemeral(dataDir, 4));
                RestSchemaRegistryClient registry =
                        new RestSchemaRegistryClient(platform.registryUrl());
                KafkaProducer<byte[], byte[]> producer =
                        TestingKafka.producer(platform.bootstrapServers())) {
            String url = platform.registryUrl();
            KafkaSettings encodeKafka =
                    KafkaSettings.of(platform.bootstrapServers(), url, "fused-it-encode");
            KafkaSettings scoreKafka =
                    KafkaSettings.of(platform.bootstrapServers(), url, "fused-it-score");
            EncodeJob encode =
                    EncodeJob.onKafka(encodeKafka, EncoderRegistry.fromSettings(Map.of()))
                            .withWireFeaturesOnKafka(
                                    encodeKafka, Map.of("image", List.of("image")));
            ScoreJob scorer =
                    ScoreJob.fusedOnKafka(
                            scoreKafka,
                            ScoreJobConfig.of("image", "image", url, Map.of()),
                            new CodecVerifier(KEY, false),
                            ModelLoader.onnxRuntime(Map.of()));
            FusedScoreJob job = new FusedScoreJob(encode, List.of(scorer));
            assertThat(job.models()).containsExactly("image");
            new JobRunner(platform, Duration.ofMillis(300)).submit(job, 2);

            AvroWireSerializer<Object> avro =
                    new AvroWireSerializer<>(registry, SerdeConfig.forValues(url));
            FashionMnist images = FashionMnist.sample(FashionMnist.Split.TEST);
            List<String> valid = new ArrayList<>();
            long now = System.currentTimeMillis();
            for (int i = 0; i < 150; i++) {
                if (i == 60) {
                    producer.flush();
                    publish(producer, avro, v1);
                }
                if (i == 110) {
                    readScores(platform, registry, s -> s.size() >= 60);
                    publish(producer, avro, v2);
                }
                String id = "img-" + i;
                send(
                        producer,
                        avro,
                        Events.image(
                                id,
                                now + i,
                                "it",
                                "image/png",
                                ImageCodecs.png(images.image(i), 28, 28),
                                28,
                                28,
                                Map.of()));
                valid.add(id);
                if (i >= 110) {
                    // spread over 2 s, so that v2 is built and swapped in meanwhile
                    producer.flush();
                    Thread.sleep(50);
                }
            }
            byte[] corrupt = ImageCodecs.png(images.image(0), 28, 28);
            corrupt = java.util.Arrays.copyOf(corrupt, corrupt.length / 2);
            send(
                    producer,
                    avro,
                    Events.image("img-corrupt", now, "it", "image/png", corrupt, 28, 28, Map.of()));
            // another writer's features, straight to the topic: scored by the same job
            for (int i = 0; i < 5; i++) {
                String id = "foreign-" + i;
                producer.send(
                        new ProducerRecord<>(
                                "features.image",
                                id.getBytes(),
                                avro.serialize("features.image", foreignFeatures(id, i))));
                valid.add(id);
            }
            producer.send(
                    new ProducerRecord<>(
                            "features.image", "foreign-garbage".getBytes(), new byte[] {0, 1, 2}));
            producer.flush();

            List<Score> scores = readScores(platform, registry, s -> s.size() >= valid.size());
            Map<String, Integer> times = new HashMap<>();
            scores.forEach(s -> times.merge(s.getEventId(), 1, Integer::sum));
            assertThat(times.keySet()).containsExactlyInAnyOrderElementsOf(valid);
            assertThat(times.values()).as("no event scored twice").allMatch(c -> c == 1);
            for (Score s : scores) {
                assertThat(s.getModelVersion()).as(s.getEventId()).isIn(1L, 2L);
                if (s.getEventId().startsWith("foreign-")) {
                    continue;
                }
                int i = Integer.parseInt(s.getEventId().substring(4));
                if (i < 60) {
                    assertThat(s.getModelVersion()).as("held for v1").isEqualTo(1);
                }
                assertThat(s.getProbabilities()).hasSize(10);
            }
            assertThat(scores).anyMatch(s -> s.getModelVersion() == 2);

            AvroWireDeserializer<Features> featuresReader =
                    AvroWireDeserializer.specific(registry, Features.class);
            Map<String, Integer> featureTimes = new HashMap<>();
            for (var r :
                    TestingKafka.readCommitted(
                            platform.bootstrapServers(),
                            "features.image",
                            l -> l.size() >= valid.size() + 1,
                            Duration.ofSeconds(60),
                            Duration.ofSeconds(1))) {
                if (new String(r.key()).equals("foreign-garbage")) {
                    continue;
                }
                Features f = featuresReader.deserialize(r.topic(), r.value());
                assertThat(new String(r.key())).isEqualTo(f.getEventId());
                assertThat(f.getShape()).containsExactly(1, 1, 28, 28);
                featureTimes.merge(f.getEventId(), 1, Integer::sum);
            }
            assertThat(featureTimes.keySet()).containsExactlyInAnyOrderElementsOf(valid);
            assertThat(featureTimes.values()).allMatch(c -> c == 1);

            AvroWireDeserializer<DeadLetter> letters =
                    AvroWireDeserializer.specific(registry, DeadLetter.class);
            List<DeadLetter> dead = new ArrayList<>();
            for (var r :
                    TestingKafka.readCommitted(
                            platform.bootstrapServers(),
                            "dlq",
                            l -> l.size() >= 2,
                            Duration.ofSeconds(30),
                            Duration.ofSeconds(2))) {
                dead.add(letters.deserialize(r.topic(), r.value()));
            }
            assertThat(dead)
                    .extracting(d -> d.getStage() + ":" + d.getError())
                    .containsExactlyInAnyOrder("encode.image:CORRUPT_IMAGE", "decode:TRUNCATED");
            System.out.printf(
                    "FusedScoreJobITCase: in %d = scored %d + dead letters %d; features %d%n",
                    valid.size() + 2, times.size(), dead.size(), featureTimes.size());
        }
    }

    private static Features foreignFeatures(String id, int seed) {
        java.nio.ByteBuffer data =
                java.nio.ByteBuffer.allocate(784 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < 784; i++) {
            data.putFloat(r.nextFloat());
        }
        return Features.newBuilder()
                .setEventId(id)
                .setTs(System.currentTimeMillis())
                .setEncodedBy("image@another-writer")
                .setDtype("float32")
                .setShape(List.of(1, 1, 28, 28))
                .setData(java.nio.ByteBuffer.wrap(data.array()))
                .build();
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer,
            AvroWireSerializer<Object> avro,
            RawEvent event) {
        producer.send(
                new ProducerRecord<>(
                        "events.raw",
                        event.getId().getBytes(),
                        avro.serialize("events.raw", event)));
    }

    private static void publish(
            KafkaProducer<byte[], byte[]> producer, AvroWireSerializer<Object> avro, ModelUpdate u)
            throws Exception {
        producer.send(
                        new ProducerRecord<>(
                                "models.image",
                                "image".getBytes(),
                                avro.serialize("models.image", u)))
                .get();
    }

    private static List<Score> readScores(
            Platform platform,
            RestSchemaRegistryClient registry,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
        AvroWireDeserializer<Score> reader = AvroWireDeserializer.specific(registry, Score.class);
        List<Score> out = new ArrayList<>();
        for (var r :
                TestingKafka.readCommitted(
                        platform.bootstrapServers(),
                        "scores.image",
                        done,
                        Duration.ofSeconds(60),
                        Duration.ofSeconds(1))) {
            out.add(reader.deserialize(r.topic(), r.value()));
        }
        return out;
    }
}
