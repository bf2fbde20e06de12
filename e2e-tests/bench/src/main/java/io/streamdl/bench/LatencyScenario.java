package io.streamdl.bench;

import io.streamdl.encoders.EncoderRegistry;
import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.models.arch.Architectures;
import io.streamdl.models.inference.FeatureTensors;
import io.streamdl.models.inference.InferenceBackend;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.onnx.OnnxExporter;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.ops.jobs.JobRunner;
import io.streamdl.ops.load.LatencyStats;
import io.streamdl.ops.load.LoadGenerator;
import io.streamdl.ops.load.LoadPlan;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.scoring.ScoreJobConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The whole image path, ingest → events.raw → EncodeJob → features.image → ScoreJob → scores.image
 * → a reader, for both delivery settings: first the maximum sustainable rate (a backlog capacity
 * run), then open-loop load at 25, 50, 75 and 100% of it with {@link LoadGenerator} (events sent by
 * one client on a fixed schedule, scores read read_committed by another, latency from each event's
 * due time to its score's arrival), and the capacity against the slower bare stage (encoder or ONNX
 * Runtime) measured in the same run.
 */
final class LatencyScenario implements Scenario {

    /**
     * The fused path (the default: the EncodeJob scores, {@code scoring.fused}) and the two-job
     * path (an EncodeJob, then a ScoreJob reading features.image).
     */
    static final String[] PATHS = {"fused", "two-job"};

    /** Every path with every delivery setting, as the rows name them. */
    static final String[] SETTINGS = {
        "fused at-least-once", "fused exactly-once", "two-job at-least-once", "two-job exactly-once"
    };

    static final int[] LEVELS = {25, 50, 75, 100};
    static final long EXACTLY_ONCE_CHECKPOINT_MS = Long.getLong("bench.latency.checkpoint-ms", 100);
    static final long AT_LEAST_ONCE_CHECKPOINT_MS = 1000;
    static final String BUFFER_TIMEOUT_MS = "5";

    static final String CAPACITY = "max sustainable events/s";
    static final String BARE_ENCODER = "bare image encoder/s";
    static final String BARE_ORT = "bare ONNX Runtime/s";
    static final String PATH_RATIO = "max / slower bare stage";
    static final String KAFKA_CEILING = "kafka ceiling (raw event produce/s)";
    static final String OFFERED = "offered events/s";
    static final String THROUGHPUT = "scores/s";
    static final String P50 = "p50 ms";
    static final String P95 = "p95 ms";
    static final String P99 = "p99 ms";
    static final String MAX = "max ms";
    static final String LOST = "lost";
    static final String DUPLICATES = "duplicates";

    @Override
    public String name() {
        return "latency";
    }

    @Override
    public String title() {
        return "ingest → readable score, open loop, both delivery settings";
    }

    static String capacityRow(String delivery) {
        return delivery + ": capacity";
    }

    static String levelRow(String delivery, int level) {
        return delivery + ": " + level + "% of max";
    }

