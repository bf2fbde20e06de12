package io.streamdl.scoring.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CanaryRouterTest {
    @Test
    void theShareOfKeysIsTheFractionAndTheSameForAKeyEveryTime() {
        for (double fraction : new double[] {0.05, 0.1, 0.3, 0.5}) {
            int in = 0;
            int n = 20_000;
            for (int i = 0; i < n; i++) {
                byte[] key = ("ev-" + i).getBytes(StandardCharsets.UTF_8);
                boolean canary = CanaryRouter.inCanary(key, fraction);
                assertThat(CanaryRouter.inCanary(key.clone(), fraction)).isEqualTo(canary);
                in += canary ? 1 : 0;
            }
            assertThat((double) in / n)
                    .as("share at " + fraction)
                    .isBetween(fraction - 0.02, fraction + 0.02);
        }
        assertThat(CanaryRouter.inCanary(null, 1.0)).isFalse();
        assertThat(CanaryRouter.inCanary("x".getBytes(StandardCharsets.UTF_8), 1.0)).isTrue();
    }

    @Test
    void refusesAFractionOutsideZeroToOne() {
        assertThatThrownBy(() -> new CanaryRouter(0)).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> new CanaryRouter(1.5)).hasMessageContaining("(0, 1]");
    }
}
