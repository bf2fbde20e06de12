package io.streamdl.models.arch;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.models.inference.Dl4jInputs;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.testing.TestingData;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.dataset.api.MultiDataSet;

class ArchitecturesTest {

    @ParameterizedTest
    @ValueSource(strings = {"image", "audio", "text", "anomaly", "recs"})
    void buildsTheSameInitialNetworkFromTheSameSpec(String name) {
        ModelSpec spec = DefaultSpecs.byName(name);

        ComputationGraph a = Architectures.build(spec);
        ComputationGraph b = Architectures.build(spec);

        assertThat(a.numParams()).isEqualTo(Architectures.parameterCount(spec));
        assertThat(a.params()).isEqualTo(b.params());
        assertThat(a.getConfiguration().getNetworkOutputs()).containsExactly("output");
        System.out.printf("PARAMS %-8s %,d%n", name, a.numParams());
    }

    @ParameterizedTest
    @ValueSource(strings = {"image", "audio", "text", "anomaly", "recs"})
    void trainsOnSyntheticData(String name) {
        ModelSpec spec = DefaultSpecs.byName(name);
        ComputationGraph graph = Architectures.build(spec);
        MultiDataSet data =
                Dl4jInputs.trainingData(
                        spec,
                        TestingData.randomBatch(spec, 16, 1),
                        TestingData.randomLabels(spec, 16, 2));

        graph.fit(data);
        double first = graph.score();
        for (int i = 0; i < 4; i++) {
            graph.fit(data);
        }

        assertThat(graph.score()).isFinite().isLessThan(first);
    }
}
