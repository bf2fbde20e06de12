package io.streamdl.models.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.testing.TestingData;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

class Dl4jBackendTest {

    @Test
    void keepsItsOwnCopyOfTheNetwork() {
        ModelSpec spec = DefaultSpecs.anomaly();
        ComputationGraph graph = Architectures.build(spec);
        Batch batch = TestingData.randomBatch(spec, 8, 1);
        try (Dl4jBackend backend = Dl4jBackend.create(spec, graph)) {
            float[] before = backend.infer(batch).floats();

            graph.fit(Dl4jInputs.trainingData(spec, batch, null));

            assertThat(backend.infer(batch).floats()).containsExactly(before);
            assertThat(Dl4jInputs.output(spec, graph, batch).floats()).isNotEqualTo(before);
        }
    }

    @Test
    void scoresTheAutoencodersReconstructionError() {
        ModelSpec spec = DefaultSpecs.anomaly();
        Batch batch = TestingData.randomBatch(spec, 3, 2);
        try (Dl4jBackend backend = Dl4jBackend.create(spec, Architectures.build(spec))) {
            Tensor scores = backend.infer(batch);

            assertThat(scores.shape()).containsExactly(3, 1);
            for (float s : scores.floats()) {
                assertThat(s).isBetween(0f, 1f);
            }
        }
    }

    @Test
    void refusesToScoreAfterClose() {
        ModelSpec spec = DefaultSpecs.ncf();
        Dl4jBackend backend = Dl4jBackend.create(spec, Architectures.build(spec));
        backend.close();

        assertThatThrownBy(() -> backend.infer(TestingData.randomBatch(spec, 1, 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void trainingDataChecksLabels() {
        ModelSpec spec = DefaultSpecs.image();
        Batch batch = TestingData.randomBatch(spec, 2, 1);

        assertThatThrownBy(() -> Dl4jInputs.trainingData(spec, batch, new int[] {0, 10}))
                .hasMessageContaining("label 10 of event 1 is not in [0, 10)");
        assertThatThrownBy(() -> Dl4jInputs.trainingData(spec, batch, new int[] {0}))
                .hasMessageContaining("one label per event");
        assertThatThrownBy(
                        () ->
                                Dl4jInputs.trainingData(
                                        DefaultSpecs.anomaly(),
                                        TestingData.randomBatch(DefaultSpecs.anomaly(), 1, 1),
                                        new int[] {1}))
                .hasMessageContaining("labels must be null");
    }
}
