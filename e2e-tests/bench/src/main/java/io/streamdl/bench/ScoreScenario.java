package io.streamdl.bench;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Dl4jBackend;
import io.streamdl.models.inference.FeatureTensors;
import io.streamdl.models.inference.InferenceBackend;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.onnx.OnnxExporter;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.Features;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The image CNN, the audio LSTM and the text Transformer: bare DL4J and bare ONNX Runtime samples/s
 * per batch size on real features, FLOPs per sample ({@link FlopCounter}) and the GFLOP/s achieved
 * against the machine's single-thread peak (a 1024 x 1024 float32 matrix product with ND4J and with
 * ONNX Runtime, measured in the same run), and Kafka → ScoreJob → Kafka at one batch size against
 * bare ONNX Runtime at that batch size and thread count.
 */
final class ScoreScenario implements Scenario {
    static final String[] MODELS = {"image", "audio", "text"};
    static final int JOB_BATCH = 32;
    static final String ORT = "ONNX Runtime samples/s";
    static final String DL4J = "DL4J samples/s";
    static final String ORT_GFLOPS = "ONNX Runtime GFLOP/s";
    static final String PEAK_SHARE = "ONNX Runtime / peak";
    static final String JOB = "ScoreJob scores/s";
    static final String JOB_RATIO = "ScoreJob / bare ONNX Runtime";
    static final String FLOPS = "MFLOP/sample";
    static final String PEAK_ROW = "peak: 1024×1024 float32 matrix product, 1 thread";
    static final String ND4J_PEAK = "ND4J GFLOP/s";
    static final String ORT_PEAK = "ONNX Runtime GFLOP/s";

    private int[] batches = {1, 8, 32, 128};

    @Override
    public String name() {
        return "score";
    }

    @Override
    public String title() {
        return "image CNN, audio LSTM, text Transformer: bare DL4J and ONNX Runtime vs the ScoreJob";
    }

    static String row(String model, int batch) {
        return model + ", batch " + batch;
    }

    @Override
    public RunTable run(Context c, int run) throws Exception {
        if (c.quick) {
            batches = new int[] {1, JOB_BATCH};
        }
        double seconds = c.size(0.4, 1.5);
        c.setting(name(), "batchSizes", java.util.Arrays.toString(batches));
        c.setting(name(), "secondsPerBareMeasurement", seconds);
        c.setting(name(), "scoreJobBatch", JOB_BATCH);
        c.setting(
                name(),
                "onnxRuntimeThreads",
                OnnxRuntimeBackend.Config.defaults().intraOpThreads());
        RunTable t = new RunTable();
        double nd4jPeak = InferenceBenchmark.nd4jMatMulGflops(1024, seconds);
        double ortPeak = InferenceBenchmark.ortMatMulGflops(1024, 1, seconds);
        t.put(PEAK_ROW, ND4J_PEAK, nd4jPeak).put(PEAK_ROW, ORT_PEAK, ortPeak);
        double peak = Math.max(nd4jPeak, ortPeak);
        c.out.printf(
                "peak single-thread GFLOP/s: ND4J %.1f, ONNX Runtime %.1f%n", nd4jPeak, ortPeak);
        try (ScoringRig rig = new ScoringRig(2, Duration.ofMillis(500))) {
            for (String model : MODELS) {
                ModelSpec spec = DefaultSpecs.byName(model);
                int events = jobEvents(c, model);
                List<Features> features = rig.features(model, Math.min(events, 512));
                ComputationGraph network = Architectures.build(spec);
                long flops = FlopCounter.flopsPerSample(network, spec);
                byte[] onnx = OnnxExporter.export(network, spec);
                try (InferenceBackend ort =
                                OnnxRuntimeBackend.create(
                                        spec, onnx, OnnxRuntimeBackend.Config.defaults());
                        InferenceBackend dl4j = Dl4jBackend.create(spec, network)) {
                    for (int b : batches) {
                        Batch batch = FeatureTensors.batch(repeat(features, b), spec);
                        double o = rate(ort, batch, b, seconds);
                        double d = rate(dl4j, batch, b, seconds);
                        double gflops = o * flops / 1e9;
                        t.put(row(model, b), ORT, o)
                                .put(row(model, b), DL4J, d)
                                .put(row(model, b), ORT_GFLOPS, gflops)
                                .put(row(model, b), PEAK_SHARE, gflops / peak)
                                .put(row(model, b), FLOPS, flops / 1e6);
                        c.out.printf(
                                "%s batch %d: ONNX Runtime %,.0f/s (%.2f GFLOP/s), DL4J %,.0f/s%n",
                                model, b, o, gflops, d);
                    }
                }
                double job = scoreJob(rig, model, features, events);
                double bare = t.get(row(model, JOB_BATCH), ORT);
                t.put(row(model, JOB_BATCH), JOB, job)
                        .put(row(model, JOB_BATCH), JOB_RATIO, job / bare);
                c.out.printf(
                        "%s ScoreJob at batch %d: %,.0f scores/s = %.2f of bare ONNX Runtime%n",
                        model, JOB_BATCH, job, job / bare);
            }
        }
        return t;
    }

