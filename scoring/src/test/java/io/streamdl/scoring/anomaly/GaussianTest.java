package io.streamdl.scoring.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GaussianTest {
    @Test
    void theCdfAndItsInverseAgreeWithKnownValues() {
        assertThat(Gaussian.cdf(0)).isCloseTo(0.5, within(1e-7));
        assertThat(Gaussian.cdf(1.959964)).isCloseTo(0.975, within(1e-6));
        assertThat(Gaussian.cdf(-1.959964)).isCloseTo(0.025, within(1e-6));
        for (double z : new double[] {-3, -0.5, 0.25, 2, 4.5}) {
            assertThat(Gaussian.quantile(Gaussian.cdf(z))).isCloseTo(z, within(1e-4));
        }
        assertThatThrownBy(() -> Gaussian.quantile(1.0)).hasMessageContaining("(0, 1)");
        assertThatThrownBy(() -> Gaussian.quantile(Double.NaN)).hasMessageContaining("(0, 1)");
    }
}
