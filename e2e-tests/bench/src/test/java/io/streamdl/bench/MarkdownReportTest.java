package io.streamdl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MarkdownReportTest {
    private static ScenarioResult result() {
        RunTable a = new RunTable().put("batch 1", "samples/s", 100).put("batch 1", "ratio", 0.5);
        RunTable b = new RunTable().put("batch 1", "samples/s", 300).put("batch 1", "ratio", 0.5);
        RunTable c = new RunTable().put("batch 1", "samples/s", 200).put("batch 1", "ratio", 0.5);
        ScenarioResult r = new ScenarioResult("score", "bare vs job", List.of(a, b, c), 12.3);
        r.method.add("how it was measured");
        r.targets.add(Target.atLeast("job / bare", 0.5, "", 0.8).withNote("2 cores"));
        r.targets.add(Target.atMost("p99", 20, "ms", 25));
        r.targets.add(Target.atMost("p99 | other", Double.NaN, "ms", 25));
        r.notes.add("a note");
        r.plots.add("score.png");
        return r;
    }

    @Test
    void aScenarioHasItsMethodTableTargetsNotesAndPlots() {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("cores", 2);
        header.put("versions", Map.of("kafka", "4.2.0"));
        String md = MarkdownReport.render("report", header, List.of(result()));
        assertThat(md).startsWith("# report\n");
        assertThat(md).contains("- **cores**: 2\n", "- **versions**: kafka=4.2.0\n");
        assertThat(md).contains("## score: bare vs job");
        assertThat(md).contains("3 runs, 12 s in all. Cells: median (min–max) over the runs.");
        assertThat(md).contains("- how it was measured\n");
        assertThat(md).contains("| | samples/s | ratio |\n|---|---:|---:|\n");
        assertThat(md).contains("| batch 1 | 200 (100–300) | 0.500 |\n");
        assertThat(md).contains("| job / bare | 0.500 | ≥ 0.800 | not met | 2 cores |");
        assertThat(md).contains("| p99 | 20 ms | ≤ 25 ms | met |");
        assertThat(md).contains("| p99 \\| other | – | ≤ 25 ms | not measured |");
        assertThat(md).contains("| score | job / bare | 0.500 | ≥ 0.800 | not met |");
        assertThat(md).contains("- a note\n", "![score.png](score.png)");
    }

    @Test
    void aBusyMachineIsWarnedAboutUnderTheTitle() {
        String md = MarkdownReport.render("t", Map.of("warning", "load 10 on 2 cores"), List.of());
        assertThat(md).startsWith("# t\n\n> **Warning**: load 10 on 2 cores\n");
    }

    @Test
    void aFailedScenarioSaysSo() {
        ScenarioResult r = result();
        r.error = "run 2: java.lang.IllegalStateException: boom";
        assertThat(MarkdownReport.render("t", Map.of(), List.of(r)))
                .contains("**Failed**: run 2: java.lang.IllegalStateException: boom");
    }

    @Test
    void numbersGetAsManyDigitsAsTheyDeserve() {
        assertThat(MarkdownReport.number(45_758.7)).isEqualTo("45,759");
        assertThat(MarkdownReport.number(12)).isEqualTo("12");
        assertThat(MarkdownReport.number(12.34)).isEqualTo("12.3");
        assertThat(MarkdownReport.number(3.14159)).isEqualTo("3.14");
        assertThat(MarkdownReport.number(0)).isEqualTo("0");
        assertThat(MarkdownReport.number(8)).isEqualTo("8");
        assertThat(MarkdownReport.number(0.1234)).isEqualTo("0.123");
        assertThat(MarkdownReport.number(0.0001234)).isEqualTo("1.23e-04");
        assertThat(MarkdownReport.number(Double.NaN)).isEqualTo("–");
    }

    @Test
    void targetsAreMetOnlyOnTheRightSideOfTheThreshold() {
        assertThat(Target.atLeast("a", 0.8, "", 0.8).met()).isTrue();
        assertThat(Target.atLeast("a", 0.79, "", 0.8).status()).isEqualTo("not met");
        assertThat(Target.atMost("a", 25, "ms", 25).status()).isEqualTo("met");
        assertThat(Target.atMost("a", Double.NaN, "ms", 25).status()).isEqualTo("not measured");
        assertThat(Target.atMost("a", Double.NaN, "ms", 25).met()).isFalse();
    }

    @Test
    void theJsonFormKeepsEveryRunAndTheTargetsStatus() {
        Map<String, Object> json = result().toJson();
        assertThat(json)
                .containsKeys("name", "title", "runs", "method", "rows", "targets", "plots");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) json.get("rows");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> values =
                (Map<String, Map<String, Object>>) rows.get(0).get("values");
        assertThat(values.get("samples/s"))
                .containsEntry("median", 200.0)
                .containsEntry("min", 100.0)
                .containsEntry("max", 300.0)
                .containsEntry("runs", List.of(100.0, 300.0, 200.0));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> targets = (List<Map<String, Object>>) json.get("targets");
        assertThat(targets.get(2))
                .containsEntry("status", "not measured")
                .containsEntry("figure", null);
    }
}
