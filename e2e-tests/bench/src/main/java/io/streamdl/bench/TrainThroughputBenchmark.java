package io.streamdl.bench;

import io.streamdl.encoders.Tensors;
import io.streamdl.encoders.image.ImageEncoder;
import io.streamdl.encoders.image.ImageEncoderConfig;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.models.arch.Architectures;
import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Dl4jInputs;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.trainer.TrainerMetrics;
import io.streamdl.trainer.TrainerSettings;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Training throughput of the TrainJob on the embedded platform against bare DL4J loops over the
 * same mini-batches, in the same JVM and run.
 *
 * <p>The labelled Fashion-MNIST features (encoded by the image encoder) and their labels are
 * written to {@code features.image} and {@code events.labels} first; then the TrainJob (Kafka
 * sources, decode, keyed join, trainer, transactional sinks, checkpoints) learns them. Its rate is
 * taken between the first and the last published version from the {@code model_version} metrics
 * (count = examples learned, ts = when the trainer published), so job start-up is excluded and
 * every publish (ONNX export, signature) in between is included. The bare loops use a network of
 * the same spec and optimizer on prebuilt mini-batches: {@code fit} on each new mini-batch only;
 * {@code fit} on the mini-batches the trainer learns (each new one followed by the configured
 * replay batches); and the same with the prequential prediction of each new mini-batch. The
 * pipeline runs twice, with replay as configured by default and with replay off, and the bare loops
 * run before and after each pipeline run (the median is kept), so noise from the shared machine
 * falls on both sides.
 */
public final class TrainThroughputBenchmark {
    private static final int BATCH = 32;
    private static final int PUBLISH_EVERY = 1024;

    private TrainThroughputBenchmark() {}

    /**
     * How much to measure.
     *
     * @param publishEvery examples between two published versions (the rate is taken between the
     *     first and the last)
     * @param withoutReplay whether the pipeline also runs with replay off
     * @param bareAfterEach whether the bare loops run again after each pipeline run (else once,
     *     before)
     */
    record Plan(int publishEvery, boolean withoutReplay, boolean bareAfterEach) {}

    /** What {@code ./pipeline bench train} measures. */
    static final Plan FULL = new Plan(PUBLISH_EVERY, true, true);

    public static Report run(PrintStream out, int examples) throws Exception {
        return run(out, examples, FULL);
    }

    static Report run(PrintStream out, int examples, Plan plan) throws Exception {
        int every = plan.publishEvery();
        int n = Math.max(examples - examples % every, 2 * every);
        ModelSpec spec = DefaultSpecs.image();
        FashionMnist train = FashionMnist.load(FashionMnist.Split.TRAIN);
        n = Math.min(n, train.size() - train.size() % every);
        ImageEncoder encoder = new ImageEncoder(ImageEncoderConfig.defaults());
        List<Features> features = new ArrayList<>(n);
        int[] labels = new int[n];
        long ts = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            byte[] idx = ImageCodecs.idx(train.image(i), FashionMnist.COLS, FashionMnist.ROWS);
            float[] values =
                    encoder.encode(
                            ByteBuffer.wrap(idx),
                            ImageEncoder.IDX,
                            FashionMnist.COLS,
                            FashionMnist.ROWS);
            features.add(
                    Tensors.floatFeatures(
                            "train-" + i, ts, encoder.encodedBy(), encoder.shape(), values));
            labels[i] = train.label(i);
        }
        TrainerSettings defaults = TrainerSettings.defaults();
        int replayBatches = defaults.replayBatches();
        Bare bare = new Bare(spec, features, labels, defaults.replayBufferSize(), replayBatches);
        out.printf(
                "%,d examples of %s, mini-batch %d, replay %d batch(es) from the last %,d%n",
                n, train.origin(), BATCH, replayBatches, defaults.replayBufferSize());

