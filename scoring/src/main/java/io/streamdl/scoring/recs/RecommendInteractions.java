package io.streamdl.scoring.recs;

import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.spec.NextItemParams;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Interaction;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.Recommendation;
import io.streamdl.schemas.avro.RecommendedItem;
import io.streamdl.schemas.serde.SerdeException;
import io.streamdl.schemas.topics.DeadLetterRecords;
import io.streamdl.scoring.LoadedModel;
import io.streamdl.scoring.StreamsDeadLetters;
import io.streamdl.scoring.UpdateVerifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The recommender's one processor. For each interaction, in order per user:
 *
 * <ol>
 *   <li>checks it: undecodable, no value, an empty user id, a kind without a weight, an item that
 *       is not one of the model's, a time before 1970 or more than {@code recs.max-future-ms} past
 *       the wall clock: each a dead letter with its reason, nothing else changes;
 *   <li>writes a training example for the recommendation model's trainer: the user's profile vector
 *       <em>before</em> this interaction as {@code Features} on {@code features.<recs>}, and the
 *       item as its {@code Label} on {@code events.labels}, both with event id {@code
 *       interaction-<partition>-<offset>};
 *   <li>adds the interaction to the profile (and the item to the exclusions, per {@code
 *       recs.exclude}) and counts the item's popularity;
 *   <li>writes the user's new top-K: ranked by the serving model from the new profile vector, the
 *       excluded items and the items without an embedding left out; or, before any model serves (or
 *       when no item of the profile has an embedding yet), the most popular items, labelled {@code
 *       popular}.
 * </ol>
 *
 * Only an unreachable registry, which is no fault of the record, fails the task.
 */
final class RecommendInteractions implements Processor<byte[], byte[], String, Object> {
    static final String DECODE_STAGE = "decode";
    static final String STAGE = "recommender";

    private final RecommenderConfig config;
    private final Deserializer<Interaction> interactions;
    private final ItemMatrix matrix;
    private final ServingRecsModel models;
    private final Map<String, Integer> index;
    private final String modelTopic;
    private final String encodedBy;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, UserProfile> profiles;
    private KeyValueStore<String, Long> popularityStore;
    private org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, byte[]> modelStore;
    private org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, byte[]> embeddingStore;
    private float[] cosines;
    private float[] neighbours;
    private long[] popularity;
    private Sensor refused;
    private Sensor recommended;
    private Sensor hits;

    RecommendInteractions(
            RecommenderConfig config,
            Deserializer<Interaction> interactions,
            ItemMatrix matrix,
            ServingRecsModel models,
            Map<String, Integer> index) {
        this.config = config;
        this.interactions = interactions;
        this.matrix = matrix;
        this.models = models;
        this.index = index;
        this.modelTopic = io.streamdl.schemas.topics.Topics.models(config.model().name()).name();
        this.encodedBy = "recommender@" + UserProfileSerde.FORMAT;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.profiles = context.getStateStore(Recommender.PROFILES);
        this.popularityStore = context.getStateStore(Recommender.POPULARITY);
        this.modelStore = context.getStateStore(Recommender.MODEL_STORE);
        this.embeddingStore = context.getStateStore(Recommender.EMBEDDING_STORE);
        this.cosines = new float[config.items().size()];
        this.neighbours = new float[config.items().size()];
        this.popularity = new long[config.items().size()];
        try (KeyValueIterator<String, Long> all = popularityStore.all()) {
            while (all.hasNext()) {
                KeyValue<String, Long> next = all.next();
                Integer i = index.get(next.key);
                if (i != null && next.value != null) {
                    popularity[i] = next.value;
                }
            }
        }
        refused = sensor("refused");
        recommended = sensor("recommendations");
        hits = sensor("hits");
    }

