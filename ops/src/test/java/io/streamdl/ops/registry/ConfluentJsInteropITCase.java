package io.streamdl.ops.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Confluent's own JavaScript client ({@code @confluentinc/schemaregistry} from npm, installed by
 * the build into src/test/js) against our registry and our Java serde, in both directions.
 */
class ConfluentJsInteropITCase {
    private static final Path SCRIPT_DIR = Path.of("src/test/js");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SchemaRegistryServer server;

    @TempDir static Path tmp;

    @BeforeAll
    static void start() throws IOException {
        assertThat(SCRIPT_DIR.resolve("node_modules/@confluentinc/schemaregistry"))
                .as(
                        "npm install in ops/src/test/js (the Maven build runs it) must have fetched Confluent's client")
                .isDirectory();
        server = SchemaRegistryServer.startInMemory("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Score sample() {
        return Score.newBuilder()
                .setEventId("evt-42")
                .setModel("image")
                .setModelVersion(7L)
                .setLabel("Ankle boot")
                .setProbabilities(List.of(0.5f, 0.25f, 0.125f))
                .setScore(0.5)
                .setEventTs(1_764_000_000_123L)
                .setScoredTs(1_764_000_000_456L)
                .build();
    }

    @Test
    void confluentSerializerWritesWhatOurDeserializerReads() throws Exception {
        Path schema = tmp.resolve("score.avsc");
        Files.writeString(schema, Score.getClassSchema().toString());
        String message =
                "{\"eventId\":\"evt-42\",\"model\":\"image\",\"modelVersion\":7,\"label\":\"Ankle boot\","
                        + "\"probabilities\":[0.5,0.25,0.125],\"score\":0.5,\"eventTs\":1764000000123,\"scoredTs\":1764000000456}";
        JsonNode written = JSON.readTree(node("write", "scores.js", schema.toString(), message));
        byte[] bytes = HexFormat.of().parseHex(written.get("hex").asText());
        assertThat(bytes[0]).as("magic byte").isZero();

        try (RestSchemaRegistryClient client = new RestSchemaRegistryClient(server.url())) {
            assertThat(client.latest("scores.js-value").id()).isEqualTo(written.get("id").asInt());
            Score read =
                    AvroWireDeserializer.specific(client, Score.class)
                            .deserialize("scores.js", bytes);
            assertThat(read).isEqualTo(sample());
        }
    }

    @Test
    void ourSerializerWritesWhatConfluentDeserializerReads() throws Exception {
        byte[] bytes;
        try (RestSchemaRegistryClient client = new RestSchemaRegistryClient(server.url())) {
            bytes =
                    new AvroWireSerializer<Score>(client, SerdeConfig.forValues(server.url()))
                            .serialize("scores.java", sample());
        }
        JsonNode read = JSON.readTree(node("read", "scores.java", HexFormat.of().formatHex(bytes)));
        assertThat(read.get("eventId").asText()).isEqualTo("evt-42");
        assertThat(read.get("model").asText()).isEqualTo("image");
        assertThat(read.get("modelVersion").asLong()).isEqualTo(7L);
        assertThat(read.get("label").asText()).isEqualTo("Ankle boot");
        assertThat(read.get("probabilities").toString()).isEqualTo("[0.5,0.25,0.125]");
        assertThat(read.get("score").asDouble()).isEqualTo(0.5);
        assertThat(read.get("eventTs").asLong()).isEqualTo(1_764_000_000_123L);
        assertThat(read.get("scoredTs").asLong()).isEqualTo(1_764_000_000_456L);
    }

    private static String node(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "interop.mjs", server.url()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(SCRIPT_DIR.toFile()).start();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("node %s failed: %s", args[0], err).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }
}