        Report report = new Report("train", "./pipeline bench train");
        report.put("examples", n);
        report.put("batchSize", BATCH);
        report.put("replayBatches", replayBatches);
        report.put("replayBufferSize", defaults.replayBufferSize());
        report.put("publishEveryExamples", every);
        List<Map<String, Double>> bareRounds = new ArrayList<>();
        bareRounds.add(bare.measure(out));
        Map<String, Object> pipeline = new LinkedHashMap<>();
        for (boolean replay :
                plan.withoutReplay() ? new boolean[] {true, false} : new boolean[] {true}) {
            double rate = pipelineRate(out, spec, features, labels, replay, every);
            pipeline.put(replay ? "trainJobReplay" : "trainJobNoReplay", rate);
            if (plan.bareAfterEach()) {
                bareRounds.add(bare.measure(out));
            }
        }
        Map<String, Double> bareMedian = new LinkedHashMap<>();
        for (String k : bareRounds.get(0).keySet()) {
            List<Double> v = new ArrayList<>();
            bareRounds.forEach(r -> v.add(r.get(k)));
            v.sort(Double::compare);
            bareMedian.put(k, v.get(v.size() / 2));
        }
        double withReplay = (double) pipeline.get("trainJobReplay");
        double noReplay = (double) pipeline.getOrDefault("trainJobNoReplay", Double.NaN);
        Map<String, Double> ratios = new LinkedHashMap<>();
        ratios.put("trainJobReplay / bareFitSameBatches", withReplay / bareMedian.get("fitSame"));
        ratios.put(
                "trainJobReplay / barePredictFitSameBatches",
                withReplay / bareMedian.get("predictFitSame"));
        ratios.put("trainJobReplay / bareFitNewOnly", withReplay / bareMedian.get("fitNew"));
        ratios.put("trainJobNoReplay / bareFitNewOnly", noReplay / bareMedian.get("fitNew"));
        ratios.put(
                "trainJobNoReplay / barePredictFitNewOnly",
                noReplay / bareMedian.get("predictFitNew"));
        report.put("bareRounds", bareRounds);
        report.put("bareMedian", bareMedian);
        report.put("pipeline", pipeline);
        report.put("ratios", ratios);
        out.println("bare (median of " + bareRounds.size() + " rounds), examples/s: " + bareMedian);
        out.printf(
                "TrainJob: %,.0f new examples/s with replay, %,.0f without%n",
                withReplay, noReplay);
        ratios.forEach((k, v) -> out.printf("  %-45s %.2f%n", k, v));
        return report;
    }

    /** New examples learned per second by the TrainJob, between its first and last publish. */
    private static double pipelineRate(
            PrintStream out,
            ModelSpec spec,
            List<Features> features,
            int[] labels,
            boolean replay,
            int every)
            throws Exception {
        int n = features.size();
        try (BenchPlatform bench = new BenchPlatform(4);
                RestSchemaRegistryClient registry =
                        new RestSchemaRegistryClient(bench.platform.registryUrl());
                KafkaProducer<byte[], byte[]> producer = bench.producer()) {
            String url = bench.platform.registryUrl();
            AvroWireSerializer<Object> avro =
                    new AvroWireSerializer<>(registry, SerdeConfig.forValues(url));
            for (int i = 0; i < n; i++) {
                Features f = features.get(i);
                byte[] key = f.getEventId().getBytes(StandardCharsets.UTF_8);
                producer.send(
                        new ProducerRecord<>(
                                "features.image", key, avro.serialize("features.image", f)));
                Label label =
                        Label.newBuilder()
                                .setEventId(f.getEventId())
                                .setLabel(spec.labels().get(labels[i]))
                                .setTs(f.getTs())
                                .build();
                producer.send(
                        new ProducerRecord<>(
                                "events.labels", key, avro.serialize("events.labels", label)));
            }
            producer.flush();
            Map<String, String> trainer = new LinkedHashMap<>();
            trainer.put("models.hmac.key", PipelineJobs.DEVELOPMENT_KEY);
            trainer.put(TrainerSettings.PUBLISH_EVERY_EXAMPLES.key(), "" + every);
            trainer.put(TrainerSettings.PUBLISH_EVERY_SECONDS.key(), "3600");
            trainer.put(TrainerSettings.GUARD_MARGIN.key(), "1");
            trainer.put(TrainerSettings.METRICS_EVERY_EXAMPLES.key(), "" + every);
            if (!replay) {
                trainer.put(TrainerSettings.REPLAY_BATCHES.key(), "0");
            }
            KafkaConsumer<byte[], byte[]> metrics = bench.consumer("dashboard.metrics", true);
            new BenchPipeline(bench, "bench-train").train("image", trainer);
            AvroWireDeserializer<DashboardMetric> reader =
                    AvroWireDeserializer.specific(registry, DashboardMetric.class);
            long firstCount = -1;
            long firstTs = 0;
            long lastCount = -1;
            long lastTs = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
            while (lastCount < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : metrics.poll(Duration.ofMillis(200))) {
                    DashboardMetric m = reader.deserialize(r.topic(), r.value());
                    if (!m.getMetric().equals(TrainerMetrics.MODEL_VERSION)) {
                        continue;
                    }
                    if (firstCount < 0) {
                        firstCount = m.getCount();
                        firstTs = m.getTs();
                    }
                    lastCount = m.getCount();
                    lastTs = m.getTs();
                }
            }
            metrics.close();
            if (lastCount < n || lastTs <= firstTs) {
                throw new IllegalStateException(
                        "the TrainJob learned "
                                + Math.max(lastCount, 0)
                                + " of "
                                + n
                                + " examples within 20 minutes");
            }
            double rate = (lastCount - firstCount) / ((lastTs - firstTs) / 1000.0);
            out.printf(
                    "TrainJob (replay %s): %,d examples from the first to the last publish in"
                            + " %,d ms: %,.0f examples/s%n",
                    replay ? "on" : "off", lastCount - firstCount, lastTs - firstTs, rate);
            return rate;
        }
    }

    /** The bare DL4J loops over prebuilt mini-batches. */
    private static final class Bare {
        private final ModelSpec spec;
        private final List<MultiDataSet> fresh = new ArrayList<>();
        private final List<MultiDataSet> replayed = new ArrayList<>();
        private final int replayBatches;

        Bare(
                ModelSpec spec,
                List<Features> features,
                int[] labels,
                int bufferSize,
                int replayBatches) {
            this.spec = spec;
            this.replayBatches = replayBatches;
            SplittableRandom random = new SplittableRandom(11);
            for (int start = 0; start + BATCH <= features.size(); start += BATCH) {
                int[] rows = new int[BATCH];
                for (int i = 0; i < BATCH; i++) {
                    rows[i] = start + i;
                }
                fresh.add(batch(features, labels, rows));
                int oldest = Math.max(0, start + BATCH - bufferSize);
                for (int b = 0; b < replayBatches; b++) {
                    int[] drawn = new int[BATCH];
                    for (int i = 0; i < BATCH; i++) {
                        drawn[i] = random.nextInt(oldest, start + BATCH);
                    }
                    replayed.add(batch(features, labels, drawn));
                }
            }
        }

        private MultiDataSet batch(List<Features> features, int[] labels, int[] rows) {
            long[] shape = {rows.length, 1, FashionMnist.ROWS, FashionMnist.COLS};
            int size = FashionMnist.ROWS * FashionMnist.COLS;
            float[] data = new float[rows.length * size];
            int[] y = new int[rows.length];
            for (int i = 0; i < rows.length; i++) {
                float[] f = Tensors.floats(features.get(rows[i]));
                System.arraycopy(f, 0, data, i * size, size);
                y[i] = labels[rows[i]];
            }
            return Dl4jInputs.trainingData(
                    spec, Batch.of("input", Tensor.ofFloats(shape, data)), y);
        }

        /** New examples per second of each loop, over all mini-batches, on a fresh network. */
        Map<String, Double> measure(PrintStream out) {
            Map<String, Double> rates = new LinkedHashMap<>();
            rates.put("fitNew", loop(false, false));
            rates.put("predictFitNew", loop(true, false));
            rates.put("fitSame", loop(false, true));
            rates.put("predictFitSame", loop(true, true));
            out.println("bare DL4J, new examples/s: " + rates);
            return rates;
        }

        private double loop(boolean predict, boolean replay) {
            ComputationGraph g = Architectures.build(spec);
            // warm-up on a copy-free prefix, then a fresh network for the timed loop
            for (int i = 0; i < Math.min(8, fresh.size()); i++) {
                g.fit(fresh.get(i));
            }
            g = Architectures.build(spec);
            long start = System.nanoTime();
            for (int b = 0; b < fresh.size(); b++) {
                MultiDataSet data = fresh.get(b);
                if (predict) {
                    g.output(false, data.getFeatures(), data.getFeaturesMaskArrays());
                }
                g.fit(data);
                if (replay) {
                    for (int r = 0; r < replayBatches; r++) {
                        g.fit(replayed.get(b * replayBatches + r));
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return fresh.size() * BATCH / seconds;
        }
    }

    public static Path runAndWrite(Path dir, PrintStream out, int examples) throws Exception {
        Path file = run(out, examples).write(dir, "bench-train.json");
        out.println("report: " + file);
        return file;
    }
}
