package io.streamdl.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdl.models.arch.Architectures;
import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Dl4jBackend;
import io.streamdl.models.inference.InferenceBackend;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.onnx.OnnxExporter;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import onnx.Onnx;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.protobuf.ByteString;

/**
 * Measures the default image CNN's inference throughput with DL4J and ONNX Runtime at batch sizes
 * 1, 8, 32 and 128, its FLOPs per sample, and the GFLOP/s it achieves against large float32 matrix
 * products measured in the same run (ND4J's BLAS, and ONNX Runtime's MatMul on one thread and on
 * every core). Writes the results as JSON and prints a table.
 *
 * <p>Usage: {@code InferenceBenchmark <out.json> [seconds per measurement, default 2]}. Run with
 * {@code OMP_NUM_THREADS=1} as the pipeline does; the environment is recorded in the output.
 */
public final class InferenceBenchmark {
    private static final int[] BATCH_SIZES = {1, 8, 32, 128};
    private static final int MATMUL_SIZE = 1024;

    private final double secondsPerPoint;

    private InferenceBenchmark(double secondsPerPoint) {
        this.secondsPerPoint = secondsPerPoint;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: InferenceBenchmark <out.json> [seconds per measurement]");
            System.exit(2);
        }
        double seconds = args.length == 2 ? Double.parseDouble(args[1]) : 2.0;
        if (!(seconds > 0)) {
            throw new IllegalArgumentException(
                    "seconds per measurement must be positive: " + seconds);
        }
        ObjectNode report = new InferenceBenchmark(seconds).run();
        Path out = Path.of(args[0]);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(
                out,
                new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(report));
        System.out.println("wrote " + out.toAbsolutePath());
    }

    private ObjectNode run() throws OrtException, IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode report = json.createObjectNode();
        report.put("createdAt", Instant.now().toString());
        ObjectNode machine = report.putObject("machine");
        machine.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        machine.put("osArch", System.getProperty("os.arch"));
        machine.put("java", System.getProperty("java.version"));
        machine.put("OMP_NUM_THREADS", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        report.put("secondsPerMeasurement", secondsPerPoint);

        ModelSpec spec = DefaultSpecs.image();
        ComputationGraph graph = Architectures.build(spec);
        byte[] onnx = OnnxExporter.export(graph, spec);
        long flops = flopsPerSample(graph, spec);
        ObjectNode model = report.putObject("model");
        model.put("name", spec.name());
        model.put("parameters", graph.numParams());
        model.put("flopsPerSample", flops);
        model.put("flopsCounted", FlopCounter.METHOD);
        model.put("onnxBytes", onnx.length);

        System.out.printf(
                "measuring matrix-product peaks (%d x %d float32)...%n", MATMUL_SIZE, MATMUL_SIZE);
        ObjectNode peaks = report.putObject("peakGflops");
        double nd4jPeak = nd4jMatMulGflops(MATMUL_SIZE, secondsPerPoint);
        double ortPeak1 = ortMatMulGflops(MATMUL_SIZE, 1, secondsPerPoint);
        int cores = Runtime.getRuntime().availableProcessors();
        double ortPeakAll = ortMatMulGflops(MATMUL_SIZE, cores, secondsPerPoint);
        peaks.put("nd4jSgemm", nd4jPeak);
        peaks.put("onnxRuntimeMatMul1Thread", ortPeak1);
        peaks.put("onnxRuntimeMatMulAllCores", ortPeakAll);
        double machinePeak = Math.max(nd4jPeak, ortPeakAll);
        peaks.put("machine", machinePeak);

        List<InferenceBackend> backends = new ArrayList<>();
        backends.add(Dl4jBackend.create(spec, graph));
        backends.add(OnnxRuntimeBackend.create(spec, onnx, OnnxRuntimeBackend.Config.defaults()));
        backends.add(
                OnnxRuntimeBackend.create(
                        spec,
                        onnx,
                        OnnxRuntimeBackend.Config.defaults().withIntraOpThreads(cores)));
        ArrayNode results = report.putArray("results");
        try {
            for (InferenceBackend backend : backends) {
                for (int batchSize : BATCH_SIZES) {
                    System.out.printf(
                            "measuring %s at batch %d...%n", backend.description(), batchSize);
                    Measurement m = measure(backend, randomImages(spec, batchSize));
                    double gflops = m.samplesPerSecond * flops / 1e9;
                    ObjectNode r = results.addObject();
                    r.put("backend", backend.description());
                    r.put("batch", batchSize);
                    r.put("samplesPerSecond", m.samplesPerSecond);
                    r.put("meanBatchMillis", m.meanMillis);
                    r.put("p99BatchMillis", m.p99Millis);
                    r.put("gflops", gflops);
                    r.put("fractionOfMachinePeak", gflops / machinePeak);
                    r.put("fractionOfOneThreadPeak", gflops / ortPeak1);
                }
            }
        } finally {
            backends.forEach(InferenceBackend::close);
        }
        printTable(report);
        return report;
    }

    private record Measurement(double samplesPerSecond, double meanMillis, double p99Millis) {}

    /** Runs {@code backend} on {@code batch} for the configured time, after a warm-up. */
    private Measurement measure(InferenceBackend backend, Batch batch) {
        long warmupEnd = System.nanoTime() + (long) (0.3e9 * secondsPerPoint);
        while (System.nanoTime() < warmupEnd) {
            backend.infer(batch);
        }
        List<Long> times = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + (long) (secondsPerPoint * 1e9);
        long now = start;
        while (now < end) {
            long t0 = System.nanoTime();
            backend.infer(batch);
            now = System.nanoTime();
            times.add(now - t0);
        }
        double elapsed = (now - start) / 1e9;
        long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
        double mean = Arrays.stream(sorted).average().orElse(0) / 1e6;
        double p99 =
                sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)]
                        / 1e6;
        return new Measurement(times.size() * (double) batch.size() / elapsed, mean, p99);
    }

    private static Batch randomImages(ModelSpec spec, int n) {
        TensorSpec in = spec.input("input");
        Random r = new Random(n);
        float[] data = new float[n * in.elementsPerEvent()];
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextFloat();
        }
        return Batch.of("input", Tensor.ofFloats(in.batchShape(n), data));
    }

    /** FLOPs per sample as {@link FlopCounter} counts them. */
    static long flopsPerSample(ComputationGraph graph, ModelSpec spec) {
        return FlopCounter.flopsPerSample(graph, spec);
    }

    /** ND4J's float32 n x n matrix product for {@code seconds}, in GFLOP/s. */
    static double nd4jMatMulGflops(int n, double seconds) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        a.mmuli(b, c);
        int reps = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            a.mmuli(b, c);
            reps++;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return 2.0 * n * n * n * reps / elapsed / 1e9;
    }

    /** ONNX Runtime's float32 n x n MatMul on {@code threads} threads, in GFLOP/s. */
    static double ortMatMulGflops(int n, int threads, double secondsPerPoint) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] values = new float[n * n];
        Random r = new Random(1);
        for (int i = 0; i < values.length; i++) {
            values[i] = r.nextFloat();
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            try (OrtSession session = env.createSession(matMulModel(n, values), options);
                    OnnxTensor x =
                            OnnxTensor.createTensor(
                                    env, FloatBuffer.wrap(values), new long[] {n, n})) {
                session.run(Map.of("x", x)).close();
                int reps = 0;
                long start = System.nanoTime();
                long end = start + (long) (secondsPerPoint * 1e9);
                while (System.nanoTime() < end) {
                    session.run(Map.of("x", x)).close();
                    reps++;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                return 2.0 * n * n * n * reps / seconds / 1e9;
            }
        }
    }

    /** y = x · W for a constant n x n W. */
    private static byte[] matMulModel(int n, float[] weights) {
        ByteBuffer raw = ByteBuffer.allocate(weights.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(weights);
        Onnx.TypeProto type =
                Onnx.TypeProto.newBuilder()
                        .setTensorType(
                                Onnx.TypeProto.Tensor.newBuilder()
                                        .setElemType(Onnx.TensorProto.DataType.FLOAT.getNumber())
                                        .setShape(
                                                Onnx.TensorShapeProto.newBuilder()
                                                        .addDim(
                                                                Onnx.TensorShapeProto.Dimension
                                                                        .newBuilder()
                                                                        .setDimValue(n))
                                                        .addDim(
                                                                Onnx.TensorShapeProto.Dimension
                                                                        .newBuilder()
                                                                        .setDimValue(n))))
                        .build();
        Onnx.GraphProto graph =
                Onnx.GraphProto.newBuilder()
                        .setName("matmul")
                        .addInput(Onnx.ValueInfoProto.newBuilder().setName("x").setType(type))
                        .addOutput(Onnx.ValueInfoProto.newBuilder().setName("y").setType(type))
                        .addInitializer(
                                Onnx.TensorProto.newBuilder()
                                        .setName("w")
                                        .setDataType(Onnx.TensorProto.DataType.FLOAT.getNumber())
                                        .addDims(n)
                                        .addDims(n)
                                        .setRawData(ByteString.copyFrom(raw.array())))
                        .addNode(
                                Onnx.NodeProto.newBuilder()
                                        .setOpType("MatMul")
                                        .addInput("x")
                                        .addInput("w")
                                        .addOutput("y"))
                        .build();
        return Onnx.ModelProto.newBuilder()
                .setIrVersion(OnnxExporter.IR_VERSION)
                .addOpsetImport(
                        Onnx.OperatorSetIdProto.newBuilder()
                                .setDomain("")
                                .setVersion(OnnxExporter.OPSET))
                .setGraph(graph)
                .build()
                .toByteArray();
    }

    private static void printTable(ObjectNode report) {
        ObjectNode model = (ObjectNode) report.get("model");
        ObjectNode peaks = (ObjectNode) report.get("peakGflops");
        System.out.printf(
                "%nimage CNN: %,d parameters, %,d FLOPs/sample; matrix-product peaks (GFLOP/s):"
                        + " ND4J %.1f, ONNX Runtime 1 thread %.1f, all cores %.1f%n",
                model.get("parameters").asLong(),
                model.get("flopsPerSample").asLong(),
                peaks.get("nd4jSgemm").asDouble(),
                peaks.get("onnxRuntimeMatMul1Thread").asDouble(),
                peaks.get("onnxRuntimeMatMulAllCores").asDouble());
        System.out.printf(
                "%-28s %6s %14s %10s %10s %9s %10s%n",
                "backend", "batch", "samples/s", "ms/batch", "p99 ms", "GFLOP/s", "% of peak");
        report.get("results")
                .forEach(
                        r ->
                                System.out.printf(
                                        "%-28s %6d %,14.0f %10.3f %10.3f %9.2f %9.1f%%%n",
                                        r.get("backend").asText(),
                                        r.get("batch").asInt(),
                                        r.get("samplesPerSecond").asDouble(),
                                        r.get("meanBatchMillis").asDouble(),
                                        r.get("p99BatchMillis").asDouble(),
                                        r.get("gflops").asDouble(),
                                        100 * r.get("fractionOfMachinePeak").asDouble()));
    }
}
