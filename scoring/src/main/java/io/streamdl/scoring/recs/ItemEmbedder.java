package io.streamdl.scoring.recs;

import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.InferenceBackend;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.onnx.OnnxExporter;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ItemEmbedding;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.registry.SchemaRegistryClient;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.WireSerde;
import io.streamdl.schemas.topics.Topics;
import io.streamdl.scoring.CodecVerifier;
import io.streamdl.scoring.ModelLoader;
import io.streamdl.scoring.UpdateVerifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The item embedder's topology: image model updates in, one content embedding per catalogue item
 * out.
 *
 * <pre>
 * models.&lt;image-model&gt; ─read-image-models─> embed-items [item-embedder-embedded, item-embedder-pending]
 *                                                 ├─write-embeddings─> items.embeddings (key: itemId)
 *                                                 └─write-dlq────────> dlq
 * </pre>
 *
 * What {@code embed-items} does with each update is {@link ItemEmbedderProcessor}'s; the embedding
 * itself is {@link #embedAll}, plain Java. Both stores are persistent (RocksDB) with changelogs. A
 * pure factory: it starts nothing, and the serdes (hence the registry client), the verifier, the
 * loader and the images are passed in.
 */
public final class ItemEmbedder {
    public static final String SOURCE = "read-image-models";
    public static final String EMBED = "embed-items";
    public static final String EMBEDDINGS_SINK = "write-embeddings";
    public static final String DLQ_SINK = "write-dlq";

    /**
     * The version each image model last embedded the catalogue with, and when; its changelog is
     * {@code <application.id>-item-embedder-embedded-changelog}.
     */
    public static final String EMBEDDED_STORE = "item-embedder-embedded";

    /** The newest verified update waiting for the minimum interval to pass, per image model. */
    public static final String PENDING_STORE = "item-embedder-pending";

    /** The stage of every dead letter the item embedder writes. */
    public static final String STAGE = "item-embedder";

    /** Dead-letter reason: the update's spec cannot embed the catalogue's images. */
    public static final String NOT_EMBEDDABLE = "NOT_EMBEDDABLE";

    /** Dead-letter reason: a verified update failed to load or to run in ONNX Runtime. */
    public static final String EMBEDDING_FAILED = "EMBEDDING_FAILED";

    /** Dead-letter reason: the model gave a NaN or infinite embedding. */
    public static final String NON_FINITE_EMBEDDING = "NON_FINITE_EMBEDDING";

    /** Updates of an image model can be as large as any model update, and so can a pending one. */
    static final Map<String, String> PENDING_CHANGELOG =
            Map.of("max.message.bytes", Integer.toString(Topics.MODEL_MAX_MESSAGE_BYTES));

    private ItemEmbedder() {}

    /** Why a verified update cannot embed the catalogue. */
    public static final class NotEmbeddable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String reason;

        public NotEmbeddable(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        /** The stable dead-letter reason. */
        public String reason() {
            return reason;
        }
    }

    /**
     * The topology with wire-format serdes backed by {@code registry}, updates verified with the
     * config's signing key, as the scorers verify them, and models served by ONNX Runtime with the
     * config's session settings.
     */
    public static Topology buildTopology(
            ItemEmbedderConfig config, SchemaRegistryClient registry, CatalogueImages images) {
        SerdeConfig values = SerdeConfig.forValues(config.registryUrl());
        return buildTopology(
                config,
                WireSerde.specific(registry, values, ModelUpdate.class).deserializer(),
                WireSerde.specific(registry, values, ItemEmbedding.class),
                WireSerde.specific(registry, values, DeadLetter.class),
                new CodecVerifier(config.signing().hmacKey(), config.signing().allowUnsigned()),
                ModelLoader.onnxRuntime(config.onnx()),
                images);
    }

    /**
     * The topology with the given parts.
     *
     * @param updates reads the wire-format values of {@code models.<image-model>}
     * @param verifier decides which updates may be embedded with
     * @param loader builds a backend for a verified update; it must give {@link
     *     OnnxRuntimeBackend}s, the only backend that exposes the embedding output
     * @param images the catalogue's items
     */
    public static Topology buildTopology(
            ItemEmbedderConfig config,
            Deserializer<ModelUpdate> updates,
            Serde<ItemEmbedding> embeddings,
            Serde<DeadLetter> letters,
            UpdateVerifier verifier,
            ModelLoader loader,
            CatalogueImages images) {
        Topology topology = new Topology();
        topology.addSource(
                SOURCE,
                Serdes.ByteArray().deserializer(),
                Serdes.ByteArray().deserializer(),
                config.modelTopic());
        topology.addProcessor(
                EMBED,
                () -> new ItemEmbedderProcessor(config, updates, verifier, loader, images),
                SOURCE);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(EMBEDDED_STORE),
                                Serdes.String(),
                                ItemEmbedderState.embeddedSerde())
                        .withLoggingEnabled(Map.of()),
                EMBED);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(PENDING_STORE),
                                Serdes.String(),
                                ItemEmbedderState.pendingSerde())
                        .withLoggingEnabled(PENDING_CHANGELOG),
                EMBED);
        topology.addSink(
                EMBEDDINGS_SINK,
                Topics.ITEMS_EMBEDDINGS.name(),
                Serdes.String().serializer(),
                embeddings.serializer(),
                EMBED);
        topology.addSink(
                DLQ_SINK,
                Topics.DLQ.name(),
                Serdes.String().serializer(),
                letters.serializer(),
                EMBED);
        return topology;
    }

    /**
     * Why {@code spec} cannot embed {@code images}, or null if it can: only an image CNN exports
     * {@value OnnxExporter#EMBEDDING_OUTPUT}, and its one input must take the images' tensors.
     */
    public static String whyNotEmbeddable(ModelSpec spec, CatalogueImages images) {
        if (spec.kind() != ArchitectureKind.IMAGE_CNN) {
            return "model "
                    + spec.name()
                    + " is a "
                    + spec.kind()
                    + "; only an image CNN exports "
                    + OnnxExporter.EMBEDDING_OUTPUT;
        }
        List<Integer> shape = Arrays.stream(images.eventShape()).boxed().toList();
        if (spec.inputs().size() != 1
                || spec.inputs().get(0).dtype() != DType.FLOAT32
                || !spec.inputs().get(0).shape().equals(shape)) {
            return "model "
                    + spec.name()
                    + " takes "
                    + spec.inputs()
                    + ", the catalogue's images are float32 "
                    + shape;
        }
        return null;
    }

    /**
     * Every item's {@value OnnxExporter#EMBEDDING_OUTPUT}, in item order, computed {@code
     * batchSize} items per ONNX Runtime call.
     *
     * @throws NotEmbeddable if the backend does not give one finite embedding per item
     * @throws io.streamdl.models.inference.InferenceException if ONNX Runtime fails
     */
    public static List<float[]> embedAll(
            InferenceBackend backend, CatalogueImages images, int batchSize) {
        if (!(backend instanceof OnnxRuntimeBackend onnx)) {
            throw new NotEmbeddable(
                    EMBEDDING_FAILED,
                    backend.description() + " does not expose " + OnnxExporter.EMBEDDING_OUTPUT);
        }
        String input = backend.spec().inputs().get(0).name();
        List<float[]> vectors = new ArrayList<>(images.size());
        for (int from = 0; from < images.size(); from += batchSize) {
            int to = Math.min(images.size(), from + batchSize);
            Tensor out =
                    onnx.inferAll(Batch.of(input, images.batch(from, to)))
                            .get(OnnxExporter.EMBEDDING_OUTPUT);
            if (out == null) {
                throw new NotEmbeddable(
                        NOT_EMBEDDABLE,
                        "model "
                                + backend.spec().name()
                                + " has no output "
                                + OnnxExporter.EMBEDDING_OUTPUT);
            }
            if (out.rank() != 2 || out.batchSize() != to - from || out.elementsPerEvent() == 0) {
                throw new NotEmbeddable(
                        NOT_EMBEDDABLE,
                        OnnxExporter.EMBEDDING_OUTPUT
                                + " of model "
                                + backend.spec().name()
                                + " is "
                                + out
                                + " for a batch of "
                                + (to - from));
            }
            for (int i = 0; i < to - from; i++) {
                float[] row = out.row(i);
                for (int d = 0; d < row.length; d++) {
                    if (!Float.isFinite(row[d])) {
                        throw new NotEmbeddable(
                                NON_FINITE_EMBEDDING,
                                "dimension "
                                        + d
                                        + " of "
                                        + images.itemId(from + i)
                                        + "'s embedding is "
                                        + row[d]);
                    }
                }
                vectors.add(row);
            }
        }
        return vectors;
    }
}
