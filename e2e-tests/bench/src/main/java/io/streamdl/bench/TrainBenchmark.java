package io.streamdl.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Dl4jInputs;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.trainer.LabelledExample;
import io.streamdl.trainer.OnlineTrainer;
import io.streamdl.trainer.TrainerOutput;
import io.streamdl.trainer.TrainerSettings;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Measures the online trainer's core loop (test-then-train: decode features, predict, update the
 * window and drift detector, one optimizer step per mini-batch) against a bare DL4J loop that only
 * calls {@code fit} on the same, prebuilt mini-batches, and against a bare loop that predicts and
 * fits; all with the default image CNN and batch 32, in the same run, alternating rounds. Also
 * times one publish (ONNX export, checksum, signature) and one state snapshot.
 *
 * <p>Usage: {@code TrainBenchmark <out.json> [examples per round, default 4096] [rounds, default
 * 3]}. Run with {@code OMP_NUM_THREADS=1} as the pipeline does; the environment is recorded.
 */
public final class TrainBenchmark {
    private static final int BATCH = 32;
    private static final int WARMUP_BATCHES = 16;
    private static final byte[] KEY =
            "benchmark-hmac-key-of-32-bytes!!".getBytes(StandardCharsets.UTF_8);

    private final ModelSpec spec = DefaultSpecs.image();
    private final int examples;
    private final int rounds;

