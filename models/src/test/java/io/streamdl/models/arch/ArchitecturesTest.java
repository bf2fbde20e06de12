package io.streamdl.models.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Dl4jInputs;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.testing.TestingData;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

class ArchitecturesTest {

    @ParameterizedTest
    @ValueSource(strings = {"image", "audio", "text", "anomaly", "metric", "recs", "ncf"})
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
    @ValueSource(strings = {"image", "audio", "text", "anomaly", "metric", "recs", "ncf"})
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

    @Test
    void theForecasterTakesTheWindowButNotItsMaskAndPredictsOnePoint() {
        ModelSpec spec = DefaultSpecs.metric();
        ComputationGraph graph = Architectures.build(spec);

        assertThat(Architectures.networkInputs(spec)).containsExactly(spec.input("input"));
        assertThat(Architectures.inputLayout(spec, "mask")).isEqualTo(InputLayout.MASK);
        assertThat(Architectures.maskOf(spec, "input")).isNull();
        Batch batch = TestingData.randomBatch(spec, 5, 1);
        INDArray forecast = graph.output(false, Dl4jInputs.features(spec, batch), null)[0];
        assertThat(forecast.shape()).containsExactly(5, 1);
        assertThat(Dl4jInputs.output(spec, graph, batch).shape()).containsExactly(5, 1);
    }

    @Test
    void theForecastIgnoresTheNewestPointWhichOnlyMovesTheScore() {
        ModelSpec spec = DefaultSpecs.metric();
        ComputationGraph graph = Architectures.build(spec);
        TestingData.randomizeWeights(graph, 3, 0.1);
        Batch batch = TestingData.randomBatch(spec, 8, 4);
        float[] windows = batch.tensor("input").floats();
        for (int i = 0; i < 8; i++) {
            windows[i * 32 + 31] += 3f;
        }
        Batch surprising =
                batch.with("input", Tensor.ofFloats(batch.tensor("input").shape(), windows));

        INDArray forecast = graph.output(false, Dl4jInputs.features(spec, batch), null)[0];
        INDArray forecastAfter =
                graph.output(false, Dl4jInputs.features(spec, surprising), null)[0];
        float[] score = Dl4jInputs.output(spec, graph, batch).floats();
        float[] scoreAfter = Dl4jInputs.output(spec, graph, surprising).floats();

        assertThat(forecastAfter).isEqualTo(forecast);
        for (int i = 0; i < 8; i++) {
            float error = windows[i * 32 + 31] - forecast.getFloat(i, 0);
            assertThat(scoreAfter[i]).isCloseTo(error * error, withinPercentage(0.01));
            assertThat(scoreAfter[i]).isNotEqualTo(score[i]);
        }
    }

    @Test
    void theForecasterLearnsToPredictASineWave() {
        ModelSpec spec = DefaultSpecs.metric();
        ComputationGraph graph = Architectures.build(spec);
        Random r = new Random(7);
        Batch heldOut = sineWindows(256, r);
        double before = meanScore(spec, graph, heldOut);

        for (int step = 0; step < 300; step++) {
            graph.fit(Dl4jInputs.trainingData(spec, sineWindows(32, r), null));
        }
        double after = meanScore(spec, graph, heldOut);

        System.out.printf("FORECAST sine mean squared error %.4f -> %.4f%n", before, after);
        assertThat(after).isLessThan(before / 10);
    }

    /**
     * Windows of 32 points of sine waves (periods 8 to 24 points, random phase), normalised as the
     * metric encoder does: by the mean and deviation of the 31 points before the newest.
     */
    private static Batch sineWindows(int n, Random r) {
        float[] windows = new float[n * 32];
        float[] masks = new float[n * 32];
        double[] x = new double[32];
        for (int i = 0; i < n; i++) {
            double period = 8 + 16 * r.nextDouble();
            double phase = 2 * Math.PI * r.nextDouble();
            double mean = 0;
            for (int t = 0; t < 32; t++) {
                x[t] = Math.sin(2 * Math.PI * t / period + phase);
                mean += t < 31 ? x[t] / 31 : 0;
            }
            double squares = 0;
            for (int t = 0; t < 31; t++) {
                squares += (x[t] - mean) * (x[t] - mean);
            }
            double std = Math.sqrt(squares / 31);
            for (int t = 0; t < 32; t++) {
                windows[i * 32 + t] = (float) Math.max(-10, Math.min(10, (x[t] - mean) / std));
                masks[i * 32 + t] = 1f;
            }
        }
        return Batch.of(
                Map.of(
                        "input", Tensor.ofFloats(new long[] {n, 32, 1}, windows),
                        "mask", Tensor.ofFloats(new long[] {n, 32}, masks)));
    }

    private static double meanScore(ModelSpec spec, ComputationGraph graph, Batch batch) {
        double sum = 0;
        for (float s : Dl4jInputs.output(spec, graph, batch).floats()) {
            sum += s;
        }
        return sum / batch.size();
    }
}
