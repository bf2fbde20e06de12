package io.streamdl.bench;

import io.streamdl.bench.nab.NabCorpus;
import io.streamdl.bench.nab.NabProfile;
import io.streamdl.bench.nab.NabResult;
import io.streamdl.bench.nab.NabScorer;
import io.streamdl.bench.nab.ScoredSeries;
import io.streamdl.bench.nab.ThresholdOptimizer.Search;
import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.MetricCsv;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * {@code ./pipeline bench nab}: streams every series of the Numenta Anomaly Benchmark through the
 * pipeline (events → EncodeJob's metric windows → the {@code metric} forecaster's ScoreJob, while
 * its TrainJob learns online from the same windows and publishes versions the scorer hot-swaps),
 * reads each point's score back from {@code scores.metric}, and scores that output with the NAB
 * rules ({@link NabScorer}, threshold swept over the corpus) for the three profiles.
 *
 * <p>All 58 series are sent interleaved (point i of every series before point i+1 of any), each in
 * its own time order and under its own series key, so one model learns online from every series
 * from its start, with no look-ahead: a point is scored by the newest version published when it
 * reaches the scorer. The score NAB sees for a point is the fraction of its series' previous {@code
 * window} raw scores below it (the causal percentile rank, the statistic the AnomalyDetector's
 * quantile threshold applies), which puts every series' forecast errors on one [0, 1] scale.
 */
final class NabPipelineBenchmark {
    /** Raw scores per series the percentile rank is taken over (the detector's default window). */
    static final int RANK_WINDOW = 1000;

    private static final Map<String, Double> SCOREBOARD_STANDARD =
            scoreboard(
                    "ARTime",
                    74.9,
                    "Numenta HTM",
                    70.1,
                    "CAD OSE",
                    69.9,
                    "KNN CAD",
                    58.0,
                    "Random Cut Forest",
                    51.7,
                    "random",
                    16.8);

    private NabPipelineBenchmark() {}

