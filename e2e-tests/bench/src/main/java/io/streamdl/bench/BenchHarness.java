package io.streamdl.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code ./pipeline bench [--quick] [--scenario NAME...] [--runs N] [--out DIR]}: every scenario of
 * issue 13 run several times in one process, each number reported as median and range, beside the
 * issue's targets, with a header describing the machine; writes {@code report.json}, {@code
 * report.md} and the plots to the output directory. A scenario that fails is reported with its
 * error and the others still run.
 */
public final class BenchHarness {
    /** The scenarios in the order a full run takes them (kafka first: the others refer to it). */
    static final Map<String, Supplier<Scenario>> SCENARIOS = new LinkedHashMap<>();

    static {
        SCENARIOS.put("kafka", KafkaScenario::new);
        SCENARIOS.put("encode", EncodeScenario::new);
        SCENARIOS.put("score", ScoreScenario::new);
        SCENARIOS.put("latency", LatencyScenario::new);
        SCENARIOS.put("propagation", PropagationScenario::new);
        SCENARIOS.put("train", TrainScenario::new);
        SCENARIOS.put("scale", ScaleScenario::new);
        SCENARIOS.put("learn", LearnScenario::new);
    }

    /** What a quick run repeats each scenario unless --runs says otherwise. */
    static final int QUICK_RUNS = 1;

    /** What a full run repeats each scenario unless --runs says otherwise. */
    static final int FULL_RUNS = 3;

    /**
     * @param scenarios names of the scenarios to run, empty for all
     * @param runs repetitions of each, or 0 for the mode's default
     * @param command the command line, as the report states it
     */
    record Options(boolean quick, List<String> scenarios, int runs, Path out, String command) {
        Options {
            scenarios = List.copyOf(scenarios);
            for (String s : scenarios) {
                if (!SCENARIOS.containsKey(s)) {
                    throw new IllegalArgumentException(
                            "--scenario: no scenario '" + s + "'; known: " + SCENARIOS.keySet());
                }
            }
            if (runs < 0 || runs > 20) {
                throw new IllegalArgumentException("--runs must be between 1 and 20");
            }
        }

        int repetitions() {
            return runs > 0 ? runs : quick ? QUICK_RUNS : FULL_RUNS;
        }

        List<String> selected() {
            return scenarios.isEmpty()
                    ? List.copyOf(SCENARIOS.keySet())
                    : SCENARIOS.keySet().stream().filter(scenarios::contains).toList();
        }
    }

    private BenchHarness() {}

    /** Runs the selected scenarios and writes the report; returns the report.json path. */
    static Path run(Options options, PrintStream out) throws Exception {
        long t0 = System.nanoTime();
        Path dir = options.out().toAbsolutePath();
        Files.createDirectories(dir);
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("command", options.command());
        header.put("mode", options.quick() ? "quick" : "full");
        header.put("runsPerScenario", options.repetitions());
        header.put("startedAt", Instant.now().toString());
        header.putAll(MachineHeader.read(sourceTree()));
        Scenario.Context context = new Scenario.Context(options.quick(), dir, out);
        List<ScenarioResult> results = new ArrayList<>();
        for (String name : options.selected()) {
            Scenario scenario = SCENARIOS.get(name).get();
            int repetitions = Math.min(options.repetitions(), scenario.maxRuns());
            out.printf(
                    "== scenario %s: %s (%d run%s)%n",
                    name, scenario.title(), repetitions, repetitions == 1 ? "" : "s");
            long s0 = System.nanoTime();
            List<RunTable> runs = new ArrayList<>();
            String error = null;
            for (int r = 1; r <= repetitions; r++) {
                try {
                    runs.add(scenario.run(context, r));
                } catch (Exception | AssertionError e) {
                    error = "run " + r + ": " + e;
                    out.println("scenario " + name + " failed: " + error);
                    e.printStackTrace(out);
                    break;
                }
            }
            ScenarioResult result =
                    new ScenarioResult(
                            name, scenario.title(), runs, (System.nanoTime() - s0) / 1e9);
            result.error = error;
            try {
                scenario.finish(result, context);
            } catch (Exception e) {
                result.error = (error == null ? "" : error + "; ") + "report: " + e;
                e.printStackTrace(out);
            }
            context.done.put(name, result);
            results.add(result);
            out.printf("== %s done in %.0f s%n", name, (System.nanoTime() - s0) / 1e9);
        }
        header.put("config", context.config);
        header.put("loadAverageEnd", MachineHeader.loadAverage());
        String busy =
                MachineHeader.busyWarning(
                        (String) header.get("loadAverageStart"),
                        (String) header.get("loadAverageEnd"),
                        Runtime.getRuntime().availableProcessors());
        if (busy != null) {
            header.put("warning", busy);
            out.println("warning: " + busy);
        }
        header.put("finishedAt", Instant.now().toString());
        header.put("totalSeconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("header", header);
        json.put("scenarios", results.stream().map(ScenarioResult::toJson).toList());
        Path report = dir.resolve("report.json");
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(report.toFile(), json);
        Files.writeString(
                dir.resolve("report.md"),
                MarkdownReport.render("streamdl benchmark report", header, results));
        out.println("report: " + report + " and " + dir.resolve("report.md"));
        return report;
    }

    /** The repository the pipeline runs from ({@code streamdl.home}), for the git commit. */
    private static Path sourceTree() {
        String home = System.getProperty("streamdl.home");
        return Path.of(home == null ? "." : home);
    }
}
