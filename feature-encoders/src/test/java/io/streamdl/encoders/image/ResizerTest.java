package io.streamdl.encoders.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ResizerTest {

    @Test
    void bilinearUpscaleMatchesPyTorchsDocumentedExample() {
        // PyTorch's nn.Upsample documentation upsamples [[1, 2], [3, 4]] by 2 with
        // mode='bilinear', align_corners=False and shows exactly these values
        float[] out =
                Resizer.resize(new float[] {1, 2, 3, 4}, 1, 2, 2, 4, 4, Interpolation.BILINEAR);
        assertThat(out)
                .containsExactly(
                        new float[] {
                            1.00f, 1.25f, 1.75f, 2.00f,
                            1.50f, 1.75f, 2.25f, 2.50f,
                            2.50f, 2.75f, 3.25f, 3.50f,
                            3.00f, 3.25f, 3.75f, 4.00f
                        },
                        within(1e-6f));
    }

    @Test
    void nearestRepeatsPixels() {
        float[] out =
                Resizer.resize(new float[] {1, 2, 3, 4}, 1, 2, 2, 4, 2, Interpolation.NEAREST);
        assertThat(out).containsExactly(1, 1, 2, 2, 3, 3, 4, 4);
    }

    @Test
    void areaAveragesBlocks() {
        float[] in = new float[16];
        for (int i = 0; i < 16; i++) {
            in[i] = i;
        }
        // 2x2 block means of a 4x4 ramp: (0+1+4+5)/4, (2+3+6+7)/4, ...
        float[] out = Resizer.resize(in, 1, 4, 4, 2, 2, Interpolation.AREA);
        assertThat(out).containsExactly(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, within(1e-6f));
    }

    @Test
    void areaWithFractionalCoverageWeighsByOverlap() {
        // 3 pixels into 2: output 0 covers [0, 1.5): 1 * v0 + 0.5 * v1, divided by 1.5
        float[] out = Resizer.resize(new float[] {3, 6, 9}, 1, 3, 1, 2, 1, Interpolation.AREA);
        assertThat(out).containsExactly(new float[] {4f, 8f}, within(1e-5f));
    }

    @Test
    void bilinearHalvingAveragesNeighbourPairs() {
        float[] out =
                Resizer.resize(new float[] {0, 2, 4, 6}, 1, 4, 1, 2, 1, Interpolation.BILINEAR);
        assertThat(out).containsExactly(new float[] {1f, 5f}, within(1e-6f));
    }

    @Test
    void everyMethodKeepsAConstantImageConstantAndChannelsApart() {
        float[] in = new float[2 * 7 * 5];
        java.util.Arrays.fill(in, 0, 35, 0.25f);
        java.util.Arrays.fill(in, 35, 70, 0.75f);
        for (Interpolation method : Interpolation.values()) {
            float[] out = Resizer.resize(in, 2, 7, 5, 3, 11, method);
            assertThat(out).hasSize(2 * 3 * 11);
            for (int i = 0; i < 33; i++) {
                assertThat(out[i]).as(method + " channel 0").isCloseTo(0.25f, within(1e-6f));
                assertThat(out[33 + i]).as(method + " channel 1").isCloseTo(0.75f, within(1e-6f));
            }
        }
    }
}
