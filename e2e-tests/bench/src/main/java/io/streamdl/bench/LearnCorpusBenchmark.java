package io.streamdl.bench;

import io.streamdl.bench.LearnCorpus.Example;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.schemas.config.ConfigOption;
import io.streamdl.trainer.TrainJobConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spoken keywords (audio) or Debian package descriptions (text) learned online by the pipeline, the
 * way {@link LearnBenchmark} does it for Fashion-MNIST: the EncodeJob, the model's ScoreJob and its
 * TrainJob in one MiniCluster; the training split sent once with each label 0.5 s after its event;
 * then, once a version has learned the whole stream (or the trainer has gone quiet) and the scorer
 * serves it (seen on the scores of unlabelled probe events, which are neither learned nor counted),
 * the test split sent without labels and scored by that last published version.
 *
 * <p>Order: the training split is sent in file order, unless that order is sorted by class (at most
 * two runs per class, as in the keyword manifest, which lists the clips word by word); a
 * class-sorted stream is no online-learning test, so it is then sent in a fixed-seed shuffle
 * ({@link #SHUFFLE_SEED}). The report says which order was used. {@code --events} keeps the first N
 * events of that order; {@code --passes} sends them that many times in the same order (one pass,
 * the default, is the online-learning test; with more, the prequential accuracy of later passes is
 * measured on events already learned).
 *
 * <p>The report compares the test accuracy with the majority-class baseline on the same test split
 * (always answering the most frequent training class; ties go to the first class in the model's
 * label order) and gives the prequential accuracy of the last 20% of the training stream, the
 * versions published and the wall time, with the curve as a PNG.
 */
public final class LearnCorpusBenchmark {
    /** Seed of the shuffle of a class-sorted training split. */
    static final long SHUFFLE_SEED = 1L;

    private static final int BATCH = 32;
    private static final int PUBLISH_EVERY_SECONDS = 20;
    private static final double TAIL_SHARE = 0.2;

    /** How long the test split waits for the scorer to serve the last published version. */
    private static final Duration SERVING_TIMEOUT = Duration.ofMinutes(2);

    /** Time between two probes while waiting for the scorer. */
    private static final Duration PROBE_EVERY = Duration.ofSeconds(1);

    /** What is learned. */
    public enum Modality {
        AUDIO("audio", Path.of("data", "keywords")),
        TEXT("text", Path.of("data", "debian-text.jsonl"));

        /** The model (and encoder) name. */
        final String model;

        /** Where the full data set is looked for when no {@code --data} is given. */
        final Path defaultData;

        Modality(String model, Path defaultData) {
            this.model = model;
            this.defaultData = defaultData;
        }
    }

    private LearnCorpusBenchmark() {}

    public static Report run(
            PrintStream out,
            Path reports,
            Modality modality,
            Path data,
            int trainEvents,
            int passes,
            double rate)
            throws Exception {
        if (passes < 1) {
            throw new IllegalArgumentException("--passes must be at least 1, not " + passes);
        }
        long wallStart = System.nanoTime();
        String model = modality.model;
        LearnCorpus corpus = LearnCorpus.of(modality, data);
        LearnCorpus.Training training = corpus.training(trainEvents, SHUFFLE_SEED);
        List<Example> train = training.examples();
        int nTrain = train.size();
        boolean shuffled = training.shuffled();
        List<Example> test = corpus.test();
        List<String> trainLabels = training.labels();
        List<String> testLabels = corpus.testLabels();
        String majority = LearnStats.majorityLabel(trainLabels, corpus.classes());
        double baseline = LearnStats.constantAccuracy(majority, testLabels);
        int total = nTrain * passes;
        // Trainer cadence scaled to the (small) data sets: up to ~25 curve points of at least 128
        // events (fewer on tiny streams), ~10 publish attempts. The window is the curve's block, so
        // samples are disjoint; the publish guard compares windows of that size.
        int every =
                LearnStats.roundUp(
                        Math.max(1, Math.max(total / 25, Math.min(128, total / 5))), BATCH);
        int publishEvery = LearnStats.roundUp(Math.max(BATCH, total / 10), BATCH);
        int tailEvents = (int) Math.ceil(total * TAIL_SHARE);
        out.printf(
                "%s: %s; %,d training events x %d pass(es) (%s), %,d test events, %d classes;"
                        + " majority class '%s' scores %.4f on the test split%n",
                model,
                corpus.origin(),
                nTrain,
                passes,
                shuffled ? "shuffled, seed " + SHUFFLE_SEED : "file order",
                test.size(),
                corpus.classes().size(),
                majority,
                baseline);

        String name = "learn-" + model;
        Report report = new Report(name, "./pipeline bench " + name);
        Map<String, String> trainer =
                new HashMap<>(
                        Map.of(
                                "models.hmac.key",
                                PipelineJobs.DEVELOPMENT_KEY,
                                "trainer.batch-size",
                                Integer.toString(BATCH),
                                "trainer.publish.every-examples",
                                Integer.toString(publishEvery),
                                "trainer.publish.every-seconds",
                                Integer.toString(PUBLISH_EVERY_SECONDS),
                                "trainer.window.size",
                                Integer.toString(every),
                                "trainer.metrics.every-examples",
                                Integer.toString(every),
                                "trainer.join.horizon-seconds",
                                "900"));
        try (BenchPlatform bench = new BenchPlatform(4)) {
            BenchPipeline.learning(bench, "bench-" + name, model, trainer);
            // Dead letters are watched: events the pipeline refused (e.g. a text over
            // text.max.chars) are never learned or scored, so the waits below must not expect them.
            try (LearnTraffic traffic = new LearnTraffic(bench, model, true)) {
                List<Double> curve = traffic.curve();
                List<double[]> versions = traffic.versions();
                Map<String, String> deadTrain = traffic.deadTrain();
                Map<String, String> deadTest = traffic.deadTest();
                long t0 = System.nanoTime();
                int progressEvery = Math.max(100, total / 10);
                for (int n = 0; n < total; n++) {
                    // Every pass repeats the same order; event ids stay unique across passes.
                    int i = n % nTrain;
                    String id = passes == 1 ? "train-" + i : "train-" + n / nTrain + "-" + i;
                    Example e = train.get(i);
                    traffic.send(e.event().apply(id, System.currentTimeMillis()), e.label());
                    LearnTraffic.pace(t0, n + 1, rate);
                    if (n % progressEvery == progressEvery - 1) {
                        traffic.progress(out, n + 1, total);
                    }
                }
                traffic.flush();
                double sendSeconds = (System.nanoTime() - t0) / 1e9;
                // Wait for the version that learned every training example; stop after a quiet
                // spell longer than the trainer's time trigger.
                boolean learnedAll =
                        traffic.awaitLearned(
                                total - deadTrain.size(),
                                Duration.ofSeconds(PUBLISH_EVERY_SECONDS + 40),
                                Duration.ofMinutes(10));
                double trainSeconds = (System.nanoTime() - t0) / 1e9;
                long lastVersion = traffic.lastVersion();
                double lastLearned = traffic.lastLearned();
                out.printf(
                        "training stream done in %.0f s (sent in %.0f s); last version %d learned"
                                + " %.0f of %d events (%d dead-lettered %s); %d updates held"
                                + " back%n",
                        trainSeconds,
                        sendSeconds,
                        lastVersion,
                        lastLearned,
                        total,
                        deadTrain.size(),
                        deadTrain,
                        traffic.heldBack());
                // The test split, without labels, scored by the last published model: first wait
                // until the scorer serves it.
                if (lastVersion >= 0) {
                    Example probe = train.get(0);
                    long serving =
                            traffic.awaitServing(
                                    id -> probe.event().apply(id, System.currentTimeMillis()),
                                    lastVersion,
                                    PROBE_EVERY,
                                    SERVING_TIMEOUT);
                    if (serving < lastVersion) {
                        out.printf(
                                "the scorer did not serve version %d within %d s (last seen: %d);"
                                        + " scoring the test split anyway%n",
                                lastVersion, SERVING_TIMEOUT.toSeconds(), serving);
                    }
                }
                long testStart = System.nanoTime();
                for (int i = 0; i < test.size(); i++) {
                    traffic.send(
                            test.get(i).event().apply("test-" + i, System.currentTimeMillis()));
                }
                traffic.flush();
                LearnCorpusScores scores =
                        new LearnCorpusScores(testLabels, corpus.classes(), lastVersion);
                traffic.readTestScores(
                        () -> scores.scored() + deadTest.size() >= test.size(),
                        scores::add,
                        Duration.ofMinutes(5));
                double testSeconds = (System.nanoTime() - testStart) / 1e9;
                double tail = LearnStats.tailMean(curve, every, tailEvents);
                // the events the averaged samples actually cover
                int tailCovered = LearnStats.tailSamples(curve.size(), every, tailEvents) * every;
                double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
                out.printf(
                        "%s: test accuracy %.4f over %d scores %s (last version %d: %.4f over %d,"
                                + " %.4f over all %d test events; %d dead-lettered %s) vs"
                                + " majority-class baseline %.4f ('%s'); prequential accuracy"
                                + " over the last %d training events %.4f; %d versions; wall"
                                + " time %.0f s%n",
                        model,
                        scores.accuracyAllScores(),
                        scores.scored(),
                        scores.byVersion(),
                        lastVersion,
                        scores.lastVersionAccuracy(),
                        scores.scoredByLastVersion(),
                        scores.lastVersionAccuracyOverAll(),
                        test.size(),
                        deadTest.size(),
                        deadTest,
                        baseline,
                        majority,
                        curve.isEmpty() ? 0 : tailCovered,
                        tail,
                        versions.size(),
                        wallSeconds);
                Path png =
                        LearnCurvePlot.write(
                                curve,
                                every,
                                versions,
                                baseline,
                                scores.lastVersionAccuracy(),
                                String.format(
                                        "%s: prequential accuracy per %,d training events vs events"
                                                + " learned; orange: published versions",
                                        model, every),
                                reports.resolve(name + ".png"));
                report.put("modality", model)
                        .put("data", corpus.origin())
                        .put("bundledSample", corpus.sample())
                        .put("order", training.orderText())
                        .put("shuffled", shuffled)
                        .put("shuffleSeed", shuffled ? SHUFFLE_SEED : null)
                        .put("classes", corpus.classes().size())
                        .put("classesInTraining", new HashSet<>(trainLabels).size())
                        .put("trainEvents", nTrain)
                        .put("passes", passes)
                        .put("eventsLearnedTarget", total)
                        .put("trainSplitSize", corpus.train().size())
                        .put("testEvents", test.size())
                        .put("trainClassCounts", LearnStats.counts(trainLabels, corpus.classes()))
                        .put("testClassCounts", LearnStats.counts(testLabels, corpus.classes()))
                        .put("rate", rate)
                        .put("labelDelayMs", LearnTraffic.LABEL_DELAY.toMillis())
                        .put("trainerSettings", trainerSettings(trainer))
                        .put("modelSpec", String.valueOf(DefaultSpecs.byName(model)))
                        .put("testAccuracy", scores.lastVersionAccuracy())
                        .put("testAccuracyOverAllTestEvents", scores.lastVersionAccuracyOverAll())
                        .put("testAccuracyAllScores", scores.accuracyAllScores())
                        .put("testScored", scores.scored())
                        .put("testScoredByLastVersion", scores.scoredByLastVersion())
                        .put("testDeadLettered", deadTest)
                        .put("testScoresByVersion", scores.byVersion())
                        .put("testPredictedClassCounts", scores.predicted())
                        .put("majorityClass", majority)
                        .put("majorityBaselineTestAccuracy", baseline)
                        .put("chanceAccuracy", 1.0 / corpus.classes().size())
                        .put("prequentialTailEvents", curve.isEmpty() ? 0 : tailCovered)
                        .put("prequentialTail", tail)
                        .put("prequentialEvery", every)
                        .put("prequentialCurve", curve)
                        .put(
                                "prequentialNote",
                                passes == 1
                                        ? "test-then-train on events not seen before"
                                        : "later passes repeat events already learned, so the"
                                                + " tail overstates accuracy on unseen data")
                        .put("versionsPublished", versions.size())
                        .put("versions", versions)
                        .put("lastVersion", lastVersion)
                        .put("lastVersionExamplesLearned", lastLearned)
                        .put("lastVersionLearnedAll", learnedAll)
                        .put("trainDeadLettered", deadTrain)
                        .put("updatesHeldBack", traffic.heldBack())
                        .put("sendSeconds", sendSeconds)
                        .put("trainSeconds", trainSeconds)
                        .put("testSeconds", testSeconds)
                        .put("wallSeconds", wallSeconds)
                        .put("plot", png.toString())
                        .put("targets", Map.of());
            }
        }
        return report;
    }

    /** Every {@code trainer.*} key with the value the TrainJob ran with (set here or default). */
    private static Map<String, String> trainerSettings(Map<String, String> settings) {
        Map<String, String> shown = new LinkedHashMap<>();
        for (ConfigOption<?> k : TrainJobConfig.OPTIONS) {
            shown.put(k.key(), settings.getOrDefault(k.key(), k.defaultText()));
        }
        return shown;
    }

    public static Path runAndWrite(
            Path dir,
            PrintStream out,
            Modality modality,
            Path data,
            int events,
            int passes,
            double rate)
            throws Exception {
        Path file =
                run(out, dir, modality, data, events, passes, rate)
                        .write(dir, "bench-learn-" + modality.model + ".json");
        out.println("report: " + file);
        return file;
    }
}
