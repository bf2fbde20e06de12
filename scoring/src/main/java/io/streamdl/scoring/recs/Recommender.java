package io.streamdl.scoring.recs;

import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Interaction;
import io.streamdl.schemas.avro.ItemEmbedding;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Recommendation;
import io.streamdl.schemas.registry.SchemaRegistryClient;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.WireSerde;
import io.streamdl.schemas.topics.Topics;
import io.streamdl.scoring.ModelLoader;
import io.streamdl.scoring.UpdateVerifier;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The recommender's topology: interactions in, each user's fresh top-K out.
 *
 * <pre>
 * interactions ─read-interactions─> recommend [recs-user-profiles, recs-item-popularity]
 *      ├─write-recommendations─> recommendations (key: userId)
 *      ├─write-recs-features───> features.recs   (the profile before the interaction)
 *      ├─write-recs-labels─────> events.labels   (the item, same event id)
 *      └─write-recs-dlq────────> dlq
 * models.recs      ─read-recs-models─>      keep-recs-models      [global: recs-models]
 * items.embeddings ─read-item-embeddings─>  keep-item-embeddings  [global: recs-item-embeddings]
 * </pre>
 *
 * The two per-user stores are persistent (RocksDB) with changelogs; the input is keyed by user, so
 * a user's interactions are processed in order by one task. The model and the embeddings are global
 * stores (every instance holds all of them, in memory), read as they are when each interaction is
 * processed. What the processor does is {@link RecommendInteractions}'s. A pure factory: it starts
 * nothing; the serdes (hence the registry client), the verifier and the model holder are passed in.
 */
public final class Recommender {
    public static final String SOURCE = "read-interactions";
    public static final String PROCESS = "recommend";
    public static final String RECOMMENDATIONS_SINK = "write-recommendations";
    public static final String FEATURES_SINK = "write-recs-features";
    public static final String LABELS_SINK = "write-recs-labels";
    public static final String DLQ_SINK = "write-recs-dlq";

    /** Per-user state; its changelog is {@code <application.id>-recs-user-profiles-changelog}. */
    public static final String PROFILES = "recs-user-profiles";

    /** Interactions per item, per task. */
    public static final String POPULARITY = "recs-item-popularity";

    public static final String MODEL_STORE = "recs-models";
    public static final String EMBEDDING_STORE = "recs-item-embeddings";

    /** What a recommendation made from interaction counts says it is. */
    public static final String POPULAR = "popular";

    /** What a recommendation ranked by the model for the user says it is. */
    public static final String MODEL = "model";

    /**
     * What a recommendation ranked by content similarity alone (before any model serves) says it
     * is.
     */
    public static final String CONTENT = "content";

    private Recommender() {}

    /**
     * The topology with wire-format serdes backed by {@code registry}, serving the model {@code
     * models} holds (see {@link #servingModel}).
     */
    public static Topology buildTopology(
            RecommenderConfig config, SchemaRegistryClient registry, ServingRecsModel models) {
        SerdeConfig values = SerdeConfig.forValues(config.registryUrl());
        return buildTopology(
                config,
                models,
                WireSerde.specific(registry, values, Interaction.class),
                WireSerde.specific(registry, values, ItemEmbedding.class),
                WireSerde.specific(registry, values, Recommendation.class),
                WireSerde.specific(registry, values, Features.class),
                WireSerde.specific(registry, values, Label.class),
                WireSerde.specific(registry, values, DeadLetter.class));
    }

    /**
     * The holder of the model a recommender serves: updates verified by {@code verifier}, built by
     * {@code loader} on {@code loads} (a background executor in an app; {@code Runnable::run} for a
     * deterministic test). Its owner closes it after the app.
     */
    public static ServingRecsModel servingModel(
            RecommenderConfig config,
            SchemaRegistryClient registry,
            UpdateVerifier verifier,
            ModelLoader loader,
            Executor loads) {
        Serde<ModelUpdate> updates =
                WireSerde.specific(
                        registry, SerdeConfig.forValues(config.registryUrl()), ModelUpdate.class);
        return new ServingRecsModel(
                config.model(), updates.deserializer(), verifier, loader, loads);
    }

