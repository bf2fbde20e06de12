package io.streamdl.scoring.recs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.streamdl.encoders.image.ImageEncoder;
import io.streamdl.encoders.image.ImageEncoderConfig;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.FeatureTensors;
import io.streamdl.models.inference.InferenceBackend;
import io.streamdl.models.inference.InferenceException;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.onnx.OnnxExporter;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ImageCnnParams;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ImagePayload;
import io.streamdl.schemas.avro.ItemEmbedding;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.config.ConfigException;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.WireSerde;
import io.streamdl.schemas.testing.TestingSchemaRegistryClient;
import io.streamdl.scoring.CodecVerifier;
import io.streamdl.scoring.ModelLoader;
import io.streamdl.scoring.StateDirectories;
import io.streamdl.scoring.recs.ItemEmbedderState.Embedded;
import io.streamdl.scoring.recs.ItemEmbedderState.Pending;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The item embedder's topology on a {@link TopologyTestDriver} with an in-memory registry, the real
 * image CNN (signed updates made by {@link ModelUpdateCodec}, verified by the scorers' {@link
 * CodecVerifier}, served by ONNX Runtime) and the first {@value #ITEMS} Fashion-MNIST test images.
 */
class ItemEmbedderTest {
    private static final int ITEMS = 64;
    private static final String KEY = "a-test-hmac-key-of-32-bytes-long";
    private static final String MODELS_TOPIC = "models.image";
    private static final String REGISTRY_URL = "http://registry.test";
    private static final Instant START = Instant.ofEpochMilli(1_700_000_000_000L);
    private static final ModelSpec SPEC = DefaultSpecs.image();

    private static ModelUpdateCodec signer;
    private static org.deeplearning4j.nn.graph.ComputationGraph network;
    private static FashionMnist data;
    private static CatalogueImages images;

    private final TestingSchemaRegistryClient registry = new TestingSchemaRegistryClient();
    private final SerdeConfig values = SerdeConfig.forValues(REGISTRY_URL);
    private final Serde<ModelUpdate> updates =
            WireSerde.specific(registry, values, ModelUpdate.class);
    private final Serde<ItemEmbedding> embeddings =
            WireSerde.specific(registry, values, ItemEmbedding.class);
    private final Serde<DeadLetter> letters =
            WireSerde.specific(registry, values, DeadLetter.class);

    @TempDir Path stateDir;

    @BeforeAll
    static void buildModel() {
        signer = new ModelUpdateCodec(ModelUpdateCodec.Config.signed(bytes(KEY)));
        network = Architectures.build(SPEC);
        data = FashionMnist.load(FashionMnist.Split.TEST);
        images = CatalogueImages.of(data, ImageEncoderConfig.defaults()).first(ITEMS);
    }

    @Test
    void aSignedUpdateEmbedsEveryItemAsTheScoreJobWouldSeeIt() {
        ModelUpdate v1 = signed(1);
        try (Harness h = new Harness(stateDir, Map.of())) {
            h.send(v1);
            Map<String, ItemEmbedding> out = h.embeddingsByItem(ITEMS);
            assertThat(out.keySet())
                    .containsExactlyInAnyOrderElementsOf(
                            java.util.stream.IntStream.range(0, ITEMS)
                                    .mapToObj(i -> "item-" + i)
                                    .toList());
            for (ItemEmbedding e : out.values()) {
                assertThat(e.getModel()).isEqualTo("image");
                assertThat(e.getModelVersion()).isEqualTo(1L);
                assertThat(e.getTs()).isEqualTo(START.toEpochMilli());
                assertThat(e.getVector()).hasSize(128).allMatch(Float::isFinite);
            }
            // ReLU activations: not all zero
            assertThat(out.values().stream().flatMap(e -> e.getVector().stream()))
                    .anyMatch(v -> v > 0);

            for (int item : new int[] {0, 37, ITEMS - 1}) {
                float[] want = embeddingAsTheScoreJobSeesIt(v1, item);
                List<Float> got = out.get("item-" + item).getVector();
                for (int d = 0; d < want.length; d++) {
                    assertThat(got.get(d))
                            .as("item %d dimension %d", item, d)
                            .isCloseTo(want[d], org.assertj.core.data.Offset.offset(1e-5f));
                }
            }
            assertThat(h.embedded()).isEqualTo(new Embedded(1, START.toEpochMilli()));
            assertThat(h.letters.isEmpty()).isTrue();
        }
    }

    @Test
    void aNewerVersionWithinTheIntervalWaitsAndOnlyTheNewestIsEmbedded() {
        try (Harness h = new Harness(stateDir, Map.of())) {
            h.send(signed(1));
            assertThat(h.embeddingsByItem(ITEMS)).hasSize(ITEMS);

            h.send(signed(2));
            h.send(signed(3));
            assertThat(h.embeddingTopic.isEmpty()).as("both wait").isTrue();
            assertThat(h.pending().version()).isEqualTo(3);

            h.driver.advanceWallClockTime(Duration.ofSeconds(30));
            h.send(signed(2)); // older than the waiting one
            assertThat(h.embeddingTopic.isEmpty()).isTrue();

            h.driver.advanceWallClockTime(Duration.ofSeconds(31));
            Map<String, ItemEmbedding> out = h.embeddingsByItem(ITEMS);
            assertThat(out).hasSize(ITEMS);
            assertThat(out.values()).allMatch(e -> e.getModelVersion() == 3L);
            assertThat(h.embeddingTopic.isEmpty()).as("version 2 never embedded").isTrue();
            assertThat(h.pendingStore().get("image")).isNull();
            assertThat(h.embedded())
                    .isEqualTo(new Embedded(3, START.plusSeconds(61).toEpochMilli()));
            assertThat(h.letters.isEmpty()).isTrue();
            assertThat(h.metric("ignored-total")).isEqualTo(1.0);
            assertThat(h.metric("reembedded-total")).isEqualTo(2.0);
        }
    }

    @Test
    void aVersionNotNewerThanTheEmbeddedOneIsIgnored() {
        try (Harness h = new Harness(stateDir, Map.of("items.reembed.min-interval-ms", "0"))) {
            h.send(signed(5));
            assertThat(h.embeddingsByItem(ITEMS)).hasSize(ITEMS);
            h.send(signed(5));
            h.send(signed(4));
            assertThat(h.embeddingTopic.isEmpty()).isTrue();
            assertThat(h.metric("ignored-total")).isEqualTo(2.0);

            // With no minimum interval, a newer version is embedded at once.
            h.send(signed(6));
            assertThat(h.embeddingsByItem(ITEMS).values()).allMatch(e -> e.getModelVersion() == 6L);
            assertThat(h.embedded().version()).isEqualTo(6);
            assertThat(h.letters.isEmpty()).isTrue();
        }
    }

    @Test
    void refusedAndUndecodableRecordsAreDeadLetteredAndWriteNoEmbeddings() {
        try (Harness h = new Harness(stateDir, Map.of("items.reembed.min-interval-ms", "0"))) {
            h.send(signed(1));
            assertThat(h.embeddingsByItem(ITEMS)).hasSize(ITEMS);

            ModelUpdate unsigned =
                    new ModelUpdateCodec(ModelUpdateCodec.Config.unsigned())
                            .encode(SPEC, network, 2, 1L, Map.of());
            h.send(unsigned);
            ModelUpdate tampered = signed(3);
            byte[] params = new byte[tampered.getParams().remaining()];
            tampered.getParams().duplicate().get(params);
            params[100] ^= 0x01;
            tampered.setParams(ByteBuffer.wrap(params));
            h.send(tampered);
            h.raw.pipeInput(bytes("image"), bytes("not a model update"));
            h.raw.pipeInput(bytes("image"), (byte[]) null);
            ModelSpec tiny = tiny("tiny");
            h.send(signer.encode(tiny, Architectures.build(tiny), 4, null, Map.of()));
            ModelSpec small = tiny("image");
            h.send(signer.encode(small, Architectures.build(small), 5, null, Map.of()));

            assertThat(h.embeddingTopic.isEmpty()).as("no embeddings from a refused one").isTrue();
            List<DeadLetter> dead = h.letters.readValuesToList();
            assertThat(dead)
                    .extracting(DeadLetter::getStage, DeadLetter::getError)
                    .containsExactly(
                            tuple("item-embedder", "MISSING_SIGNATURE"),
                            tuple("item-embedder", "CHECKSUM_MISMATCH"),
                            tuple("item-embedder", "NO_MAGIC_BYTE"),
                            tuple("item-embedder", "EMPTY_VALUE"),
                            tuple("item-embedder", "WRONG_MODEL"),
                            tuple("item-embedder", "NOT_EMBEDDABLE"));
            assertThat(dead).allMatch(d -> d.getSourceTopic().equals(MODELS_TOPIC));
            assertThat(dead)
                    .extracting(DeadLetter::getOffset)
                    .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(dead.get(0).getMessage()).startsWith("version 2: ");
            assertThat(dead.get(5).getMessage()).contains("[1, 28, 28]");
            assertThat(dead.get(2).getValue())
                    .isEqualTo(ByteBuffer.wrap(bytes("not a model update")));
            assertThat(h.metric("refused-total")).isEqualTo(6.0);
            assertThat(h.embedded().version()).as("the embeddings stay").isEqualTo(1);

            // The app keeps going.
            h.send(signed(7));
            assertThat(h.embeddingsByItem(ITEMS).values()).allMatch(e -> e.getModelVersion() == 7L);
        }
    }

    @Test
    void aVerifiedUpdateThatFailsToLoadIsDeadLetteredAndTheEmbeddingsStay() {
        ModelLoader real = ModelLoader.onnxRuntime(Map.of());
        ModelLoader failingOn2 =
                update -> {
                    if (update.getVersion() == 2) {
                        throw new InferenceException(
                                "ONNX Runtime cannot load model 'image'", null);
                    }
                    return real.load(update);
                };
        ItemEmbedderConfig config = config(stateDir, Map.of("items.reembed.min-interval-ms", "0"));
        Topology topology =
                ItemEmbedder.buildTopology(
                        config,
                        updates.deserializer(),
                        embeddings,
                        letters,
                        new CodecVerifier(bytes(KEY), false),
                        failingOn2,
                        images);
        try (Harness h = new Harness(topology, config)) {
            h.send(signed(1));
            assertThat(h.embeddingsByItem(ITEMS)).hasSize(ITEMS);
            h.send(signed(2));
            assertThat(h.embeddingTopic.isEmpty()).isTrue();
            assertThat(h.letters.readValuesToList())
                    .singleElement()
                    .satisfies(
                            d -> {
                                assertThat(d.getError()).isEqualTo(ItemEmbedder.EMBEDDING_FAILED);
                                assertThat(d.getMessage()).contains("cannot load");
                                assertThat(d.getOffset()).isEqualTo(1L);
                            });
            assertThat(h.embedded().version()).isEqualTo(1);
            // version 2 was not embedded, so it is not "already embedded" either
            h.send(signed(3));
            assertThat(h.embeddingsByItem(ITEMS).values()).allMatch(e -> e.getModelVersion() == 3L);
        }
    }

    @Test
    void aRestartNeitherReEmbedsTheEmbeddedVersionNorLosesTheWaitingOne() throws IOException {
        Path live = stateDir.resolve("live");
        Path saved = stateDir.resolve("saved");
        try (Harness h = new Harness(live, Map.of())) {
            h.send(signed(1));
            assertThat(h.embeddingsByItem(ITEMS)).hasSize(ITEMS);
            h.send(signed(2)); // inside the minimum interval: waits
            assertThat(h.embeddingTopic.isEmpty()).isTrue();
            // TopologyTestDriver#close() deletes its state directory (a real KafkaStreams keeps
            // it), so the committed state is set aside and put back, as a restart would find it.
            StateDirectories.copySettled(live, saved);
        }
        StateDirectories.copyTree(saved, live);

        try (Harness h = new Harness(live, Map.of())) {
            assertThat(h.embedded()).isEqualTo(new Embedded(1, START.toEpochMilli()));
            assertThat(h.pending().version()).isEqualTo(2);
            // the compacted topic read again from the start: version 1 is not embedded twice
            h.send(signed(1));
            assertThat(h.embeddingTopic.isEmpty()).isTrue();

            h.driver.advanceWallClockTime(Duration.ofSeconds(61));
            assertThat(h.embeddingsByItem(ITEMS).values()).allMatch(e -> e.getModelVersion() == 2L);
            assertThat(h.embedded().version()).isEqualTo(2);
        }
    }

    @Test
    void everyNodeAndStoreIsNamedAndTheStoresHaveChangelogs() {
        ItemEmbedderConfig config = config(stateDir, Map.of());
        TopologyDescription description =
                ItemEmbedder.buildTopology(config, registry, images).describe();
        List<String> names =
                description.subtopologies().stream()
                        .flatMap(s -> s.nodes().stream())
                        .map(TopologyDescription.Node::name)
                        .toList();
        assertThat(names)
                .containsExactlyInAnyOrder(
                        ItemEmbedder.SOURCE,
                        ItemEmbedder.EMBED,
                        ItemEmbedder.EMBEDDINGS_SINK,
                        ItemEmbedder.DLQ_SINK);
        assertThat(description.toString())
                .contains("topics: [models.image]")
                .contains(ItemEmbedder.EMBEDDED_STORE)
                .contains(ItemEmbedder.PENDING_STORE)
                .contains("topic: items.embeddings")
                .contains("topic: dlq");

        try (Harness h = new Harness(stateDir, Map.of())) {
            h.send(signed(1));
            h.send(signed(2));
            assertThat(h.driver.producedTopicNames())
                    .contains(
                            "streamdl-item-embedder-item-embedder-embedded-changelog",
                            "streamdl-item-embedder-item-embedder-pending-changelog");
        }
    }

    @Test
    void itemTensorsAreTheImageEncodersWhetherTheImageCameAsPngOrIdx() {
        ImageEncoder encoder = new ImageEncoder(ImageEncoderConfig.defaults());
        byte[] everyGrey = new byte[28 * 28];
        for (int p = 0; p < everyGrey.length; p++) {
            everyGrey[p] = (byte) (p % 256);
        }
        assertThat(
                        encoder.encode(
                                ByteBuffer.wrap(ImageCodecs.idx(everyGrey, 28, 28)),
                                ImageEncoder.IDX,
                                28,
                                28))
                .containsExactly(
                        encoder.encode(
                                ByteBuffer.wrap(ImageCodecs.png(everyGrey, 28, 28)),
                                ImageEncoder.PNG,
                                28,
                                28));
        for (int item : new int[] {0, 5, ITEMS - 1}) {
            assertThat(images.tensor(item))
                    .containsExactly(
                            encoder.encode(
                                    ByteBuffer.wrap(ImageCodecs.png(data.image(item), 28, 28)),
                                    ImageEncoder.PNG,
                                    null,
                                    null));
        }
        assertThat(images.eventShape()).containsExactly(1, 28, 28);
        assertThat(images.batch(3, 7).shape()).containsExactly(4, 1, 28, 28);
        assertThat(images.batch(3, 7).row(1)).containsExactly(images.tensor(4));
        assertThat(images.itemId(12)).isEqualTo("item-12");
        assertThat(images.encodedBy()).isEqualTo(encoder.encodedBy());
        assertThat(CatalogueImages.of(data, ImageEncoderConfig.defaults()).size())
                .isEqualTo(data.size());
    }

    @Test
    void embedAllNeedsAnOnnxRuntimeBackend() {
        InferenceBackend other =
                new InferenceBackend() {
                    @Override
                    public ModelSpec spec() {
                        return SPEC;
                    }

                    @Override
                    public Tensor infer(Batch batch) {
                        throw new AssertionError("not called");
                    }

                    @Override
                    public String description() {
                        return "dl4j";
                    }

                    @Override
                    public void close() {}
                };
        assertThatThrownBy(() -> ItemEmbedder.embedAll(other, images, 16))
                .isInstanceOf(ItemEmbedder.NotEmbeddable.class)
                .hasMessageContaining("content_embedding");
        assertThat(ItemEmbedder.whyNotEmbeddable(DefaultSpecs.anomaly(), images))
                .contains("only an image CNN");
        assertThat(ItemEmbedder.whyNotEmbeddable(SPEC, images)).isNull();
    }

    @Test
    void theStateCodecsRoundTripAndRefuseOtherFormats() {
        Embedded e = new Embedded(42, 1234);
        assertThat(ItemEmbedderState.decodeEmbedded(ItemEmbedderState.encode(e))).isEqualTo(e);
        Pending p = new Pending(7, "models.image", 1, 99, null, new byte[] {0, 1, 2});
        Pending back = ItemEmbedderState.decodePending(ItemEmbedderState.encode(p));
        assertThat(back.version()).isEqualTo(7);
        assertThat(back.topic()).isEqualTo("models.image");
        assertThat(back.partition()).isEqualTo(1);
        assertThat(back.offset()).isEqualTo(99);
        assertThat(back.key()).isNull();
        assertThat(back.value()).containsExactly(0, 1, 2);

        byte[] other = ItemEmbedderState.encode(e);
        other[0] = 9;
        assertThatThrownBy(() -> ItemEmbedderState.decodeEmbedded(other))
                .hasMessageContaining("format 9");
        byte[] truncated = java.util.Arrays.copyOf(ItemEmbedderState.encode(p), 20);
        assertThatThrownBy(() -> ItemEmbedderState.decodePending(truncated))
                .hasMessageContaining("truncated");
    }

    @Test
    void theConfigReadsItsKeysAndNamesTheBadOne() {
        ItemEmbedderConfig defaults =
                ItemEmbedderConfig.of("b:9092", REGISTRY_URL, Map.of("models.hmac.key", KEY));
        assertThat(defaults.imageModel()).isEqualTo("image");
        assertThat(defaults.modelTopic()).isEqualTo("models.image");
        assertThat(defaults.minIntervalMillis()).isEqualTo(60_000);
        assertThat(defaults.batchSize()).isEqualTo(256);
        assertThat(defaults.applicationId()).isEqualTo("streamdl-item-embedder");
        assertThat(defaults.signing()).isEqualTo(ModelUpdateCodec.Config.signed(bytes(KEY)));
        assertThat(defaults.image()).isEqualTo(ImageEncoderConfig.defaults());
        assertThat(ItemEmbedderApp.streamsProperties(defaults))
                .containsEntry("processing.guarantee", "exactly_once_v2")
                .containsEntry("application.id", "streamdl-item-embedder")
                .doesNotContainKey("state.dir");
        assertThat(ItemEmbedderConfig.GROUP.options())
                .extracting(o -> o.key())
                .allMatch(k -> k.startsWith("items."));

        ItemEmbedderConfig custom =
                ItemEmbedderConfig.of(
                        "b:9092",
                        REGISTRY_URL,
                        Map.of(
                                "models.allow-unsigned", "true",
                                "items.image-model", "shirts",
                                "scoring.onnx.intra-op-threads", "2",
                                "encode.parallelism", "3"));
        assertThat(custom.modelTopic()).isEqualTo("models.shirts");
        assertThat(custom.onnx()).containsOnly(Map.entry("scoring.onnx.intra-op-threads", "2"));
        assertThat(custom.signing().allowUnsigned()).isTrue();

        assertThatThrownBy(
                        () ->
                                ItemEmbedderConfig.of(
                                        "b:9092",
                                        REGISTRY_URL,
                                        Map.of("models.hmac.key", KEY, "items.batch-sise", "9")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("items.batch-size");
        assertThatThrownBy(() -> ItemEmbedderConfig.of("b:9092", REGISTRY_URL, Map.of()))
                .hasMessageContaining("models.hmac.key");
        for (Map.Entry<String, String> bad :
                Map.of(
                                "items.batch-size", "0",
                                "items.reembed.min-interval-ms", "-1",
                                "items.image-model", "Image",
                                "items.application-id", "has space",
                                "scoring.onnx.intra-op-threads", "0",
                                "image.width", "0")
                        .entrySet()) {
            assertThatThrownBy(
                            () ->
                                    ItemEmbedderConfig.of(
                                            "b:9092",
                                            REGISTRY_URL,
                                            Map.of(
                                                    "models.hmac.key",
                                                    KEY,
                                                    bad.getKey(),
                                                    bad.getValue())))
                    .as(bad.getKey())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(bad.getKey());
        }
    }

    /**
     * What the ScoreJob's model computes for an item sent as the ingest sends it: a PNG event,
     * encoded by the image encoder into a features record, batched alone by {@link FeatureTensors}.
     */
    private static float[] embeddingAsTheScoreJobSeesIt(ModelUpdate update, int item) {
        ImageEncoder encoder = new ImageEncoder(ImageEncoderConfig.defaults());
        Features features =
                encoder.encode(
                        "event-" + item,
                        0L,
                        new ImagePayload(
                                ImageEncoder.PNG,
                                28,
                                28,
                                ByteBuffer.wrap(ImageCodecs.png(data.image(item), 28, 28))));
        assertThat(FeatureTensors.check(features, SPEC)).isNull();
        byte[] onnx = new byte[update.getOnnx().remaining()];
        update.getOnnx().duplicate().get(onnx);
        try (OnnxRuntimeBackend backend =
                OnnxRuntimeBackend.create(SPEC, onnx, OnnxRuntimeBackend.Config.defaults())) {
            return backend.inferAll(FeatureTensors.batch(List.of(features), SPEC))
                    .get(OnnxExporter.EMBEDDING_OUTPUT)
                    .row(0);
        }
    }

    private static ModelUpdate signed(long version) {
        return signer.encode(SPEC, network, version, version > 1 ? version - 1 : null, Map.of());
    }

    /** A small image CNN on 12 x 12 images. */
    private static ModelSpec tiny(String name) {
        return new ModelSpec(
                ModelSpec.CURRENT_SPEC_VERSION,
                name,
                ArchitectureKind.IMAGE_CNN,
                List.of(TensorSpec.of("input", DType.FLOAT32, 1, 12, 12)),
                3,
                List.of("circle", "square", "line"),
                new ImageCnnParams(4, 8, 3, 16, false, 0.0),
                7L,
                1e-3);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ItemEmbedderConfig config(Path dir, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>();
        settings.put("models.hmac.key", KEY);
        settings.put("items.state-dir", dir.toString());
        settings.put("items.batch-size", "24"); // 64 items: batches of 24, 24 and 16
        settings.putAll(extra);
        return ItemEmbedderConfig.of("broker.test:9092", REGISTRY_URL, settings);
    }

    /** A driver on the topology, its input and outputs. */
    private final class Harness implements AutoCloseable {
        final TopologyTestDriver driver;
        final TestInputTopic<byte[], byte[]> raw;
        final TestOutputTopic<String, ItemEmbedding> embeddingTopic;
        final TestOutputTopic<String, DeadLetter> letters;

        Harness(Path dir, Map<String, String> settings) {
            this(
                    ItemEmbedder.buildTopology(config(dir, settings), registry, images),
                    config(dir, settings));
        }

        Harness(Topology topology, ItemEmbedderConfig config) {
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
            props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
            driver = new TopologyTestDriver(topology, props, START);
            raw =
                    driver.createInputTopic(
                            MODELS_TOPIC, new ByteArraySerializer(), new ByteArraySerializer());
            embeddingTopic =
                    driver.createOutputTopic(
                            "items.embeddings",
                            new StringDeserializer(),
                            embeddings.deserializer());
            this.letters =
                    driver.createOutputTopic(
                            "dlq",
                            new StringDeserializer(),
                            ItemEmbedderTest.this.letters.deserializer());
        }

        void send(ModelUpdate update) {
            raw.pipeInput(bytes("image"), updates.serializer().serialize(MODELS_TOPIC, update));
        }

        /** Exactly {@code n} embeddings written since the last read, by item. */
        Map<String, ItemEmbedding> embeddingsByItem(int n) {
            List<KeyValue<String, ItemEmbedding>> out = embeddingTopic.readKeyValuesToList();
            assertThat(out).hasSize(n);
            Map<String, ItemEmbedding> byItem = new HashMap<>();
            for (KeyValue<String, ItemEmbedding> kv : out) {
                assertThat(kv.key).isEqualTo(kv.value.getItemId());
                byItem.put(kv.key, kv.value);
            }
            return byItem;
        }

        Embedded embedded() {
            KeyValueStore<String, Embedded> store =
                    driver.getKeyValueStore(ItemEmbedder.EMBEDDED_STORE);
            return store.get("image");
        }

        KeyValueStore<String, Pending> pendingStore() {
            return driver.getKeyValueStore(ItemEmbedder.PENDING_STORE);
        }

        Pending pending() {
            return pendingStore().get("image");
        }

        double metric(String name) {
            return driver.metrics().entrySet().stream()
                    .filter(
                            e ->
                                    e.getKey().name().equals(name)
                                            && e.getKey().group().contains("item-embedder"))
                    .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                    .sum();
        }

        @Override
        public void close() {
            driver.close();
        }
    }
}
