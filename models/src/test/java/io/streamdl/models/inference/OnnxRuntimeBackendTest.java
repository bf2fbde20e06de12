package io.streamdl.models.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.onnx.OnnxExporter;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.testing.TestingData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnnxRuntimeBackendTest {
    private static ModelSpec spec;
    private static byte[] onnx;

    @BeforeAll
    static void export() {
        spec = DefaultSpecs.image();
        ComputationGraph graph = Architectures.build(spec);
        TestingData.randomizeWeights(graph, 1, 0.1);
        onnx = OnnxExporter.export(graph, spec);
    }

    @Test
    void defaultsToOneThreadOnTheBuildsDevice() {
        OnnxRuntimeBackend.Config config = OnnxRuntimeBackend.Config.defaults();

        assertThat(config.intraOpThreads()).isEqualTo(1);
        assertThat(config.interOpThreads()).isEqualTo(1);
        assertThat(config.device()).isEqualTo(ScoringDevice.buildDefault());
        assertThat(OnnxRuntimeBackend.Config.from(Map.of())).isEqualTo(config);
    }

    @Test
    void readsItsConfigKeysAndNamesTheKeyOfABadValue() {
        OnnxRuntimeBackend.Config config =
                OnnxRuntimeBackend.Config.from(
                        Map.of(
                                "scoring.onnx.intra-op-threads", "2",
                                "scoring.device", "cpu",
                                "unrelated.key", "x"));
        assertThat(config.intraOpThreads()).isEqualTo(2);
        assertThat(config.device()).isEqualTo(ScoringDevice.CPU);

        assertThatThrownBy(
                        () ->
                                OnnxRuntimeBackend.Config.from(
                                        Map.of("scoring.onnx.intra-op-threads", "0")))
                .hasMessageContaining("scoring.onnx.intra-op-threads");
        assertThatThrownBy(
                        () ->
                                OnnxRuntimeBackend.Config.from(
                                        Map.of("scoring.onnx.inter-op-threads", "many")))
                .hasMessageContaining("scoring.onnx.inter-op-threads");
        assertThatThrownBy(() -> OnnxRuntimeBackend.Config.from(Map.of("scoring.device", "tpu")))
                .hasMessageContaining("scoring.device");
    }

    @Test
    void parsesDevices() {
        assertThat(ScoringDevice.parse("CPU")).isEqualTo(ScoringDevice.CPU);
        assertThat(ScoringDevice.parse("cuda"))
                .isEqualTo(new ScoringDevice(ScoringDevice.Kind.CUDA, 0));
        assertThat(ScoringDevice.parse("cuda:1").toString()).isEqualTo("cuda:1");
        assertThatThrownBy(() -> ScoringDevice.parse("cuda:-1"))
                .hasMessageContaining("scoring.device");
    }

    @Test
    void fallsBackToTheCpuWhenNoGpuIsUsable() {
        // no GPU on the build machines: with or without -Pgpu, cuda:0 must still score
        OnnxRuntimeBackend.Config cuda =
                OnnxRuntimeBackend.Config.defaults()
                        .withDevice(new ScoringDevice(ScoringDevice.Kind.CUDA, 0));
        Batch batch = TestingData.randomBatch(spec, 4, 1);
        try (OnnxRuntimeBackend gpu = OnnxRuntimeBackend.create(spec, onnx, cuda);
                OnnxRuntimeBackend cpu =
                        OnnxRuntimeBackend.create(spec, onnx, cuda.withDevice(ScoringDevice.CPU))) {
            assertThat(gpu.executionProvider()).isEqualTo("CPU");
            assertThat(gpu.fallbackReason()).isPresent();
            assertThat(cpu.fallbackReason()).isEmpty();
            assertThat(gpu.infer(batch).floats()).containsExactly(cpu.infer(batch).floats());
            assertThat(cpu.description()).isEqualTo("onnxruntime(CPU, 1 thread)");
        }
    }

    @Test
    void refusesABatchThatDoesNotFitTheSpec() {
        Tensor wrong = Tensor.ofFloats(new long[] {2, 28, 28}, new float[2 * 28 * 28]);
        try (OnnxRuntimeBackend ort =
                OnnxRuntimeBackend.create(spec, onnx, OnnxRuntimeBackend.Config.defaults())) {
            assertThatThrownBy(() -> ort.infer(Batch.of("input", wrong)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("input 'input'")
                    .hasMessageContaining("float32 [N, 1, 28, 28]");
            assertThatThrownBy(() -> ort.infer(Batch.of("pixels", wrong)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("needs input 'input'");
        }
    }

    @Test
    void refusesBytesThatAreNotAModel() {
        assertThatThrownBy(
                        () ->
                                OnnxRuntimeBackend.create(
                                        spec,
                                        new byte[] {1, 2, 3},
                                        OnnxRuntimeBackend.Config.defaults()))
                .isInstanceOf(InferenceException.class)
                .hasMessageContaining("cannot load model 'image'");
    }

    @Test
    void scoresConcurrentlyAndIndependentlyOfBatchSize() throws Exception {
        Batch batch = TestingData.randomBatch(spec, 32, 2);
        try (OnnxRuntimeBackend ort =
                OnnxRuntimeBackend.create(spec, onnx, OnnxRuntimeBackend.Config.defaults())) {
            float[] expected = ort.infer(batch).floats();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> results = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    results.add(pool.submit(() -> ort.infer(batch).floats()));
                }
                for (Future<float[]> f : results) {
                    assertThat(f.get()).containsExactly(expected);
                }
            } finally {
                pool.shutdownNow();
            }
            float[] single =
                    ort.infer(
                                    Batch.of(
                                            "input",
                                            Tensor.stackFloats(
                                                    List.of(batch.tensor("input").row(5)),
                                                    1,
                                                    28,
                                                    28)))
                            .floats();
            for (int c = 0; c < 10; c++) {
                assertThat((double) Math.abs(single[c] - expected[5 * 10 + c])).isLessThan(1e-6);
            }
        }
    }
}