    private Sensor sensor(String name) {
        return context.metrics()
                .addRateTotalSensor("recs", Recommender.PROCESS, name, Sensor.RecordingLevel.INFO);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata where = context.recordMetadata().orElse(null);
        if (record.value() == null) {
            refuse(record, where, DECODE_STAGE, "EMPTY_VALUE", "the record has no value");
            return;
        }
        Interaction interaction;
        try {
            interaction =
                    interactions.deserialize(
                            where == null ? "interactions" : where.topic(), record.value());
        } catch (SerdeException e) {
            if (e.reason() == SerdeException.Reason.REGISTRY_UNAVAILABLE) {
                throw e;
            }
            refuse(record, where, DECODE_STAGE, e.reason().name(), e.getMessage());
            return;
        } catch (SerializationException e) {
            refuse(record, where, DECODE_STAGE, "UNDECODABLE", String.valueOf(e.getMessage()));
            return;
        }
        String user = interaction.getUserId();
        if (user.isBlank()) {
            refuse(record, where, STAGE, "EMPTY_USER", "an interaction needs a user id");
            return;
        }
        Double weight = config.kindWeights().get(interaction.getKind());
        if (weight == null) {
            refuse(
                    record,
                    where,
                    STAGE,
                    "UNKNOWN_KIND",
                    "kind '"
                            + interaction.getKind()
                            + "' has no weight; known: "
                            + config.kindWeights().keySet());
            return;
        }
        Integer item = index.get(interaction.getItemId());
        if (item == null) {
            refuse(
                    record,
                    where,
                    STAGE,
                    "UNKNOWN_ITEM",
                    "item '"
                            + interaction.getItemId()
                            + "' is not in the catalogue of model '"
                            + config.model().name()
                            + "'");
            return;
        }
        long ts = interaction.getTs();
        long now = context.currentSystemTimeMs();
        if (ts < 0) {
            refuse(record, where, STAGE, "INVALID_TIMESTAMP", "timestamp " + ts + " is negative");
            return;
        }
        if (ts > now + config.maxFutureMillis()) {
            refuse(
                    record,
                    where,
                    STAGE,
                    "FUTURE_TIMESTAMP",
                    "timestamp "
                            + ts
                            + " is "
                            + (ts - now)
                            + " ms ahead of the clock (at most "
                            + config.maxFutureMillis()
                            + " allowed)");
            return;
        }
        offerModel();
        matrix.loadIfEmpty(embeddingStore);
        UserProfile profile = profiles.get(user);
        if (profile == null) {
            profile = new UserProfile(config.profileSize());
        }
        hits.record(contains(profile.lastItems, item) ? 1 : 0);

        String eventId =
                where == null
                        ? "interaction-" + user + "-" + profile.interactions
                        : "interaction-" + where.partition() + "-" + where.offset();
        ProfileVector before = ProfileVector.of(profile, matrix, config);
        context.forward(
                new Record<String, Object>(
                        eventId, features(eventId, ts, before.values()), record.timestamp()),
                Recommender.FEATURES_SINK);
        context.forward(
                new Record<String, Object>(
                        eventId,
                        Label.newBuilder()
                                .setEventId(eventId)
                                .setLabel(config.items().get(item))
                                .setTs(ts)
                                .build(),
                        record.timestamp()),
                Recommender.LABELS_SINK);

        profile.add(item, weight.floatValue(), ts, config.profileSize());
        if (config.exclude() == RecommenderConfig.Exclusion.INTERACTED
                || (config.exclude() == RecommenderConfig.Exclusion.PURCHASED
                        && "purchase".equals(interaction.getKind()))) {
            profile.exclude(item, config.excludeMax());
        }
        popularity[item]++;
        popularityStore.put(config.items().get(item), popularity[item]);

        ProfileVector after = ProfileVector.of(profile, matrix, config);
        LoadedModel model = models.serving();
        if (after.embedded() > 0
                && (model != null || config.contentWeight() > 0 || config.neighbourWeight() > 0)) {
            rank(profile, model, after);
        } else {
            popular(profile);
        }
        profile.lastTs = now;
        profiles.put(user, profile);
        recommended.record();
        context.forward(
                new Record<String, Object>(
                        user, recommendation(user, profile, ts), record.timestamp()),
                Recommender.RECOMMENDATIONS_SINK);
    }

    private void offerModel() {
        UpdateVerifier.Refusal refusal =
                models.offer(modelTopic, modelStore.get(config.model().name()));
        if (refusal != null) {
            refused.record();
            context.forward(
                    new Record<String, Object>(
                            null,
                            DeadLetterRecords.of(
                                    modelTopic,
                                    -1,
                                    -1,
                                    null,
                                    null,
                                    STAGE,
                                    refusal.reason(),
                                    refusal.message(),
                                    context.currentSystemTimeMs()),
                            context.currentSystemTimeMs()),
                    Recommender.DLQ_SINK);
        }
    }