    public static Topology buildTopology(
            RecommenderConfig config,
            ServingRecsModel models,
            Serde<Interaction> interactions,
            Serde<ItemEmbedding> embeddings,
            Serde<Recommendation> recommendations,
            Serde<Features> features,
            Serde<Label> labels,
            Serde<DeadLetter> letters) {
        Map<String, Integer> index = new HashMap<>();
        List<String> items = config.items();
        for (int i = 0; i < items.size(); i++) {
            index.put(items.get(i), i);
        }
        Map<String, Integer> itemIndex = Map.copyOf(index);
        ItemMatrix matrix =
                new ItemMatrix(
                        embeddings.deserializer(),
                        items,
                        itemIndex,
                        config.profileDim(),
                        config.neighbourWeight() > 0 ? config.neighbours() : 0,
                        config.neighbourTemperature(),
                        models.background());
        Topology t = new Topology();
        t.addSource(
                SOURCE,
                Serdes.ByteArray().deserializer(),
                Serdes.ByteArray().deserializer(),
                Topics.INTERACTIONS.name());
        t.addProcessor(
                PROCESS,
                () ->
                        new RecommendInteractions(
                                config, interactions.deserializer(), matrix, models, itemIndex),
                SOURCE);
        t.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(PROFILES),
                                Serdes.String(),
                                new UserProfileSerde())
                        .withLoggingEnabled(Map.of()),
                PROCESS);
        t.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(POPULARITY),
                                Serdes.String(),
                                Serdes.Long())
                        .withLoggingEnabled(Map.of()),
                PROCESS);
        t.addSink(
                RECOMMENDATIONS_SINK,
                Topics.RECOMMENDATIONS.name(),
                Serdes.String().serializer(),
                recommendations.serializer(),
                PROCESS);
        t.addSink(
                FEATURES_SINK,
                Topics.features(config.features()).name(),
                Serdes.String().serializer(),
                features.serializer(),
                PROCESS);
        t.addSink(
                LABELS_SINK,
                Topics.EVENTS_LABELS.name(),
                Serdes.String().serializer(),
                labels.serializer(),
                PROCESS);
        t.addSink(
                DLQ_SINK,
                Topics.DLQ.name(),
                Serdes.String().serializer(),
                letters.serializer(),
                PROCESS);
        globalStore(
                t,
                MODEL_STORE,
                "read-recs-models",
                Topics.models(config.model().name()).name(),
                "keep-recs-models",
                null);
        globalStore(
                t,
                EMBEDDING_STORE,
                "read-item-embeddings",
                Topics.ITEMS_EMBEDDINGS.name(),
                "keep-item-embeddings",
                matrix);
        return t;
    }

    private static void globalStore(
            Topology t,
            String store,
            String source,
            String topic,
            String processor,
            ItemMatrix matrix) {
        t.addGlobalStore(
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(store),
                                Serdes.String(),
                                Serdes.ByteArray())
                        .withLoggingDisabled(),
                source,
                Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer(),
                topic,
                processor,
                () -> new KeepLatest(store, matrix));
    }

    /** The most interacted-with items among {@code candidates}, less the profile's exclusions. */
    static TopK popular(long[] counts, BitSet candidates, UserProfile profile, int k) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        TopK top = new TopK(k);
        BitSet excluded = profile == null ? new BitSet() : profile.excludedSet();
        for (int i = candidates.nextSetBit(0);
                i >= 0 && i < counts.length;
                i = candidates.nextSetBit(i + 1)) {
            if (!excluded.get(i)) {
                top.offer(i, total == 0 ? 0f : (float) ((double) counts[i] / total));
            }
        }
        return top;
    }

    /** The record of a profile's last recommendation. */
    static Recommendation recommendation(
            String user, UserProfile p, List<String> items, long interactionTs) {
        return Recommendation.newBuilder()
                .setUserId(user)
                .setItems(RecommendInteractions.items(p, items))
                .setModelVersion(p.lastModelVersion)
                .setEmbeddingVersion(p.lastEmbeddingVersion)
                .setBasis(
                        switch (p.lastBasis) {
                            case UserProfile.POPULAR -> POPULAR;
                            case UserProfile.CONTENT -> CONTENT;
                            default -> MODEL;
                        })
                .setTs(p.lastTs)
                .setInteractionTs(interactionTs)
                .build();
    }

    /**
     * Keeps a global store equal to its topic: the newest record per key, a tombstone deletes;
     * records without a key, which no store can hold, are skipped. The embeddings' keeper also
     * writes each record into the shared {@link ItemMatrix}.
     */
    private static final class KeepLatest implements Processor<String, byte[], Void, Void> {
        private final String storeName;
        private final ItemMatrix matrix;
        private KeyValueStore<String, byte[]> store;

        KeepLatest(String storeName, ItemMatrix matrix) {
            this.storeName = storeName;
            this.matrix = matrix;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), record.value());
            }
            if (matrix != null) {
                matrix.update(record.key(), record.value());
            }
        }
    }
}
