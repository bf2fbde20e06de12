package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.codec.ParamsCodec;
import io.streamdl.models.codec.VerifiedModel;
import io.streamdl.models.onnx.OnnxExporter;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ImageCnnParams;
import io.streamdl.models.spec.ImportedParams;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.trainer.ModelTopicFollower.Outcome;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OnlineTrainerTest {
    static final byte[] KEY = "a test key of 32 bytes, not real".getBytes(StandardCharsets.UTF_8);
    static final ModelUpdateCodec.Config SIGNING = ModelUpdateCodec.Config.signed(KEY);
    static final ModelUpdateCodec CODEC = new ModelUpdateCodec(SIGNING);
    private static final byte[] OTHER_KEY =
            "another key, 32 bytes long, too!".getBytes(StandardCharsets.UTF_8);
    private static final ModelSpec TINY = TestingExamples.TINY;

    /** The defaults with some keys overridden, given as key, value, key, value... */
    static TrainerSettings settings(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return TrainerSettings.from(m);
    }

    /** {@code n} examples of random classes; labels flipped when {@code flipped}. */
    static List<LabelledExample> examples(
            TestingExamples source, Random r, int n, boolean flipped) {
        List<LabelledExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(2);
            out.add(source.next(c, flipped ? 1 - c : c));
        }
        return out;
    }

    private static void feed(
            OnlineTrainer t, List<LabelledExample> examples, long now, TrainerOutput out) {
        for (LabelledExample e : examples) {
            t.accept(e, now, out);
        }
    }

    private static float[] params(ModelUpdate u) {
        return ParamsCodec.toFloats(u.getParams());
    }

    @Test
    void theImageCnnLearnsASeparableProblemAndPublishesAVersionChain() {
        ModelSpec image = DefaultSpecs.image();
        TrainerSettings s =
                settings(
                        "trainer.batch-size", "16",
                        "trainer.learning-rate", "0.003",
                        "trainer.publish.every-examples", "160",
                        "trainer.window.size", "96",
                        "trainer.metrics.every-examples", "96");
        TestingExamples source = new TestingExamples(image, 11);
        TestingTrainerOutput out = new TestingTrainerOutput();
        try (OnlineTrainer t = OnlineTrainer.fresh(image, s, CODEC)) {
            feed(t, examples(source, new Random(3), 480, false), 1_000, out);

            assertThat(t.examplesLearned()).isEqualTo(480);
            assertThat(t.steps()).isEqualTo(30);
            List<DashboardMetric> accuracy = out.metrics(TrainerMetrics.ACCURACY);
            assertThat(accuracy).hasSize(5);
            double first = accuracy.get(0).getValue();
            double last = accuracy.get(accuracy.size() - 1).getValue();
            assertThat(last).as("prequential accuracy at the end").isGreaterThan(0.9);
            assertThat(last - first).as("accuracy gained").isGreaterThan(0.05);
            assertThat(out.metrics(TrainerMetrics.LOSS).get(4).getValue())
                    .isLessThan(out.metrics(TrainerMetrics.LOSS).get(0).getValue());

            assertThat(out.versions()).containsExactly(1L, 2L, 3L);
            assertThat(out.updates)
                    .extracting(ModelUpdate::getParentVersion)
                    .containsExactly(null, 1L, 2L);
            assertThat(t.version()).isEqualTo(3);
            for (ModelUpdate u : out.updates) {
                VerifiedModel m = CODEC.decode(u, image);
                assertThat(m.signatureVerified()).isTrue();
                assertThat(u.getMetrics())
                        .containsKeys(TrainerMetrics.UPDATE_ACCURACY, TrainerMetrics.UPDATE_LOSS);
            }
            assertThat(out.updates.get(2).getMetrics().get(TrainerMetrics.UPDATE_ACCURACY))
                    .isGreaterThan(0.9);
            assertThat(out.metrics(TrainerMetrics.MODEL_VERSION))
                    .extracting(DashboardMetric::getValue)
                    .containsExactly(1.0, 2.0, 3.0);
            assertThat(accuracy.get(4).getModel()).isEqualTo("image");
            assertThat(accuracy.get(4).getModelVersion())
                    .as("measured before the last publish")
                    .isEqualTo(2L);
        }
    }

    @Test
    void theGuardHoldsBackAnUpdateWhoseAccuracyFell() {
        TrainerSettings s =
                settings(
                        "trainer.batch-size", "16",
                        "trainer.learning-rate", "0.01",
                        "trainer.publish.every-examples", "64",
                        "trainer.window.size", "64",
                        "trainer.guard.margin", "0.1",
                        "trainer.drift.detector", "none");
        TestingExamples source = new TestingExamples(TINY, 5);
        Random r = new Random(5);
        TestingTrainerOutput out = new TestingTrainerOutput();
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY, s, CODEC)) {
            feed(t, examples(source, r, 320, false), 0, out);
            assertThat(out.updates).hasSize(5);
            double published = out.updates.get(4).getMetrics().get(TrainerMetrics.UPDATE_ACCURACY);
            assertThat(published).isGreaterThan(0.9);

            feed(t, examples(source, r, 64, true), 0, out);
            assertThat(out.updates).as("no update after the labels flipped").hasSize(5);
            assertThat(t.heldBackForRegression()).isEqualTo(1);
            assertThat(t.version()).isEqualTo(5);
            assertThat(out.metrics(TrainerMetrics.HELD_BACK_REGRESSION))
                    .singleElement()
                    .satisfies(
                            m -> {
                                assertThat(m.getValue()).isLessThan(published - 0.1);
                                assertThat(m.getCount()).isEqualTo(1);
                                assertThat(m.getModelVersion()).isEqualTo(5L);
                            });
        }
    }

    @Test
    void nanWeightsAreNeverPublishedAndTrainingRollsBackToTheLastGoodWeights() {
        TrainerSettings s =
                settings(
                        "trainer.batch-size", "16",
                        "trainer.guard.margin", "1",
                        "trainer.publish.every-examples", "32",
                        "trainer.drift.detector", "none");
        TestingExamples source = new TestingExamples(TINY, 6);
        Random r = new Random(6);
        TestingTrainerOutput out = new TestingTrainerOutput();
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY, s, CODEC)) {
            feed(t, examples(source, r, 32, false), 0, out);
            assertThat(out.versions()).containsExactly(1L);
            float[] v1 = params(out.updates.get(0));

            float[] poisoned = t.params();
            poisoned[3] = Float.NaN;
            poisoned[7] = Float.POSITIVE_INFINITY;
            t.setParams(poisoned);
            feed(t, examples(source, r, 32, false), 0, out);
            assertThat(out.versions()).as("nothing published from NaN weights").containsExactly(1L);
            assertThat(t.heldBackForNonFiniteWeights()).isEqualTo(1);
            assertThat(out.metrics(TrainerMetrics.HELD_BACK_NON_FINITE)).hasSize(1);
            assertThat(t.params()).as("rolled back to version 1").isEqualTo(v1);

            feed(t, examples(source, r, 32, false), 0, out);
            assertThat(out.versions()).containsExactly(1L, 2L);
            assertThat(out.updates.get(1).getParentVersion()).isEqualTo(1L);
            for (float p : params(out.updates.get(1))) {
                assertThat(Float.isFinite(p)).isTrue();
            }
        }
    }

    @Test
    void aSnapshotRestoresParamsVersionsWindowAndTheExactFutureOutputs() {
        TrainerSettings s =
                settings(
                        "trainer.batch-size", "16",
                        "trainer.guard.margin", "1",
                        "trainer.publish.every-examples", "48",
                        "trainer.window.size", "50",
                        "trainer.metrics.every-examples", "40");
        TestingExamples source = new TestingExamples(TINY, 7);
        Random r = new Random(7);
        List<LabelledExample> before = examples(source, r, 100, false);
        List<LabelledExample> after = examples(source, r, 100, false);
        TestingTrainerOutput outA = new TestingTrainerOutput();
        TestingTrainerOutput outB = new TestingTrainerOutput();
        try (OnlineTrainer a = OnlineTrainer.fresh(TINY, s, CODEC)) {
            feed(a, before, 10, outA);
            assertThat(a.pendingExamples()).isEqualTo(4);
            byte[] snapshot = a.snapshot();
            try (OnlineTrainer b = OnlineTrainer.restore(TINY, s, CODEC, snapshot)) {
                assertThat(b.params()).isEqualTo(a.params());
                assertThat(b.version()).isEqualTo(a.version()).isEqualTo(2);
                assertThat(b.parentVersion()).isEqualTo(2L);
                assertThat(b.accuracy()).isEqualTo(a.accuracy());
                assertThat(b.meanLoss()).isEqualTo(a.meanLoss());
                assertThat(b.pendingExamples()).isEqualTo(4);
                assertThat(b.examplesSeen()).isEqualTo(100);
                assertThat(b.snapshot())
                        .as("a restored snapshot writes back alike")
                        .isEqualTo(snapshot);

                int already = outA.updates.size();
                feed(a, after, 20, outA);
                feed(b, after, 20, outB);
                List<ModelUpdate> fromA = outA.updates.subList(already, outA.updates.size());
                assertThat(fromA).hasSize(2);
                assertThat(outB.versions()).containsExactly(3L, 4L);
                for (int i = 0; i < fromA.size(); i++) {
                    assertThat(outB.updates.get(i).getParams()).isEqualTo(fromA.get(i).getParams());
                    assertThat(outB.updates.get(i).getMetrics())
                            .isEqualTo(fromA.get(i).getMetrics());
                }
                assertThat(b.params()).isEqualTo(a.params());
            }
        }
    }

    @Test
    void replayRehearsesBufferedExamplesAfterEachStepWithinABoundedBuffer() {
        TestingExamples source = new TestingExamples(TINY, 9);
        List<LabelledExample> stream = examples(source, new Random(9), 160, false);
        TrainerSettings replaying =
                settings(
                        "trainer.batch-size", "16",
                        "trainer.publish.every-examples", "100000",
                        "trainer.replay.buffer-size", "48",
                        "trainer.replay.batches", "2");
        TrainerSettings plain =
                settings(
                        "trainer.batch-size", "16",
                        "trainer.publish.every-examples", "100000",
                        "trainer.replay.batches", "0");
        try (OnlineTrainer r = OnlineTrainer.fresh(TINY, replaying, CODEC);
                OnlineTrainer p = OnlineTrainer.fresh(TINY, plain, CODEC)) {
            feed(r, stream, 0, new TestingTrainerOutput());
            feed(p, stream, 0, new TestingTrainerOutput());

            assertThat(r.steps()).isEqualTo(10);
            assertThat(r.examplesLearned()).isEqualTo(160);
            assertThat(r.replayBufferSize()).as("bounded by its size").isEqualTo(48);
            assertThat(r.examplesReplayed()).as("2 batches of 16 after each step").isEqualTo(320);
            assertThat(p.examplesReplayed()).isZero();
            assertThat(p.replayBufferSize()).isZero();
            assertThat(r.params()).as("rehearsal changed the weights").isNotEqualTo(p.params());

            // the ring has wrapped (160 into 48); a restored trainer draws exactly the same
            List<LabelledExample> more = examples(source, new Random(19), 64, false);
            byte[] snapshot = r.snapshot();
            try (OnlineTrainer restored = OnlineTrainer.restore(TINY, replaying, CODEC, snapshot);
                    OnlineTrainer shrunk =
                            OnlineTrainer.restore(
                                    TINY,
                                    settings(
                                            "trainer.batch-size", "16",
                                            "trainer.publish.every-examples", "100000",
                                            "trainer.replay.buffer-size", "20",
                                            "trainer.replay.batches", "2"),
                                    CODEC,
                                    snapshot)) {
                assertThat(restored.snapshot()).isEqualTo(snapshot);
                assertThat(shrunk.replayBufferSize()).isEqualTo(20);
                feed(r, more, 0, new TestingTrainerOutput());
                feed(restored, more, 0, new TestingTrainerOutput());
                assertThat(restored.params()).isEqualTo(r.params());
                assertThat(restored.examplesReplayed()).isEqualTo(r.examplesReplayed());
            }
        }
    }

    @Test
    void theLearningRateHalvesEveryHalfLifeDownToItsFloor() {
        TrainerSettings s =
                settings(
                        "trainer.batch-size", "16",
                        "trainer.learning-rate", "0.008",
                        "trainer.publish.every-examples", "100000",
                        "trainer.learning-rate.half-life-examples", "64",
                        "trainer.learning-rate.floor", "0.125");
        TestingExamples source = new TestingExamples(TINY, 10);
        Random r = new Random(10);
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY, s, CODEC)) {
            assertThat(t.learningRate()).isEqualTo(0.008);
            feed(t, examples(source, r, 64, false), 0, new TestingTrainerOutput());
            assertThat(t.learningRate()).isCloseTo(0.004, within(1e-12));
            feed(t, examples(source, r, 64, false), 0, new TestingTrainerOutput());
            assertThat(t.learningRate()).isCloseTo(0.002, within(1e-12));
            feed(t, examples(source, r, 640, false), 0, new TestingTrainerOutput());
            assertThat(t.learningRate()).as("the floor").isCloseTo(0.001, within(1e-12));
            byte[] snapshot = t.snapshot();
            try (OnlineTrainer restored = OnlineTrainer.restore(TINY, s, CODEC, snapshot)) {
                assertThat(restored.learningRate()).isCloseTo(0.001, within(1e-12));
            }
        }
    }

    @Test
    void anUnchangedTrainerHandsOutTheSameSnapshotAndAChangedOneANewOne() {
        TrainerSettings s = settings();
        TestingExamples source = new TestingExamples(TINY, 21);
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY, s, CODEC)) {
            feed(t, examples(source, new Random(21), 40, false), 0, new TestingTrainerOutput());
            byte[] first = t.snapshot();
            t.onTime(1, new TestingTrainerOutput());
            assertThat(t.snapshot()).as("nothing changed").isSameAs(first);
            feed(t, examples(source, new Random(22), 1, false), 2, new TestingTrainerOutput());
            byte[] second = t.snapshot();
            assertThat(second).isNotSameAs(first).isNotEqualTo(first);
            try (OnlineTrainer restored = OnlineTrainer.restore(TINY, s, CODEC, second)) {
                assertThat(restored.examplesSeen()).isEqualTo(41);
            }
        }
    }

    @Test
    void aCorruptSnapshotIsRefused() {
        TrainerSettings s = settings();
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY, s, CODEC)) {
            // a copy: the trainer hands out its own array, which must not be modified
            byte[] snapshot = t.snapshot().clone();
            snapshot[snapshot.length / 2] ^= 0x10;
            assertThatThrownBy(() -> OnlineTrainer.restore(TINY, s, CODEC, snapshot))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("CRC");
            assertThatThrownBy(
                            () ->
                                    OnlineTrainer.restore(
                                            DefaultSpecs.image(), s, CODEC, t.snapshot()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("architecture");
        }
    }

    @Test
    void driftIsDetectedWhenTheConceptFlipsAndBoostsTheLearningRate() {
        TrainerSettings s =
                settings(
                        "trainer.batch-size", "16",
                        "trainer.learning-rate", "0.01",
                        "trainer.window.size", "100",
                        "trainer.publish.every-examples", "100000",
                        "trainer.drift.lambda", "20",
                        "trainer.drift.lr-boost", "4",
                        "trainer.drift.boost-steps", "5",
                        "trainer.drift.adaptation", "lr-boost",
                        "trainer.learning-rate.half-life-examples", "0");
        TestingExamples source = new TestingExamples(TINY, 8);
        Random r = new Random(8);
        TestingTrainerOutput out = new TestingTrainerOutput();
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY, s, CODEC)) {
            feed(t, examples(source, r, 400, false), 0, out);
            assertThat(t.driftEvents()).as("no drift while the concept holds").isZero();
            assertThat(t.replayBufferSize()).isEqualTo(400);
            assertThat(t.accuracy()).isGreaterThan(0.9);

            feed(t, examples(source, r, 64, true), 0, out);
            assertThat(t.driftEvents()).isEqualTo(1);
            assertThat(out.metrics(TrainerMetrics.DRIFT))
                    .singleElement()
                    .satisfies(m -> assertThat(m.getValue()).isGreaterThan(20));
            assertThat(t.learningRate()).isEqualTo(0.01 * 4);
            assertThat(t.replayBufferSize())
                    .as("the alarm emptied the replay buffer of the old concept")
                    .isLessThanOrEqualTo(64);

            feed(t, examples(source, r, 16 * 5, true), 0, out);
            assertThat(t.learningRate()).as("boost over").isEqualTo(0.01);
        }
    }

    @Test
    void aDriftEventRestartsTheDecayAndBoostsFromTheBaseRate() {
        TrainerSettings s =
                settings(
                        "trainer.batch-size", "16",
                        "trainer.learning-rate", "0.01",
                        "trainer.window.size", "100",
                        "trainer.publish.every-examples", "100000",
                        "trainer.drift.lambda", "20",
                        "trainer.drift.lr-boost", "4",
                        "trainer.drift.boost-steps", "5",
                        "trainer.drift.adaptation", "both",
                        "trainer.learning-rate.half-life-examples", "100",
                        "trainer.learning-rate.floor", "0.05");
        TestingExamples source = new TestingExamples(TINY, 8);
        Random r = new Random(8);
        TestingTrainerOutput out = new TestingTrainerOutput();
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY, s, CODEC)) {
            feed(t, examples(source, r, 400, false), 0, out);
            assertThat(t.driftEvents()).isZero();
            assertThat(t.learningRate()).isCloseTo(0.01 * Math.pow(0.5, 4), within(1e-12));
            feed(t, examples(source, r, 64, true), 0, out);
            assertThat(t.driftEvents()).isEqualTo(1);
            assertThat(t.learningRate())
                    .as("boosted from the base rate, decaying again since the alarm")
                    .isGreaterThan(0.01 * 4 * 0.5)
                    .isLessThanOrEqualTo(0.01 * 4);
        }
    }

    @Test
    void unknownLabelsAndMisfitFeaturesBecomeDeadLetters() {
        TestingExamples source = new TestingExamples(TINY, 9);
        TestingTrainerOutput out = new TestingTrainerOutput();
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY, settings(), CODEC)) {
            LabelledExample unknown = source.next(0);
            unknown.label = "diagonal";
            t.accept(unknown, 5, out);
            LabelledExample misfit = source.next(1);
            misfit.features.setData(ByteBuffer.allocate(12));
            t.accept(misfit, 6, out);

            assertThat(out.deadLetters)
                    .extracting(d -> d.getError() + "@" + d.getSourceTopic())
                    .containsExactly(
                            "UNKNOWN_LABEL@events.labels", "DATA_LENGTH_MISMATCH@features.image");
            assertThat(out.deadLetters.get(0).getMessage()).contains("diagonal");
            assertThat(t.examplesRefused()).isEqualTo(2);
            assertThat(t.pendingExamples()).isZero();
        }
    }

    @Test
    void theTimeTriggerLearnsAPartialBatchAndPublishes() {
        TrainerSettings s =
                settings(
                        "trainer.batch-size", "32",
                        "trainer.publish.every-examples", "0",
                        "trainer.publish.every-seconds", "10");
        TestingExamples source = new TestingExamples(TINY, 10);
        TestingTrainerOutput out = new TestingTrainerOutput();
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY, s, CODEC)) {
            t.onTime(0, out);
            feed(t, examples(source, new Random(10), 20, false), 1_000, out);
            t.onTime(9_999, out);
            assertThat(out.updates).isEmpty();
            assertThat(t.pendingExamples()).isEqualTo(20);
            t.onTime(10_000, out);
            assertThat(t.pendingExamples()).isZero();
            assertThat(t.examplesLearned()).isEqualTo(20);
            assertThat(out.versions()).containsExactly(1L);
            t.onTime(20_000, out);
            assertThat(out.versions()).as("nothing new learned, nothing published").hasSize(1);
        }
    }

    @Test
    void aWarmStartContinuesFromTheNewestUpdateAndARefusedOneOnlyFencesVersions() {
        TrainerSettings s =
                settings(
                        "trainer.batch-size", "16",
                        "trainer.guard.margin", "1",
                        "trainer.publish.every-examples", "32");
        TestingExamples source = new TestingExamples(TINY, 12);
        Random r = new Random(12);
        TestingTrainerOutput out = new TestingTrainerOutput();
        ModelUpdate newest;
        try (OnlineTrainer first = OnlineTrainer.fresh(TINY, s, CODEC)) {
            feed(first, examples(source, r, 64, false), 0, out);
            newest = out.updates.get(1);
        }
        assertThat(newest.getVersion()).isEqualTo(2);

        TestingTrainerOutput warmOut = new TestingTrainerOutput();
        try (OnlineTrainer warm = OnlineTrainer.warmStart(TINY, s, CODEC, newest)) {
            assertThat(warm.version()).isEqualTo(2);
            assertThat(warm.params()).isEqualTo(params(newest));
            feed(warm, examples(source, r, 32, false), 0, warmOut);
            assertThat(warmOut.versions()).containsExactly(3L);
            assertThat(warmOut.updates.get(0).getParentVersion()).isEqualTo(2L);
        }

        ModelUpdateCodec otherKey =
                new ModelUpdateCodec(
                        ModelUpdateCodec.Config.signed(
                                "another key, 32 bytes long, too!"
                                        .getBytes(StandardCharsets.UTF_8)));
        TestingTrainerOutput coldOut = new TestingTrainerOutput();
        try (OnlineTrainer cold = OnlineTrainer.warmStart(TINY, s, otherKey, newest);
                OnlineTrainer initial = OnlineTrainer.fresh(TINY, s, otherKey)) {
            assertThat(cold.version()).isEqualTo(2);
            assertThat(cold.parentVersion()).isNull();
            assertThat(cold.params()).isEqualTo(initial.params());
            assertThat(Arrays.equals(cold.params(), params(newest))).isFalse();
            feed(cold, examples(source, r, 32, false), 0, coldOut);
            assertThat(coldOut.versions()).containsExactly(3L);
            assertThat(coldOut.updates.get(0).getParentVersion()).isNull();
        }
    }

    @Test
    void anImportedModelIsOnlyServedSoATrainerNeitherWarmStartsFromItNorTrainsIt() {
        ModelSpec imported =
                new ModelSpec(
                        ModelSpec.CURRENT_SPEC_VERSION,
                        TINY.name(),
                        ArchitectureKind.IMPORTED,
                        TINY.inputs(),
                        TINY.outputSize(),
                        TINY.labels(),
                        new ImportedParams(List.of("input"), ModelSpec.OUTPUT_NAME),
                        0L,
                        1e-3);
        // a graph with TINY's interface, as if trained elsewhere and brought in
        byte[] onnx = OnnxExporter.export(Architectures.build(TINY), TINY);
        ModelUpdate newest = CODEC.encodeImported(imported, onnx, 5, null, Map.of());
        TrainerSettings s = settings();

        try (OnlineTrainer warm = OnlineTrainer.warmStart(TINY, s, CODEC, newest);
                OnlineTrainer initial = OnlineTrainer.fresh(TINY, s, CODEC)) {
            assertThat(warm.version()).as("numbers its versions after it").isEqualTo(5);
            assertThat(warm.parentVersion()).isNull();
            assertThat(warm.params()).isEqualTo(initial.params());
        }
        assertThatThrownBy(() -> OnlineTrainer.fresh(imported, s, CODEC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model 'tiny' is an imported ONNX model")
                .hasMessageContaining("no DL4J network to build, train or score with");
    }

    private static final TrainerSettings FOLLOWING =
            settings(
                    "trainer.batch-size", "16",
                    "trainer.guard.margin", "1",
                    "trainer.publish.every-examples", "32",
                    "trainer.replay.buffer-size", "48",
                    "trainer.replay.batches", "1");

    private static Outcome take(
            ModelTopicFollower follower, OnlineTrainer t, ModelUpdate u, TrainerOutput out) {
        return follower.take(t, u, 5, out).outcome();
    }

    @Test
    void aNewerVersionFromAnotherPublisherIsAdoptedAndTheNextVersionDescendsFromIt() {
        TestingExamples source = new TestingExamples(TINY, 21);
        Random r = new Random(21);
        TestingTrainerOutput out = new TestingTrainerOutput();
        ModelTopicFollower follower = new ModelTopicFollower(TINY, SIGNING);
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY, FOLLOWING, CODEC)) {
            feed(t, examples(source, r, 72, false), 0, out);
            assertThat(out.versions()).containsExactly(1L, 2L);
            assertThat(t.pendingExamples()).isEqualTo(8);
            assertThat(t.replayBufferSize()).isEqualTo(48);
            ModelUpdate v1 = out.updates.get(0);
            assertThat(params(v1)).isNotEqualTo(t.params());

            assertThat(take(follower, t, TestingUpdates.rollback(v1, 3, KEY), out))
                    .isEqualTo(Outcome.ADOPTED);
            assertThat(t.params()).as("the rolled-back-to weights").isEqualTo(params(v1));
            assertThat(t.version()).isEqualTo(3);
            assertThat(t.parentVersion()).isEqualTo(3L);
            assertThat(t.accuracy()).as("the window starts afresh").isNaN();
            assertThat(t.replayBufferSize()).as("the replaced weights' examples").isZero();
            assertThat(t.pendingExamples()).as("unseen examples stay").isEqualTo(8);
            assertThat(out.metrics(TrainerMetrics.MODEL_ADOPTED))
                    .singleElement()
                    .satisfies(
                            m -> {
                                assertThat(m.getValue()).isEqualTo(3.0);
                                assertThat(m.getModelVersion()).isEqualTo(3L);
                            });
            assertThat(follower.adopted()).isEqualTo(1);

            feed(t, examples(source, r, 24, false), 0, out);
            assertThat(out.versions()).containsExactly(1L, 2L, 4L);
            ModelUpdate v4 = out.updates.get(2);
            assertThat(v4.getParentVersion()).isEqualTo(3L);
            assertThat(v4.getMetrics().get(TrainerMetrics.UPDATE_WINDOW))
                    .as("only the adopted weights' predictions: 8 pending + 24")
                    .isEqualTo(32.0);
            assertThat(CODEC.decode(v4, TINY).signatureVerified()).isTrue();
        }
    }

    @Test
    void theAdoptedVersionsPublishedFigureIsTheGuardsReferenceAndWithoutOneThereIsNone() {
        TrainerSettings strict =
                settings(
                        "trainer.batch-size", "16",
                        "trainer.guard.margin", "0",
                        "trainer.publish.every-examples", "32",
                        "trainer.drift.detector", "none");
        TestingExamples source = new TestingExamples(TINY, 22);
        Random r = new Random(22);
        TestingTrainerOutput out = new TestingTrainerOutput();
        ModelTopicFollower follower = new ModelTopicFollower(TINY, SIGNING);
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY, strict, CODEC)) {
            feed(t, examples(source, r, 32, false), 0, out);
            ModelUpdate v1 = out.updates.get(0);

            ModelUpdate perfect =
                    TestingUpdates.copy(
                            v1, 2, 1L, Map.of(TrainerMetrics.UPDATE_ACCURACY, 1.0), KEY);
            assertThat(take(follower, t, perfect, out)).isEqualTo(Outcome.ADOPTED);
            feed(t, examples(source, r, 32, true), 0, out);
            assertThat(out.versions()).as("held back: worse than 1.0").containsExactly(1L);
            assertThat(t.heldBackForRegression()).isEqualTo(1);

            ModelUpdate noFigure = TestingUpdates.copy(v1, 3, 1L, Map.of(), KEY);
            assertThat(take(follower, t, noFigure, out)).isEqualTo(Outcome.ADOPTED);
            feed(t, examples(source, r, 32, true), 0, out);
            assertThat(out.versions()).as("no reference to be worse than").containsExactly(1L, 4L);
            assertThat(out.updates.get(1).getParentVersion()).isEqualTo(3L);
        }
    }

    @Test
    void aServeOnlyUpdateOrOneOfAnotherArchitectureOnlyFencesTheNumbering() {
        TestingExamples source = new TestingExamples(TINY, 23);
        Random r = new Random(23);
        TestingTrainerOutput out = new TestingTrainerOutput();
        ModelTopicFollower follower = new ModelTopicFollower(TINY, SIGNING);
        ModelSpec wider =
                new ModelSpec(
                        TINY.specVersion(),
                        TINY.name(),
                        TINY.kind(),
                        TINY.inputs(),
                        TINY.outputSize(),
                        TINY.labels(),
                        new ImageCnnParams(6, 8, 3, 16, false, 0.0),
                        TINY.seed(),
                        1e-3);
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY, FOLLOWING, CODEC)) {
            feed(t, examples(source, r, 64, false), 0, out);
            float[] own = t.params();

            ModelUpdate imported = TestingUpdates.serveOnly(out.updates.get(1), 3, KEY);
            assertThat(take(follower, t, imported, out)).isEqualTo(Outcome.FENCED);
            assertThat(t.version()).isEqualTo(3);
            assertThat(t.parentVersion()).isEqualTo(2L);
            assertThat(t.params()).isEqualTo(own);

            ModelUpdate otherArchitecture =
                    CODEC.encode(wider, Architectures.build(wider), 5, null, Map.of());
            assertThat(take(follower, t, otherArchitecture, out)).isEqualTo(Outcome.FENCED);
            assertThat(t.version()).isEqualTo(5);
            assertThat(t.parentVersion()).isEqualTo(2L);
            assertThat(t.params()).isEqualTo(own);
            assertThat(follower.fenced()).isEqualTo(2);
            assertThat(out.metrics(TrainerMetrics.MODEL_ADOPTED)).isEmpty();

            feed(t, examples(source, r, 32, false), 0, out);
            assertThat(out.updates.get(2))
                    .extracting(ModelUpdate::getVersion, ModelUpdate::getParentVersion)
                    .containsExactly(6L, 2L);
        }
    }

    @Test
    void itsOwnAndOlderVersionsAreIgnoredAndAnotherUpdateUnderItsOwnNumberIsTaken() {
        TestingExamples source = new TestingExamples(TINY, 24);
        Random r = new Random(24);
        TestingTrainerOutput out = new TestingTrainerOutput();
        ModelTopicFollower follower = new ModelTopicFollower(TINY, SIGNING);
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY, FOLLOWING, CODEC)) {
            feed(t, examples(source, r, 64, false), 0, out);
            ModelUpdate v1 = out.updates.get(0);
            byte[] before = t.snapshot();
            assertThat(take(follower, t, v1, out)).isEqualTo(Outcome.IGNORED);
            assertThat(take(follower, t, out.updates.get(1), out)).isEqualTo(Outcome.IGNORED);
            assertThat(follower.tombstone().outcome()).isEqualTo(Outcome.IGNORED);
            assertThat(t.snapshot()).as("nothing changed").isSameAs(before);
            assertThat(follower.ignored()).isEqualTo(3);

            // a restored trainer knows no checksums: anything not newer is ignored
            try (OnlineTrainer restored = OnlineTrainer.restore(TINY, FOLLOWING, CODEC, before)) {
                byte[] restoredState = restored.snapshot();
                assertThat(take(follower, restored, TestingUpdates.rollback(v1, 2, KEY), out))
                        .isEqualTo(Outcome.IGNORED);
                assertThat(restored.snapshot()).isSameAs(restoredState);
            }

            // numbered 2 while this trainer's own 2 was not committed yet
            assertThat(take(follower, t, TestingUpdates.rollback(v1, 2, KEY), out))
                    .isEqualTo(Outcome.ADOPTED);
            assertThat(t.params()).isEqualTo(params(v1));
            assertThat(t.version()).isEqualTo(2);
            assertThat(t.parentVersion()).isEqualTo(2L);
            feed(t, examples(source, r, 32, false), 0, out);
            assertThat(out.updates.get(2))
                    .extracting(ModelUpdate::getVersion, ModelUpdate::getParentVersion)
                    .containsExactly(3L, 2L);
        }
    }

    @Test
    void updatesThatFailACheckOrAreForAnotherModelAreRefusedAndChangeNothing() {
        TestingExamples source = new TestingExamples(TINY, 25);
        TestingTrainerOutput out = new TestingTrainerOutput();
        ModelTopicFollower follower = new ModelTopicFollower(TINY, SIGNING);
        try (OnlineTrainer t = OnlineTrainer.fresh(TINY, FOLLOWING, CODEC)) {
            feed(t, examples(source, new Random(25), 32, false), 0, out);
            ModelUpdate v1 = out.updates.get(0);
            byte[] before = t.snapshot();
            Map<String, ModelUpdate> refused = new java.util.LinkedHashMap<>();
            refused.put("BAD_SIGNATURE", TestingUpdates.rollback(v1, 2, OTHER_KEY));
            refused.put("MISSING_SIGNATURE", TestingUpdates.rollback(v1, 3, null));
            refused.put("SERVE_ONLY UNKNOWN_KEY", TestingUpdates.serveOnly(v1, 4, OTHER_KEY));
            refused.put("SERVE_ONLY MISSING_SIGNATURE", TestingUpdates.serveOnly(v1, 5, null));
            refused.put(
                    "CHECKSUM_MISMATCH",
                    ModelUpdate.newBuilder(TestingUpdates.serveOnly(v1, 6, KEY))
                            .setVersion(60)
                            .build());
            refused.put(
                    "WRONG_MODEL",
                    ModelUpdate.newBuilder(TestingUpdates.rollback(v1, 7, KEY))
                            .setModel("other")
                            .build());
            for (Map.Entry<String, ModelUpdate> e : refused.entrySet()) {
                ModelTopicFollower.Result result = follower.take(t, e.getValue(), 5, out);
                assertThat(result.outcome()).as(e.getKey()).isEqualTo(Outcome.REFUSED);
                assertThat(e.getKey()).endsWith(result.reason());
                assertThat(result.message()).isNotBlank().doesNotContain(new String(KEY));
            }
            assertThat(follower.refused()).isEqualTo(6);
            assertThat(t.snapshot()).as("nothing changed").isSameAs(before);
            assertThat(t.version()).isEqualTo(1);
        }
    }
}
