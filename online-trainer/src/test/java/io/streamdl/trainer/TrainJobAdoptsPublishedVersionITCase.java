package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.jobs.JobRunner;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.platform.TopicAdmin;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TrainJob on the embedded broker, registry and MiniCluster follows its model topic: once it
 * has published versions 1..N, a signed copy of version 1 published as version N+1 (what {@code
 * ./pipeline models rollback} does), after a record that does not decode and a tombstone, is
 * adopted: the trainer's next version is N+2 with parent N+1. Waits on committed records (the
 * updates, the {@code model_adopted} metric, the dead letter), never on sleeps, and prints how long
 * the adoption took.
 */
class TrainJobAdoptsPublishedVersionITCase {
    private static final String MODEL = TestingExamples.TINY.name();
    private static final String ENCODER = "tiny";
    private static final String FEATURES = Topics.features(ENCODER).name();
    private static final String UPDATES = Topics.models(MODEL).name();
    private static final int PUBLISH_EVERY = 32;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir Path dataDir;

    @Test
    void aSignedCopyOfVersion1PublishedAsNPlus1IsAdoptedAndTheNextVersionDescendsFromIt()
            throws Exception {
        try (Platform platform = Platform.start(PlatformConfig.ephemeral(dataDir, 2, 1));
                RestSchemaRegistryClient registry =
                        new RestSchemaRegistryClient(platform.registryUrl());
                KafkaProducer<byte[], byte[]> producer =
                        TestingKafka.producer(platform.bootstrapServers())) {
            String bootstrap = platform.bootstrapServers();
            String url = platform.registryUrl();
            try (TopicAdmin admin = new TopicAdmin(bootstrap)) {
                admin.ensure(List.of(Topics.models(MODEL), Topics.features(ENCODER)), 1);
            }
            TrainJobConfig config =
                    TrainJobConfig.of(
                            MODEL,
                            ENCODER,
                            url,
                            Map.of(
                                    ModelUpdateCodec.Config.HMAC_KEY,
                                    new String(OnlineTrainerTest.KEY, StandardCharsets.UTF_8),
                                    "trainer.batch-size",
                                    "16",
                                    "trainer.learning-rate",
                                    "0.01",
                                    "trainer.publish.every-examples",
                                    Integer.toString(PUBLISH_EVERY),
                                    "trainer.publish.every-seconds",
                                    "600",
                                    "trainer.guard.margin",
                                    "1"));
            new JobRunner(platform, Duration.ofMillis(500))
                    .submit(
                            TrainJob.onKafka(
                                    KafkaSettings.of(bootstrap, url, "adopt-it"),
                                    config,
                                    TestingExamples.TINY),
                            1);

            AvroWireSerializer<Object> avro =
                    new AvroWireSerializer<>(registry, SerdeConfig.forValues(url));
            AvroWireDeserializer<ModelUpdate> updates =
                    AvroWireDeserializer.specific(registry, ModelUpdate.class);
            TestingExamples source = new TestingExamples(TestingExamples.TINY, 31);
            Random classes = new Random(31);

            send(producer, avro, source, classes, 2 * PUBLISH_EVERY);
            List<ModelUpdate> own = awaitUpdates(bootstrap, updates, v -> v.contains(2L));
            assertThat(own).extracting(ModelUpdate::getVersion).containsExactly(1L, 2L);
            long n = 2;

            ModelUpdate rollback =
                    TestingUpdates.rollback(own.get(0), n + 1, OnlineTrainerTest.KEY);
            byte[] garbage = "not a model update".getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(UPDATES, key("garbage"), garbage));
            producer.send(new ProducerRecord<>(UPDATES, key("garbage"), null));
            producer.send(
                    new ProducerRecord<>(UPDATES, key(MODEL), avro.serialize(UPDATES, rollback)));
            producer.flush();
            long published = System.nanoTime();

            DashboardMetric adopted =
                    awaitOne(
                            bootstrap,
                            Topics.DASHBOARD_METRICS.name(),
                            AvroWireDeserializer.specific(registry, DashboardMetric.class),
                            m ->
                                    m.getMetric().equals(TrainerMetrics.MODEL_ADOPTED)
                                            && MODEL.equals(m.getModel()));
            long adoptedAt = System.nanoTime();
            assertThat(adopted.getValue()).isEqualTo(n + 1.0);
            assertThat(adopted.getModelVersion()).isEqualTo(n + 1);

            DeadLetter skipped =
                    awaitOne(
                            bootstrap,
                            Topics.DLQ.name(),
                            AvroWireDeserializer.specific(registry, DeadLetter.class),
                            d -> d.getStage().equals(TrainOperator.FOLLOW_STAGE));
            assertThat(skipped.getSourceTopic()).isEqualTo(UPDATES);
            assertThat(skipped.getError()).isEqualTo("NO_MAGIC_BYTE");

            send(producer, avro, source, classes, PUBLISH_EVERY);
            long examplesSent = System.nanoTime();
            List<ModelUpdate> all = awaitUpdates(bootstrap, updates, v -> v.contains(n + 2));
            long nextAt = System.nanoTime();
            assertThat(all).extracting(ModelUpdate::getVersion).containsExactly(1L, 2L, 3L, 4L);
            ModelUpdate next = all.get(3);
            assertThat(next.getParentVersion()).isEqualTo(n + 1);
            ModelUpdateCodec codec =
                    new ModelUpdateCodec(ModelUpdateCodec.Config.signed(OnlineTrainerTest.KEY));
            assertThat(codec.verify(next, TestingExamples.TINY).signatureVerified()).isTrue();

            System.out.printf(
                    "TrainJobAdoptsPublishedVersionITCase: version %d (a copy of 1) adopted %d ms"
                            + " after it was published (model_adopted committed); version %d"
                            + " (parent %d) committed %d ms after %d more examples were sent%n",
                    n + 1,
                    (adoptedAt - published) / 1_000_000,
                    next.getVersion(),
                    next.getParentVersion(),
                    (nextAt - examplesSent) / 1_000_000,
                    PUBLISH_EVERY);
        }
    }

    /** {@code n} labelled examples: each one's features, then its label. */
    private static void send(
            KafkaProducer<byte[], byte[]> producer,
            AvroWireSerializer<Object> avro,
            TestingExamples source,
            Random classes,
            int n) {
        String labels = Topics.EVENTS_LABELS.name();
        for (int i = 0; i < n; i++) {
            LabelledExample e = source.next(classes.nextInt(2));
            producer.send(
                    new ProducerRecord<>(
                            FEATURES, key(e.eventId), avro.serialize(FEATURES, e.features)));
            producer.send(
                    new ProducerRecord<>(
                            labels,
                            key(e.eventId),
                            avro.serialize(
                                    labels, TestingExamples.label(e.eventId, e.label, e.labelTs))));
        }
        producer.flush();
    }

    /** The committed updates of the model topic, in topic order, once {@code done} holds. */
    private static List<ModelUpdate> awaitUpdates(
            String bootstrap,
            AvroWireDeserializer<ModelUpdate> updates,
            Predicate<List<Long>> done) {
        List<ConsumerRecord<byte[], byte[]>> records =
                TestingKafka.readCommitted(
                        bootstrap,
                        UPDATES,
                        r ->
                                done.test(
                                        decode(r, updates).stream()
                                                .map(u -> u.getVersion())
                                                .toList()),
                        TIMEOUT,
                        Duration.ZERO);
        List<ModelUpdate> decoded = decode(records, updates);
        assertThat(done.test(decoded.stream().map(ModelUpdate::getVersion).toList()))
                .as("versions on %s: %s", UPDATES, decoded.stream().map(ModelUpdate::getVersion))
                .isTrue();
        return decoded;
    }

    /** The trainer's own and the test's updates; the garbage and the tombstone are left out. */
    private static List<ModelUpdate> decode(
            List<ConsumerRecord<byte[], byte[]>> records,
            AvroWireDeserializer<ModelUpdate> updates) {
        return records.stream()
                .filter(r -> MODEL.equals(new String(r.key(), StandardCharsets.UTF_8)))
                .map(r -> updates.deserialize(r.topic(), r.value()))
                .toList();
    }

    /** The first committed record of {@code topic} that {@code wanted} accepts. */
    private static <T> T awaitOne(
            String bootstrap, String topic, AvroWireDeserializer<T> reader, Predicate<T> wanted) {
        List<T> found =
                TestingKafka.readCommitted(
                                bootstrap,
                                topic,
                                r -> r.stream().anyMatch(c -> wanted.test(read(reader, c))),
                                TIMEOUT,
                                Duration.ZERO)
                        .stream()
                        .map(c -> read(reader, c))
                        .filter(wanted)
                        .toList();
        assertThat(found).as("a record of %s", topic).isNotEmpty();
        return found.get(0);
    }

    private static <T> T read(AvroWireDeserializer<T> reader, ConsumerRecord<byte[], byte[]> c) {
        return reader.deserialize(c.topic(), c.value());
    }

    private static byte[] key(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
