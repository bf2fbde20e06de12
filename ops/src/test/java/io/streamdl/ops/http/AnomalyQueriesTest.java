package io.streamdl.ops.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.scoring.anomaly.SeriesView;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AnomalyQueriesTest {
    private final List<String> asked = new ArrayList<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpServer server;
    private boolean storeReady = true;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext(
                AnomalyQueries.PATH,
                new AnomalyQueries(
                        (model, series) -> {
                            if (!storeReady) {
                                throw new InvalidStateStoreException("rebalancing");
                            }
                            asked.add(model + "|" + series);
                            if (!"host-1/cpu".equals(series)) {
                                return Optional.empty();
                            }
                            Anomaly a = new Anomaly("e7", "anomaly", 3L, 9.5, 2.25, series, 1000L);
                            return Optional.of(
                                    new SeriesView(
                                            "anomaly/host-1/cpu",
                                            120,
                                            OptionalDouble.of(2.25),
                                            1,
                                            0,
                                            List.of(a)));
                        }));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
        return client.send(
                HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSeriesThresholdAndRecentAnomaliesAreServedAsJson() throws Exception {
        HttpResponse<String> r = get("/anomalies/anomaly/host-1%2Fcpu");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = new ObjectMapper().readTree(r.body());
        assertThat(body.get("threshold").asDouble()).isEqualTo(2.25);
        assertThat(body.get("seen").asLong()).isEqualTo(120);
        assertThat(body.get("recentAnomalies").get(0).get("eventId").asText()).isEqualTo("e7");
        assertThat(body.get("recentAnomalies").get(0).get("score").asDouble()).isEqualTo(9.5);
        assertThat(asked).containsExactly("anomaly|host-1/cpu");
    }

    @Test
    void unknownSeriesBusyStoresAndOtherMethodsGetClearStatuses() throws Exception {
        HttpResponse<String> none = get("/anomalies/anomaly/disk");
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(none.body()).contains("no scores of model 'anomaly' and series 'disk'");
        assertThat(get("/anomalies/anomaly").statusCode()).isEqualTo(404);
        assertThat(asked).containsExactly("anomaly|disk", "anomaly|null");
        assertThat(get("/anomalies/").statusCode()).isEqualTo(400);
        storeReady = false;
        assertThat(get("/anomalies/anomaly/host-1%2Fcpu").statusCode()).isEqualTo(503);
        URI uri =
                URI.create(
                        "http://127.0.0.1:" + server.getAddress().getPort() + "/anomalies/anomaly");
        HttpResponse<String> post =
                client.send(
                        HttpRequest.newBuilder(uri)
                                .POST(HttpRequest.BodyPublishers.ofString("x"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }
}
