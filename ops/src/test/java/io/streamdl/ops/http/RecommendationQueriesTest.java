package io.streamdl.ops.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.streamdl.schemas.avro.Recommendation;
import io.streamdl.schemas.avro.RecommendedItem;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RecommendationQueriesTest {
    private final List<String> asked = new ArrayList<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpServer server;
    private boolean storeReady = true;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext(
                RecommendationQueries.PATH,
                new RecommendationQueries(
                        user -> {
                            if (!storeReady) {
                                throw new InvalidStateStoreException("rebalancing");
                            }
                            asked.add(user);
                            return Recommendation.newBuilder()
                                    .setUserId(user)
                                    .setItems(
                                            List.of(
                                                    new RecommendedItem("item-7", 0.25),
                                                    new RecommendedItem("item-3", 0.125)))
                                    .setModelVersion(4)
                                    .setEmbeddingVersion(2)
                                    .setBasis("model")
                                    .setTs(1000L)
                                    .setInteractionTs(0L)
                                    .build();
                        }));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
        return client.send(
                HttpRequest.newBuilder(uri)
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aUsersItemsAreServedAsJsonInOrder() throws Exception {
        HttpResponse<String> r = send("GET", "/recommendations/user%2F42");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = new ObjectMapper().readTree(r.body());
        assertThat(body.get("userId").asText()).isEqualTo("user/42");
        assertThat(body.get("modelVersion").asLong()).isEqualTo(4);
        assertThat(body.get("embeddingVersion").asLong()).isEqualTo(2);
        assertThat(body.get("basis").asText()).isEqualTo("model");
        assertThat(body.get("items").get(0).get("itemId").asText()).isEqualTo("item-7");
        assertThat(body.get("items").get(1).get("score").asDouble()).isEqualTo(0.125);
        assertThat(asked).containsExactly("user/42");
    }

    @Test
    void refusesWhatItCannotAnswer() throws Exception {
        assertThat(send("GET", "/recommendations/").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/recommendations/u").statusCode()).isEqualTo(405);
        storeReady = false;
        HttpResponse<String> r = send("GET", "/recommendations/u");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("not queryable");
        assertThat(asked).isEmpty();
    }
}
