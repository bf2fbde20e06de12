package io.streamdl.bench;

import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * {@code ./pipeline bench anomaly-images}: the one-class protocol on Fashion-MNIST through the
 * pipeline. For each class c, on a fresh platform: the {@code anomaly} autoencoder's TrainJob
 * learns online (one pass, in file order, features alone) from the class-c training images sent as
 * image events; once a version has learned all of them the TrainJob is stopped, and the 10,000 test
 * images are sent and scored by the ScoreJob with that last version (class c normal, the other nine
 * anomalous). AUROC per class (the probability that an anomalous image scores above a normal one,
 * ties counting half) and the mean go to the report, with the ROC curves as a plot.
 */
final class AnomalyImagesBenchmark {
    /** The level the geometric-transformations method reports on this protocol. */
    static final double TARGET_MEAN_AUROC = 0.93;

    private AnomalyImagesBenchmark() {}

    static Path runAndWrite(Path reports, PrintStream out, double rate) throws Exception {
        FashionMnist train = FashionMnist.load(FashionMnist.Split.TRAIN);
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST);
        Map<String, String> trainer =
                Map.of(
                        "models.hmac.key", PipelineJobs.DEVELOPMENT_KEY,
                        "trainer.publish.every-examples", "2000",
                        "trainer.publish.every-seconds", "3",
                        "trainer.guard.margin", "1");
        long started = System.nanoTime();
        Map<String, Object> perClass = new LinkedHashMap<>();
        List<double[][]> curves = new ArrayList<>();
        double sum = 0;
        for (int c = 0; c < FashionMnist.CLASSES.size(); c++) {
            String name = FashionMnist.CLASSES.get(c);
            ClassResult r = runClass(train, test, c, trainer, rate, out);
            sum += r.auroc;
            curves.add(r.roc);
            out.printf(
                    "class %d %-12s AUROC %.4f (version %d, %d examples learned, %d test scores)%n",
                    c, name, r.auroc, r.version, (long) r.learned, r.scored);
            perClass.put(
                    name,
                    Map.of(
                            "auroc", r.auroc,
                            "version", r.version,
                            "examplesLearned", r.learned,
                            "testScored", r.scored));
        }
        double mean = sum / FashionMnist.CLASSES.size();
        out.printf("mean AUROC %.4f (target %.2f)%n", mean, TARGET_MEAN_AUROC);
        Path plot =
                RocPlot.write(
                        curves,
                        FashionMnist.CLASSES,
                        "Fashion-MNIST one-class, autoencoder learned online (mean AUROC "
                                + String.format("%.3f", mean)
                                + ")",
                        reports.resolve("bench-anomaly-images-roc.png"));
        Report report =
                new Report("anomaly-images", "./pipeline bench anomaly-images")
                        .put(
                                "protocol",
                                "per class: one online pass over its training images (features"
                                        + " alone), then the 10,000 test images scored by the last"
                                        + " published version; class normal, the other nine"
                                        + " anomalous")
                        .put("model", PipelineJobs.class.getSimpleName() + " catalogue 'anomaly'")
                        .put("perClass", perClass)
                        .put("meanAuroc", mean)
                        .put("target", TARGET_MEAN_AUROC)
                        .put("rocPlot", plot.getFileName().toString())
                        .put("seconds", (System.nanoTime() - started) / 1e9);
        Path file = report.write(reports, "bench-anomaly-images.json");
        out.println("report: " + file);
        return file;
    }

    private record ClassResult(
            double auroc, long version, double learned, int scored, double[][] roc) {}

    private static ClassResult runClass(
            FashionMnist train,
            FashionMnist test,
            int normal,
            Map<String, String> trainer,
            double rate,
            PrintStream out)
            throws Exception {
        try (BenchPlatform bench = new BenchPlatform(4);
                LearnTraffic traffic = new LearnTraffic(bench, "anomaly", false)) {
            BenchPipeline pipeline = new BenchPipeline(bench, "bench-anomaly-" + normal);
            pipeline.encode();
            pipeline.score("anomaly", "image");
            JobID training = pipeline.train("anomaly", "image", trainer);
            int sent = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < train.size(); i++) {
                if (train.label(i) != normal) {
                    continue;
                }
                traffic.send(image("train-" + i, train, i));
                sent++;
                LearnTraffic.pace(t0, sent, rate);
            }
            traffic.flush();
            boolean learned =
                    traffic.awaitLearned(sent, Duration.ofSeconds(60), Duration.ofMinutes(10));
            if (!learned) {
                out.printf(
                        "  class %d: no version learned all %d examples (last learned %.0f)%n",
                        normal, sent, traffic.lastLearned());
            }
            long version = traffic.lastVersion();
            double examples = traffic.lastLearned();
            pipeline.cancel(training);
            // probes (never learned: the trainer is stopped) until the scorer serves that version
            long serving =
                    traffic.awaitServing(
                            id -> image(id, test, 0),
                            version,
                            Duration.ofMillis(500),
                            Duration.ofSeconds(60));
            if (serving < version) {
                throw new IllegalStateException(
                        "the ScoreJob did not serve version " + version + " within 60 s");
            }

            String url = bench.platform.registryUrl();
            double[] scores = new double[test.size()];
            Arrays.fill(scores, Double.NaN);
            int scored = 0;
            try (RestSchemaRegistryClient registry = new RestSchemaRegistryClient(url);
                    KafkaConsumer<byte[], byte[]> consumer =
                            bench.consumer("scores.anomaly", true)) {
                AvroWireDeserializer<Score> reader =
                        AvroWireDeserializer.specific(registry, Score.class);
                for (int i = 0; i < test.size(); i++) {
                    traffic.send(image("test-" + i, test, i));
                }
                traffic.flush();
                long lastProgress = System.nanoTime();
                while (scored < test.size()
                        && System.nanoTime() - lastProgress < Duration.ofSeconds(60).toNanos()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        Score s = reader.deserialize(r.topic(), r.value());
                        if (!s.getEventId().startsWith("test-")) {
                            continue;
                        }
                        if (s.getModelVersion() != version) {
                            throw new IllegalStateException(
                                    "test image "
                                            + s.getEventId()
                                            + " scored by version "
                                            + s.getModelVersion()
                                            + ", not the last one, "
                                            + version);
                        }
                        int i = Integer.parseInt(s.getEventId().substring(5));
                        if (Double.isNaN(scores[i])) {
                            scores[i] = s.getScore();
                            scored++;
                            lastProgress = System.nanoTime();
                        }
                    }
                }
            }
            List<Double> normals = new ArrayList<>();
            List<Double> anomalies = new ArrayList<>();
            for (int i = 0; i < test.size(); i++) {
                if (!Double.isNaN(scores[i])) {
                    (test.label(i) == normal ? normals : anomalies).add(scores[i]);
                }
            }
            return new ClassResult(
                    auroc(normals, anomalies), version, examples, scored, roc(normals, anomalies));
        }
    }

    private static io.streamdl.schemas.avro.RawEvent image(String id, FashionMnist set, int i) {
        return Events.image(
                id,
                System.currentTimeMillis(),
                "fashion-mnist",
                "image/png",
                ImageCodecs.png(set.image(i), FashionMnist.ROWS, FashionMnist.COLS),
                FashionMnist.ROWS,
                FashionMnist.COLS,
                Map.of());
    }

    /** P(an anomaly scores above a normal example), ties counting half (Mann-Whitney). */
    static double auroc(List<Double> normals, List<Double> anomalies) {
        if (normals.isEmpty() || anomalies.isEmpty()) {
            return Double.NaN;
        }
        double[] n = normals.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double wins = 0;
        for (double a : anomalies) {
            int below = lowerBound(n, a);
            int notAbove = upperBound(n, a);
            wins += below + 0.5 * (notAbove - below);
        }
        return wins / ((double) n.length * anomalies.size());
    }

    /**
     * The ROC curve as {false positive rate, true positive rate} points, thresholds from the
     * highest score down (anomalies are the positives).
     */
    static double[][] roc(List<Double> normals, List<Double> anomalies) {
        List<double[]> scored = new ArrayList<>();
        normals.forEach(s -> scored.add(new double[] {s, 0}));
        anomalies.forEach(s -> scored.add(new double[] {s, 1}));
        scored.sort((a, b) -> Double.compare(b[0], a[0]));
        double[][] points = new double[scored.size() + 1][];
        points[0] = new double[] {0, 0};
        double tp = 0;
        double fp = 0;
        for (int i = 0; i < scored.size(); i++) {
            if (scored.get(i)[1] == 1) {
                tp++;
            } else {
                fp++;
            }
            points[i + 1] =
                    new double[] {
                        normals.isEmpty() ? 0 : fp / normals.size(),
                        anomalies.isEmpty() ? 0 : tp / anomalies.size()
                    };
        }
        return points;
    }

    private static int lowerBound(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int upperBound(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