    static int jobEvents(Context c, String model) {
        return switch (model) {
            case "image" -> c.size(20_000, 60_000);
            case "audio" -> c.size(5000, 15_000);
            default -> c.size(5000, 15_000);
        };
    }

    /** Scores/s of a ScoreJob started on a backlog of {@code events} features. */
    private static double scoreJob(
            ScoringRig rig, String model, List<Features> features, int events) throws Exception {
        rig.publishFresh(model);
        String prefix = "job-" + model + "-";
        try (KafkaConsumer<byte[], byte[]> scores = rig.bench.consumer("scores." + model, true)) {
            JobID job = rig.scoreJob(model, JOB_BATCH, 1, true, "bench-score-" + model);
            rig.awaitServing(model, features, model);
            rig.send(model, features, prefix, events);
            ScoringRig.Readout r = rig.read(scores, prefix, events, Duration.ofMinutes(5));
            rig.runner.cancel(job);
            if (r.distinct() < events) {
                throw new IllegalStateException(
                        model + ": " + r.distinct() + " of " + events + " scores within 5 minutes");
            }
            return r.scoredPerSecond();
        }
    }

    private static List<Features> repeat(List<Features> features, int n) {
        List<Features> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(features.get(i % features.size()));
        }
        return out;
    }

    /**
     * Samples/s of {@code backend} on one prepared batch, inputs rebuilt each call as the scorer
     * does.
     */
    private static double rate(InferenceBackend backend, Batch batch, int size, double seconds) {
        long warm = System.nanoTime() + (long) (seconds * 0.25e9);
        do {
            backend.infer(batch);
        } while (System.nanoTime() < warm);
        long start = System.nanoTime();
        long n = 0;
        do {
            backend.infer(batch);
            n += size;
        } while (System.nanoTime() - start < seconds * 1e9);
        return n / ((System.nanoTime() - start) / 1e9);
    }

    @Override
    public void finish(ScenarioResult r, Context c) throws Exception {
        r.method.add(
                "bare: each backend in a loop on one thread over one batch of real features (the"
                        + " platform's encoders over Fashion-MNIST PNGs, keyword clips, Debian"
                        + " descriptions), after a warm-up; ONNX Runtime with the scorer's default"
                        + " session ("
                        + OnnxRuntimeBackend.Config.defaults().intraOpThreads()
                        + " intra-op thread)");
        r.method.add("FLOPs per sample: " + FlopCounter.METHOD);
        r.method.add(
                "peak: the best of ND4J mmul and ONNX Runtime MatMul of two 1024 x 1024 float32"
                        + " matrices on one thread (2 n^3 FLOPs per product), in the same run");
        r.method.add(
                "ScoreJob: only at batch "
                        + JOB_BATCH
                        + " to keep the run short; the ScoreJob (parallelism 1, exactly-once,"
                        + " checkpoints every 500 ms, max wait 5 ms) starts and scores a few"
                        + " warm-up events, then a backlog of features is sent to"
                        + " features.<model> faster than it scores them, and its rate is taken between the smallest and"
                        + " largest scoredTs of the scores a read_committed consumer reads (the"
                        + " job's pace, not when its commits make them readable)");
        for (String model : MODELS) {
            r.targets.add(
                    Target.atLeast(
                                    model + ": ScoreJob / bare ONNX Runtime at batch " + JOB_BATCH,
                                    r.median(row(model, JOB_BATCH), JOB_RATIO),
                                    "",
                                    0.8)
                            .withNote(
                                    "same batch and thread count; the job also decodes Avro,"
                                            + " batches, checkpoints and writes transactions on"
                                            + " the same 2 cores"));
        }
        for (String model : MODELS) {
            LinePlot plot =
                    new LinePlot(
                            model + " model: samples/s against batch size (median of runs)",
                            "batch size",
                            "samples/s",
                            true);
            List<double[]> ort = new ArrayList<>();
            List<double[]> dl4j = new ArrayList<>();
            List<double[]> job = new ArrayList<>();
            for (int b : new int[] {1, 8, 32, 128}) {
                ort.add(new double[] {b, r.median(row(model, b), ORT)});
                dl4j.add(new double[] {b, r.median(row(model, b), DL4J)});
                job.add(new double[] {b, r.median(row(model, b), JOB)});
            }
            plot.add("bare ONNX Runtime", ort).add("bare DL4J", dl4j).add("ScoreJob", job);
            Path file = plot.write(c.dir.resolve("score-" + model + ".png"));
            r.plots.add(file.getFileName().toString());
        }
    }
}