    private TrainBenchmark(int examples, int rounds) {
        this.examples = examples;
        this.rounds = rounds;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: TrainBenchmark <out.json> [examples per round] [rounds]");
            System.exit(2);
        }
        int examples = args.length >= 2 ? Integer.parseInt(args[1]) : 4096;
        int rounds = args.length >= 3 ? Integer.parseInt(args[2]) : 3;
        if (examples < BATCH || rounds < 1) {
            throw new IllegalArgumentException(
                    "need at least "
                            + BATCH
                            + " examples and 1 round; got "
                            + examples
                            + ", "
                            + rounds);
        }
        ObjectNode report = new TrainBenchmark(examples - examples % BATCH, rounds).run();
        Path out = Path.of(args[0]);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(
                out,
                new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(report));
        System.out.println(report.toPrettyString());
    }

    private ObjectNode run() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode report = json.createObjectNode();
        report.put("benchmark", "online-trainer");
        report.put("time", Instant.now().toString());
        ObjectNode machine = report.putObject("environment");
        machine.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        machine.put("java", System.getProperty("java.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put("OMP_NUM_THREADS", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        report.put("model", spec.name());
        report.put("architecture", spec.toJson());
        report.put("parameters", Architectures.parameterCount(spec));
        report.put("batchSize", BATCH);
        report.put("examplesPerRound", examples);
        report.put("rounds", rounds);

        List<LabelledExample> data = examples(examples, 1);
        List<MultiDataSet> batches = new ArrayList<>();
        for (int i = 0; i < data.size(); i += BATCH) {
            batches.add(miniBatch(data.subList(i, i + BATCH)));
        }
        TrainerSettings settings =
                TrainerSettings.from(
                        Map.of(
                                TrainerSettings.BATCH_SIZE.key(), Integer.toString(BATCH),
                                TrainerSettings.PUBLISH_EVERY_EXAMPLES.key(), "1000000000000",
                                TrainerSettings.PUBLISH_EVERY_SECONDS.key(), "0",
                                TrainerSettings.METRICS_EVERY_EXAMPLES.key(), "1000"));
        ModelUpdateCodec codec = new ModelUpdateCodec(ModelUpdateCodec.Config.signed(KEY));

        OnlineTrainer trainer = OnlineTrainer.fresh(spec, settings, codec);
        ComputationGraph fitOnly = Architectures.build(spec);
        ComputationGraph predictAndFit = Architectures.build(spec);
        Discard discard = new Discard();
        List<LabelledExample> warmup = examples(WARMUP_BATCHES * BATCH, 2);
        warmup.forEach(e -> trainer.accept(e, 0, discard));
        for (int i = 0; i < WARMUP_BATCHES; i++) {
            MultiDataSet b = miniBatch(warmup.subList(i * BATCH, (i + 1) * BATCH));
            fitOnly.fit(b);
            predictAndFit.output(false, b.getFeatures(), b.getFeaturesMaskArrays());
            predictAndFit.fit(b);
        }

        double[] core = new double[rounds];
        double[] bare = new double[rounds];
        double[] barePredict = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (LabelledExample e : data) {
                trainer.accept(e, 0, discard);
            }
            core[r] = rate(t0);
            t0 = System.nanoTime();
            for (MultiDataSet b : batches) {
                fitOnly.fit(b);
            }
            bare[r] = rate(t0);
            t0 = System.nanoTime();
            for (MultiDataSet b : batches) {
                predictAndFit.output(false, b.getFeatures(), b.getFeaturesMaskArrays());
                predictAndFit.fit(b);
            }
            barePredict[r] = rate(t0);
            System.err.printf(
                    "round %d: trainer %.0f ex/s, bare fit %.0f ex/s, bare predict+fit %.0f ex/s%n",
                    r + 1, core[r], bare[r], barePredict[r]);
        }
        ObjectNode results = report.putObject("examplesPerSecond");
        put(results.putObject("onlineTrainer"), core);
        put(results.putObject("bareDl4jFit"), bare);
        put(results.putObject("bareDl4jPredictThenFit"), barePredict);
        report.put("trainerOverBareFit", median(core) / median(bare));
        report.put("trainerOverBarePredictThenFit", median(core) / median(barePredict));

        double[] publishMillis = new double[5];
        for (int i = 0; i < publishMillis.length; i++) {
            long t0 = System.nanoTime();
            ModelUpdate u = codec.encode(spec, fitOnly, i + 1, (long) i, Map.of());
            publishMillis[i] = (System.nanoTime() - t0) / 1e6;
            report.put("updateBytes", u.getParams().remaining() + u.getOnnx().remaining());
        }
        put(report.putObject("publishMillis"), publishMillis);
        double[] snapshotMillis = new double[5];
        for (int i = 0; i < snapshotMillis.length; i++) {
            long t0 = System.nanoTime();
            byte[] s = trainer.snapshot();
            snapshotMillis[i] = (System.nanoTime() - t0) / 1e6;
            report.put("snapshotBytes", s.length);
        }
        put(report.putObject("snapshotMillis"), snapshotMillis);
        report.put("finalPrequentialAccuracy", trainer.accuracy());
        trainer.close();
        return report;
    }

    private double rate(long startNanos) {
        return examples / ((System.nanoTime() - startNanos) / 1e9);
    }

    private static void put(ObjectNode node, double[] values) {
        node.put("median", median(values));
        ArrayNode all = node.putArray("rounds");
        for (double v : values) {
            all.add(v);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The mini-batch DL4J fits for {@code examples}, built as the trainer builds it. */
    private MultiDataSet miniBatch(List<LabelledExample> examples) {
        TensorSpec in = spec.inputs().get(0);
        List<float[]> rows = new ArrayList<>();
        int[] labels = new int[examples.size()];
        for (int i = 0; i < examples.size(); i++) {
            LabelledExample e = examples.get(i);
            float[] row = new float[in.elementsPerEvent()];
            e.features
                    .getData()
                    .duplicate()
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(row);
            rows.add(row);
            labels[i] = spec.labels().indexOf(e.label);
        }
        int[] shape = in.shape().stream().mapToInt(Integer::intValue).toArray();
        Batch batch = Batch.of(in.name(), Tensor.stackFloats(rows, shape));
        return Dl4jInputs.trainingData(spec, batch, labels);
    }

    /**
     * Images of ten classes, each a fixed random prototype plus noise, labelled with their class,
     * reproducible from {@code seed}.
     */
    private List<LabelledExample> examples(int n, long seed) {
        Random random = new Random(seed);
        TensorSpec in = spec.inputs().get(0);
        int size = in.elementsPerEvent();
        Random prototypes = new Random(42);
        float[][] prototype = new float[spec.outputSize()][size];
        for (float[] p : prototype) {
            for (int j = 0; j < size; j++) {
                p[j] = prototypes.nextFloat();
            }
        }
        List<LabelledExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int c = random.nextInt(spec.outputSize());
            ByteBuffer data = ByteBuffer.allocate(size * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int j = 0; j < size; j++) {
                data.putFloat(prototype[c][j] + (float) random.nextGaussian() * 0.5f);
            }
            Features f =
                    Features.newBuilder()
                            .setEventId("b" + seed + "-" + i)
                            .setTs(i)
                            .setEncodedBy("image@1")
                            .setDtype("float32")
                            .setShape(in.shape())
                            .setData(ByteBuffer.wrap(data.array()))
                            .build();
            out.add(new LabelledExample(f.getEventId(), spec.labels().get(c), i, f));
        }
        return out;
    }

    /** Drops everything; nothing should be emitted but metrics. */
    private static final class Discard implements TrainerOutput {
        @Override
        public void update(ModelUpdate update) {}

        @Override
        public void metric(DashboardMetric metric) {}

        @Override
        public void deadLetter(DeadLetter deadLetter) {
            throw new IllegalStateException("benchmark example refused: " + deadLetter);
        }
    }
}
