package io.streamdl.models.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

class ParamLayoutTest {
    static Stream<ModelSpec> specs() {
        return Stream.of(
                DefaultSpecs.image(),
                DefaultSpecs.audio(),
                DefaultSpecs.text(),
                DefaultSpecs.anomaly(),
                DefaultSpecs.ncf(),
                LegacyUpdate.TINY);
    }

    @ParameterizedTest
    @MethodSource("specs")
    void sortsVerticesAsABuiltNetworkDoes(ModelSpec spec) {
        ComputationGraph graph = Architectures.build(spec);

        assertThat(ParamLayout.topologicalOrder(Architectures.configuration(spec)))
                .isEqualTo(graph.getConfiguration().getTopologicalOrderStr());
    }

    @ParameterizedTest
    @MethodSource("specs")
    void namesEveryParameterAsTheBuiltNetworksParamTable(ModelSpec spec) {
        ComputationGraph graph = Architectures.build(spec);
        long offset = 0;
        // the first, a middle and the last element of each parameter, where off-by-ones show
        for (Map.Entry<String, INDArray> e : graph.paramTable().entrySet()) {
            long n = e.getValue().length();
            for (long i : new long[] {0, n / 2, n - 1}) {
                assertThat(ParamLayout.describe(spec, offset + i))
                        .isEqualTo(e.getKey() + "[" + i + "]");
            }
            offset += n;
        }
        assertThat(offset).isEqualTo(graph.numParams());
        assertThat(ParamLayout.describe(spec, offset)).isEqualTo("#" + offset);
    }
}