    /**
     * Ranks every item with an embedding (less the exclusions) by the model's log-probability plus
     * {@code recs.ranking.content-weight} times its cosine with the profile plus {@code
     * recs.ranking.neighbour-weight} times its content-kNN share of the profile's items; without a
     * model by the last two alone.
     */
    private void rank(UserProfile profile, LoadedModel model, ProfileVector vector) {
        int dim = config.profileDim();
        float[] probabilities = null;
        if (model != null) {
            Tensor in = Tensor.ofFloats(new long[] {1, dim}, vector.values());
            probabilities = model.backend().infer(Batch.of(NextItemParams.INPUT, in)).row(0);
        }
        double weight = config.contentWeight();
        if (weight > 0) {
            matrix.cosines(vector.values(), cosines);
        }
        double knnWeight = config.neighbourWeight();
        if (knnWeight > 0) {
            java.util.Arrays.fill(neighbours, 0f);
            for (int k = 0; k < vector.items().length; k++) {
                matrix.addNeighbours(vector.items()[k], vector.weights()[k], neighbours);
            }
        }
        BitSet candidates = matrix.present();
        BitSet excluded = profile.excludedSet();
        TopK top = new TopK(config.topK());
        for (int i = candidates.nextSetBit(0);
                i >= 0 && i < cosines.length;
                i = candidates.nextSetBit(i + 1)) {
            if (excluded.get(i)) {
                continue;
            }
            double score = weight > 0 ? weight * cosines[i] : 0;
            if (knnWeight > 0) {
                score += knnWeight * neighbours[i];
            }
            if (probabilities != null) {
                score += Math.log(Math.max(probabilities[i], 1e-30f));
            }
            top.offer(i, (float) score);
        }
        top.into(profile);
        profile.lastModelVersion = model == null ? 0 : model.version();
        profile.lastEmbeddingVersion = vector.version();
        profile.lastBasis = model == null ? UserProfile.CONTENT : UserProfile.MODEL;
    }

    private void popular(UserProfile profile) {
        BitSet candidates = matrix.present();
        if (candidates.isEmpty()) {
            candidates = new BitSet();
            candidates.set(0, popularity.length);
        }
        TopK top = Recommender.popular(popularity, candidates, profile, config.topK());
        top.into(profile);
        profile.lastModelVersion = 0;
        profile.lastEmbeddingVersion = 0;
        profile.lastBasis = UserProfile.POPULAR;
    }

    private Recommendation recommendation(String user, UserProfile p, long interactionTs) {
        return Recommender.recommendation(user, p, config.items(), interactionTs);
    }

    private Features features(String eventId, long ts, float[] values) {
        ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            data.putFloat(v);
        }
        data.flip();
        return Features.newBuilder()
                .setEventId(eventId)
                .setTs(ts)
                .setEncodedBy(encodedBy)
                .setDtype("float32")
                .setShape(List.of(values.length))
                .setData(data)
                .setMask(null)
                .setSeries(null)
                .build();
    }

    private static boolean contains(int[] items, int item) {
        for (int i : items) {
            if (i == item) {
                return true;
            }
        }
        return false;
    }

    private void refuse(
            Record<byte[], byte[]> record,
            RecordMetadata where,
            String stage,
            String reason,
            String message) {
        refused.record();
        DeadLetter letter =
                StreamsDeadLetters.of(
                        record, where, stage, reason, message, context.currentSystemTimeMs());
        context.forward(
                new Record<String, Object>(null, letter, record.timestamp()), Recommender.DLQ_SINK);
    }

    /** Used by {@link Recommender#recommendation}: one list entry. */
    static RecommendedItem item(String id, double score) {
        return RecommendedItem.newBuilder().setItemId(id).setScore(score).build();
    }

    static List<RecommendedItem> items(UserProfile p, List<String> ids) {
        List<RecommendedItem> out = new ArrayList<>(p.lastItems.length);
        for (int k = 0; k < p.lastItems.length; k++) {
            out.add(item(ids.get(p.lastItems[k]), p.lastScores[k]));
        }
        return out;
    }
}
