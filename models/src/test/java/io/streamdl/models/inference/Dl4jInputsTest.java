package io.streamdl.models.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.ForecasterParams;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

class Dl4jInputsTest {
    /** Windows of 4 points of 3 channels, without a mask. */
    private static final ModelSpec FORECASTER =
            new ModelSpec(
                    1,
                    "forecast",
                    ArchitectureKind.FORECASTER,
                    List.of(TensorSpec.of("input", DType.FLOAT32, 4, 3)),
                    1,
                    List.of(),
                    new ForecasterParams(List.of(5)),
                    1,
                    0.01);

    /** Event {@code e}'s point {@code t}, channel {@code c} holds {@code 100 e + 10 t + c}. */
    private static Batch windows(int events) {
        float[] data = new float[events * 12];
        for (int e = 0; e < events; e++) {
            for (int t = 0; t < 4; t++) {
                for (int c = 0; c < 3; c++) {
                    data[e * 12 + t * 3 + c] = 100 * e + 10 * t + c;
                }
            }
        }
        return Batch.of("input", Tensor.ofFloats(new long[] {events, 4, 3}, data));
    }

    @Test
    void aForecasterIsTrainedOnItsWholeWindowToPredictTheNewestPoint() {
        MultiDataSet data = Dl4jInputs.trainingData(FORECASTER, windows(2), null);

        assertThat(data.getFeatures()).hasSize(1);
        assertThat(data.getFeatures(0).shape()).containsExactly(2, 12);
        assertThat(data.getLabels()).hasSize(1);
        INDArray target = data.getLabels(0);
        assertThat(target.shape()).containsExactly(2, 3);
        assertThat(target.toFloatMatrix())
                .isDeepEqualTo(new float[][] {{30, 31, 32}, {130, 131, 132}});
        assertThat(data.getFeaturesMaskArrays()).isNull();
    }

    @Test
    void aForecasterRefusesLabels() {
        assertThatThrownBy(() -> Dl4jInputs.trainingData(FORECASTER, windows(1), new int[] {0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels must be null");
    }

    @Test
    void aForecastersOutputIsTheMeanSquaredErrorOverTheNewestPointsChannels() {
        ComputationGraph graph = Architectures.build(FORECASTER);
        Batch batch = windows(3);
        INDArray forecast = graph.output(false, Dl4jInputs.features(FORECASTER, batch), null)[0];

        Tensor scores = Dl4jInputs.output(FORECASTER, graph, batch);

        assertThat(forecast.shape()).containsExactly(3, 3);
        assertThat(scores.shape()).containsExactly(3, 1);
        for (int e = 0; e < 3; e++) {
            double sum = 0;
            for (int c = 0; c < 3; c++) {
                double d = forecast.getDouble(e, c) - (100 * e + 30 + c);
                sum += d * d;
            }
            assertThat((double) scores.get(e, 0)).isCloseTo(sum / 3, within(1e-3 * sum / 3));
        }
    }
}
