package io.streamdl.ops.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.registry.CompatibilityLevel;
import io.streamdl.schemas.registry.RegisteredSchema;
import io.streamdl.schemas.registry.RegistryException;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchemaRegistryServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema V1 = record(false, false);

    /** V1 plus a field with a default: backward and forward compatible. */
    private static final Schema V2_WITH_DEFAULT = record(true, false);

    /** V1 plus a required field: old data cannot be read (not backward compatible). */
    private static final Schema V2_REQUIRED = record(false, true);

    private SchemaRegistryServer server;
    private RestSchemaRegistryClient client;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        server = SchemaRegistryServer.startInMemory("127.0.0.1", 0);
        client = new RestSchemaRegistryClient(server.url());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Schema record(boolean optionalExtra, boolean requiredExtra) {
        var fields =
                SchemaBuilder.record("Reading").namespace("test").fields().requiredString("id");
        if (optionalExtra) {
            fields = fields.name("unit").type().stringType().stringDefault("C");
        }
        if (requiredExtra) {
            fields = fields.requiredDouble("value");
        }
        return fields.endRecord();
    }

    @Test
    void registersLooksUpAndListsLikeConfluent() {
        int id = client.register("readings-value", V1);
        assertThat(client.register("readings-value", V1)).as("same schema, same id").isEqualTo(id);
        assertThat(client.getById(id)).isEqualTo(V1);
        int id2 = client.register("readings-value", V2_WITH_DEFAULT);
        assertThat(id2).isNotEqualTo(id);
        // The same schema under another subject keeps its global id.
        assertThat(client.register("other-value", V1)).isEqualTo(id);

        assertThat(client.subjects()).containsExactly("other-value", "readings-value");
        assertThat(client.versions("readings-value")).containsExactly(1, 2);
        RegisteredSchema latest = client.latest("readings-value");
        assertThat(latest.version()).isEqualTo(2);
        assertThat(latest.id()).isEqualTo(id2);
        assertThat(latest.subject()).isEqualTo("readings-value");
        assertThat(client.version("readings-value", "1").schema()).isEqualTo(V1);
        assertThat(client.lookup("readings-value", V1).version()).isEqualTo(1);

        assertThat(client.deleteSubject("other-value")).containsExactly(1);
        assertThat(client.subjects()).containsExactly("readings-value");
    }

    @Test
    void unknownThingsGetConfluentErrorCodes() throws Exception {
        assertCode(() -> client.latest("nope-value"), 404, 40401);
        assertCode(() -> client.getById(12345), 404, 40403);
        client.register("s", V1);
        assertCode(() -> client.lookup("s", V2_REQUIRED), 404, 40403);
        assertCode(() -> client.version("s", "7"), 404, 40402);
        assertCode(() -> client.version("s", "zero"), 422, 42202);

        HttpResponse<String> reply = send("GET", "/subjects/nope/versions", null);
        assertThat(reply.statusCode()).isEqualTo(404);
        assertThat(reply.headers().firstValue("Content-Type"))
                .hasValue(RestSchemaRegistryClient.CONTENT_TYPE);
        JsonNode body = JSON.readTree(reply.body());
        assertThat(body.get("error_code").asInt()).isEqualTo(40401);
        assertThat(body.get("message").asText()).contains("nope");
    }

    @Test
    void invalidSchemasGet422NeverA500() throws Exception {
        for (String bad :
                new String[] {
                    "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"X\\\"}\"}", // no
                    // fields
                    "{\"schema\":\"not json at all\"}",
                    "{\"schema\":\"{\\\"type\\\":\\\"nosuchtype\\\"}\"}",
                    "{\"schema\":\"\"}",
                    "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}",
                    "{}"
                }) {
            HttpResponse<String> reply = send("POST", "/subjects/bad-value/versions", bad);
            assertThat(reply.statusCode()).as(bad).isEqualTo(422);
            assertThat(JSON.readTree(reply.body()).get("error_code").asInt())
                    .as(bad)
                    .isEqualTo(42201);
        }
        HttpResponse<String> notJson = send("POST", "/subjects/bad-value/versions", "{{{");
        assertThat(notJson.statusCode()).isBetween(400, 499);
        HttpResponse<String> badLevel = send("PUT", "/config", "{\"compatibility\":\"SIDEWAYS\"}");
        assertThat(badLevel.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(badLevel.body()).get("error_code").asInt()).isEqualTo(42203);
        assertThat(send("GET", "/no/such/endpoint", null).statusCode()).isEqualTo(404);
    }

    @Test
    void compatibilityMatrix() {
        // BACKWARD (the default): a new required field cannot read old data.
        assertThat(client.compatibility(null)).isEqualTo(CompatibilityLevel.BACKWARD);
        client.register("m", V1);
        assertThat(client.isCompatible("m", "latest", V2_REQUIRED)).isFalse();
        assertCode(() -> client.register("m", V2_REQUIRED), 409, 409);
        assertThat(client.isCompatible("m", "latest", V2_WITH_DEFAULT)).isTrue();
        client.register("m", V2_WITH_DEFAULT);

        // FORWARD: removing a field without default from the writer breaks old readers.
        client.setCompatibility("f", CompatibilityLevel.FORWARD);
        assertThat(client.compatibility("f")).isEqualTo(CompatibilityLevel.FORWARD);
        client.register("f", V2_REQUIRED);
        assertThat(client.isCompatible("f", "latest", V1)).isFalse();
        assertCode(() -> client.register("f", V1), 409, 409);

        // FULL: both directions; a defaulted field is fine, a required one is not.
        client.setCompatibility("full", CompatibilityLevel.FULL);
        client.register("full", V1);
        assertThat(client.isCompatible("full", "latest", V2_REQUIRED)).isFalse();
        assertThat(client.isCompatible("full", "latest", V2_WITH_DEFAULT)).isTrue();

        // NONE accepts anything.
        client.setCompatibility("none", CompatibilityLevel.NONE);
        client.register("none", V2_REQUIRED);
        client.register("none", Schema.create(Schema.Type.STRING));
        assertThat(client.versions("none")).containsExactly(1, 2);

        // Transitive levels check every version, not only the latest: {a, b required} reads
        // version 2 {a, b=0} but not version 1 {a}.
        Schema a = SchemaBuilder.record("T").fields().requiredString("a").endRecord();
        Schema ab =
                SchemaBuilder.record("T")
                        .fields()
                        .requiredString("a")
                        .name("b")
                        .type()
                        .intType()
                        .intDefault(0)
                        .endRecord();
        Schema abRequired =
                SchemaBuilder.record("T").fields().requiredString("a").requiredInt("b").endRecord();
        client.setCompatibility("plain", CompatibilityLevel.BACKWARD);
        client.setCompatibility("trans", CompatibilityLevel.BACKWARD_TRANSITIVE);
        for (String s : new String[] {"plain", "trans"}) {
            client.register(s, a);
            client.register(s, ab);
        }
        assertThat(client.isCompatible("plain", "latest", abRequired)).isTrue();
        assertThat(client.isCompatible("trans", "latest", abRequired)).isFalse();
        assertCode(() -> client.register("trans", abRequired), 409, 409);
        assertThat(client.register("plain", abRequired)).isPositive();

        client.setCompatibility(null, CompatibilityLevel.FULL_TRANSITIVE);
        assertThat(client.compatibility(null)).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
        assertThat(client.compatibility("unconfigured"))
                .isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
    }

    @Test
    void softDeleteThenReRegisterContinuesVersions() throws Exception {
        int id = client.register("d", V1);
        assertThat(client.deleteSubject("d")).containsExactly(1);
        assertCode(() -> client.latest("d"), 404, 40401);
        assertThat(client.register("d", V1)).isEqualTo(id);
        assertThat(client.versions("d")).containsExactly(2);
        assertThat(send("DELETE", "/subjects/d?permanent=true", null).statusCode())
                .as("a live subject cannot be deleted permanently")
                .isEqualTo(404);
        client.deleteSubject("d");
        assertThat(send("DELETE", "/subjects/d?permanent=true", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/subjects?deleted=true", null).body()).doesNotContain("\"d\"");
    }

    @Test
    void registersTheGeneratedRecordSchemas() {
        int id = client.register("events.labels-value", Label.getClassSchema());
        assertThat(client.getById(id)).isEqualTo(Label.getClassSchema());
        assertThat(send("GET", "/schemas/ids/" + id + "/schema", null).body())
                .isEqualTo(Label.getClassSchema().toString());
    }

    private HttpResponse<String> send(String method, String path, String body) {
        try {
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(URI.create(server.url() + path))
                            .header("Content-Type", RestSchemaRegistryClient.CONTENT_TYPE);
            request.method(
                    method,
                    body == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void assertCode(Runnable call, int status, int code) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        RegistryException.class,
                        e -> {
                            assertThat(e.httpStatus()).isEqualTo(status);
                            assertThat(e.errorCode()).isEqualTo(code);
                        });
    }
}