    @Override
    public RunTable run(Context c, int run) throws Exception {
        int capacityEvents = c.size(3000, 15_000);
        Duration level = Duration.ofSeconds(c.size(3, 12));
        int batch = ScoreJobConfig.MAX_BATCH.read(Map.of());
        c.setting(name(), "capacityEvents", capacityEvents);
        c.setting(name(), "secondsPerLoadLevel", level.toSeconds());
        c.setting(name(), "scoreJobMaxBatch", batch);
        c.setting(name(), "flink.buffer-timeout-ms", BUFFER_TIMEOUT_MS);
        c.setting(name(), "exactlyOnceCheckpointMs", EXACTLY_ONCE_CHECKPOINT_MS);
        c.setting(name(), "atLeastOnceCheckpointMs", AT_LEAST_ONCE_CHECKPOINT_MS);
        RunTable t = new RunTable();
        FashionMnist test = FashionMnist.load(FashionMnist.Split.TEST);
        int pool = Math.min(test.size(), 1000);
        byte[][] pngs = new byte[pool][];
        for (int i = 0; i < pool; i++) {
            pngs[i] = ImageCodecs.png(test.image(i), FashionMnist.COLS, FashionMnist.ROWS);
        }
        // -Dbench.latency.delivery=exactly-once (PIPELINE_JAVA_OPTS) measures one setting only
        String only = System.getProperty("bench.latency.delivery", "");
        boolean first = true;
        for (String setting : SETTINGS) {
            String path = setting.substring(0, setting.indexOf(' '));
            String delivery = setting.substring(setting.indexOf(' ') + 1);
            if (!only.isEmpty() && !only.equals(delivery)) {
                continue;
            }
            // a platform of its own per setting: jobs of the other setting would leave a backlog
            // and group offsets behind
            try (ScoringRig rig =
                    new ScoringRig(
                            4,
                            Duration.ofSeconds(1),
                            Map.of("flink.buffer-timeout-ms", BUFFER_TIMEOUT_MS))) {
                if (first) {
                    bare(rig, pngs, batch, t);
                    first = false;
                }
                measure(c, rig, t, pngs, path, delivery, batch, capacityEvents, level, run);
            }
        }
        return t;
    }

    private void measure(
            Context c,
            ScoringRig rig,
            RunTable t,
            byte[][] pngs,
            String path,
            String delivery,
            int batch,
            int capacityEvents,
            Duration level,
            int run)
            throws Exception {
        rig.publishFresh("image");
        boolean exactlyOnce = delivery.equals("exactly-once");
        JobRunner runner =
                new JobRunner(
                        rig.bench.platform,
                        Duration.ofMillis(
                                exactlyOnce
                                        ? EXACTLY_ONCE_CHECKPOINT_MS
                                        : AT_LEAST_ONCE_CHECKPOINT_MS));
        String setting = path + " " + delivery;
        List<JobID> jobs = new ArrayList<>();
        if (path.equals("fused")) {
            jobs.add(rig.fusedJob(runner, "image", batch, exactlyOnce, "bench-latency-fused"));
        } else {
            jobs.add(rig.scoreJob(runner, "image", batch, 1, exactlyOnce, "bench-latency-score"));
            jobs.add(rig.encodeJob(runner, exactlyOnce, "bench-latency-encode"));
        }
        String bootstrap = rig.bench.platform.bootstrapServers();
        String url = rig.bench.platform.registryUrl();
        // warm-up: the model is loaded and every stage has run before anything is timed
        load(bootstrap, url, pngs, 50, Duration.ofSeconds(2), c);
        double capacity = capacity(rig, pngs, capacityEvents, setting, run);
        t.put(capacityRow(setting), CAPACITY, capacity);
        c.out.printf("%s: max sustainable %,.0f events/s%n", setting, capacity);
        for (int l : LEVELS) {
            double rate = Math.max(1, capacity * l / 100);
            LoadGenerator.Result r = load(bootstrap, url, pngs, rate, level, c);
            LatencyStats s = r.latency();
            String row = levelRow(setting, l);
            t.put(row, OFFERED, rate)
                    .put(row, THROUGHPUT, r.throughput())
                    .put(row, P50, s.percentileMillis(50))
                    .put(row, P95, s.percentileMillis(95))
                    .put(row, P99, s.percentileMillis(99))
                    .put(row, MAX, s.maxMillis())
                    .put(row, LOST, r.lost())
                    .put(row, DUPLICATES, r.duplicates());
            c.out.printf(
                    "%s at %d%% (%,.0f/s): p50 %.1f ms, p99 %.1f ms, lost %d%n",
                    setting, l, rate, s.percentileMillis(50), s.percentileMillis(99), r.lost());
        }
        for (JobID job : jobs) {
            runner.cancel(job);
        }
    }

