package io.streamdl.bench;

import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.schemas.avro.Score;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import javax.imageio.ImageIO;

/**
 * Fashion-MNIST learned online by the pipeline: the training images once, in file order, with
 * labels arriving after a delay (optionally permuted from a given event on, to test drift
 * recovery), then the test images without labels scored with the last published model. Writes the
 * prequential curve with version marks as a PNG next to the JSON report.
 */
public final class LearnBenchmark {
    /** Examples between two points of the prequential curve. */
    static final int METRIC_EVERY = 500;

    /** Examples in the sliding window behind each point. */
    static final int WINDOW = 1000;

    /** Events before the drift whose accuracy is the level to recover. */
    static final int PRE_DRIFT_SPAN = 5000;

    /** Within this much of the pre-drift level counts as recovered. */
    static final double RECOVERY_TOLERANCE = 0.03;

    private LearnBenchmark() {}

    public static Report run(
            PrintStream out, Path reports, int trainEvents, int driftAt, double rate)
            throws Exception {
        return run(out, reports, trainEvents, driftAt, rate, Integer.MAX_VALUE, 20);
    }

    /**
     * @param testEvents how many of the test images are scored at the end (at most all 10k)
     * @param publishSeconds the trainer's time trigger ({@code trainer.publish.every-seconds})
     */
    static Report run(
            PrintStream out,
            Path reports,
            int trainEvents,
            int driftAt,
            double rate,
            int testEvents,
            int publishSeconds)
            throws Exception {
        FashionMnist train = FashionMnist.load(FashionMnist.Split.TRAIN);
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST);
        int nTrain = Math.min(trainEvents, train.size());
        int nTest = Math.min(testEvents, test.size());
        Report report = new Report("learn", "./pipeline bench learn");
        // One partition per topic: the trainer then sees the events in file order even when it
        // falls behind the sender (with several, a backlog is read with skew across partitions,
        // which turns the sudden drift at driftAt into a mixture over thousands of events).
        try (BenchPlatform bench = new BenchPlatform(4, 1)) {
            Map<String, String> trainer =
                    new HashMap<>(
                            Map.of(
                                    "models.hmac.key",
                                    PipelineJobs.DEVELOPMENT_KEY,
                                    "trainer.publish.every-examples",
                                    "5000",
                                    "trainer.publish.every-seconds",
                                    Integer.toString(publishSeconds),
                                    "trainer.window.size",
                                    Integer.toString(WINDOW),
                                    "trainer.metrics.every-examples",
                                    Integer.toString(METRIC_EVERY),
                                    "trainer.join.horizon-seconds",
                                    "900"));
            BenchPipeline.learning(bench, "bench-learn", "image", trainer);

            try (LearnTraffic traffic = new LearnTraffic(bench, "image", false)) {
                List<Double> curve = traffic.curve();
                List<Integer> positions = traffic.positions();
                List<double[]> versions = traffic.versions();
                long t0 = System.nanoTime();
                int[] permutation = {3, 7, 0, 9, 5, 1, 8, 2, 6, 4};
                for (int i = 0; i < nTrain; i++) {
                    int label = train.label(i);
                    if (driftAt > 0 && i >= driftAt) {
                        label = permutation[label];
                    }
                    traffic.send(
                            Events.image(
                                    "train-" + i,
                                    System.currentTimeMillis(),
                                    "fashion-mnist",
                                    "image/png",
                                    ImageCodecs.png(train.image(i), 28, 28),
                                    28,
                                    28,
                                    Map.of()),
                            FashionMnist.CLASSES.get(label));
                    LearnTraffic.pace(t0, i + 1, rate);
                    if (i % 1000 == 999) {
                        traffic.progress(out, i + 1, nTrain);
                    }
                }
                traffic.flush();
                double sendSeconds = (System.nanoTime() - t0) / 1e9;
                // Wait until a version has learned every training example (the trainer publishes
                // the tail on its time trigger).
                Duration timeout = Duration.ofMinutes(10);
                traffic.awaitLearned(nTrain, timeout, timeout);
                double trainSeconds = (System.nanoTime() - t0) / 1e9;
                long lastVersion = traffic.lastVersion();
                out.printf(
                        "training stream done in %.0f s (sent in %.0f s); last version %d%n",
                        trainSeconds, sendSeconds, lastVersion);

                // The test set, without labels, scored by the last published model; after a
                // drift, the current concept is the permuted one.
                for (int i = 0; i < nTest; i++) {
                    traffic.send(
                            Events.image(
                                    "test-" + i,
                                    System.currentTimeMillis(),
                                    "fashion-mnist",
                                    "image/png",
                                    ImageCodecs.png(test.image(i), 28, 28),
                                    28,
                                    28,
                                    Map.of()));
                }
                traffic.flush();
                TestScores scores =
                        new TestScores(
                                i ->
                                        driftAt > 0 && driftAt < nTrain
                                                ? permutation[test.label(i)]
                                                : test.label(i));
                traffic.readTestScores(
                        () -> scores.seen >= nTest, scores::add, Duration.ofMinutes(5));
                double testAccuracy =
                        scores.seen == 0 ? Double.NaN : (double) scores.right / scores.seen;
                double last10k = lastSpanAccuracy(curve, positions, 10_000);
                if (driftAt > 0) {
                    Recovery recovery = recovery(curve, positions, driftAt);
                    out.printf(
                            "drift at %,d: pre-drift level %.4f; %s%n",
                            driftAt,
                            recovery.preDriftLevel(),
                            recovery.eventsAfterDrift() < 0
                                    ? "never back within " + RECOVERY_TOLERANCE
                                    : "back within "
                                            + RECOVERY_TOLERANCE
                                            + " after "
                                            + recovery.eventsAfterDrift()
                                            + " events");
                    report.put("preDriftLevel", recovery.preDriftLevel())
                            .put("recoveredAfterEvents", recovery.eventsAfterDrift())
                            .put("recoveryTolerance", RECOVERY_TOLERANCE)
                            .put("recoveryTargetEvents", 5000);
                }
                out.printf(
                        "test accuracy %.4f over %d scores %s; prequential accuracy over the last 10k training events %.4f%n",
                        testAccuracy, scores.seen, scores.byVersion, last10k);
                Path png =
                        plot(
                                curve,
                                positions,
                                versions,
                                driftAt,
                                reports.resolve(driftAt > 0 ? "learn-drift.png" : "learn.png"));
                report.put("trainEvents", nTrain)
                        .put("rate", rate)
                        .put("driftAt", driftAt)
                        .put("partitionsPerTopic", 1)
                        .put("testAccuracy", testAccuracy)
                        .put(
                                "testLabels",
                                driftAt > 0 && driftAt < nTrain
                                        ? "permuted as the training labels after the drift"
                                        : "as in the data set")
                        .put("testScored", scores.seen)
                        .put("testScoresByVersion", scores.byVersion)
                        .put("prequentialLast10k", last10k)
                        .put("prequentialCurve", curve)
                        .put("prequentialCurveExamplesSeen", positions)
                        .put("versions", versions)
                        .put("trainSeconds", trainSeconds)
                        .put("plot", png.toString())
                        .put("targets", Map.of("testAccuracy", 0.90, "prequentialLast10k", 0.88));
            }
        }
        return report;
    }

    /** The test scores counted against the class index {@code truth} gives for each test event. */
    private static final class TestScores {
        private final IntUnaryOperator truth;
        private final Map<Long, Integer> byVersion = new LinkedHashMap<>();
        private int seen;
        private int right;

        TestScores(IntUnaryOperator truth) {
            this.truth = truth;
        }

        void add(Score s, int i) {
            seen++;
            byVersion.merge(s.getModelVersion(), 1, Integer::sum);
            if (FashionMnist.CLASSES.get(truth.applyAsInt(i)).equals(s.getLabel())) {
                right++;
            }
        }
    }

    /**
     * The mean accuracy over the last {@code span} examples of a curve whose point {@code i} is the
     * accuracy of the {@link #WINDOW} examples ending at example {@code positions[i]}: the
     * non-overlapping windows, newest first, that tile the span.
     */
    static double lastSpanAccuracy(List<Double> curve, List<Integer> positions, int span) {
        int n = Math.min(curve.size(), positions.size());
        if (n == 0) {
            return Double.NaN;
        }
        int end = positions.get(n - 1);
        double sum = 0;
        int count = 0;
        int nextEnd = end;
        for (int i = n - 1; i >= 0 && positions.get(i) > end - span; i--) {
            if (positions.get(i) <= nextEnd) {
                sum += curve.get(i);
                count++;
                nextEnd = positions.get(i) - WINDOW;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /**
     * How a drift was recovered from.
     *
     * @param preDriftLevel mean accuracy of the windows within {@link #PRE_DRIFT_SPAN} events
     *     before the drift
     * @param eventsAfterDrift events from the drift to the end of the first window, wholly after
     *     the drift, whose accuracy is within {@link #RECOVERY_TOLERANCE} of that level; -1 if none
     */
    record Recovery(double preDriftLevel, int eventsAfterDrift) {}

    static Recovery recovery(List<Double> curve, List<Integer> positions, int driftAt) {
        int n = Math.min(curve.size(), positions.size());
        double sum = 0;
        int count = 0;
        for (int i = 0; i < n; i++) {
            int end = positions.get(i);
            if (end <= driftAt && end - WINDOW >= driftAt - PRE_DRIFT_SPAN) {
                sum += curve.get(i);
                count++;
            }
        }
        double level = count == 0 ? Double.NaN : sum / count;
        for (int i = 0; i < n; i++) {
            int end = positions.get(i);
            if (end - WINDOW >= driftAt && curve.get(i) >= level - RECOVERY_TOLERANCE) {
                return new Recovery(level, end - driftAt);
            }
        }
        return new Recovery(level, -1);
    }

    /**
     * The prequential curve (accuracy over the last 1,000 examples, every 500) with a tick at each
     * published version.
     */
    static Path plot(
            List<Double> curve,
            List<Integer> positions,
            List<double[]> versions,
            int driftAt,
            Path file)
            throws Exception {
        int w = 900;
        int h = 420;
        int left = 60;
        int bottom = 40;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int n = Math.min(curve.size(), positions.size());
        double maxX = Math.max(1, n == 0 ? 0 : positions.get(n - 1));
        int plotW = w - left - 20;
        int plotH = h - bottom - 30;
        g.setColor(Color.LIGHT_GRAY);
        for (int i = 0; i <= 10; i++) {
            int y = 30 + plotH - plotH * i / 10;
            g.drawLine(left, y, left + plotW, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%.1f", i / 10.0), 25, y + 4);
            g.setColor(Color.LIGHT_GRAY);
        }
        g.setColor(new Color(200, 120, 0));
        for (double[] v : versions) {
            int x = left + (int) (plotW * Math.min(1, v[1] / maxX));
            g.drawLine(x, 30, x, 30 + plotH);
        }
        if (driftAt > 0) {
            g.setColor(Color.RED);
            int x = left + (int) (plotW * Math.min(1, driftAt / maxX));
            g.setStroke(new BasicStroke(2));
            g.drawLine(x, 30, x, 30 + plotH);
            g.drawString("labels permuted", x + 4, 45);
        }
        g.setColor(new Color(0, 70, 160));
        g.setStroke(new BasicStroke(2));
        for (int i = 1; i < n; i++) {
            int x1 = left + (int) (plotW * positions.get(i - 1) / maxX);
            int x2 = left + (int) (plotW * positions.get(i) / maxX);
            int y1 = 30 + plotH - (int) (plotH * curve.get(i - 1));
            int y2 = 30 + plotH - (int) (plotH * curve.get(i));
            g.drawLine(x1, y1, x2, y2);
        }
        g.setColor(Color.BLACK);
        g.drawString(
                "prequential accuracy (last 1,000 training events, about every 500) vs events seen; orange: published versions",
                left,
                18);
        g.drawString("0", left, h - 15);
        g.drawString(String.format("%,.0f", maxX), left + plotW - 40, h - 15);
        g.dispose();
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    public static Path runAndWrite(Path dir, PrintStream out, int events, int driftAt, double rate)
            throws Exception {
        Path file =
                run(out, dir, events, driftAt, rate)
                        .write(dir, driftAt > 0 ? "bench-learn-drift.json" : "bench-learn.json");
        out.println("report: " + file);
        return file;
    }
}
