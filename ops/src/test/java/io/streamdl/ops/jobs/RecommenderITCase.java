package io.streamdl.ops.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdl.ingest.InteractionSender;
import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Interaction;
import io.streamdl.schemas.avro.ItemEmbedding;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Recommendation;
import io.streamdl.schemas.avro.RecommendedItem;
import io.streamdl.schemas.labels.LabelSets;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.WireSerde;
import io.streamdl.schemas.topics.Topics;
import io.streamdl.scoring.recs.Recommender;
import io.streamdl.scoring.recs.RecommenderApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recommender as {@code ./pipeline up} starts it ({@link PipelineJobs#startRecommender}, the
 * bundled catalogue's {@code recs} model), on the embedded broker and registry: thirty items in
 * three clusters of content embeddings, a user's interactions answered first by content similarity,
 * then by a signed model update published while it runs; the query over HTTP; bad interactions to
 * {@code dlq}; one training example per good interaction.
 */
class RecommenderITCase {
    private static final int ITEMS = 30;

    @TempDir Path dataDir;

    @Test
    void answersEachInteractionAndTheQueryFromTheStoreAndSwapsInAPublishedModel() throws Exception {
        try (Platform platform = Platform.start(PlatformConfig.ephemeral(dataDir, 1));
                RestSchemaRegistryClient registry =
                        new RestSchemaRegistryClient(platform.registryUrl())) {
            PipelineJobs jobs = new PipelineJobs(platform);
            String bootstrap = platform.bootstrapServers();
            SerdeConfig values = SerdeConfig.forValues(platform.registryUrl());
            try (KafkaProducer<byte[], byte[]> producer = TestingKafka.producer(bootstrap)) {
                var embeddings = WireSerde.specific(registry, values, ItemEmbedding.class);
                for (int i = 0; i < ITEMS; i++) {
                    String id = LabelSets.itemId(i);
                    producer.send(
                            new ProducerRecord<>(
                                    Topics.ITEMS_EMBEDDINGS.name(),
                                    id.getBytes(StandardCharsets.UTF_8),
                                    embeddings
                                            .serializer()
                                            .serialize(
                                                    Topics.ITEMS_EMBEDDINGS.name(),
                                                    embedding(id, i / 10, i % 10))));
                }
                producer.flush();
            }
            RecommenderApp app = jobs.startRecommender().orElseThrow();
            try (app;
                    InteractionSender sender =
                            new InteractionSender(bootstrap, platform.registryUrl())) {
                assertThat(app.awaitRunning(Duration.ofMinutes(1))).isTrue();
                long now = System.currentTimeMillis();
                sender.send(interaction("alice", "item-11", "view", now));
                sender.send(interaction("alice", "item-12", "purchase", now + 1));
                sender.send(interaction("alice", "item-9999999", "view", now + 2));
                sender.send(interaction("", "item-3", "view", now + 3));
                sender.send(interaction("bob", "item-3", "dislike", now + 4));
                sender.flush();
                List<Recommendation> recs = read(registry, bootstrap, 2);
                assertThat(recs).extracting(Recommendation::getBasis).containsOnly("content");
                Recommendation second = recs.get(1);
                // content similarity: the profile is cluster 1, and the purchase is left out
                assertThat(ids(second)).hasSize(10).doesNotContain("item-12");
                assertThat(ids(second).subList(0, 9))
                        .allSatisfy(id -> assertThat(LabelSets.itemIndex(id) / 10).isEqualTo(1));

                // item-13 becomes the most popular item
                sender.send(interaction("carol", "item-13", "view", now + 5));
                sender.send(interaction("carol", "item-13", "click", now + 6));
                sender.flush();
                publishModel(platform, registry, values);
                Recommendation served = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                int sent = 0;
                while (served == null && System.nanoTime() < deadline) {
                    sender.send(interaction("alice", "item-13", "view", now + 10 + sent++));
                    sender.flush();
                    Thread.sleep(300);
                    for (Recommendation r : read(registry, bootstrap, 0)) {
                        if (r.getModelVersion() == 1) {
                            served = r;
                        }
                    }
                }
                assertThat(served).as("a recommendation of model version 1").isNotNull();
                assertThat(served.getBasis()).isEqualTo(Recommender.MODEL);
                assertThat(served.getEmbeddingVersion()).isEqualTo(4);
                assertThat(app.servingVersion()).hasValue(1L);

                JsonNode alice = get(platform, "/recommendations/alice");
                assertThat(alice.get("userId").asText()).isEqualTo("alice");
                assertThat(alice.get("modelVersion").asLong()).isEqualTo(1);
                assertThat(alice.get("items")).hasSize(10);
                JsonNode nobody = get(platform, "/recommendations/nobody");
                assertThat(nobody.get("basis").asText()).isEqualTo("popular");
                assertThat(nobody.get("items").get(0).get("itemId").asText()).isEqualTo("item-13");

                List<DeadLetter> letters = deadLetters(registry, bootstrap, 3);
                assertThat(letters)
                        .extracting(DeadLetter::getError)
                        .containsExactlyInAnyOrder("UNKNOWN_ITEM", "EMPTY_USER", "UNKNOWN_KIND");
                int good = 4 + sent;
                // in = out + dead letters; one training example per good interaction
                assertThat(read(registry, bootstrap, good)).hasSize(good);
                assertThat(
                                TestingKafka.readCommitted(
                                        bootstrap,
                                        "features.recs",
                                        l -> l.size() >= good,
                                        Duration.ofSeconds(30),
                                        Duration.ofSeconds(1)))
                        .hasSize(good);
            }
        }
    }

    private static ItemEmbedding embedding(String id, int cluster, int k) {
        List<Float> v = new ArrayList<>();
        for (int d = 0; d < 128; d++) {
            float base = d / 40 == cluster ? 1f : 0f;
            v.add(base + 0.01f * ((d * 7 + k * 13) % 11));
        }
        return ItemEmbedding.newBuilder()
                .setItemId(id)
                .setVector(v)
                .setModel("image")
                .setModelVersion(4)
                .setTs(0L)
                .build();
    }

    private static Interaction interaction(String user, String item, String kind, long ts) {
        return Interaction.newBuilder()
                .setUserId(user)
                .setItemId(item)
                .setKind(kind)
                .setTs(ts)
                .build();
    }

    private static void publishModel(
            Platform platform, RestSchemaRegistryClient registry, SerdeConfig values) {
        ModelSpec spec = DefaultSpecs.recs();
        ModelUpdate update =
                new ModelUpdateCodec(
                                ModelUpdateCodec.Config.signed(
                                        PipelineJobs.DEVELOPMENT_KEY.getBytes(
                                                StandardCharsets.UTF_8)))
                        .encode(spec, Architectures.build(spec), 1, null, Map.of());
        var serde = WireSerde.specific(registry, values, ModelUpdate.class);
        try (KafkaProducer<byte[], byte[]> producer =
                TestingKafka.producer(platform.bootstrapServers())) {
            producer.send(
                    new ProducerRecord<>(
                            "models.recs",
                            "recs".getBytes(StandardCharsets.UTF_8),
                            serde.serializer().serialize("models.recs", update)));
            producer.flush();
        }
    }

    private static List<Recommendation> read(
            RestSchemaRegistryClient registry, String bootstrap, int atLeast) {
        AvroWireDeserializer<Recommendation> reader =
                AvroWireDeserializer.specific(registry, Recommendation.class);
        List<Recommendation> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                TestingKafka.readCommitted(
                        bootstrap,
                        Topics.RECOMMENDATIONS.name(),
                        l -> l.size() >= Math.max(1, atLeast),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(1))) {
            out.add(reader.deserialize(r.topic(), r.value()));
        }
        return out;
    }

    private static List<DeadLetter> deadLetters(
            RestSchemaRegistryClient registry, String bootstrap, int atLeast) {
        AvroWireDeserializer<DeadLetter> reader =
                AvroWireDeserializer.specific(registry, DeadLetter.class);
        List<DeadLetter> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                TestingKafka.readCommitted(
                        bootstrap,
                        Topics.DLQ.name(),
                        l -> l.size() >= atLeast,
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(1))) {
            out.add(reader.deserialize(r.topic(), r.value()));
        }
        return out;
    }

    private static List<String> ids(Recommendation r) {
        return r.getItems().stream().map(RecommendedItem::getItemId).toList();
    }

    private static JsonNode get(Platform platform, String path) throws Exception {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(platform.ingestUrl() + path))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }
}
