package io.streamdl.bench;

import io.streamdl.bench.nab.NabCorpus;
import io.streamdl.bench.nab.NabProfile;
import io.streamdl.bench.nab.NabResult;
import io.streamdl.bench.nab.NabScorer;
import io.streamdl.bench.nab.ScoredSeries;
import io.streamdl.bench.nab.ThresholdOptimizer.Search;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ./pipeline bench nab-numenta}: scores the Numenta HTM detector's published raw output on
 * the shipped NAB corpus with this project's NAB scorer, per profile, with NAB's exhaustive sweep
 * and with the hill climb that produced the published scoreboard, next to the published numbers. It
 * proves the scorer that scores the pipeline's own anomaly output.
 */
final class NabNumentaBenchmark {
    /** Where the corpus lives in a checkout of this repository. */
    static final Path DEFAULT_ROOT = Path.of("ingest/data/nab");

    private NabNumentaBenchmark() {}

    static Path runAndWrite(Path reports, PrintStream out, Path data) throws Exception {
        Path root = data != null ? data : DEFAULT_ROOT;
        if (!Files.isDirectory(root.resolve("data"))) {
            throw new IllegalArgumentException(
                    "no NAB corpus at " + root + " (expected data/, labels/, config/ there)");
        }
        long started = System.nanoTime();
        NabCorpus corpus = NabCorpus.load(root);
        Map<String, ScoredSeries> numenta =
                corpus.readDetectorResults(root.resolve("results/numenta"), "numenta");
        NabScorer scorer = NabScorer.forCorpus(corpus);
        Map<String, Object> profiles = new LinkedHashMap<>();
        for (NabProfile profile : corpus.profiles()) {
            NabResult sweep = scorer.score(numenta, profile, Search.SWEEP);
            NabResult climb = scorer.score(numenta, profile, Search.HILL_CLIMB);
            out.printf(
                    "%-20s sweep %.3f (threshold %.6f)   hill climb %.3f (threshold %.6f)%n",
                    profile.name(),
                    sweep.normalizedScore(),
                    sweep.threshold(),
                    climb.normalizedScore(),
                    climb.threshold());
            profiles.put(
                    profile.name(),
                    Map.of(
                            "sweep",
                                    Map.of(
                                            "score",
                                            sweep.normalizedScore(),
                                            "threshold",
                                            sweep.threshold()),
                            "hillClimb",
                                    Map.of(
                                            "score",
                                            climb.normalizedScore(),
                                            "threshold",
                                            climb.threshold())));
        }
        Report report =
                new Report("nab-numenta", "./pipeline bench nab-numenta")
                        .put(
                                "corpus",
                                Map.of(
                                        "files",
                                        corpus.files().size(),
                                        "rows",
                                        corpus.rowCount(),
                                        "windows",
                                        corpus.windowCount()))
                        .put("detector", "numenta (published raw output, results/numenta)")
                        .put(
                                "published",
                                Map.of(
                                        "standard",
                                        70.1,
                                        "reward_low_FP_rate",
                                        63.1,
                                        "reward_low_FN_rate",
                                        74.3))
                        .put("profiles", profiles)
                        .put("seconds", (System.nanoTime() - started) / 1e9);
        Path file = report.write(reports, "bench-nab-numenta.json");
        out.println("report: " + file);
        return file;
    }
}
