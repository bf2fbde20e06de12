package io.streamdl.trainer;

import static io.streamdl.trainer.OnlineTrainerTest.CODEC;
import static io.streamdl.trainer.OnlineTrainerTest.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.models.codec.VerifiedModel;
import io.streamdl.models.inference.Dl4jInputs;
import io.streamdl.models.inference.FeatureTensors;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.AutoencoderParams;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ModelUpdate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The trainer's anomaly objective: an autoencoder learns from features alone, test-then-train by
 * its own reconstruction error, and publishes and guards by the mean error.
 */
class OnlineAnomalyTrainerTest {
    /** A small dense autoencoder over 12x12 stripe images. */
    static final ModelSpec TINY_AE =
            new ModelSpec(
                    ModelSpec.CURRENT_SPEC_VERSION,
                    "tiny-ae",
                    ArchitectureKind.AUTOENCODER,
                    List.of(TensorSpec.of("input", DType.FLOAT32, 1, 12, 12)),
                    1,
                    List.of(),
                    new AutoencoderParams(List.of(32), 8),
                    5L,
                    3e-3);

    private static final TrainerSettings SETTINGS =
            settings(
                    "trainer.batch-size", "16",
                    "trainer.publish.every-examples", "320",
                    "trainer.window.size", "160",
                    "trainer.metrics.every-examples", "160",
                    "trainer.guard.margin", "0.2");

    /** {@code n} unlabelled examples of stripe direction {@code pattern}. */
    private static List<LabelledExample> unlabelled(TestingExamples source, int pattern, int n) {
        List<LabelledExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = "p" + pattern + "-" + i;
            out.add(new LabelledExample(id, null, 1000L + i, source.features(id, pattern)));
        }
        return out;
    }

    private static void feed(OnlineTrainer t, List<LabelledExample> examples, TrainerOutput out) {
        for (LabelledExample e : examples) {
            t.accept(e, 1_000, out);
        }
    }

    /** The mean anomaly score the published {@code update} gives {@code examples}. */
    private static double meanScore(ModelUpdate update, List<LabelledExample> examples) {
        VerifiedModel model = CODEC.decode(update, TINY_AE);
        List<Features> features = new ArrayList<>();
        examples.forEach(e -> features.add(e.features));
        float[] scores =
                Dl4jInputs.output(TINY_AE, model.network(), FeatureTensors.batch(features, TINY_AE))
                        .floats();
        double sum = 0;
        for (float s : scores) {
            sum += s;
        }
        return sum / scores.length;
    }

    @Test
    void learnsTheNormalPatternFromFeaturesAloneAndScoresOthersHigher() {
        TestingExamples source = new TestingExamples(TINY_AE, 21);
        TestingTrainerOutput out = new TestingTrainerOutput();
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY_AE, SETTINGS, CODEC)) {
            feed(t, unlabelled(source, 0, 960), out);

            assertThat(t.examplesLearned()).isEqualTo(960);
            assertThat(t.examplesRefused()).isZero();
            assertThat(t.accuracy()).isNaN();
            List<DashboardMetric> errors = out.metrics(TrainerMetrics.MEAN_ERROR);
            assertThat(errors).hasSize(6);
            double first = errors.get(0).getValue();
            double last = errors.get(errors.size() - 1).getValue();
            assertThat(last).isLessThan(first * 0.8);
            assertThat(out.metrics(TrainerMetrics.ACCURACY)).isEmpty();
            assertThat(out.metrics(TrainerMetrics.LOSS)).isEmpty();

            assertThat(out.versions()).containsExactly(1L, 2L, 3L);
            ModelUpdate newest = out.updates.get(2);
            assertThat(newest.getMetrics())
                    .containsKey(TrainerMetrics.UPDATE_MEAN_ERROR)
                    .doesNotContainKey(TrainerMetrics.UPDATE_ACCURACY);
            assertThat(newest.getMetrics().get(TrainerMetrics.UPDATE_MEAN_ERROR))
                    .isEqualTo(t.meanLoss());

            double normal = meanScore(newest, unlabelled(source, 0, 64));
            double anomalous = meanScore(newest, unlabelled(source, 1, 64));
            assertThat(anomalous).isGreaterThan(normal * 1.3);
        }
    }

    @Test
    void theGuardHoldsBackWeightsWhoseMeanErrorRoseBeyondTheMargin() {
        TestingExamples source = new TestingExamples(TINY_AE, 22);
        TestingTrainerOutput out = new TestingTrainerOutput();
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY_AE, SETTINGS, CODEC)) {
            feed(t, unlabelled(source, 0, 640), out);
            assertThat(out.versions()).containsExactly(1L, 2L);
            double reference =
                    out.updates.get(1).getMetrics().get(TrainerMetrics.UPDATE_MEAN_ERROR);

            // a window of another pattern: the error the guard sees is far above the reference
            feed(t, unlabelled(source, 1, 320), out);

            assertThat(out.versions()).containsExactly(1L, 2L);
            assertThat(t.heldBackForRegression()).isEqualTo(1);
            List<DashboardMetric> held = out.metrics(TrainerMetrics.HELD_BACK_REGRESSION);
            assertThat(held).hasSize(1);
            assertThat(held.get(0).getValue()).isGreaterThan(reference * 1.2);
        }
    }

    @Test
    void aRestoredAnomalyTrainerContinuesExactlyAsTheOriginal() {
        TestingExamples source = new TestingExamples(TINY_AE, 23);
        List<LabelledExample> before = unlabelled(source, 0, 200);
        List<LabelledExample> after = unlabelled(source, 0, 200);
        TestingTrainerOutput outA = new TestingTrainerOutput();
        TestingTrainerOutput outB = new TestingTrainerOutput();
        try (OnlineTrainer a = OnlineTrainer.fresh(TINY_AE, SETTINGS, CODEC)) {
            feed(a, before, outA);
            try (OnlineTrainer b = OnlineTrainer.restore(TINY_AE, SETTINGS, CODEC, a.snapshot())) {
                feed(a, after, outA);
                feed(b, after, outB);
                assertThat(b.params()).containsExactly(a.params());
                assertThat(b.meanLoss()).isEqualTo(a.meanLoss());
                assertThat(b.version()).isEqualTo(a.version());
            }
        }
    }

    @Test
    void aWarmStartTakesThePublishedMeanErrorAsTheGuardsReference() {
        TestingExamples source = new TestingExamples(TINY_AE, 24);
        TestingTrainerOutput out = new TestingTrainerOutput();
        ModelUpdate published;
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY_AE, SETTINGS, CODEC)) {
            feed(t, unlabelled(source, 0, 960), out);
            published = out.updates.get(2);
        }
        TestingTrainerOutput next = new TestingTrainerOutput();
        try (OnlineTrainer t = OnlineTrainer.warmStart(TINY_AE, SETTINGS, CODEC, published)) {
            assertThat(t.version()).isEqualTo(3);
            // the other pattern only: worse than the warm start's published error
            feed(t, unlabelled(source, 1, 320), next);
            assertThat(next.updates).isEmpty();
            assertThat(t.heldBackForRegression()).isEqualTo(1);
        }
    }

    @Test
    void aRecommendationModelIsRefusedWithTheReason() {
        assertThatThrownBy(() -> OnlineTrainer.fresh(DefaultSpecs.ncf(), SETTINGS, CODEC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("learned from interactions");
    }
}
