package io.streamdl.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Dl4jInputs;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.spec.AudioLstmParams;
import io.streamdl.models.spec.AutoencoderParams;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ForecasterParams;
import io.streamdl.models.spec.ImageCnnParams;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.models.spec.TextTransformerParams;
import io.streamdl.models.testing.TestingData;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J and ONNX Runtime must agree within {@value #TOLERANCE} (max absolute difference) on every
 * architecture, with randomised weights, biases and normalisation statistics, on {@value #EVENTS}
 * random inputs. Wrong mappings (gate order, layouts, log-std) fail by orders of magnitude.
 */
class OnnxParityTest {
    static final int EVENTS = 128;
    static final double TOLERANCE = 1e-4;

    static Stream<Arguments> specs() {
        ModelSpec image = DefaultSpecs.image();
        ModelSpec audio = DefaultSpecs.audio();
        ModelSpec text = DefaultSpecs.text();
        ModelSpec anomaly = DefaultSpecs.anomaly();
        ModelSpec metric = DefaultSpecs.metric();
        return Stream.of(
                Arguments.of("image", image),
                Arguments.of("audio", audio),
                Arguments.of("text", text),
                Arguments.of("anomaly", anomaly),
                Arguments.of("metric", metric),
                Arguments.of("ncf", DefaultSpecs.ncf()),
                Arguments.of("recs", DefaultSpecs.recs()),
                Arguments.of(
                        "image without batch norm",
                        withParams(image, new ImageCnnParams(6, 12, 3, 32, false, 0.0))),
                Arguments.of(
                        "audio, 2 stacked LSTMs",
                        withParams(audio, new AudioLstmParams(32, 2, 0.0))),
                Arguments.of(
                        "text, 1 block, 8 heads",
                        withParams(text, new TextTransformerParams(500, 32, 8, 1, 48))),
                Arguments.of(
                        "anomaly, 2 hidden layers",
                        withParams(anomaly, new AutoencoderParams(List.of(256, 64), 16))),
                Arguments.of(
                        "metric, 3 channels, linear",
                        new ModelSpec(
                                metric.specVersion(),
                                metric.name(),
                                metric.kind(),
                                List.of(TensorSpec.of("input", DType.FLOAT32, 16, 3)),
                                metric.outputSize(),
                                metric.labels(),
                                new ForecasterParams(List.of()),
                                metric.seed(),
                                metric.learningRate())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void onnxRuntimeMatchesDl4jWithRandomWeights(String label, ModelSpec spec) {
        ComputationGraph graph = Architectures.build(spec);
        TestingData.randomizeWeights(graph, 11, 0.1);

        double diff = maxDiff(spec, graph, TestingData.randomBatch(spec, EVENTS, 3));

        System.out.printf(
                "PARITY %-26s max |dl4j - onnxruntime| = %.2e over %d random events%n",
                label, diff, EVENTS);
        assertThat(diff).isLessThanOrEqualTo(TOLERANCE);
    }

    @Test
    void cnnStaysInParityAfterTrainingOnSyntheticData() {
        ModelSpec spec = DefaultSpecs.image();
        ComputationGraph graph = Architectures.build(spec);
        INDArray before = graph.params().dup();
        for (int step = 0; step < 5; step++) {
            graph.fit(
                    Dl4jInputs.trainingData(
                            spec,
                            TestingData.randomBatch(spec, 32, 100 + step),
                            TestingData.randomLabels(spec, 32, 200 + step)));
        }
        // batch norm's running mean and variance moved along with the weights
        INDArray mean = graph.getLayer("bn1").getParam("mean");
        assertThat(mean.amaxNumber().doubleValue()).isGreaterThan(0.0);
        assertThat(graph.params().equalsWithEps(before, 1e-6)).isFalse();

        double diff = maxDiff(spec, graph, TestingData.randomBatch(spec, EVENTS, 4));

        System.out.printf(
                "PARITY %-26s max |dl4j - onnxruntime| = %.2e over %d random events%n",
                "image after 5 SGD steps", diff, EVENTS);
        assertThat(diff).isLessThanOrEqualTo(TOLERANCE);
    }

    @Test
    void autoencoderAlsoExportsItsReconstruction() {
        assertExtraOutput(
                DefaultSpecs.anomaly(),
                OnnxExporter.RECONSTRUCTION_OUTPUT,
                784,
                (spec, graph, batch) ->
                        graph.output(false, Dl4jInputs.features(spec, batch), null)[0]
                                .dup('c')
                                .data()
                                .asFloat());
    }

    @Test
    void imageCnnAlsoExportsItsEmbedding() {
        float[] want =
                assertExtraOutput(
                        DefaultSpecs.image(),
                        OnnxExporter.EMBEDDING_OUTPUT,
                        128,
                        (spec, graph, batch) -> Dl4jInputs.embedding(spec, graph, batch).floats());
        double largest = 0;
        for (float v : want) {
            largest = Math.max(largest, Math.abs(v));
        }
        // a real activation, not all zeros (ReLU)
        assertThat(largest).isPositive();
    }

    @Test
    void forecasterAlsoExportsItsForecast() {
        assertExtraOutput(
                DefaultSpecs.metric(),
                OnnxExporter.FORECAST_OUTPUT,
                1,
                (spec, graph, batch) ->
                        graph.output(false, Dl4jInputs.features(spec, batch), null)[0]
                                .dup('c')
                                .data()
                                .asFloat());
    }

    /** What DL4J computes for an extra ONNX output, from the same network and batch. */
    private interface Expected {
        float[] of(ModelSpec spec, ComputationGraph graph, Batch batch);
    }

    /**
     * Checks that ONNX output {@code name} of {@code spec}'s export has {@code width} values per
     * event and matches DL4J's; returns DL4J's values.
     */
    private static float[] assertExtraOutput(
            ModelSpec spec, String name, int width, Expected expected) {
        ComputationGraph graph = Architectures.build(spec);
        TestingData.randomizeWeights(graph, 5, 0.1);
        Batch batch = TestingData.randomBatch(spec, 16, 6);
        float[] want = expected.of(spec, graph, batch);
        try (OnnxRuntimeBackend ort =
                OnnxRuntimeBackend.create(
                        spec,
                        OnnxExporter.export(graph, spec),
                        OnnxRuntimeBackend.Config.defaults())) {
            Tensor output = ort.inferAll(batch).get(name);
            assertThat(output.shape()).containsExactly(16, width);
            float[] actual = output.floats();
            assertThat(actual).hasSameSizeAs(want);
            for (int i = 0; i < want.length; i++) {
                assertThat((double) Math.abs(actual[i] - want[i])).isLessThanOrEqualTo(TOLERANCE);
            }
        }
        return want;
    }

    @Test
    void maskedTextScoresDoNotDependOnBatchCompositionOrPadding() {
        // guards against DL4J 1.0.0-M2.1's TimeDistributed mask bug (see PositionwiseDenseLayer)
        ModelSpec spec = DefaultSpecs.text();
        ComputationGraph graph = Architectures.build(spec);
        TestingData.randomizeWeights(graph, 8, 0.1);
        Batch batch = TestingData.randomBatch(spec, 6, 9);
        Tensor all = Dl4jInputs.output(spec, graph, batch);
        for (int i = 0; i < 6; i++) {
            Tensor ids = batch.tensor("input");
            Tensor mask = batch.tensor("mask");
            int[] tokens = java.util.Arrays.copyOfRange(ids.ints(), i * 64, (i + 1) * 64);
            float[] m = mask.row(i);
            for (int t = 0; t < 64; t++) {
                if (m[t] == 0f) {
                    tokens[t] = (tokens[t] * 31 + 7) % DefaultSpecs.TEXT_VOCAB_SIZE;
                }
            }
            Batch single =
                    Batch.of(
                            Map.of(
                                    "input", Tensor.ofInts(new long[] {1, 64}, tokens),
                                    "mask", Tensor.ofFloats(new long[] {1, 64}, m)));
            float[] alone = Dl4jInputs.output(spec, graph, single).row(0);
            float[] inBatch = all.row(i);
            for (int c = 0; c < alone.length; c++) {
                assertThat((double) Math.abs(alone[c] - inBatch[c])).isLessThanOrEqualTo(1e-5);
            }
        }
    }

    static double maxDiff(ModelSpec spec, ComputationGraph graph, Batch batch) {
        byte[] onnx = OnnxExporter.export(graph, spec);
        Tensor dl4j = Dl4jInputs.output(spec, graph, batch);
        try (OnnxRuntimeBackend ort =
                OnnxRuntimeBackend.create(spec, onnx, OnnxRuntimeBackend.Config.defaults())) {
            Tensor onnxOut = ort.infer(batch);
            assertThat(onnxOut.shape()).containsExactly(dl4j.shape());
            float[] a = dl4j.floats();
            float[] b = onnxOut.floats();
            double max = 0;
            for (int i = 0; i < a.length; i++) {
                assertThat(Float.isFinite(a[i])).isTrue();
                max = Math.max(max, Math.abs(a[i] - b[i]));
            }
            return max;
        }
    }

    static ModelSpec withParams(ModelSpec spec, io.streamdl.models.spec.ArchitectureParams params) {
        return new ModelSpec(
                spec.specVersion(),
                spec.name(),
                spec.kind(),
                spec.inputs(),
                spec.outputSize(),
                spec.labels(),
                params,
                spec.seed(),
                spec.learningRate());
    }
}
