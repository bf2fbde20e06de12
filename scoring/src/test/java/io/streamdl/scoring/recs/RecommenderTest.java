package io.streamdl.scoring.recs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.InferenceBackend;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.NextItemParams;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Interaction;
import io.streamdl.schemas.avro.ItemEmbedding;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Recommendation;
import io.streamdl.schemas.avro.RecommendedItem;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.WireSerde;
import io.streamdl.schemas.testing.TestingSchemaRegistryClient;
import io.streamdl.schemas.topics.Topics;
import io.streamdl.scoring.LoadedModel;
import io.streamdl.scoring.StateDirectories;
import io.streamdl.scoring.UpdateVerifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recommender's topology on a {@link TopologyTestDriver} with an in-memory registry, a model
 * whose log-probabilities are known exactly ({@code sign(version) * <profile, e_i>}: version 1
 * ranks by similarity to the profile, version 2 by dissimilarity) and six items with 2-d
 * embeddings.
 */
class RecommenderTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final float[][] EMBEDDINGS = {
        {1, 0}, {0.9f, 0.1f}, {0, 1}, {0.1f, 0.9f}, {-1, 0}, {0, -1}
    };
    private static final ModelSpec SPEC = spec(EMBEDDINGS.length, 2);

    private final TestingSchemaRegistryClient registry = new TestingSchemaRegistryClient();
    private final SerdeConfig values = SerdeConfig.forValues("http://registry.test");
    private final Serde<Interaction> interactions =
            WireSerde.specific(registry, values, Interaction.class);
    private final Serde<ModelUpdate> updates =
            WireSerde.specific(registry, values, ModelUpdate.class);
    private final Serde<ItemEmbedding> embeddings =
            WireSerde.specific(registry, values, ItemEmbedding.class);
    private final Serde<Recommendation> recommendations =
            WireSerde.specific(registry, values, Recommendation.class);
    private final Serde<Features> features = WireSerde.specific(registry, values, Features.class);
    private final Serde<Label> labels = WireSerde.specific(registry, values, Label.class);
    private final Serde<DeadLetter> letters =
            WireSerde.specific(registry, values, DeadLetter.class);

    @TempDir Path stateDir;

    @Test
    void ranksByTheModelAndLeavesOutPurchasedItems() {
        try (Harness h = new Harness(stateDir, Map.of("recs.top-k", "3"))) {
            h.embedAll(7);
            h.publish(1);
            h.send("u", "item-0", "view", NOW);
            Recommendation first = h.lastRecommendation();
            // profile = e0: scores 1, 0.9, 0, 0.1, -1, 0
            assertThat(ids(first)).containsExactly("item-0", "item-1", "item-3");
            assertThat(first.getItems().get(0).getScore()).isCloseTo(1.0, within(1e-6));
            assertThat(first.getBasis()).isEqualTo(Recommender.MODEL);
            assertThat(first.getModelVersion()).isEqualTo(1);
            assertThat(first.getEmbeddingVersion()).isEqualTo(7);
            assertThat(first.getInteractionTs()).isEqualTo(NOW);

            // a purchase weighs 5, the older view 1 * 0.8: profile = (5 e1 + 0.8 e0) / 5.8
            h.send("u", "item-1", "purchase", NOW + 1);
            Recommendation second = h.lastRecommendation();
            assertThat(ids(second)).containsExactly("item-0", "item-3", "item-2");
            double x = (5 * 0.9 + 0.8) / 5.8;
            double y = (5 * 0.1) / 5.8;
            assertThat(second.getItems().get(1).getScore())
                    .isCloseTo(0.1 * x + 0.9 * y, within(1e-6));

            // a view does not exclude: item-0 stays, viewed or not
            h.send("u", "item-0", "view", NOW + 2);
            assertThat(ids(h.lastRecommendation())).contains("item-0").doesNotContain("item-1");
        }
    }

    @Test
    void excludingEveryInteractedItemIsASetting() {
        try (Harness h = new Harness(stateDir, Map.of("recs.exclude", "interacted"))) {
            h.embedAll(1);
            h.publish(1);
            h.send("u", "item-0", "view", NOW);
            h.send("u", "item-2", "click", NOW + 1);
            assertThat(ids(h.lastRecommendation())).hasSize(4).doesNotContain("item-0", "item-2");
        }
    }

    @Test
    void aNewModelVersionChangesTheRankingMidStream() {
        try (Harness h = new Harness(stateDir, Map.of("recs.top-k", "2"))) {
            h.embedAll(1);
            h.publish(1);
            h.send("u", "item-2", "view", NOW);
            assertThat(ids(h.lastRecommendation())).containsExactly("item-2", "item-3");
            assertThat(h.models.swaps()).isEqualTo(1);

            h.publish(2); // ranks by dissimilarity
            h.send("u", "item-2", "view", NOW + 1);
            Recommendation after = h.lastRecommendation();
            assertThat(after.getModelVersion()).isEqualTo(2);
            // -<e2, e_i>: item-5 scores 1, then item-0 and item-4 tie at 0 and the lower index wins
            assertThat(ids(after)).containsExactly("item-5", "item-0");
            assertThat(h.models.swaps()).isEqualTo(2);

            // an older version published late is ignored, the serving one stays
            h.publish(1);
            h.send("u", "item-2", "view", NOW + 2);
            assertThat(h.lastRecommendation().getModelVersion()).isEqualTo(2);
        }
    }

    @Test
    void aRefusedUpdateIsADeadLetterAndTheServingModelStays() {
        try (Harness h = new Harness(stateDir, Map.of())) {
            h.embedAll(1);
            h.publish(1);
            h.send("u", "item-0", "view", NOW);
            h.publishRefused(2);
            h.send("u", "item-0", "view", NOW + 1);
            assertThat(h.lastRecommendation().getModelVersion()).isEqualTo(1);
            List<DeadLetter> dlq = h.dlq.readValuesToList();
            assertThat(dlq)
                    .singleElement()
                    .satisfies(
                            d -> {
                                assertThat(d.getError()).isEqualTo("BAD_SIGNATURE");
                                assertThat(d.getSourceTopic()).isEqualTo("models.recs");
                            });
        }
    }

    @Test
    void beforeAnyModelUsersGetThePopularItemsLabelledAsSuch() {
        try (Harness h = new Harness(stateDir, Map.of("recs.top-k", "2"))) {
            h.embedAll(1);
            h.send("a", "item-4", "view", NOW);
            h.send("b", "item-4", "view", NOW);
            h.send("b", "item-5", "view", NOW);
            h.send("c", "item-1", "view", NOW);
            Recommendation cold = h.lastRecommendation();
            assertThat(cold.getBasis()).isEqualTo(Recommender.POPULAR);
            assertThat(cold.getModelVersion()).isZero();
            // item-4 twice; then ties of one interaction go to the lower index
            assertThat(ids(cold)).containsExactly("item-4", "item-1");
            assertThat(cold.getItems().get(0).getScore()).isCloseTo(0.5, within(1e-6));
        }
    }

    @Test
    void withAContentWeightTheCosineToTheProfileRanksBeforeAndWithTheModel() {
        try (Harness h =
                new Harness(
                        stateDir, Map.of("recs.top-k", "3", "recs.ranking.content-weight", "2"))) {
            h.embedAll(3);
            h.send("u", "item-0", "view", NOW);
            Recommendation content = h.lastRecommendation();
            assertThat(content.getBasis()).isEqualTo(Recommender.CONTENT);
            assertThat(content.getModelVersion()).isZero();
            assertThat(content.getEmbeddingVersion()).isEqualTo(3);
            // the profile is e0; cosines of the embeddings centred on their mean
            double[] cos = new double[EMBEDDINGS.length];
            for (int i = 0; i < cos.length; i++) {
                cos[i] = centredCosine(EMBEDDINGS[0], EMBEDDINGS[i]);
            }
            assertThat(ids(content)).containsExactlyElementsOf(best(cos, 3));
            assertThat(content.getItems().get(1).getScore())
                    .isCloseTo(2 * cos[index(content, 1)], within(1e-5));

            // with version 1 serving, its log-probabilities <p, e_i> add to the cosine
            h.publish(1);
            h.send("u", "item-0", "view", NOW + 1);
            Recommendation hybrid = h.lastRecommendation();
            assertThat(hybrid.getBasis()).isEqualTo(Recommender.MODEL);
            assertThat(hybrid.getModelVersion()).isEqualTo(1);
            double[] score = new double[EMBEDDINGS.length];
            for (int i = 0; i < score.length; i++) {
                score[i] = EMBEDDINGS[0][0] * EMBEDDINGS[i][0] + 2 * cos[i];
            }
            assertThat(ids(hybrid)).containsExactlyElementsOf(best(score, 3));
            assertThat(hybrid.getItems().get(0).getScore()).isCloseTo(3.0, within(1e-5));
        }
    }

    @Test
    void theNeighbourTermScoresTheRecentItemsAndTheirNearestItems() {
        try (Harness h =
                new Harness(
                        stateDir,
                        Map.of(
                                "recs.top-k", "2",
                                "recs.ranking.neighbour-weight", "1",
                                "recs.ranking.neighbours", "2",
                                "recs.ranking.neighbour-temperature", "0.5"))) {
            h.embedAll(1);
            h.send("u", "item-2", "view", NOW);
            Recommendation first = h.lastRecommendation();
            assertThat(first.getBasis()).isEqualTo(Recommender.CONTENT);
            // item-2 itself (1), then its nearest item by centred cosine, discounted
            double[] cos = new double[EMBEDDINGS.length];
            for (int i = 0; i < cos.length; i++) {
                cos[i] = i == 2 ? 2 : centredCosine(EMBEDDINGS[2], EMBEDDINGS[i]);
            }
            int nearest = Integer.parseInt(best(cos, 2).get(1).substring("item-".length()));
            assertThat(ids(first)).containsExactly("item-2", "item-" + nearest);
            assertThat(first.getItems().get(0).getScore()).isCloseTo(1.0, within(1e-5));
            assertThat(first.getItems().get(1).getScore())
                    .isCloseTo(Math.exp((cos[nearest] - 1) / 0.5), within(1e-5));

            // weights 1 (item-4, newest) and 0.8 (item-2), normalised to 1/1.8 and 0.8/1.8
            h.send("u", "item-4", "view", NOW + 1);
            Recommendation second = h.lastRecommendation();
            assertThat(ids(second)).containsExactly("item-4", "item-2");
            assertThat(second.getItems().get(0).getScore()).isCloseTo(1 / 1.8, within(1e-5));
        }
    }

    /** The cosine of two embeddings centred on the mean of all of {@link #EMBEDDINGS}. */
    private static double centredCosine(float[] a, float[] b) {
        double mx = 0;
        double my = 0;
        for (float[] e : EMBEDDINGS) {
            mx += e[0] / EMBEDDINGS.length;
            my += e[1] / EMBEDDINGS.length;
        }
        double ax = a[0] - mx;
        double ay = a[1] - my;
        double bx = b[0] - mx;
        double by = b[1] - my;
        return (ax * bx + ay * by) / (Math.hypot(ax, ay) * Math.hypot(bx, by));
    }

    /** The ids of the {@code k} highest scores, ties to the lower index. */
    private static List<String> best(double[] scores, int k) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            order.add(i);
        }
        order.sort((x, y) -> scores[y] != scores[x] ? Double.compare(scores[y], scores[x]) : x - y);
        return order.subList(0, k).stream().map(i -> "item-" + i).toList();
    }

    private static int index(Recommendation r, int rank) {
        return Integer.parseInt(r.getItems().get(rank).getItemId().substring("item-".length()));
    }

    @Test
    void eachInteractionBecomesATrainingExampleOfTheProfileBeforeIt() {
        try (Harness h = new Harness(stateDir, Map.of())) {
            h.embedAll(1);
            h.send("u", "item-0", "view", NOW);
            h.send("u", "item-2", "click", NOW + 10);
            List<Features> f = h.features.readValuesToList();
            List<Label> l = h.labels.readValuesToList();
            assertThat(f).hasSize(2);
            assertThat(l).extracting(Label::getLabel).containsExactly("item-0", "item-2");
            assertThat(f)
                    .extracting(Features::getEventId)
                    .containsExactlyElementsOf(l.stream().map(Label::getEventId).toList())
                    .doesNotHaveDuplicates();
            assertThat(floats(f.get(0))).containsExactly(0f, 0f); // nothing before the first
            assertThat(floats(f.get(1))).containsExactly(1f, 0f); // the profile was e0
            assertThat(f.get(1).getShape()).containsExactly(2);
        }
    }

    @Test
    void badInteractionsAreDeadLettersWithTheirReasonAndNothingElseChanges() {
        try (Harness h = new Harness(stateDir, Map.of())) {
            h.embedAll(1);
            h.publish(1);
            h.send("u", "item-0", "view", NOW);
            h.send("u", "item-99", "view", NOW);
            h.send("u", "pizza", "view", NOW);
            h.send("", "item-0", "view", NOW);
            h.send("u", "item-0", "like", NOW);
            h.send("u", "item-0", "view", NOW + 3_600_000);
            h.send("u", "item-0", "view", -5);
            h.input.pipeInput("u".getBytes(), new byte[] {0, 0, 0, 0, 99, 1, 2});
            h.input.pipeInput("u".getBytes(), (byte[]) null);
            h.send("u", "item-2", "view", NOW + 1);

            List<DeadLetter> dlq = h.dlq.readValuesToList();
            assertThat(dlq)
                    .extracting(DeadLetter::getError)
                    .containsExactly(
                            "UNKNOWN_ITEM",
                            "UNKNOWN_ITEM",
                            "EMPTY_USER",
                            "UNKNOWN_KIND",
                            "FUTURE_TIMESTAMP",
                            "INVALID_TIMESTAMP",
                            "UNKNOWN_SCHEMA_ID",
                            "EMPTY_VALUE");
            assertThat(dlq)
                    .allSatisfy(d -> assertThat(d.getSourceTopic()).isEqualTo("interactions"));
            assertThat(dlq.get(3).getMessage()).contains("'like'");
            List<Recommendation> out = h.recommendations.readValuesToList();
            // in = out + dead letters
            assertThat(out.size() + dlq.size()).isEqualTo(10);
            assertThat(out).hasSize(2);
            assertThat(h.features.readValuesToList()).hasSize(2);
        }
    }

    @Test
    void unusableEmbeddingRecordsLeaveTheirItemWithoutOneAndNothingStops() {
        try (Harness h =
                new Harness(
                        stateDir, Map.of("recs.top-k", "6", "recs.ranking.content-weight", "1"))) {
            h.embedAll(1);
            // anyone can write to items.embeddings: NaN, a wrong length, an unknown item, garbage
            h.embeddingTopic.pipeInput("item-3", embedding("item-3", Float.NaN, 1f));
            h.embeddingTopic.pipeInput(
                    "item-1",
                    ItemEmbedding.newBuilder(embedding("item-1", 1f, 0f))
                            .setVector(List.of(1f, 0f, 0f))
                            .build());
            h.embeddingTopic.pipeInput("item-77", embedding("item-77", 1f, 0f));
            h.rawEmbeddings.pipeInput("item-5", new byte[] {0, 0, 0, 0, 42, 1});
            h.send("u", "item-0", "view", NOW);
            h.send("u", "item-3", "view", NOW + 1); // an item without an embedding still counts
            Recommendation r = h.lastRecommendation();
            assertThat(r.getBasis()).isEqualTo(Recommender.CONTENT);
            assertThat(ids(r)).containsExactlyInAnyOrder("item-0", "item-2", "item-4");
            assertThat(h.dlq.readValuesToList()).isEmpty();
        }
    }

    private static ItemEmbedding embedding(String id, float x, float y) {
        return ItemEmbedding.newBuilder()
                .setItemId(id)
                .setVector(List.of(x, y))
                .setModel("image")
                .setModelVersion(2)
                .setTs(NOW)
                .build();
    }

    @Test
    void profilesSurviveARestartOnTheSameDirectory() throws Exception {
        Path live = stateDir.resolve("live");
        Path saved = stateDir.resolve("saved");
        try (Harness h = new Harness(live, Map.of("recs.top-k", "2"))) {
            h.embedAll(1);
            h.publish(1);
            h.send("u", "item-2", "purchase", NOW);
            assertThat(ids(h.lastRecommendation())).containsExactly("item-3", "item-1");
            StateDirectories.copySettled(live, saved);
        }
        StateDirectories.copyTree(saved, live);
        try (Harness h = new Harness(live, Map.of("recs.top-k", "2"))) {
            h.embedAll(1);
            h.publish(1);
            // the purchase is remembered: still excluded, and still in the profile
            h.send("u", "item-0", "view", NOW + 1);
            Recommendation after = h.lastRecommendation();
            assertThat(ids(after)).doesNotContain("item-2");
            // profile = (1 e0 + 5 * 0.8 e2) / 5: item-3 = (0.1 + 3.6) / 5 leads
            assertThat(after.getItems().get(0).getItemId()).isEqualTo("item-3");
            assertThat(after.getItems().get(0).getScore())
                    .isCloseTo((0.1 + 0.9 * 4) / 5, within(1e-6));
        }
    }

    @Test
    void profileStateRoundTripsThroughItsFormat() {
        UserProfile p = new UserProfile(3);
        for (int i = 0; i < 5; i++) {
            p.add(i, 1 + i, NOW + i, 3);
        }
        p.exclude(4, 2);
        p.exclude(1, 2);
        p.exclude(2, 2);
        new TopK(2).into(p);
        p.lastModelVersion = 9;
        UserProfile q = UserProfileSerde.read(UserProfileSerde.write(p));
        assertThat(q.recent).isEqualTo(3);
        assertThat(java.util.Arrays.copyOf(q.items, q.recent)).containsExactly(2, 3, 4);
        assertThat(q.interactions).isEqualTo(5);
        assertThat(q.isExcluded(4)).isFalse();
        assertThat(q.isExcluded(1)).isTrue();
        assertThat(q.isExcluded(2)).isTrue();
        assertThat(q.lastModelVersion).isEqualTo(9);
    }

    private static List<String> ids(Recommendation r) {
        return r.getItems().stream().map(RecommendedItem::getItemId).toList();
    }

    private static float[] floats(Features f) {
        ByteBuffer b = f.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getFloat();
        }
        return out;
    }

    static ModelSpec spec(int items, int dim) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            labels.add("item-" + i);
        }
        return new ModelSpec(
                1,
                "recs",
                io.streamdl.models.spec.ArchitectureKind.NEXT_ITEM,
                List.of(
                        io.streamdl.models.spec.TensorSpec.of(
                                NextItemParams.INPUT, io.streamdl.models.spec.DType.FLOAT32, dim)),
                items,
                labels,
                new NextItemParams(List.of(4)),
                42,
                1e-3);
    }

    /**
     * Gives item i the "probability" {@code exp(sign * <profile, e_i>)}, sign +1 for odd versions
     * and -1 for even ones, so that its log, the rank score, is the signed dot product.
     */
    private static final class DotBackend implements InferenceBackend {
        private final float sign;

        DotBackend(long version) {
            this.sign = version % 2 == 1 ? 1f : -1f;
        }

        @Override
        public ModelSpec spec() {
            return SPEC;
        }

        @Override
        public Tensor infer(Batch batch) {
            float[] p = batch.tensor(NextItemParams.INPUT).row(0);
            float[] out = new float[EMBEDDINGS.length];
            for (int i = 0; i < out.length; i++) {
                out[i] =
                        (float)
                                Math.exp(
                                        sign * (p[0] * EMBEDDINGS[i][0] + p[1] * EMBEDDINGS[i][1]));
            }
            return Tensor.ofFloats(new long[] {1, out.length}, out);
        }

        @Override
        public String description() {
            return "dot";
        }

        @Override
        public void close() {}
    }

    private final class Harness implements AutoCloseable {
        final TopologyTestDriver driver;
        final ServingRecsModel models;
        final TestInputTopic<byte[], byte[]> input;
        final TestInputTopic<String, ModelUpdate> modelTopic;
        final TestInputTopic<String, ItemEmbedding> embeddingTopic;
        final TestInputTopic<String, byte[]> rawEmbeddings;
        final TestOutputTopic<String, Recommendation> recommendations;
        final TestOutputTopic<String, Features> features;
        final TestOutputTopic<String, Label> labels;
        final TestOutputTopic<String, DeadLetter> dlq;

        Harness(Path dir, Map<String, String> extra) {
            Map<String, String> settings = new HashMap<>(extra);
            settings.put("recs.state-dir", dir.toString());
            // the model's ranking alone unless a test says otherwise: its scores are exact
            settings.putIfAbsent("recs.ranking.content-weight", "0");
            settings.putIfAbsent("recs.ranking.neighbour-weight", "0");
            settings.putIfAbsent("recs.profile.recency-decay", "0.8");
            RecommenderConfig config =
                    RecommenderConfig.of(
                            SPEC, "recs", "broker.test:9092", "http://registry.test", settings);
            UpdateVerifier verifier =
                    u ->
                            "bad".equals(u.getSignature())
                                    ? new UpdateVerifier.Refusal(
                                            "BAD_SIGNATURE", "signature mismatch")
                                    : null;
            models =
                    new ServingRecsModel(
                            SPEC,
                            updates.deserializer(),
                            verifier,
                            u ->
                                    new LoadedModel(
                                            u.getVersion(), SPEC, new DotBackend(u.getVersion())),
                            Runnable::run);
            Properties props = RecommenderApp.streamsProperties(config);
            driver =
                    new TopologyTestDriver(
                            Recommender.buildTopology(
                                    config,
                                    models,
                                    interactions,
                                    embeddings,
                                    RecommenderTest.this.recommendations,
                                    RecommenderTest.this.features,
                                    RecommenderTest.this.labels,
                                    letters),
                            props,
                            Instant.ofEpochMilli(NOW));
            input =
                    driver.createInputTopic(
                            Topics.INTERACTIONS.name(),
                            Serdes.ByteArray().serializer(),
                            Serdes.ByteArray().serializer());
            modelTopic =
                    driver.createInputTopic(
                            "models.recs", Serdes.String().serializer(), updates.serializer());
            embeddingTopic =
                    driver.createInputTopic(
                            Topics.ITEMS_EMBEDDINGS.name(),
                            Serdes.String().serializer(),
                            embeddings.serializer());
            rawEmbeddings =
                    driver.createInputTopic(
                            Topics.ITEMS_EMBEDDINGS.name(),
                            Serdes.String().serializer(),
                            Serdes.ByteArray().serializer());
            recommendations =
                    driver.createOutputTopic(
                            Topics.RECOMMENDATIONS.name(),
                            Serdes.String().deserializer(),
                            RecommenderTest.this.recommendations.deserializer());
            features =
                    driver.createOutputTopic(
                            "features.recs",
                            Serdes.String().deserializer(),
                            RecommenderTest.this.features.deserializer());
            labels =
                    driver.createOutputTopic(
                            Topics.EVENTS_LABELS.name(),
                            Serdes.String().deserializer(),
                            RecommenderTest.this.labels.deserializer());
            dlq =
                    driver.createOutputTopic(
                            Topics.DLQ.name(),
                            Serdes.String().deserializer(),
                            letters.deserializer());
        }

        void embedAll(long version) {
            for (int i = 0; i < EMBEDDINGS.length; i++) {
                embeddingTopic.pipeInput(
                        "item-" + i,
                        ItemEmbedding.newBuilder()
                                .setItemId("item-" + i)
                                .setVector(List.of(EMBEDDINGS[i][0], EMBEDDINGS[i][1]))
                                .setModel("image")
                                .setModelVersion(version)
                                .setTs(NOW)
                                .build());
            }
        }

        void publish(long version) {
            modelTopic.pipeInput("recs", update(version, "good"));
        }

        void publishRefused(long version) {
            modelTopic.pipeInput("recs", update(version, "bad"));
        }

        private ModelUpdate update(long version, String signature) {
            return ModelUpdate.newBuilder()
                    .setModel("recs")
                    .setVersion(version)
                    .setParentVersion(null)
                    .setArchitecture(SPEC.toJson())
                    .setFormat("test")
                    .setOnnx(null)
                    .setParams(ByteBuffer.allocate(0))
                    .setSha256("")
                    .setSignature(signature)
                    .setMetrics(Map.of())
                    .setCreatedTs(NOW)
                    .build();
        }

        void send(String user, String item, String kind, long ts) {
            input.pipeInput(
                    user.getBytes(),
                    interactions
                            .serializer()
                            .serialize(
                                    Topics.INTERACTIONS.name(),
                                    Interaction.newBuilder()
                                            .setUserId(user)
                                            .setItemId(item)
                                            .setKind(kind)
                                            .setTs(ts)
                                            .build()));
        }

        Recommendation lastRecommendation() {
            List<Recommendation> all = recommendations.readValuesToList();
            assertThat(all).isNotEmpty();
            return all.get(all.size() - 1);
        }

        @Override
        public void close() {
            driver.close();
            models.close();
        }
    }
}
