package io.streamdl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncoderBenchmarkTest {
    @TempDir Path dir;

    @Test
    void writesOneResultPerEncoderAsJson() throws Exception {
        Path output = dir.resolve("bench.json");
        EncoderBenchmark.main(new String[] {output.toString(), "--seconds", "0.1"});
        JsonNode report = new ObjectMapper().readTree(output.toFile());
        assertThat(report.get("results")).hasSize(3);
        for (JsonNode result : report.get("results")) {
            assertThat(result.get("encodesPerSecond").asDouble()).isPositive();
            assertThat(result.get("encodedBy").asText()).contains("@");
        }
        assertThat(report.get("results").get(0).get("encoder").asText()).isEqualTo("image");
    }
}
