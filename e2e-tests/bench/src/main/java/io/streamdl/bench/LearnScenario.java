package io.streamdl.bench;

import java.util.List;
import java.util.Map;

/**
 * Fashion-MNIST learned online by the whole loop (EncodeJob, ScoreJob, TrainJob, labels 0.5 s
 * late), by {@link LearnBenchmark} with a reduced number of training events, then test images
 * scored by the last version. Run once even in a full run: it is the longest scenario.
 */
final class LearnScenario implements Scenario {
    static final String ROW = "Fashion-MNIST, file order";
    static final double RATE = 300;

    @Override
    public String name() {
        return "learn";
    }

    @Override
    public String title() {
        return "Fashion-MNIST learned online (reduced event count)";
    }

    @Override
    public int maxRuns() {
        return 1;
    }

    @Override
    public RunTable run(Context c, int run) throws Exception {
        int train = c.size(1000, 12_000);
        int test = c.size(500, 10_000);
        int publishSeconds = c.size(3, 20);
        c.setting(name(), "trainEvents", train);
        c.setting(name(), "testEvents", test);
        c.setting(name(), "ratePerSecond", RATE);
        Report report = LearnBenchmark.run(c.out, c.dir, train, 0, RATE, test, publishSeconds);
        Map<String, Object> r = report.results();
        RunTable t = new RunTable();
        t.put(ROW, "training events", EncodeScenario.num(r.get("trainEvents")))
                .put(ROW, "versions", ((List<?>) r.get("versions")).size())
                .put(ROW, "test images scored", EncodeScenario.num(r.get("testScored")))
                .put(ROW, "test accuracy (last version)", EncodeScenario.num(r.get("testAccuracy")))
                .put(
                        ROW,
                        "prequential accuracy, last ≤10k events",
                        EncodeScenario.num(r.get("prequentialLast10k")))
                .put(ROW, "seconds to learn", EncodeScenario.num(r.get("trainSeconds")));
        return t;
    }

    @Override
    public void finish(ScenarioResult r, Context c) {
        r.method.add(
                "./pipeline bench learn's loop with fewer events: training images sent in file"
                        + " order at "
                        + (int) RATE
                        + "/s with labels 0.5 s late through EncodeJob, ScoreJob and TrainJob"
                        + " (one partition per topic); then test images, unlabelled, scored by the"
                        + " last version");
        r.notes.add(
                "only learn of the learning benchmarks runs here, once, with a reduced event count"
                        + " to keep the harness within its time; learn-audio, learn-text, nab,"
                        + " recs and the others stay separate ./pipeline bench commands");
        r.targets.add(
                Target.atLeast(
                                "test accuracy of the last version",
                                r.median(ROW, "test accuracy (last version)"),
                                "",
                                0.90)
                        .withNote(
                                "the target is for one pass of all 60k training images; this run"
                                        + " learns "
                                        + MarkdownReport.number(r.median(ROW, "training events"))));
        if (java.nio.file.Files.exists(c.dir.resolve("learn.png"))) {
            r.plots.add("learn.png");
        }
    }
}