    /** The two bare stages of the path on the same images: the encoder and the model. */
    private static void bare(ScoringRig rig, byte[][] pngs, int batch, RunTable t)
            throws Exception {
        List<RawEvent> events = new ArrayList<>();
        for (int i = 0; i < pngs.length; i++) {
            events.add(images(pngs, i, "bare-" + i));
        }
        EncoderRegistry encoders = rig.encoders();
        double encoder = EncodeBenchmark.bareRate(encoders, events, 1.0);
        List<Features> features = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            features.add(encoders.encode(events.get(i)).features());
        }
        ModelSpec spec = DefaultSpecs.image();
        ComputationGraph network = Architectures.build(spec);
        double ort;
        try (InferenceBackend backend =
                OnnxRuntimeBackend.create(
                        spec,
                        OnnxExporter.export(network, spec),
                        OnnxRuntimeBackend.Config.defaults())) {
            var b = FeatureTensors.batch(features, spec);
            for (int i = 0; i < 50; i++) {
                backend.infer(b);
            }
            long start = System.nanoTime();
            long n = 0;
            while (System.nanoTime() - start < 1_000_000_000L) {
                backend.infer(b);
                n += batch;
            }
            ort = n / ((System.nanoTime() - start) / 1e9);
        }
        for (String setting : SETTINGS) {
            t.put(capacityRow(setting), BARE_ENCODER, encoder)
                    .put(capacityRow(setting), BARE_ORT, ort);
        }
    }

    private static RawEvent images(byte[][] pngs, long i, String id) {
        return Events.image(
                id,
                System.currentTimeMillis(),
                "bench",
                "image/png",
                pngs[(int) (i % pngs.length)],
                FashionMnist.COLS,
                FashionMnist.ROWS,
                Map.of());
    }

    /**
     * Scores/s read back while a backlog of {@code n} events, sent as fast as the producer takes
     * them, drains through the running path.
     */
    private static double capacity(ScoringRig rig, byte[][] pngs, int n, String delivery, int run)
            throws Exception {
        String prefix = "cap-" + delivery + "-" + run + "-";
        try (KafkaConsumer<byte[], byte[]> scores = rig.bench.consumer("scores.image", true);
                EventSender sender =
                        new EventSender(
                                rig.bench.platform.bootstrapServers(),
                                rig.bench.platform.registryUrl(),
                                Duration.ofSeconds(1))) {
            scores.poll(Duration.ofMillis(200));
            for (int i = 0; i < n; i++) {
                sender.send(images(pngs, i, prefix + i));
            }
            sender.flush();
            ScoringRig.Readout r = rig.read(scores, prefix, n, Duration.ofMinutes(3));
            if (r.distinct() < n) {
                throw new IllegalStateException(
                        delivery + " capacity run: " + r.distinct() + " of " + n + " scores");
            }
            return r.scoredPerSecond();
        }
    }

    private static LoadGenerator.Result load(
            String bootstrap, String url, byte[][] pngs, double rate, Duration duration, Context c)
            throws InterruptedException {
        LoadPlan plan = new LoadPlan(rate, duration, Duration.ofSeconds(15), "image", false, true);
        return LoadGenerator.run(
                bootstrap,
                url,
                plan,
                new LoadGenerator.Events() {
                    @Override
                    public RawEvent event(long i, String id, long ts) {
                        return images(pngs, i, id);
                    }

                    @Override
                    public String label(long i) {
                        return null;
                    }
                },
                c.out);
    }

    @Override
    public void finish(ScenarioResult r, Context c) throws Exception {
        ScenarioResult kafka = c.done.get("kafka");
        double ceiling =
                kafka == null ? Double.NaN : kafka.median(KafkaScenario.RAW, KafkaScenario.PRODUCE);
        r.method.add(
                "fused: the EncodeJob scores the image model itself (FusedScoreJob, scoring.fused,"
                        + " the default): one job, one transactional commit per score; two-job: an"
                        + " EncodeJob writes features.image and a ScoreJob reads it back, two"
                        + " commits in series with exactly-once");
        r.method.add(
                "the path: EncodeJob and image ScoreJob (parallelism 1, max batch "
                        + ScoreJobConfig.MAX_BATCH.read(Map.of())
                        + ", max wait 5 ms, flink.buffer-timeout-ms "
                        + BUFFER_TIMEOUT_MS
                        + ") on the embedded platform in this JVM; checkpoints every "
                        + EXACTLY_ONCE_CHECKPOINT_MS
                        + " ms for exactly-once (the smallest flink.checkpoint.interval-ms allows),"
                        + " every "
                        + AT_LEAST_ONCE_CHECKPOINT_MS
                        + " ms for at-least-once");
        r.method.add(
                "max sustainable rate: a backlog capacity run: a burst of events sent as fast as"
                        + " the producer takes them while the path runs; the rate of the scores"
                        + " read back (read_committed) between the smallest and largest"
                        + " scoredTs; a backlog drains in full batches, so this can be above what"
                        + " open-loop load sustains: the 100% level shows whether it holds");
        r.method.add(
                "load levels: ops/load LoadGenerator (what ./pipeline load runs): Fashion-MNIST"
                        + " test PNGs sent open loop by one client, scores read read_committed by"
                        + " another from the topic's end; latency from each event's due time to"
                        + " its score's arrival; no labels, no TrainJob");
        r.method.add(
                "slower bare stage: the image encoder on one thread and bare ONNX Runtime at the"
                        + " ScoreJob's max batch, measured in the same run");
        if (kafka == null) {
            r.notes.add("kafka ceiling: the kafka scenario did not run in this report");
        }
        for (String d : SETTINGS) {
            double bare =
                    Math.min(
                            r.median(capacityRow(d), BARE_ENCODER),
                            r.median(capacityRow(d), BARE_ORT));
            r.table
                    .computeIfAbsent(capacityRow(d), x -> new java.util.LinkedHashMap<>())
                    .put(KAFKA_CEILING, Summary.of(List.of(ceiling)));
            r.targets.add(
                    Target.atLeast(
                                    d + ": max sustainable rate / slower bare stage",
                                    r.median(capacityRow(d), CAPACITY) / bare,
                                    "",
                                    0.7)
                            .withNote(
                                    String.format(
                                            "kafka ceiling beside it: %s raw events/s produced by"
                                                    + " a bare producer; the path crosses the"
                                                    + " broker three times on 2 shared cores",
                                            MarkdownReport.number(ceiling))));
        }
        for (String path : PATHS) {
            boolean fused = path.equals("fused");
            r.targets.add(
                    Target.atMost(
                                    path + " at-least-once p99 at 50% of max",
                                    r.median(levelRow(path + " at-least-once", 50), P99),
                                    "ms",
                                    25)
                            .withNote(
                                    (fused ? "one Flink job" : "two Flink jobs")
                                            + ", the broker and both clients share 2 cores"));
            r.targets.add(
                    Target.atMost(
                                    path + " exactly-once p99 at 50% of max",
                                    r.median(levelRow(path + " exactly-once", 50), P99),
                                    "ms",
                                    250)
                            .withNote(
                                    fused
                                            ? "a score is readable after one transactional commit"
                                                    + " (the EncodeJob's checkpoint)"
                                            : "a score is readable after two transactional"
                                                    + " commits (EncodeJob and ScoreJob"
                                                    + " checkpoints)"));
        }
        LinePlot plot =
                new LinePlot(
                        "ingest to readable score: latency against offered load (median of runs)",
                        "offered events/s",
                        "ms",
                        false);
        for (String d : SETTINGS) {
            for (String p : new String[] {P50, P99}) {
                List<double[]> points = new ArrayList<>();
                for (int l : LEVELS) {
                    points.add(
                            new double[] {
                                r.median(levelRow(d, l), OFFERED), r.median(levelRow(d, l), p)
                            });
                }
                plot.add(d + " " + p.replace(" ms", ""), points);
            }
        }
        Path file = plot.write(c.dir.resolve("latency.png"));
        r.plots.add(file.getFileName().toString());
    }
}
