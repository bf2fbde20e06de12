package io.streamdl.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.streamdl.schemas.avro.RawEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * {@code POST /ingest/{image|audio|text}} with the raw payload as the body puts one event on {@code
 * events.raw} and answers {@code {"id":...,"partition":...,"offset":...}} once Kafka has
 * acknowledged it. Optional: header {@code X-Event-Id}, query {@code ?label=} (sent to {@code
 * events.labels}). Refusals are JSON {@code {"error":...}} with 400, 404, 405, 413 or 415; content
 * is checked for its kind here only as far as needed to refuse it early — decoding happens in the
 * EncodeJob, which sends anything undecodable to the dead-letter topic.
 */
public final class HttpIngestServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where accepted events go. */
    public interface Sink {
        Future<RecordMetadata> send(RawEvent event, String label);
    }

    private final HttpServer http;
    private final ExecutorService executor;
    private final HttpServing serving;
    private final Sink sink;
    private final int maxBytes;

    private HttpIngestServer(
            HttpServer http,
            HttpServing serving,
            ExecutorService executor,
            Sink sink,
            int maxBytes) {
        this.http = http;
        this.serving = serving;
        this.executor = executor;
        this.sink = sink;
        this.maxBytes = maxBytes;
    }

    public static HttpIngestServer start(String host, int port, Sink sink, int maxBytes)
            throws IOException {
        return start(host, port, sink, maxBytes, HttpServing.PLAIN);
    }

    /** As {@link #start(String, int, Sink, int)}, served and guarded as {@code serving} says. */
    public static HttpIngestServer start(
            String host, int port, Sink sink, int maxBytes, HttpServing serving)
            throws IOException {
        HttpServer http = serving.create(new InetSocketAddress(host, port), 64);
        ExecutorService executor =
                Executors.newFixedThreadPool(
                        4,
                        r -> {
                            Thread t = new Thread(r, "http-ingest");
                            t.setDaemon(true);
                            return t;
                        });
        HttpIngestServer server = new HttpIngestServer(http, serving, executor, sink, maxBytes);
        serving.protect(http.createContext("/ingest/", server::handle));
        http.setExecutor(executor);
        http.start();
        return server;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** Serves {@code path} and below with {@code handler} as well, on the same port. */
    public void route(String path, com.sun.net.httpserver.HttpHandler handler) {
        serving.protect(http.createContext(path, handler));
    }

    public String url() {
        return serving.scheme() + "://" + http.getAddress().getHostString() + ":" + port();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int status;
            ObjectNode reply;
            try {
                reply = accept(exchange);
                status = 200;
            } catch (Refused e) {
                status = e.status;
                reply = JSON.createObjectNode().put("error", e.getMessage());
            }
            byte[] body = JSON.writeValueAsBytes(reply);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private ObjectNode accept(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            throw new Refused(
                    405, "use POST /ingest/{image|audio|text} with the payload as the body");
        }
        String kind = exchange.getRequestURI().getPath().substring("/ingest/".length());
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(maxBytes + 1);
        }
        if (body.length > maxBytes) {
            throw new Refused(413, "payload over the limit of " + maxBytes + " bytes");
        }
        if (body.length == 0) {
            throw new Refused(400, "empty body: send the " + kind + " payload as the request body");
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String id = exchange.getRequestHeaders().getFirst("X-Event-Id");
        if (id == null || id.isBlank()) {
            id = UUID.randomUUID().toString();
        }
        long now = System.currentTimeMillis();
        Map<String, String> attrs = Map.of("via", "http");
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        RawEvent event =
                switch (kind) {
                    case "image" ->
                            Events.image(
                                    id,
                                    now,
                                    "http",
                                    imageType(type, body),
                                    body,
                                    null,
                                    null,
                                    attrs);
                    case "audio" -> Events.audio(id, now, "http", body, attrs);
                    case "text" -> Events.text(id, now, "http", utf8(body), attrs);
                    default ->
                            throw new Refused(
                                    404,
                                    "unknown kind '"
                                            + kind
                                            + "': use /ingest/image, /ingest/audio or /ingest/text");
                };
        try {
            RecordMetadata meta = sink.send(event, query.get("label")).get(30, TimeUnit.SECONDS);
            return JSON.createObjectNode()
                    .put("id", id)
                    .put("topic", meta.topic())
                    .put("partition", meta.partition())
                    .put("offset", meta.offset());
        } catch (ExecutionException | TimeoutException e) {
            throw new Refused(503, "Kafka did not accept the event: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused(503, "interrupted");
        }
    }

    /** The declared type when it is an image type, else one guessed from the magic bytes. */
    private static String imageType(String declared, byte[] body) {
        if (declared != null
                && (declared.startsWith("image/") || declared.equals("application/x-idx"))) {
            return declared;
        }
        if (body.length >= 4
                && (body[0] & 0xff) == 0x89
                && body[1] == 'P'
                && body[2] == 'N'
                && body[3] == 'G') {
            return "image/png";
        }
        if (body.length >= 3 && (body[0] & 0xff) == 0xff && (body[1] & 0xff) == 0xd8) {
            return "image/jpeg";
        }
        if (body.length >= 4 && body[0] == 0 && body[1] == 0 && body[2] == 8 && body[3] == 3) {
            return "application/x-idx";
        }
        throw new Refused(415, "not a PNG, JPEG or IDX image (set Content-Type if it is one)");
    }

    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Refused(400, "the text is not valid UTF-8");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(
                            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }

    private static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