    static Path runAndWrite(Path reports, PrintStream out, Path data) throws Exception {
        Path root = data != null ? data : NabNumentaBenchmark.DEFAULT_ROOT;
        if (!Files.isDirectory(root.resolve("data"))) {
            throw new IllegalArgumentException(
                    "no NAB corpus at " + root + " (expected data/, labels/, config/ there)");
        }
        NabCorpus corpus = NabCorpus.load(root);
        List<String> files = corpus.files();
        List<List<MetricCsv.Point>> series = new ArrayList<>();
        int total = 0;
        int longest = 0;
        for (String file : files) {
            List<MetricCsv.Point> points =
                    MetricCsv.read(root.resolve("data").resolve(file)).points();
            if (points.size() != corpus.timestamps(file).size()) {
                throw new IllegalStateException(
                        file
                                + ": "
                                + points.size()
                                + " points read, the corpus has "
                                + corpus.timestamps(file).size());
            }
            series.add(points);
            total += points.size();
            longest = Math.max(longest, points.size());
        }
        out.printf(
                "NAB: %d series, %,d points; streaming them through the pipeline%n",
                files.size(), total);

        Map<String, String> trainer =
                Map.of(
                        "trainer.publish.every-examples", "2000",
                        "trainer.publish.every-seconds", "5",
                        "trainer.guard.margin", "0.25",
                        "models.hmac.key", PipelineJobs.DEVELOPMENT_KEY);
        double[][] raw = new double[files.size()][];
        for (int f = 0; f < files.size(); f++) {
            raw[f] = new double[series.get(f).size()];
            java.util.Arrays.fill(raw[f], Double.NaN);
        }
        Map<String, Long> dead = new TreeMap<>();
        Map<Long, Integer> versions = new TreeMap<>();
        long started;
        double sendSeconds;
        double seconds;
        try (BenchPlatform bench = new BenchPlatform(4)) {
            BenchPipeline pipeline = new BenchPipeline(bench, "bench-nab");
            pipeline.encode();
            pipeline.score("metric", "metric");
            pipeline.train("metric", "metric", trainer);
            String url = bench.platform.registryUrl();
            try (RestSchemaRegistryClient registry = new RestSchemaRegistryClient(url);
                    KafkaConsumer<byte[], byte[]> scores = bench.consumer("scores.metric", true);
                    KafkaConsumer<byte[], byte[]> dlq = bench.consumer("dlq", true);
                    EventSender sender =
                            new EventSender(
                                    bench.platform.bootstrapServers(), url, Duration.ZERO)) {
                AvroWireDeserializer<Score> scoreReader =
                        AvroWireDeserializer.specific(registry, Score.class);
                AvroWireDeserializer<DeadLetter> deadReader =
                        AvroWireDeserializer.specific(registry, DeadLetter.class);
                started = System.nanoTime();
                for (int i = 0; i < longest; i++) {
                    for (int f = 0; f < files.size(); f++) {
                        List<MetricCsv.Point> points = series.get(f);
                        if (i < points.size()) {
                            MetricCsv.Point p = points.get(i);
                            sender.send(
                                    Events.metric(
                                            id(f, i),
                                            p.ts(),
                                            "nab",
                                            files.get(f),
                                            p.value(),
                                            Map.of()));
                        }
                    }
                }
                sender.flush();
                sendSeconds = (System.nanoTime() - started) / 1e9;
                out.printf("sent %,d points in %.1f s; reading scores%n", total, sendSeconds);
                int done = 0;
                long lastProgress = System.nanoTime();
                long lastPrint = System.nanoTime();
                while (done < total
                        && System.nanoTime() - lastProgress < Duration.ofSeconds(120).toNanos()) {
                    for (ConsumerRecord<byte[], byte[]> r : scores.poll(Duration.ofMillis(200))) {
                        Score s = scoreReader.deserialize(r.topic(), r.value());
                        int[] at = parse(s.getEventId());
                        if (at != null && Double.isNaN(raw[at[0]][at[1]])) {
                            raw[at[0]][at[1]] = s.getScore();
                            versions.merge(s.getModelVersion(), 1, Integer::sum);
                            done++;
                            lastProgress = System.nanoTime();
                        }
                    }
                    for (ConsumerRecord<byte[], byte[]> r : dlq.poll(Duration.ZERO)) {
                        DeadLetter d = deadReader.deserialize(r.topic(), r.value());
                        if (d.getKey() == null) {
                            continue;
                        }
                        int[] at = parse(StandardCharsets.UTF_8.decode(d.getKey()).toString());
                        if (at != null && Double.isNaN(raw[at[0]][at[1]])) {
                            raw[at[0]][at[1]] = Double.NEGATIVE_INFINITY;
                            dead.merge(d.getStage() + ": " + d.getError(), 1L, Long::sum);
                            done++;
                            lastProgress = System.nanoTime();
                        }
                    }
                    if (System.nanoTime() - lastPrint > 10_000_000_000L) {
                        lastPrint = System.nanoTime();
                        out.printf("  %,d/%,d points scored or dead-lettered%n", done, total);
                    }
                }
                seconds = (System.nanoTime() - started) / 1e9;
                out.printf("%,d/%,d points back after %.1f s%n", done, total, seconds);
            }
        }

        int missing = 0;
        Map<String, ScoredSeries> output = new LinkedHashMap<>();
        for (int f = 0; f < files.size(); f++) {
            for (int i = 0; i < raw[f].length; i++) {
                if (Double.isNaN(raw[f][i])) {
                    missing++;
                }
            }
            output.put(
                    files.get(f),
                    ScoredSeries.of(corpus.timestamps(files.get(f)), percentileRanks(raw[f])));
        }
        NabScorer scorer = NabScorer.forCorpus(corpus);
        Map<String, Object> profiles = new LinkedHashMap<>();
        for (NabProfile profile : corpus.profiles()) {
            NabResult result = scorer.score(output, profile, Search.SWEEP);
            out.printf(
                    "%-20s %.3f (threshold %.4f)%n",
                    profile.name(), result.normalizedScore(), result.threshold());
            profiles.put(
                    profile.name(),
                    Map.of("score", result.normalizedScore(), "threshold", result.threshold()));
        }
        Report report =
                new Report("nab", "./pipeline bench nab")
                        .put(
                                "corpus",
                                Map.of(
                                        "files",
                                        files.size(),
                                        "rows",
                                        total,
                                        "windows",
                                        corpus.windowCount()))
                        .put(
                                "pipeline",
                                "EncodeJob (metric windows of 32, per-series keyed state) -> ScoreJob"
                                        + " of 'metric' (forecaster, ONNX Runtime, hot swap) with its"
                                        + " TrainJob learning online from the same windows")
                        .put(
                                "nabScore",
                                "causal percentile rank of each raw forecast error among the"
                                        + " previous "
                                        + RANK_WINDOW
                                        + " of its series")
                        .put("profiles", profiles)
                        .put("scoreboardStandard", SCOREBOARD_STANDARD)
                        .put("pointsMissing", missing)
                        .put("deadLetters", dead)
                        .put("scoresPerModelVersion", versions.size())
                        .put("sendSeconds", sendSeconds)
                        .put("seconds", seconds)
                        .put("pointsPerSecond", total / seconds);
        Path file = report.write(reports, "bench-nab.json");
        out.println("report: " + file);
        return file;
    }

    /**
     * Each raw score as the fraction of the previous {@link #RANK_WINDOW} scores of its series
     * below it (ties count half); 0 for the first point and for points without a score.
     */
    static double[] percentileRanks(double[] raw) {
        double[] ranks = new double[raw.length];
        for (int i = 0; i < raw.length; i++) {
            double v = raw[i];
            int from = Math.max(0, i - RANK_WINDOW);
            int n = 0;
            double below = 0;
            for (int j = from; j < i; j++) {
                if (!Double.isFinite(raw[j])) {
                    continue;
                }
                n++;
                if (raw[j] < v) {
                    below += 1;
                } else if (raw[j] == v) {
                    below += 0.5;
                }
            }
            ranks[i] = !Double.isFinite(v) || n == 0 ? 0 : below / n;
        }
        return ranks;
    }

    private static String id(int file, int row) {
        return "nab-" + file + "-" + row;
    }

    /** {file, row} of an id made by {@link #id}, or null for another event's. */
    private static int[] parse(String id) {
        if (!id.startsWith("nab-")) {
            return null;
        }
        int dash = id.indexOf('-', 4);
        return new int[] {
            Integer.parseInt(id.substring(4, dash)), Integer.parseInt(id.substring(dash + 1))
        };
    }

    private static Map<String, Double> scoreboard(Object... pairs) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (Double) pairs[i + 1]);
        }
        return m;
    }
}
