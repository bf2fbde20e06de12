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
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.topics.Topics;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * {@code ./pipeline bench nab}: streams every series of the Numenta Anomaly Benchmark through the
 * pipeline (events → EncodeJob's metric windows → the {@code metric} forecaster's ScoreJob, while
 * its TrainJob learns online from the same windows and publishes versions the scorer hot-swaps),
 * reads each point's score back from {@code scores.metric}, and scores that output with the NAB
 * rules ({@link NabScorer}, threshold swept over the corpus) for the three profiles; other causal
 * maps of the same output are scored for comparison, and one series is plotted.
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

    static Path runAndWrite(Path reports, PrintStream out, Path data, double rate)
            throws Exception {
        Path root = data != null ? data : NabNumentaBenchmark.DEFAULT_ROOT;
        if (!Files.isDirectory(root.resolve("data"))) {
            throw new IllegalArgumentException(
                    "no NAB corpus at " + root + " (expected data/, labels/, config/ there)");
        }
        NabCorpus corpus = NabCorpus.load(root);
        List<String> files = corpus.files();
        List<List<MetricCsv.Point>> series = new ArrayList<>();
        Map<String, double[]> values = new LinkedHashMap<>();
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
            values.put(file, points.stream().mapToDouble(MetricCsv.Point::value).toArray());
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
                AvroWireDeserializer<RawEvent> rawReader =
                        AvroWireDeserializer.specific(registry, RawEvent.class);
                started = System.nanoTime();
                int sent = 0;
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
                            LearnTraffic.pace(started, ++sent, rate);
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
                        int[] at = parse(eventId(d, rawReader));
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
        for (double[] r : raw) {
            for (double v : r) {
                missing += Double.isNaN(v) ? 1 : 0;
            }
        }
        NabScorer scorer = NabScorer.forCorpus(corpus);
        Map<String, ScoredSeries> output =
                transformed(corpus, raw, r -> NabScoreTransforms.percentileRanks(r, RANK_WINDOW));
        Map<String, Object> profiles = new LinkedHashMap<>();
        Map<String, Double> thresholds = new LinkedHashMap<>();
        for (NabProfile profile : corpus.profiles()) {
            NabResult result = scorer.score(output, profile, Search.SWEEP);
            out.printf(
                    "%-20s %.3f (threshold %.4f)%n",
                    profile.name(), result.normalizedScore(), result.threshold());
            profiles.put(
                    profile.name(),
                    Map.of("score", result.normalizedScore(), "threshold", result.threshold()));
            thresholds.put(profile.name(), result.threshold());
        }
        // the same pipeline output through other causal score maps, for comparison
        Map<String, Double> alternatives = new LinkedHashMap<>();
        alternatives.put(
                "numenta-style likelihood (mean of last 10 vs previous 1000)",
                standard(
                        scorer,
                        corpus,
                        transformed(
                                corpus,
                                raw,
                                r -> NabScoreTransforms.likelihood(r, 10, RANK_WINDOW))));
        alternatives.put(
                "ratio to the maximum of the previous 1000",
                standard(
                        scorer,
                        corpus,
                        transformed(
                                corpus, raw, r -> NabScoreTransforms.maxRatio(r, RANK_WINDOW))));
        alternatives.forEach((name, score) -> out.printf("  standard, %s: %.3f%n", name, score));
        String shown = "realKnownCause/machine_temperature_system_failure.csv";
        Path plot =
                NabSeriesPlot.write(
                        corpus,
                        shown,
                        values.get(shown),
                        output.get(shown),
                        thresholds.get("standard"),
                        reports.resolve("bench-nab-series.png"));
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
                        .put("alternativeScoreMapsStandard", alternatives)
                        .put("plot", plot.getFileName().toString())
                        .put("scoreboardStandard", SCOREBOARD_STANDARD)
                        .put("pointsMissing", missing)
                        .put("deadLetters", dead)
                        .put("scoresPerModelVersion", versions.size())
                        .put("ratePerSecond", rate)
                        .put("sendSeconds", sendSeconds)
                        .put("seconds", seconds)
                        .put("pointsPerSecond", total / seconds);
        writeRaw(reports.resolve("bench-nab-scores.csv.gz"), files, raw);
        Path file = report.write(reports, "bench-nab.json");
        out.println("report: " + file);
        return file;
    }

    /**
     * The pipeline's raw scores, {@code file,row,score} (NaN: never came back, -Infinity: dead
     * letter), for rescoring and plots.
     */
    private static void writeRaw(Path file, List<String> files, double[][] raw) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer w =
                new OutputStreamWriter(
                        new GZIPOutputStream(Files.newOutputStream(file)),
                        StandardCharsets.UTF_8)) {
            w.write("file,row,score\n");
            for (int f = 0; f < files.size(); f++) {
                for (int i = 0; i < raw[f].length; i++) {
                    w.write(files.get(f) + "," + i + "," + raw[f][i] + "\n");
                }
            }
        }
    }

    private static Map<String, ScoredSeries> transformed(
            NabCorpus corpus, double[][] raw, UnaryOperator<double[]> map) {
        Map<String, ScoredSeries> output = new LinkedHashMap<>();
        List<String> files = corpus.files();
        for (int f = 0; f < files.size(); f++) {
            output.put(
                    files.get(f),
                    ScoredSeries.of(corpus.timestamps(files.get(f)), map.apply(raw[f])));
        }
        return output;
    }

    private static double standard(
            NabScorer scorer, NabCorpus corpus, Map<String, ScoredSeries> output) {
        return scorer.score(output, corpus.profile("standard"), Search.SWEEP).normalizedScore();
    }

    private static String id(int file, int row) {
        return "nab-" + file + "-" + row;
    }

    /**
     * The event a dead letter is about: its key, unless that is a metric event's series key (as the
     * encoder's refusals of a metric point are), then the id inside the refused raw event.
     */
    private static String eventId(DeadLetter d, AvroWireDeserializer<RawEvent> rawReader) {
        String key = d.getKey() == null ? "" : StandardCharsets.UTF_8.decode(d.getKey()).toString();
        if (key.startsWith("nab-")
                || d.getValue() == null
                || !Topics.EVENTS_RAW.name().equals(d.getSourceTopic())) {
            return key;
        }
        byte[] value = new byte[d.getValue().remaining()];
        d.getValue().duplicate().get(value);
        try {
            return rawReader.deserialize(Topics.EVENTS_RAW.name(), value).getId();
        } catch (RuntimeException e) {
            return key;
        }
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
