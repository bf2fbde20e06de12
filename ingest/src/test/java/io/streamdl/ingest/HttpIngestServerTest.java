package io.streamdl.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdl.schemas.avro.ImagePayload;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.avro.TextPayload;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpIngestServerTest {
    private final List<RawEvent> sent = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private HttpIngestServer server;

    @BeforeEach
    void start() throws Exception {
        server =
                HttpIngestServer.start(
                        "127.0.0.1",
                        0,
                        (event, label) -> {
                            synchronized (sent) {
                                sent.add(event);
                                labels.add(label);
                                return CompletableFuture.completedFuture(
                                        new RecordMetadata(
                                                new TopicPartition("events.raw", 1),
                                                sent.size() - 1,
                                                0,
                                                0L,
                                                0,
                                                0));
                            }
                        },
                        1024);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(String path, byte[] body, String contentType)
            throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(server.url() + path))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void acceptsEachKindAndAnswersWithTheEventId() throws Exception {
        byte[] png = ImageCodecs.png(new byte[4], 2, 2);
        HttpResponse<String> image = post("/ingest/image?label=Bag", png, null);
        assertThat(image.statusCode()).isEqualTo(200);
        JsonNode reply = new ObjectMapper().readTree(image.body());
        assertThat(reply.get("id").asText()).isEqualTo(sent.get(0).getId());
        assertThat(reply.get("partition").asInt()).isEqualTo(1);
        assertThat(((ImagePayload) sent.get(0).getPayload()).getContentType())
                .isEqualTo("image/png");
        assertThat(labels.get(0)).isEqualTo("Bag");

        assertThat(post("/ingest/text", "héllo".getBytes("UTF-8"), "text/plain").statusCode())
                .isEqualTo(200);
        assertThat(((TextPayload) sent.get(1).getPayload()).getText()).isEqualTo("héllo");
        assertThat(post("/ingest/audio", new byte[] {'R', 'I', 'F', 'F'}, "audio/wav").statusCode())
                .isEqualTo(200);
        assertThat(sent).hasSize(3);
    }

    @Test
    void refusesWithAReasonAndSendsNothing() throws Exception {
        assertThat(post("/ingest/video", new byte[] {1}, null).statusCode()).isEqualTo(404);
        assertThat(post("/ingest/image", new byte[0], null).body()).contains("empty body");
        assertThat(post("/ingest/image", new byte[2000], "image/png").statusCode()).isEqualTo(413);
        HttpResponse<String> notImage = post("/ingest/image", "GIF89a".getBytes(), null);
        assertThat(notImage.statusCode()).isEqualTo(415);
        assertThat(notImage.body()).contains("not a PNG, JPEG or IDX image");
        assertThat(post("/ingest/text", new byte[] {(byte) 0xc3, (byte) 0x28}, null).body())
                .contains("UTF-8");
        HttpResponse<String> get =
                http.send(
                        HttpRequest.newBuilder(URI.create(server.url() + "/ingest/text")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(sent).isEmpty();
    }
}
