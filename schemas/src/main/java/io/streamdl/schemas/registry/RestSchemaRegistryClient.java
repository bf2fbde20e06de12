package io.streamdl.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A client for Confluent's Schema Registry REST API (the embedded registry or a real Confluent
 * one). Ids and the schemas registered under a subject never change, so they are cached without
 * expiry; {@link #requestCount()} tells how many HTTP calls were made.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();

    public RestSchemaRegistryClient(String baseUrl) {
        this(baseUrl, Duration.ofSeconds(10));
    }

    public RestSchemaRegistryClient(String baseUrl, Duration timeout) {
        String trimmed =
                baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.base = URI.create(trimmed);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public String baseUrl() {
        return base.toString();
    }

    /** HTTP requests made so far; constant once the caches are warm. */
    public long requestCount() {
        return requests.get();
    }

    @Override
    public int register(String subject, Schema schema) {
        Map<Schema, Integer> ids =
                idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = ids.get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode reply =
                call("POST", "/subjects/" + enc(subject) + "/versions", schemaBody(schema));
        int id = reply.path("id").asInt();
        ids.put(schema, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public Schema getById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode reply = call("GET", "/schemas/ids/" + id, null);
        Schema schema = parse(reply.path("schema").asText());
        Schema previous = schemasById.putIfAbsent(id, schema);
        return previous != null ? previous : schema;
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        JsonNode reply = call("POST", "/subjects/" + enc(subject), schemaBody(schema));
        RegisteredSchema found = toRegistered(reply);
        idsBySubject
                .computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                .put(schema, found.id());
        return found;
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return version(subject, "latest");
    }

    @Override
    public RegisteredSchema version(String subject, String version) {
        return toRegistered(
                call("GET", "/subjects/" + enc(subject) + "/versions/" + enc(version), null));
    }

    @Override
    public boolean isCompatible(String subject, String version, Schema schema) {
        JsonNode reply =
                call(
                        "POST",
                        "/compatibility/subjects/" + enc(subject) + "/versions/" + enc(version),
                        schemaBody(schema));
        return reply.path("is_compatible").asBoolean(false);
    }

    @Override
    public List<String> subjects() {
        List<String> out = new ArrayList<>();
        call("GET", "/subjects", null).forEach(n -> out.add(n.asText()));
        return out;
    }

    @Override
    public List<Integer> versions(String subject) {
        List<Integer> out = new ArrayList<>();
        call("GET", "/subjects/" + enc(subject) + "/versions", null)
                .forEach(n -> out.add(n.asInt()));
        return out;
    }

    @Override
    public List<Integer> deleteSubject(String subject) {
        List<Integer> out = new ArrayList<>();
        call("DELETE", "/subjects/" + enc(subject), null).forEach(n -> out.add(n.asInt()));
        idsBySubject.remove(subject);
        return out;
    }

    @Override
    public CompatibilityLevel compatibility(String subject) {
        String path =
                subject == null ? "/config" : "/config/" + enc(subject) + "?defaultToGlobal=true";
        JsonNode reply = call("GET", path, null);
        return CompatibilityLevel.parse(reply.path("compatibilityLevel").asText());
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
        String path = subject == null ? "/config" : "/config/" + enc(subject);
        ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
        call("PUT", path, body);
    }

    private static ObjectNode schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString());
    }

    private static RegisteredSchema toRegistered(JsonNode node) {
        return new RegisteredSchema(
                node.path("subject").asText(),
                node.path("version").asInt(),
                node.path("id").asInt(),
                parse(node.path("schema").asText()));
    }

    private static Schema parse(String text) {
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new RegistryException(
                    422,
                    RegistryException.INVALID_SCHEMA,
                    "registry returned an invalid schema: " + e.getMessage(),
                    e);
        }
    }

    private static String enc(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode call(String method, String path, JsonNode body) {
        URI uri = URI.create(base + path);
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", CONTENT_TYPE);
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE)
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        requests.incrementAndGet();
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RegistryException(
                    0,
                    RegistryException.UNREACHABLE,
                    "schema registry at " + base + " is unreachable: " + e,
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(
                    0, RegistryException.UNREACHABLE, "interrupted calling " + uri, e);
        }
        JsonNode json;
        try {
            json = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new RegistryException(
                    response.statusCode(),
                    response.statusCode() * 100,
                    method
                            + " "
                            + uri
                            + " answered "
                            + response.statusCode()
                            + " with a body that is not JSON",
                    e);
        }
        if (response.statusCode() / 100 != 2) {
            int code = json.path("error_code").asInt(response.statusCode());
            String message = json.path("message").asText("HTTP " + response.statusCode());
            throw new RegistryException(
                    response.statusCode(), code, method + " " + path + ": " + message);
        }
        return json;
    }
}
