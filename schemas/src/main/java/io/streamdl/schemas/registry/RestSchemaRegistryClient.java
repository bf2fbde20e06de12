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
import javax.net.ssl.SSLException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A client for Confluent's Schema Registry REST API (the embedded registry or a real Confluent
 * one), in plain HTTP or over TLS trusting the CA of its {@link RegistryClientSettings}, with HTTP
 * basic authentication on every request when they (or the URL, {@code https://user:password@host})
 * give user info. Ids and the schemas registered under a subject never change, so they are cached
 * without expiry; {@link #requestCount()} tells how many HTTP calls were made. No password appears
 * in {@link #baseUrl()}, {@link #toString()} or an exception.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;
    private final RegistryClientSettings settings;
    private final String authorization;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();

    public RestSchemaRegistryClient(String baseUrl) {
        this(baseUrl, Duration.ofSeconds(10));
    }

    public RestSchemaRegistryClient(String baseUrl, Duration timeout) {
        this(baseUrl, timeout, RegistryClientSettings.NONE);
    }

    public RestSchemaRegistryClient(String baseUrl, RegistryClientSettings settings) {
        this(baseUrl, Duration.ofSeconds(10), settings);
    }

    /**
     * A client of the registry at {@code baseUrl}; user info in the URL is used for basic
     * authentication unless {@code settings} give their own.
     *
     * @throws IllegalArgumentException when the settings' trust store cannot be read
     */
    public RestSchemaRegistryClient(
            String baseUrl, Duration timeout, RegistryClientSettings settings) {
        String trimmed =
                baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        RegistryClientSettings effective = settings;
        if (!settings.hasBasicAuth()) {
            String fromUrl = RegistryClientSettings.urlUserInfo(trimmed);
            if (!fromUrl.isEmpty()) {
                effective =
                        new RegistryClientSettings(
                                settings.truststoreLocation(),
                                settings.truststorePassword(),
                                settings.truststoreType(),
                                fromUrl);
            }
        }
        this.base = URI.create(RegistryClientSettings.withoutUserInfo(trimmed));
        this.timeout = timeout;
        this.settings = effective;
        this.authorization = effective.authorization().orElse(null);
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout);
        effective.sslContext().ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    /** The registry's URL, without any user info. */
    public String baseUrl() {
        return base.toString();
    }

    /** How it trusts and authenticates (no password). */
    public RegistryClientSettings settings() {
        return settings;
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
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
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
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(
                    0, RegistryException.UNREACHABLE, "interrupted calling " + uri, e);
        }
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw refused(method, path, response.statusCode());
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

    private RegistryException unreachable(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException tls) {
                return new RegistryException(
                        0,
                        RegistryException.UNREACHABLE,
                        "schema registry at "
                                + base
                                + " is unreachable: the TLS handshake failed ("
                                + tls.getMessage()
                                + "); does "
                                + RegistryClientSettings.TRUSTSTORE_LOCATION
                                + " hold the CA of its certificate? (client: "
                                + settings
                                + ")",
                        e);
            }
        }
        return new RegistryException(
                0,
                RegistryException.UNREACHABLE,
                "schema registry at " + base + " is unreachable: " + e,
                e);
    }

    private RegistryException refused(String method, String path, int status) {
        String why =
                status == 403
                        ? "the registry forbids this request"
                                + (settings.hasBasicAuth() ? " to " + settings.user() : "")
                        : settings.hasBasicAuth()
                                ? "the registry refused the credentials of "
                                        + settings.user()
                                        + " ("
                                        + RegistryClientSettings.USER_INFO
                                        + ")"
                                : "the registry requires authentication; set "
                                        + RegistryClientSettings.CREDENTIALS_SOURCE
                                        + "=USER_INFO and "
                                        + RegistryClientSettings.USER_INFO;
        return new RegistryException(
                status,
                status == 403 ? RegistryException.FORBIDDEN : RegistryException.UNAUTHORIZED,
                method + " " + base + path + ": HTTP " + status + ", " + why);
    }

    @Override
    public String toString() {
        return "RestSchemaRegistryClient(" + base + ", " + settings + ")";
    }
}
