package io.streamdl.ops.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.streamdl.ops.security.HttpSecurity;
import io.streamdl.schemas.registry.CompatibilityLevel;
import io.streamdl.schemas.registry.RegisteredSchema;
import io.streamdl.schemas.registry.RegistryException;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry speaking the Confluent REST API (the endpoints clients use), over a {@link
 * SchemaStore}. Requests with Confluent's or plain JSON content types are accepted; answers use
 * Confluent's content type and error bodies ({@code {"error_code":40401,"message":...}}).
 */
public final class SchemaRegistryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 8 * 1024 * 1024;

    private static final Pattern SUBJECTS = Pattern.compile("/subjects/?");
    private static final Pattern SUBJECT = Pattern.compile("/subjects/([^/]+)/?");
    private static final Pattern VERSIONS = Pattern.compile("/subjects/([^/]+)/versions/?");
    private static final Pattern VERSION = Pattern.compile("/subjects/([^/]+)/versions/([^/]+)/?");
    private static final Pattern VERSION_SCHEMA =
            Pattern.compile("/subjects/([^/]+)/versions/([^/]+)/schema/?");
    private static final Pattern SCHEMA_ID = Pattern.compile("/schemas/ids/(-?\\d+)/?");
    private static final Pattern SCHEMA_ID_RAW = Pattern.compile("/schemas/ids/(-?\\d+)/schema/?");
    private static final Pattern SCHEMA_TYPES = Pattern.compile("/schemas/types/?");
    private static final Pattern COMPATIBILITY =
            Pattern.compile("/compatibility/subjects/([^/]+)/versions/([^/]+)/?");
    private static final Pattern CONFIG = Pattern.compile("/config/?");
    private static final Pattern SUBJECT_CONFIG = Pattern.compile("/config/([^/]+)/?");

    private final SchemaStore store;
    private final RegistryLog log;
    private final HttpServer http;
    private final ExecutorService executor;
    private final String scheme;

    private SchemaRegistryServer(
            SchemaStore store,
            RegistryLog log,
            HttpServer http,
            ExecutorService executor,
            String scheme) {
        this.scheme = scheme;
        this.store = store;
        this.log = log;
        this.http = http;
        this.executor = executor;
    }

    /**
     * Starts a registry on {@code host:port} (port 0 picks a free one) whose state lives in {@code
     * log}; the log is replayed before the port opens.
     */
    static SchemaRegistryServer start(String host, int port, RegistryLog log) throws IOException {
        return start(host, port, log, HttpSecurity.NONE);
    }

    /** As {@link #start(String, int, RegistryLog)}, served as {@code security} says. */
    static SchemaRegistryServer start(String host, int port, RegistryLog log, HttpSecurity security)
            throws IOException {
        SchemaStore store = new SchemaStore(log);
        HttpServer http = security.create(new InetSocketAddress(host, port), 64);
        ExecutorService executor =
                Executors.newFixedThreadPool(
                        4,
                        r -> {
                            Thread t = new Thread(r, "schema-registry-http");
                            t.setDaemon(true);
                            return t;
                        });
        SchemaRegistryServer server =
                new SchemaRegistryServer(store, log, http, executor, security.scheme());
        security.protect(http.createContext("/", server::handle));
        http.setExecutor(executor);
        http.start();
        return server;
    }

    /** A registry that forgets everything when it stops. */
    public static SchemaRegistryServer startInMemory(String host, int port) throws IOException {
        return start(host, port, RegistryLog.inMemory());
    }

    /** As {@link #startInMemory(String, int)}, served as {@code security} says. */
    public static SchemaRegistryServer startInMemory(String host, int port, HttpSecurity security)
            throws IOException {
        return start(host, port, RegistryLog.inMemory(), security);
    }

    /** A registry whose state lives in the compacted {@code _schemas} topic of a Kafka cluster. */
    public static SchemaRegistryServer startOnKafka(String host, int port, String bootstrapServers)
            throws IOException {
        return startOnKafka(host, port, bootstrapServers, KafkaClientSecurity.PLAINTEXT);
    }

    /** As {@link #startOnKafka(String, int, String)}, reaching Kafka with {@code security}. */
    public static SchemaRegistryServer startOnKafka(
            String host, int port, String bootstrapServers, KafkaClientSecurity security)
            throws IOException {
        return startOnKafka(host, port, bootstrapServers, security, HttpSecurity.NONE);
    }

    /**
     * As {@link #startOnKafka(String, int, String, KafkaClientSecurity)}, served as {@code http}
     * says (TLS and basic authentication, or plain).
     */
    public static SchemaRegistryServer startOnKafka(
            String host,
            int port,
            String bootstrapServers,
            KafkaClientSecurity security,
            HttpSecurity http)
            throws IOException {
        return start(
                host,
                port,
                new KafkaRegistryLog(bootstrapServers, KafkaRegistryLog.DEFAULT_TOPIC, security),
                http);
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public String url() {
        return scheme + "://" + http.getAddress().getHostString() + ":" + port();
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
        log.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int status = 200;
            JsonNode reply;
            try {
                reply = route(exchange);
            } catch (RegistryException e) {
                status = e.httpStatus() == 0 ? 500 : e.httpStatus();
                reply = error(e.errorCode(), e.getMessage());
            } catch (BadRequest e) {
                status = e.status;
                reply = error(e.code, e.getMessage());
            } catch (RuntimeException e) {
                LOG.error(
                        "schema registry failed on {} {}",
                        exchange.getRequestMethod(),
                        exchange.getRequestURI(),
                        e);
                status = 500;
                reply = error(50001, "Error in the backend data store: " + e);
            }
            byte[] body =
                    reply instanceof RawText raw
                            ? raw.text.getBytes(StandardCharsets.UTF_8)
                            : JSON.writeValueAsBytes(reply);
            exchange.getResponseHeaders()
                    .set("Content-Type", RestSchemaRegistryClient.CONTENT_TYPE);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private JsonNode route(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getRawPath();
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        boolean deleted = Boolean.parseBoolean(query.getOrDefault("deleted", "false"));
        Matcher m;
        if (path.equals("/") || path.isEmpty()) {
            return JSON.createObjectNode();
        }
        if ((m = SUBJECTS.matcher(path)).matches()) {
            requireMethod(method, "GET");
            return strings(store.subjects(deleted));
        }
        if ((m = VERSIONS.matcher(path)).matches()) {
            String subject = decode(m.group(1));
            if (method.equals("GET")) {
                return ints(store.versions(subject, deleted));
            }
            requireMethod(method, "POST");
            RegisteredSchema registered = store.register(subject, schemaText(ex));
            return JSON.createObjectNode().put("id", registered.id());
        }
        if ((m = VERSION_SCHEMA.matcher(path)).matches()) {
            requireMethod(method, "GET");
            return new RawText(
                    store.version(decode(m.group(1)), decode(m.group(2)), deleted)
                            .schema()
                            .toString());
        }
        if ((m = VERSION.matcher(path)).matches()) {
            String subject = decode(m.group(1));
            String version = decode(m.group(2));
            if (method.equals("DELETE")) {
                boolean permanent = Boolean.parseBoolean(query.getOrDefault("permanent", "false"));
                return JSON.getNodeFactory()
                        .numberNode(store.deleteVersion(subject, version, permanent));
            }
            requireMethod(method, "GET");
            return describe(store.version(subject, version, deleted));
        }
        if ((m = SUBJECT.matcher(path)).matches()) {
            String subject = decode(m.group(1));
            if (method.equals("DELETE")) {
                boolean permanent = Boolean.parseBoolean(query.getOrDefault("permanent", "false"));
                return ints(store.deleteSubject(subject, permanent));
            }
            requireMethod(method, "POST");
            return describe(store.lookup(subject, schemaText(ex), deleted));
        }
        if ((m = SCHEMA_ID_RAW.matcher(path)).matches()) {
            requireMethod(method, "GET");
            return new RawText(store.byId(Integer.parseInt(m.group(1))).toString());
        }
        if ((m = SCHEMA_ID.matcher(path)).matches()) {
            requireMethod(method, "GET");
            return JSON.createObjectNode()
                    .put("schema", store.byId(Integer.parseInt(m.group(1))).toString());
        }
        if (SCHEMA_TYPES.matcher(path).matches()) {
            requireMethod(method, "GET");
            return strings(List.of("AVRO"));
        }
        if ((m = COMPATIBILITY.matcher(path)).matches()) {
            requireMethod(method, "POST");
            List<String> problems =
                    store.checkCompatibility(
                            decode(m.group(1)), decode(m.group(2)), schemaText(ex));
            ObjectNode reply = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
            if (Boolean.parseBoolean(query.getOrDefault("verbose", "false"))) {
                reply.set("messages", strings(problems));
            }
            return reply;
        }
        if (CONFIG.matcher(path).matches()) {
            if (method.equals("PUT")) {
                CompatibilityLevel level = level(ex);
                store.setLevel(null, level);
                return JSON.createObjectNode().put("compatibility", level.name());
            }
            requireMethod(method, "GET");
            return JSON.createObjectNode().put("compatibilityLevel", store.level(null).name());
        }
        if ((m = SUBJECT_CONFIG.matcher(path)).matches()) {
            String subject = decode(m.group(1));
            if (method.equals("PUT")) {
                CompatibilityLevel level = level(ex);
                store.setLevel(subject, level);
                return JSON.createObjectNode().put("compatibility", level.name());
            }
            if (method.equals("DELETE")) {
                return JSON.createObjectNode()
                        .put("compatibilityLevel", store.deleteSubjectLevel(subject).name());
            }
            requireMethod(method, "GET");
            CompatibilityLevel level =
                    Boolean.parseBoolean(query.getOrDefault("defaultToGlobal", "false"))
                            ? store.level(subject)
                            : store.subjectLevel(subject);
            return JSON.createObjectNode().put("compatibilityLevel", level.name());
        }
        throw new BadRequest(404, 404, "HTTP 404 Not Found: " + method + " " + path);
    }

    private static ObjectNode describe(RegisteredSchema s) {
        return JSON.createObjectNode()
                .put("subject", s.subject())
                .put("version", s.version())
                .put("id", s.id())
                .put("schema", s.schema().toString());
    }

    private static String schemaText(HttpExchange ex) throws IOException {
        JsonNode body = body(ex);
        String type = body.path("schemaType").asText("AVRO");
        if (!type.isEmpty()
                && !type.equalsIgnoreCase("AVRO")
                && !body.path("schemaType").isNull()) {
            throw new RegistryException(
                    422,
                    RegistryException.INVALID_SCHEMA,
                    "Invalid schema type " + type + ": this registry stores AVRO only");
        }
        JsonNode refs = body.path("references");
        if (refs.isArray() && !refs.isEmpty()) {
            throw new RegistryException(
                    422,
                    RegistryException.INVALID_SCHEMA,
                    "Schema references are not supported by this registry");
        }
        JsonNode schema = body.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new RegistryException(
                    422,
                    RegistryException.INVALID_SCHEMA,
                    "Invalid schema: the body needs a \"schema\" string");
        }
        return schema.asText();
    }

    private static CompatibilityLevel level(HttpExchange ex) throws IOException {
        JsonNode body = body(ex);
        String text =
                body.path("compatibility").asText(body.path("compatibilityLevel").asText(null));
        CompatibilityLevel level = CompatibilityLevel.parse(text);
        if (level == null) {
            throw new RegistryException(
                    422,
                    RegistryException.INVALID_COMPATIBILITY_LEVEL,
                    "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive");
        }
        return level;
    }

    private static JsonNode body(HttpExchange ex) throws IOException {
        byte[] bytes;
        try (InputStream in = ex.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        }
        if (bytes.length > MAX_BODY) {
            throw new BadRequest(413, 413, "request body over " + MAX_BODY + " bytes");
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new BadRequest(422, 422, "Unrecognized request body: expected a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new BadRequest(
                    400, 400, "Unexpected character in JSON body: " + e.getOriginalMessage());
        }
    }

    private static void requireMethod(String actual, String expected) {
        if (!actual.equals(expected)) {
            throw new BadRequest(405, 405, "HTTP 405 Method Not Allowed: " + actual);
        }
    }

    private static ObjectNode error(int code, String message) {
        return JSON.createObjectNode().put("error_code", code).put("message", message);
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode array = JSON.createArrayNode();
        values.forEach(array::add);
        return array;
    }

    private static ArrayNode ints(List<Integer> values) {
        ArrayNode array = JSON.createArrayNode();
        values.forEach(array::add);
        return array;
    }

    private static String decode(String part) {
        return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
                } else if (!pair.isEmpty()) {
                    out.put(decode(pair), "true");
                }
            }
        }
        return out;
    }

    /** A reply sent as it is, not as JSON (the raw-schema endpoints). */
    private static final class RawText extends com.fasterxml.jackson.databind.node.TextNode {
        final String text;

        RawText(String text) {
            super(text);
            this.text = text;
        }
    }

    private static final class BadRequest extends RuntimeException {
        final int status;
        final int code;

        BadRequest(int status, int code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }
}
