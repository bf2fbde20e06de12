package io.streamdl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.junit.jupiter.api.Test;

/** FLOPs per sample against counts made by hand from the layer shapes. */
class FlopCounterTest {
    @Test
    void imageCnnCountsBothConvolutionsAndBothDenseLayersButNotBatchNorm() {
        ModelSpec spec = DefaultSpecs.image();
        // conv1 1->16 3x3 padded, 28x28 out; conv2 16->32 3x3, 12x12 out after a 2x2 pool;
        // dense 6*6*32 -> 128; output 128 -> 10
        long conv1 = 2L * 9 * 1 * 16 * 28 * 28;
        long conv2 = 2L * 9 * 16 * 32 * 12 * 12;
        long dense = 2L * 6 * 6 * 32 * 128;
        long output = 2L * 128 * 10;
        assertThat(FlopCounter.flopsPerSample(Architectures.build(spec), spec))
                .isEqualTo(conv1 + conv2 + dense + output);
    }

    @Test
    void audioLstmCountsFourGatesAtEveryStep() {
        ModelSpec spec = DefaultSpecs.audio();
        long lstm = 2L * 4 * (40 + 96) * 96 * 98;
        long output = 2L * 96 * spec.outputSize();
        Map<String, Long> layers = FlopCounter.perLayer(Architectures.build(spec), spec);
        assertThat(layers).containsEntry("lstm1", lstm);
        assertThat(layers.values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(lstm + output);
    }

    @Test
    void textTransformerCountsProjectionsScoresAndPositionwiseLayersPerPosition() {
        ModelSpec spec = DefaultSpecs.text();
        Map<String, Long> layers = FlopCounter.perLayer(Architectures.build(spec), spec);
        long t = 64;
        long d = 64;
        long projections = 2 * t * 3 * d * d + 2 * t * d * d;
        long scoresAndSums = 2 * 2 * 4 * t * t * (d / 4);
        assertThat(layers).containsEntry("attention1", projections + scoresAndSums);
        assertThat(layers).containsEntry("ffn1a", 2 * t * d * 128);
        assertThat(layers).containsEntry("ffn1b", 2 * t * 128 * d);
        assertThat(layers).doesNotContainKeys("embedding", "positions", "pool", "norm1a");
        long block = projections + scoresAndSums + 2 * (2 * t * d * 128);
        assertThat(layers.values().stream().mapToLong(Long::longValue).sum())
                .as("%s", layers)
                .isEqualTo(2 * block + 2 * d * spec.outputSize());
    }

    @Test
    void singleLayersFollowTheirFormulas() {
        assertThat(
                        FlopCounter.layerFlops(
                                new DenseLayer.Builder().nIn(10).nOut(5).build(),
                                InputType.feedForward(10),
                                InputType.feedForward(5)))
                .isEqualTo(100);
        assertThat(
                        FlopCounter.layerFlops(
                                new LSTM.Builder().nIn(3).nOut(2).build(),
                                InputType.recurrent(3, 7),
                                InputType.recurrent(2, 7)))
                .isEqualTo(2L * 4 * 5 * 2 * 7);
        // without input projection only the scores and the weighted sums are products
        assertThat(
                        FlopCounter.layerFlops(
                                new SelfAttentionLayer.Builder()
                                        .nIn(8)
                                        .nOut(8)
                                        .nHeads(1)
                                        .projectInput(false)
                                        .build(),
                                InputType.recurrent(8, 4),
                                InputType.recurrent(8, 4)))
                .isEqualTo(2L * 2 * 4 * 4 * 8);
    }
}
