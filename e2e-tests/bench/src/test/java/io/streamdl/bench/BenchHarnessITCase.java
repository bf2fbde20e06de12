package io.streamdl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI smoke test of {@code ./pipeline bench --quick}: every scenario runs once with the quick
 * sizes, and the report is checked for completeness and form (every scenario, every header field,
 * every cell with median and range, every target with a status, plots that are PNG images), never
 * for whether the numbers reach their targets.
 */
class BenchHarnessITCase {
    private static final Set<String> STATUSES = Set.of("met", "not met", "not measured");

    @TempDir Path dir;

    @Test
    void theQuickHarnessWritesACompleteReport() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        BenchHarness.run(
                new BenchHarness.Options(true, List.of(), 0, dir, "./pipeline bench --quick"), out);

        JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        JsonNode header = report.get("header");
        for (String field :
                List.of(
                        "command",
                        "mode",
                        "runsPerScenario",
                        "cores",
                        "cpu",
                        "jvm",
                        "os",
                        "gitCommit",
                        "loadAverageStart",
                        "loadAverageEnd",
                        "config",
                        "totalSeconds")) {
            assertThat(header.hasNonNull(field)).as("header field %s", field).isTrue();
        }
        for (String library : List.of("kafka", "flink", "onnxruntime", "dl4j")) {
            assertThat(header.get("versions").get(library).asText())
                    .as("version of %s", library)
                    .isNotBlank()
                    .isNotEqualTo("unknown");
        }
        assertThat(header.get("config").size()).isPositive();

        List<String> names = new ArrayList<>();
        String md = Files.readString(dir.resolve("report.md"));
        for (JsonNode s : report.get("scenarios")) {
            String name = s.get("name").asText();
            names.add(name);
            assertThat(s.get("error").isNull())
                    .as("%s failed: %s\n%s", name, s.get("error"), log)
                    .isTrue();
            assertThat(s.get("runs").asInt()).as(name).isEqualTo(1);
            assertThat(s.get("method").size()).as("%s method", name).isPositive();
            assertThat(s.get("rows").size()).as("%s rows", name).isPositive();
            for (JsonNode row : s.get("rows")) {
                row.get("values")
                        .forEach(
                                v -> {
                                    assertThat(v.has("median") && v.has("min") && v.has("max"))
                                            .as("%s %s", name, row.get("row"))
                                            .isTrue();
                                    assertThat(v.get("runs").size()).isEqualTo(1);
                                });
            }
            for (JsonNode t : s.get("targets")) {
                assertThat(t.get("name").asText()).isNotBlank();
                assertThat(t.get("threshold").isNumber()).isTrue();
                assertThat(STATUSES).contains(t.get("status").asText());
            }
            for (JsonNode plot : s.get("plots")) {
                Path png = dir.resolve(plot.asText());
                byte[] bytes = Files.readAllBytes(png);
                assertThat(bytes).as("%s is a PNG", png).startsWith(0x89, 'P', 'N', 'G');
                BufferedImage image = ImageIO.read(png.toFile());
                assertThat(image).as("%s decodes", png).isNotNull();
                assertThat(image.getWidth()).isPositive();
                assertThat(md).contains("](" + plot.asText() + ")");
            }
            assertThat(md).contains("## " + name + ": ");
        }
        assertThat(names).containsExactlyElementsOf(BenchHarness.SCENARIOS.keySet());
        for (String scenario : List.of("score", "latency", "propagation")) {
            JsonNode s = report.get("scenarios").get(names.indexOf(scenario));
            assertThat(s.get("plots").size()).as("%s plots", scenario).isPositive();
            assertThat(s.get("targets").size()).as("%s targets", scenario).isPositive();
        }
        assertThat(md).contains("## Machine and run", "## Targets", "| scenario | target |");
    }
}
