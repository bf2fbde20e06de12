package io.streamdl.scoring.recs;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.encoders.image.ImageEncoderConfig;
import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ItemEmbedding;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.scoring.LoadedModel;
import io.streamdl.scoring.ModelLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real app (exactly-once Kafka Streams) on the embedded broker and registry, over the whole
 * Fashion-MNIST test split: a signed image model on {@code models.image} gives every item one
 * committed embedding equal to the one computed directly, a garbage record lands in {@code dlq},
 * and a new instance on an empty state directory (its state from the changelog) ignores the
 * embedded version published again but embeds the next one.
 */
class ItemEmbedderITCase {
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String KEY = "a-test-hmac-key-of-32-bytes-long";

    @TempDir Path dataDir;

    @Test
    void everyItemGetsOneEmbeddingPerVersionAcrossARestart() throws Exception {
        ModelSpec spec = DefaultSpecs.image();
        ModelUpdateCodec codec =
                new ModelUpdateCodec(
                        ModelUpdateCodec.Config.signed(KEY.getBytes(StandardCharsets.UTF_8)));
        ComputationGraph network = Architectures.build(spec);
        ModelUpdate v1 = codec.encode(spec, network, 1, null, Map.of());
        network.params().muli(1.5);
        ModelUpdate v2 = codec.encode(spec, network, 2, 1L, Map.of());

        CatalogueImages images = CatalogueImages.fashionMnistTest(ImageEncoderConfig.defaults());
        int n = images.size();
        List<float[]> expected;
        long started = System.nanoTime();
        try (LoadedModel model = ModelLoader.onnxRuntime(Map.of()).load(v1)) {
            expected = ItemEmbedder.embedAll(model.backend(), images, 256);
        }
        long directMillis = (System.nanoTime() - started) / 1_000_000;

        try (Platform platform = Platform.start(PlatformConfig.ephemeral(dataDir, 1, 2));
                RestSchemaRegistryClient registry =
                        new RestSchemaRegistryClient(platform.registryUrl());
                KafkaProducer<byte[], byte[]> producer =
                        TestingKafka.producer(platform.bootstrapServers())) {
            AvroWireSerializer<Object> avro =
                    new AvroWireSerializer<>(
                            registry, SerdeConfig.forValues(platform.registryUrl()));

            long published;
            try (ItemEmbedderApp app = start(platform, registry, images, "state-1")) {
                assertThat(app.awaitRunning(WAIT)).as("running").isTrue();
                send(producer, "not a model update".getBytes(StandardCharsets.UTF_8));
                published = publish(producer, avro, v1);
                List<ItemEmbedding> first =
                        readEmbeddings(platform, registry, l -> l.size() >= n, Duration.ZERO);
                long arrivedMillis = System.currentTimeMillis() - published;
                assertThat(first).hasSize(n);
                Map<String, ItemEmbedding> byItem = new HashMap<>();
                first.forEach(e -> byItem.put(e.getItemId(), e));
                assertThat(byItem).as("one embedding per item").hasSize(n);
                for (int i = 0; i < n; i++) {
                    ItemEmbedding e = byItem.get("item-" + i);
                    assertThat(e.getModelVersion()).isEqualTo(1L);
                    assertThat(e.getVector()).hasSize(128);
                    float[] want = expected.get(i);
                    for (int d = 0; d < want.length; d++) {
                        assertThat(e.getVector().get(d)).isEqualTo(want[d]);
                    }
                }
                awaitVersion(app, 1);

                List<DeadLetter> dead = readDeadLetters(platform, registry);
                assertThat(dead)
                        .singleElement()
                        .satisfies(
                                d -> {
                                    assertThat(d.getStage()).isEqualTo("item-embedder");
                                    assertThat(d.getError()).isEqualTo("NO_MAGIC_BYTE");
                                    assertThat(d.getSourceTopic()).isEqualTo("models.image");
                                });
                System.out.printf(
                        "ItemEmbedderITCase: %d items of %s; embedding them directly took %d ms,"
                                + " all committed on items.embeddings %d ms after the update's"
                                + " publication%n",
                        n, images.origin(), directMillis, arrivedMillis);
            }

            // A new instance on an empty state directory: the embedded version comes back from
            // the changelog, so version 1 published again is ignored and version 2 embeds.
            try (ItemEmbedderApp app = start(platform, registry, images, "state-2")) {
                assertThat(app.awaitRunning(WAIT)).as("running again").isTrue();
                assertThat(app.lastEmbeddedVersion()).hasValue(1L);
                publish(producer, avro, v1);
                publish(producer, avro, v2);
                List<ItemEmbedding> all =
                        readEmbeddings(
                                platform, registry, l -> l.size() >= 2 * n, Duration.ofSeconds(3));
                Map<Long, Long> perVersion = new HashMap<>();
                all.forEach(e -> perVersion.merge(e.getModelVersion(), 1L, Long::sum));
                assertThat(perVersion)
                        .as("version 1 once, version 2 once, per item")
                        .containsExactlyInAnyOrderEntriesOf(Map.of(1L, (long) n, 2L, (long) n));
                awaitVersion(app, 2);
            }
        }
    }

    private ItemEmbedderApp start(
            Platform platform,
            RestSchemaRegistryClient registry,
            CatalogueImages images,
            String stateDir) {
        ItemEmbedderConfig config =
                ItemEmbedderConfig.of(
                        platform.bootstrapServers(),
                        platform.registryUrl(),
                        Map.of(
                                "models.hmac.key",
                                KEY,
                                "items.application-id",
                                "item-embedder-it",
                                "items.reembed.min-interval-ms",
                                "0",
                                "items.state-dir",
                                dataDir.resolve(stateDir).toString()));
        return ItemEmbedderApp.start(config, registry, images);
    }

    /** Polls the local store until the catalogue is embedded with {@code version}. */
    private static void awaitVersion(ItemEmbedderApp app, long version)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!app.lastEmbeddedVersion().equals(Optional.of(version))) {
            assertThat(System.nanoTime()).as("embedded version " + version).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, byte[] value)
            throws Exception {
        producer.send(new ProducerRecord<>("models.image", "image".getBytes(), value)).get();
    }

    /** Publishes an update and returns when the broker acknowledged it. */
    private static long publish(
            KafkaProducer<byte[], byte[]> producer, AvroWireSerializer<Object> avro, ModelUpdate u)
            throws Exception {
        send(producer, avro.serialize("models.image", u));
        return System.currentTimeMillis();
    }

    private static List<ItemEmbedding> readEmbeddings(
            Platform platform,
            RestSchemaRegistryClient registry,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
            Duration settle) {
        AvroWireDeserializer<ItemEmbedding> reader =
                AvroWireDeserializer.specific(registry, ItemEmbedding.class);
        return TestingKafka.readCommitted(
                        platform.bootstrapServers(), "items.embeddings", done, WAIT, settle)
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
}
