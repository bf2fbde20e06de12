package io.streamdl.scoring;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ScoreJob on the embedded broker, registry and MiniCluster: a stream of image features with a
 * model update published mid-stream. Scores before it carry v1, after it v2, none is lost or
 * duplicated (read_committed), and v2 appears within 1 s of its publication. Corrupt updates change
 * nothing but the dead-letter topic.
 */
class ScoreJobITCase {
    private static final byte[] KEY =
            "a-test-hmac-key-of-32-bytes-long".getBytes(StandardCharsets.US_ASCII);

    @TempDir Path dataDir;

    @Test
    void hotSwapsVerifiedUpdatesMidStreamAndRefusesCorruptOnes() throws Exception {
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
            KafkaSettings kafka =
                    KafkaSettings.of(
                            platform.bootstrapServers(), platform.registryUrl(), "score-it");
            ScoreJobConfig config =
                    ScoreJobConfig.of("image", "image", platform.registryUrl(), Map.of());
            new JobRunner(platform, Duration.ofMillis(300))
                    .submit(
                            ScoreJob.onKafka(
                                    kafka,
                                    config,
                                    new CodecVerifier(KEY, false),
                                    ModelLoader.onnxRuntime(Map.of())),
                            2);
            AvroWireSerializer<Object> avro =
                    new AvroWireSerializer<>(
                            registry, SerdeConfig.forValues(platform.registryUrl()));
            Random random = new Random(11);
            List<String> sent = new ArrayList<>();

            // Features before any model: they wait, then are scored by v1.
            for (int i = 0; i < 100; i++) {
                sendFeatures(producer, avro, random, "early-" + i, sent);
            }
            producer.flush();
            publish(producer, avro, v1);
            readScores(platform, registry, s -> s.size() >= 100, Duration.ofSeconds(60));

            long published = publish(producer, avro, v2);
            long end = published + 3000;
            int n = 0;
            while (System.currentTimeMillis() < end) {
                for (int i = 0; i < 10; i++) {
                    sendFeatures(producer, avro, random, "live-" + n++, sent);
                }
                producer.flush();
                Thread.sleep(20);
            }

            // Corrupt updates: a wrong key, NaN weights and a wrong shape, each properly
            // checksummed.
            ModelUpdateCodec otherKey =
                    new ModelUpdateCodec(
                            ModelUpdateCodec.Config.signed(
                                    "another-key-of-32-bytes-long!!!!".getBytes()));
            publish(producer, avro, otherKey.encode(spec, network, 3, 2L, Map.of()));
            publish(producer, avro, resign(v2, 4, nanParams(v2)));
            publish(producer, avro, resign(v2, 5, new byte[64]));
            for (int i = 0; i < 50; i++) {
                sendFeatures(producer, avro, random, "after-" + i, sent);
            }
            producer.flush();

            List<Score> scores =
                    readScores(
                            platform,
                            registry,
                            s -> s.size() >= sent.size(),
                            Duration.ofSeconds(60));
            Map<String, Integer> times = new HashMap<>();
            scores.forEach(s -> times.merge(s.getEventId(), 1, Integer::sum));
            assertThat(times.keySet()).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(times.values()).as("no event scored twice").allMatch(c -> c == 1);

            long firstV2 =
                    scores.stream()
                            .filter(s -> s.getModelVersion() == 2)
                            .mapToLong(Score::getScoredTs)
                            .min()
                            .orElseThrow();
            System.out.printf(
                    "ScoreJobITCase: %d scores; first v2 score %d ms after its publication%n",
                    scores.size(), firstV2 - published);
            assertThat(firstV2 - published).as("update propagation").isLessThanOrEqualTo(1000);
            for (Score s : scores) {
                if (s.getScoredTs() < published) {
                    assertThat(s.getModelVersion()).as(s.getEventId()).isEqualTo(1);
                }
                if (s.getEventId().startsWith("early-")) {
                    assertThat(s.getModelVersion()).isEqualTo(1);
                }
                if (s.getEventId().startsWith("after-")) {
                    assertThat(s.getModelVersion())
                            .as("refused updates change nothing")
                            .isEqualTo(2);
                }
                assertThat(s.getModelVersion()).isIn(1L, 2L);
                assertThat(s.getProbabilities()).hasSize(10);
                assertThat(spec.labels()).contains(s.getLabel());
            }

            AvroWireDeserializer<DeadLetter> letters =
                    AvroWireDeserializer.specific(registry, DeadLetter.class);
            List<ConsumerRecord<byte[], byte[]>> dead =
                    TestingKafka.readCommitted(
                            platform.bootstrapServers(),
                            "dlq",
                            r -> r.size() >= 3,
                            Duration.ofSeconds(30),
                            Duration.ofSeconds(1));
            List<String> reasons = new ArrayList<>();
            for (var r : dead) {
                DeadLetter d = letters.deserialize(r.topic(), r.value());
                assertThat(d.getStage()).isEqualTo("verify-model");
                reasons.add(d.getError());
            }
            assertThat(reasons)
                    .containsExactlyInAnyOrder(
                            "UNKNOWN_KEY", "NON_FINITE_WEIGHTS", "SHAPE_MISMATCH");
        }
    }

    private static void sendFeatures(
            KafkaProducer<byte[], byte[]> producer,
            AvroWireSerializer<Object> avro,
            Random random,
            String id,
            List<String> sent) {
        ByteBuffer data = ByteBuffer.allocate(784 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 784; i++) {
            data.putFloat(random.nextFloat());
        }
        Features f =
                Features.newBuilder()
                        .setEventId(id)
                        .setTs(System.currentTimeMillis())
                        .setEncodedBy("image@test")
                        .setDtype("float32")
                        .setShape(List.of(1, 28, 28))
                        .setData(ByteBuffer.wrap(data.array()))
                        .build();
        producer.send(
                new ProducerRecord<>(
                        "features.image", id.getBytes(), avro.serialize("features.image", f)));
        sent.add(id);
    }

    /** Publishes an update and returns when the broker acknowledged it. */
    private static long publish(
            KafkaProducer<byte[], byte[]> producer, AvroWireSerializer<Object> avro, ModelUpdate u)
            throws Exception {
        producer.send(
                        new ProducerRecord<>(
                                "models.image",
                                "image".getBytes(),
                                avro.serialize("models.image", u)))
                .get();
        return System.currentTimeMillis();
    }

    private static List<Score> readScores(
            Platform platform,
            RestSchemaRegistryClient registry,
            java.util.function.Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
            Duration timeout) {
        AvroWireDeserializer<Score> reader = AvroWireDeserializer.specific(registry, Score.class);
        List<Score> out = new ArrayList<>();
        for (var r :
                TestingKafka.readCommitted(
                        platform.bootstrapServers(),
                        "scores.image",
                        done,
                        timeout,
                        Duration.ofSeconds(1))) {
            out.add(reader.deserialize(r.topic(), r.value()));
        }
        return out;
    }

    private static byte[] nanParams(ModelUpdate u) {
        byte[] params = new byte[u.getParams().remaining()];
        u.getParams().duplicate().get(params);
        ByteBuffer.wrap(params).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, Float.NaN);
        return params;
    }

    /** The update with new params and version, checksummed and signed with the right key. */
    private static ModelUpdate resign(ModelUpdate base, long version, byte[] params)
            throws Exception {
        byte[] onnx = new byte[base.getOnnx().remaining()];
        base.getOnnx().duplicate().get(onnx);
        String sha =
                ModelUpdateCodec.sha256Hex(
                        base.getModel(),
                        version,
                        2L,
                        base.getArchitecture(),
                        base.getFormat(),
                        params,
                        onnx);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        return ModelUpdate.newBuilder(base)
                .setVersion(version)
                .setParentVersion(2L)
                .setParams(ByteBuffer.wrap(params))
                .setSha256(sha)
                .setSignature(
                        HexFormat.of()
                                .formatHex(mac.doFinal(sha.getBytes(StandardCharsets.US_ASCII))))
                .build();
    }
}
