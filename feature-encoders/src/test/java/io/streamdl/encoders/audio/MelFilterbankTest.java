package io.streamdl.encoders.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamdl.encoders.audio.MelFilterbank.Norm;
import io.streamdl.encoders.audio.MelFilterbank.Scale;
import org.junit.jupiter.api.Test;

/**
 * The filterbank against published reference values: librosa's documentation examples for its
 * Slaney mel scale and filters, and full-precision values of {@code librosa.filters.mel(sr=22050,
 * n_fft=2048)} from the documentation of the Rust crate mel_filter (a port that states it matches
 * librosa; its first value agrees with librosa's own documented 0.016).
 */
class MelFilterbankTest {

    @Test
    void slaneyScaleMatchesLibrosaDocumentedConversions() {
        // librosa.hz_to_mel docs: hz_to_mel(60) = 0.9, hz_to_mel([110, 220, 440]) = [1.65, 3.3,
        // 6.6]
        assertThat(MelFilterbank.hzToMel(60, Scale.SLANEY)).isCloseTo(0.9, within(1e-12));
        assertThat(MelFilterbank.hzToMel(110, Scale.SLANEY)).isCloseTo(1.65, within(1e-12));
        assertThat(MelFilterbank.hzToMel(220, Scale.SLANEY)).isCloseTo(3.3, within(1e-12));
        assertThat(MelFilterbank.hzToMel(440, Scale.SLANEY)).isCloseTo(6.6, within(1e-12));
        // librosa.mel_to_hz docs: mel_to_hz(3) = 200, mel_to_hz([1..5]) = [66.667, ..., 333.333]
        assertThat(MelFilterbank.melToHz(3, Scale.SLANEY)).isCloseTo(200, within(1e-9));
        double[] expected = {66.667, 133.333, 200.0, 266.667, 333.333};
        for (int m = 1; m <= 5; m++) {
            assertThat(MelFilterbank.melToHz(m, Scale.SLANEY))
                    .isCloseTo(expected[m - 1], within(5e-4));
        }
    }

    @Test
    void bandEdgesMatchLibrosaMelFrequencies() {
        // librosa.mel_frequencies(n_mels=40) (fmin 0, fmax 11025, Slaney), as printed in its docs;
        // a filterbank of 38 mels has these 40 points as its band edges
        double[] librosa = {
            0.0, 85.317, 170.635, 255.952, 341.269, 426.586, 511.904, 597.221, 682.538, 767.855,
            853.173, 938.49, 1024.856, 1119.114, 1222.042, 1334.436, 1457.167, 1591.187, 1737.532,
            1897.337, 2071.84, 2262.393, 2470.47, 2697.686, 2945.799, 3216.731, 3512.582, 3835.643,
            4188.417, 4573.636, 4994.285, 5453.621, 5955.205, 6502.92, 7101.009, 7754.107, 8467.272,
            9246.028, 10096.408, 11025.0
        };
        double[] edges =
                MelFilterbank.create(22050, 2048, 38, 0, 11025, Scale.SLANEY, Norm.SLANEY)
                        .bandEdges();
        assertThat(edges).hasSize(40);
        for (int i = 0; i < 40; i++) {
            assertThat(edges[i]).as("edge %d", i).isCloseTo(librosa[i], within(6e-4));
        }
    }

    @Test
    void weightsMatchLibrosaFiltersMel() {
        // librosa.filters.mel(sr=22050, n_fft=2048): 128 Slaney mels, Slaney norm
        double[][] matrix =
                MelFilterbank.create(22050, 2048, 128, 0, 11025, Scale.SLANEY, Norm.SLANEY)
                        .matrix();
        assertThat(matrix).hasNumberOfRows(128);
        assertThat(matrix[0]).hasSize(1025);
        // librosa's own docs print melfb[0, 1] as 0.016
        assertThat(matrix[0][1]).isCloseTo(0.016, within(5e-4));
        double[] row0 = {
            0,
            0.016182853208219942,
            0.032365706416439884,
            0.028990088037379964,
            0.012807234829160026,
            0
        };
        double[] row1 = {
            0,
            0,
            0,
            0.009779235793639925,
            0.025962089001859864,
            0.035393705451959974,
            0.01921085224374004,
            0.003027999035520103,
            0
        };
        for (int k = 0; k < row0.length; k++) {
            assertThat(matrix[0][k]).as("melfb[0][%d]", k).isCloseTo(row0[k], within(1e-12));
        }
        for (int k = 0; k < row1.length; k++) {
            assertThat(matrix[1][k]).as("melfb[1][%d]", k).isCloseTo(row1[k], within(1e-12));
        }
    }

    @Test
    void htkScaleFollowsItsDefinition() {
        // hand-checked: 2595 log10(2) = 781.1728; 2595 log10(17/7) = 999.9855;
        // 2595 log10(1 + 8000/700) = 2840.0230
        assertThat(MelFilterbank.hzToMel(700, Scale.HTK)).isCloseTo(781.1728, within(1e-4));
        assertThat(MelFilterbank.hzToMel(1000, Scale.HTK)).isCloseTo(999.9855, within(1e-4));
        assertThat(MelFilterbank.hzToMel(8000, Scale.HTK)).isCloseTo(2840.0230, within(1e-4));
        for (double hz : new double[] {0, 50, 440, 999, 1000, 1001, 4000, 7999}) {
            for (Scale scale : Scale.values()) {
                assertThat(MelFilterbank.melToHz(MelFilterbank.hzToMel(hz, scale), scale))
                        .isCloseTo(hz, within(1e-9));
            }
        }
    }

    @Test
    void unnormalisedTrianglesPeakAtOneAndOverlapToOne() {
        MelFilterbank bank = MelFilterbank.create(16000, 512, 40, 0, 8000, Scale.HTK, Norm.NONE);
        double[][] matrix = bank.matrix();
        double[] edges = bank.bandEdges();
        for (double[] row : matrix) {
            for (double w : row) {
                assertThat(w).isBetween(0.0, 1.0);
            }
        }
        // between the first and the last centre, neighbouring triangles sum to exactly one
        for (int k = 0; k < 257; k++) {
            double hz = k * 16000.0 / 512;
            if (hz >= edges[1] && hz <= edges[40]) {
                double sum = 0;
                for (double[] row : matrix) {
                    sum += row[k];
                }
                assertThat(sum).as("bin %d", k).isCloseTo(1.0, within(1e-9));
            }
        }
    }

    @Test
    void invalidArgumentsAreRefused() {
        assertThatThrownBy(
                        () -> MelFilterbank.create(16000, 512, 40, 0, 9000, Scale.HTK, Norm.NONE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () -> MelFilterbank.create(16000, 512, 40, 500, 400, Scale.HTK, Norm.NONE))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
