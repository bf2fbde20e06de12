package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.schemas.config.ConfigOption;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainJobConfigTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef";

    private static TrainJobConfig config(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("models.hmac.key", KEY);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return TrainJobConfig.of("image", "image", "http://registry", m);
    }

    @Test
    void defaults() {
        TrainJobConfig c = config();
        assertThat(c.joinHorizonMillis()).isEqualTo(120_000);
        assertThat(c.parallelism()).isEqualTo(1);
        assertThat(c.warmStart()).isTrue();
        TrainerSettings t = c.trainer();
        assertThat(t.batchSize()).isEqualTo(32);
        assertThat(t.optimizer()).isEqualTo(TrainerSettings.Optimizer.ADAM);
        assertThat(t.learningRate()).isEqualTo(0.001);
        assertThat(t.publishEveryExamples()).isEqualTo(1000);
        assertThat(t.publishEveryMillis()).isEqualTo(60_000);
        assertThat(t.guardMargin()).isEqualTo(0.05);
        assertThat(t.windowSize()).isEqualTo(1000);
        assertThat(t.driftDetector()).isEqualTo(TrainerSettings.DriftDetectorKind.PAGE_HINKLEY);
        assertThat(t.driftAdaptation()).isEqualTo(TrainerSettings.DriftAdaptation.RESET_OPTIMIZER);
        assertThat(t.replayBatches()).isEqualTo(2);
        assertThat(t.replayBufferSize()).isEqualTo(4096);
        assertThat(t.learningRateHalfLife()).isEqualTo(30_000);
        assertThat(c.codecConfig().allowUnsigned()).isFalse();
        assertThat(c.toString()).doesNotContain(KEY);
        assertThat(TrainJobConfig.OPTIONS).extracting(ConfigOption::key).doesNotHaveDuplicates();
    }

    @Test
    void valuesAreReadFromTheirKeys() {
        TrainJobConfig c =
                config(
                        "trainer.batch-size", "64",
                        "trainer.optimizer", "nesterovs",
                        "trainer.learning-rate", "0.01",
                        "trainer.publish.every-seconds", "0",
                        "trainer.join.horizon-seconds", "30",
                        "trainer.drift.adaptation", "reset-optimizer",
                        "trainer.warm-start", "false");
        assertThat(c.trainer().batchSize()).isEqualTo(64);
        assertThat(c.trainer().optimizer()).isEqualTo(TrainerSettings.Optimizer.NESTEROVS);
        assertThat(c.trainer().learningRate()).isEqualTo(0.01);
        assertThat(c.trainer().publishEveryMillis()).isZero();
        assertThat(c.joinHorizonMillis()).isEqualTo(30_000);
        assertThat(c.trainer().driftAdaptation())
                .isEqualTo(TrainerSettings.DriftAdaptation.RESET_OPTIMIZER);
        assertThat(c.warmStart()).isFalse();
    }

    @Test
    void aBadValueFailsNamingItsKey() {
        assertThatThrownBy(() -> config("trainer.batch-size", "0"))
                .hasMessageContaining("'trainer.batch-size'");
        assertThatThrownBy(() -> config("trainer.optimizer", "lbfgs"))
                .hasMessageContaining("'trainer.optimizer'")
                .hasMessageContaining("adam, sgd, nesterovs");
        assertThatThrownBy(() -> config("trainer.guard.margin", "1.5"))
                .hasMessageContaining("'trainer.guard.margin'");
        assertThatThrownBy(() -> config("trainer.learning-rate", "NaN"))
                .hasMessageContaining("'trainer.learning-rate'");
        assertThatThrownBy(() -> config("trainer.warm-start", "yes"))
                .hasMessageContaining("'trainer.warm-start'");
        assertThatThrownBy(
                        () ->
                                config(
                                        "trainer.publish.every-examples", "0",
                                        "trainer.publish.every-seconds", "0"))
                .hasMessageContaining("never publish");
    }

    @Test
    void anUnknownTrainerKeyIsRefusedAsATypo() {
        assertThatThrownBy(() -> config("trainer.batchsize", "8"))
                .hasMessageStartingWith(
                        "unknown config key 'trainer.batchsize'; did you mean"
                                + " 'trainer.batch-size'?");
    }

    @Test
    void aRecordBuiltInCodeIsCheckedByTheSameOptions() {
        TrainerSettings d = TrainerSettings.defaults();
        assertThatThrownBy(
                        () ->
                                new TrainerSettings(
                                        0,
                                        d.optimizer(),
                                        d.learningRate(),
                                        d.publishEveryExamples(),
                                        d.publishEveryMillis(),
                                        d.guardMargin(),
                                        d.guardResetOnDrift(),
                                        d.windowSize(),
                                        d.metricsEveryExamples(),
                                        d.driftDetector(),
                                        d.driftDelta(),
                                        d.driftLambda(),
                                        d.driftMinExamples(),
                                        d.driftAdaptation(),
                                        d.driftLrBoost(),
                                        d.driftBoostSteps(),
                                        d.learningRateHalfLife(),
                                        d.learningRateFloor(),
                                        d.replayBufferSize(),
                                        d.replayBatches()))
                .hasMessage(
                        "invalid value '0' for config key 'trainer.batch-size': expected an"
                                + " integer from 1 to 4096");
    }

    @Test
    void signingNeedsAKeyUnlessUnsignedUpdatesAreAllowed() {
        assertThatThrownBy(() -> TrainJobConfig.of("image", "image", "http://r", Map.of()))
                .hasMessageContaining("models.hmac.key");
        TrainJobConfig unsigned =
                TrainJobConfig.of(
                        "image", "image", "http://r", Map.of("models.allow-unsigned", "true"));
        assertThat(unsigned.hmacKey()).isNull();
    }
}
