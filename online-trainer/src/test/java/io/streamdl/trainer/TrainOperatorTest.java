package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.codec.ParamsCodec;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.testing.TestingSchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// the harnesses' close() declares InterruptedException
@SuppressWarnings("try")
class TrainOperatorTest {
    private static final String TOPIC = "models.tiny";
    private static final TestingSchemaRegistryClient REGISTRY = new TestingSchemaRegistryClient();
    private static final AvroWireSerializer<ModelUpdate> WRITER =
            new AvroWireSerializer<>(REGISTRY, SerdeConfig.forValues("http://unused"));
    private static final ModelUpdateCodec.Config SIGNING =
            ModelUpdateCodec.Config.signed(OnlineTrainerTest.KEY);
    private static final TrainerSettings SETTINGS =
            OnlineTrainerTest.settings(
                    "trainer.batch-size", "16",
                    "trainer.learning-rate", "0.01",
                    "trainer.guard.margin", "1",
                    "trainer.publish.every-examples", "32",
                    "trainer.publish.every-seconds", "0",
                    "trainer.metrics.every-examples", "32");

    private static TwoInputStreamOperatorTestHarness<LabelledExample, RawRecord, ModelUpdate>
            harness(TrainerSettings settings, ModelUpdateLookup lookup) throws Exception {
        return new TwoInputStreamOperatorTestHarness<>(
                new TrainOperator(
                        TestingExamples.TINY,
                        settings,
                        SIGNING,
                        true,
                        lookup,
                        null,
                        "http://unused",
                        c -> REGISTRY));
    }

    private static TwoInputStreamOperatorTestHarness<LabelledExample, RawRecord, ModelUpdate>
            harness(Path snapshotDir, ModelUpdateLookup lookup) throws Exception {
        return new TwoInputStreamOperatorTestHarness<>(
                new TrainOperator(
                        TestingExamples.TINY,
                        SETTINGS,
                        SIGNING,
                        true,
                        lookup,
                        snapshotDir.toString(),
                        "http://unused",
                        c -> REGISTRY));
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> list = Files.list(dir)) {
            return list.sorted().toList();
        }
    }

    private static void feed(
            TwoInputStreamOperatorTestHarness<LabelledExample, RawRecord, ModelUpdate> h,
            List<LabelledExample> examples)
            throws Exception {
        for (LabelledExample e : examples) {
            h.processElement1(new StreamRecord<>(e));
        }
    }

    private static List<ModelUpdate> updates(
            TwoInputStreamOperatorTestHarness<LabelledExample, RawRecord, ModelUpdate> h) {
        return new ArrayList<>(h.extractOutputValues());
    }

    private static OnlineTrainer trainer(
            TwoInputStreamOperatorTestHarness<LabelledExample, RawRecord, ModelUpdate> h) {
        return ((TrainOperator) h.getOperator()).trainer();
    }

    private static ModelTopicFollower follower(
            TwoInputStreamOperatorTestHarness<LabelledExample, RawRecord, ModelUpdate> h) {
        return ((TrainOperator) h.getOperator()).follower();
    }

    /** The values of the {@code name} metrics on the side output. */
    private static List<Double> metrics(
            TwoInputStreamOperatorTestHarness<LabelledExample, RawRecord, ModelUpdate> h,
            String name) {
        List<Double> values = new ArrayList<>();
        for (StreamRecord<DashboardMetric> r : h.getSideOutput(TrainOperator.METRICS)) {
            if (r.getValue().getMetric().equals(name)) {
                values.add(r.getValue().getValue());
            }
        }
        return values;
    }

    private static List<DeadLetter> deadLetters(
            TwoInputStreamOperatorTestHarness<LabelledExample, RawRecord, ModelUpdate> h) {
        List<DeadLetter> dead = new ArrayList<>();
        h.getSideOutput(TrainOperator.DEAD_LETTERS).forEach(r -> dead.add(r.getValue()));
        return dead;
    }

    /** {@code update} as the model topic holds it, at {@code offset}. */
    private static StreamRecord<RawRecord> record(long offset, ModelUpdate update) {
        return raw(offset, update == null ? null : WRITER.serialize(TOPIC, update));
    }

    private static StreamRecord<RawRecord> raw(long offset, byte[] value) {
        return new StreamRecord<>(
                new RawRecord(
                        TOPIC, 0, offset, 1L, "tiny".getBytes(StandardCharsets.UTF_8), value));
    }

    private static List<LabelledExample> examples(long seed, int n) {
        return OnlineTrainerTest.examples(
                new TestingExamples(TestingExamples.TINY, seed), new Random(seed), n, false);
    }

    @Test
    void aRestoreReissuesUncommittedVersionsWithTheSameWeightsAndNeverRepeatsCommittedOnes()
            throws Exception {
        List<LabelledExample> beforeCheckpoint = examples(1, 100);
        List<LabelledExample> afterCheckpoint = examples(2, 64);
        List<ModelUpdate> committed;
        List<ModelUpdate> lostInFailure;
        OperatorSubtaskState checkpoint;
        try (var h = harness(SETTINGS, ModelUpdateLookup.none())) {
            h.open();
            feed(h, beforeCheckpoint);
            committed = updates(h);
            checkpoint = h.snapshot(1L, 1L);
            feed(h, afterCheckpoint);
            lostInFailure = updates(h).subList(committed.size(), updates(h).size());
        }
        assertThat(committed).extracting(ModelUpdate::getVersion).containsExactly(1L, 2L, 3L);
        assertThat(lostInFailure).extracting(ModelUpdate::getVersion).containsExactly(4L, 5L);

        List<ModelUpdate> afterRestore;
        try (var restored = harness(SETTINGS, () -> committed.get(committed.size() - 1))) {
            restored.initializeState(checkpoint);
            restored.open();
            feed(restored, afterCheckpoint);
            afterRestore = updates(restored);
        }
        List<ModelUpdate> topic = new ArrayList<>(committed);
        topic.addAll(afterRestore);
        assertThat(topic).extracting(ModelUpdate::getVersion).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(topic)
                .extracting(ModelUpdate::getParentVersion)
                .containsExactly(null, 1L, 2L, 3L, 4L);
        for (int i = 0; i < lostInFailure.size(); i++) {
            assertThat(afterRestore.get(i).getParams())
                    .as("version %d recomputed after the restore", afterRestore.get(i).getVersion())
                    .isEqualTo(lostInFailure.get(i).getParams());
        }
    }

    @Test
    void aFreshTrainerWarmStartsFromTheNewestUpdateAndARestoredOneTakesANewerCommittedOne()
            throws Exception {
        ModelUpdate newest;
        OperatorSubtaskState atVersion2;
        try (var h = harness(SETTINGS, ModelUpdateLookup.none())) {
            h.open();
            feed(h, examples(3, 64));
            atVersion2 = h.snapshot(1L, 1L);
            feed(h, examples(4, 96));
            newest = updates(h).get(4);
        }
        assertThat(newest.getVersion()).isEqualTo(5);

        try (var fresh = harness(SETTINGS, () -> newest)) {
            fresh.open();
            feed(fresh, examples(5, 32));
            assertThat(updates(fresh))
                    .extracting(u -> u.getVersion() + "<-" + u.getParentVersion())
                    .containsExactly("6<-5");
        }

        // committed after the checkpoint, so not this trainer's: the restored input would read it
        // again only after the numbering passed it
        try (var old = harness(SETTINGS, () -> newest)) {
            old.initializeState(atVersion2);
            old.open();
            assertThat(trainer(old).params()).isEqualTo(ParamsCodec.toFloats(newest.getParams()));
            feed(old, examples(6, 32));
            assertThat(updates(old))
                    .as("restored at version 2 while version 5 is on the topic")
                    .extracting(u -> u.getVersion() + "<-" + u.getParentVersion())
                    .containsExactly("6<-5");
            assertThat(metrics(old, TrainerMetrics.MODEL_ADOPTED)).isEmpty();
            old.setProcessingTime(1_000);
            assertThat(metrics(old, TrainerMetrics.MODEL_ADOPTED))
                    .as("reported at the first tick")
                    .containsExactly(5.0);
        }

        ModelUpdate foreignKey =
                TestingUpdates.copy(
                        newest,
                        5,
                        4L,
                        newest.getMetrics(),
                        "not the trainer's key, 32 bytes".getBytes());
        try (var old = harness(SETTINGS, () -> foreignKey)) {
            old.initializeState(atVersion2);
            old.open();
            feed(old, examples(6, 32));
            assertThat(updates(old))
                    .as("an update that does not verify only fences, as at any start")
                    .extracting(u -> u.getVersion() + "<-" + u.getParentVersion())
                    .containsExactly("6<-2");
        }
    }

    @Test
    void timersPublishAndSideOutputsCarryMetricsAndDeadLetters() throws Exception {
        TrainerSettings timed =
                OnlineTrainerTest.settings(
                        "trainer.batch-size", "64",
                        "trainer.publish.every-examples", "0",
                        "trainer.publish.every-seconds", "5",
                        "trainer.metrics.every-examples", "10");
        try (var h = harness(timed, ModelUpdateLookup.none())) {
            h.setProcessingTime(0);
            h.open();
            List<LabelledExample> examples = examples(7, 20);
            examples.get(3).label = "diagonal";
            feed(h, examples);
            h.setProcessingTime(4_000);
            assertThat(updates(h)).isEmpty();
            h.setProcessingTime(5_000);
            assertThat(updates(h)).extracting(ModelUpdate::getVersion).containsExactly(1L);

            List<String> metrics = new ArrayList<>();
            for (StreamRecord<DashboardMetric> r : h.getSideOutput(TrainOperator.METRICS)) {
                metrics.add(r.getValue().getMetric());
            }
            assertThat(metrics)
                    .containsExactly(
                            TrainerMetrics.ACCURACY,
                            TrainerMetrics.LOSS,
                            TrainerMetrics.EXAMPLES,
                            TrainerMetrics.MODEL_VERSION);
            List<DeadLetter> dead = new ArrayList<>();
            h.getSideOutput(TrainOperator.DEAD_LETTERS).forEach(r -> dead.add(r.getValue()));
            assertThat(dead).extracting(DeadLetter::getError).containsExactly("UNKNOWN_LABEL");
        }
    }

    @Test
    void theEndOfInputLearnsThePartialBatchAndPublishes() throws Exception {
        try (var h = harness(SETTINGS, ModelUpdateLookup.none())) {
            h.open();
            feed(h, examples(8, 40));
            assertThat(updates(h)).hasSize(1);
            h.endInput2();
            assertThat(updates(h)).as("the model topic's end changes nothing").hasSize(1);
            h.endInput1();
            assertThat(updates(h)).extracting(ModelUpdate::getVersion).containsExactly(1L, 2L);
            assertThat(((TrainOperator) h.getOperator()).trainer().examplesLearned()).isEqualTo(40);
        }
    }

    @Test
    void checkpointsReferToSnapshotFilesWrittenOnlyWhenTheTrainerChanged(@TempDir Path dir)
            throws Exception {
        List<ModelUpdate> before;
        List<ModelUpdate> lostInFailure;
        OperatorSubtaskState checkpoint3;
        OperatorSubtaskState savepoint;
        try (var h = harness(dir, ModelUpdateLookup.none())) {
            h.open();
            feed(h, examples(11, 64));
            h.snapshot(1L, 1L);
            assertThat(files(dir)).hasSize(1);
            Path first = files(dir).get(0);
            long snapshotBytes = Files.size(first);
            OperatorSubtaskState idle = h.snapshot(2L, 2L);
            assertThat(files(dir)).as("nothing learned: the same file").containsExactly(first);
            assertThat(idle.getStateSize())
                    .as("the checkpoint holds a reference, not the %d B snapshot", snapshotBytes)
                    .isLessThan(1024)
                    .isLessThan(snapshotBytes / 10);
            h.notifyOfCompletedCheckpoint(2L);
            assertThat(files(dir)).containsExactly(first);

            feed(h, examples(12, 32));
            checkpoint3 = h.snapshot(3L, 3L);
            assertThat(files(dir)).as("a change writes a new file").hasSize(2);
            h.notifyOfCompletedCheckpoint(3L);
            assertThat(files(dir)).as("the older file is no longer referenced").hasSize(1);
            assertThat(files(dir)).doesNotContain(first);
            savepoint =
                    h.snapshotWithLocalState(
                                    4L, 4L, SavepointType.savepoint(SavepointFormatType.CANONICAL))
                            .getJobManagerOwnedState();
            before = updates(h);
            feed(h, examples(13, 64));
            lostInFailure = updates(h).subList(before.size(), updates(h).size());
        }
        assertThat(savepoint.getStateSize())
                .as("a savepoint holds the snapshot itself")
                .isGreaterThan(checkpoint3.getStateSize() * 10);
        assertThat(lostInFailure).hasSize(2);

        for (OperatorSubtaskState restoredFrom : List.of(checkpoint3, savepoint)) {
            try (var restored = harness(dir, () -> before.get(before.size() - 1))) {
                restored.initializeState(restoredFrom);
                restored.open();
                feed(restored, examples(13, 64));
                List<ModelUpdate> again = updates(restored);
                assertThat(again)
                        .extracting(ModelUpdate::getVersion)
                        .isEqualTo(lostInFailure.stream().map(ModelUpdate::getVersion).toList());
                assertThat(again.get(1).getParams()).isEqualTo(lostInFailure.get(1).getParams());
            }
        }
    }

    @Test
    void theModelTopicInputAdoptsANewerVersionSkipsGarbageAndTombstonesAndSurvivesARestore()
            throws Exception {
        List<LabelledExample> after = examples(21, 32);
        ModelUpdate rollback;
        ModelUpdate adoptedThenPublished;
        OperatorSubtaskState beforeAdoption;
        OperatorSubtaskState afterAdoption;
        try (var h = harness(SETTINGS, ModelUpdateLookup.none())) {
            h.setProcessingTime(0);
            h.open();
            feed(h, examples(20, 64));
            List<ModelUpdate> own = updates(h);
            assertThat(own).extracting(ModelUpdate::getVersion).containsExactly(1L, 2L);
            beforeAdoption = h.snapshot(1L, 1L);

            h.processElement2(record(0, own.get(0)));
            h.processElement2(record(1, own.get(1)));
            h.processElement2(record(2, null));
            h.processElement2(raw(3, "{\"version\": 3}".getBytes(StandardCharsets.UTF_8)));
            assertThat(trainer(h).version()).isEqualTo(2);
            assertThat(follower(h).ignored()).as("its own two and the tombstone").isEqualTo(3);
            assertThat(follower(h).refused()).isEqualTo(1);
            assertThat(deadLetters(h))
                    .singleElement()
                    .satisfies(
                            d -> {
                                assertThat(d.getStage()).isEqualTo(TrainOperator.FOLLOW_STAGE);
                                assertThat(d.getSourceTopic()).isEqualTo(TOPIC);
                                assertThat(d.getOffset()).isEqualTo(3L);
                                assertThat(d.getError()).isEqualTo("NO_MAGIC_BYTE");
                                assertThat(d.getValue()).as("bytes stay on the topic").isNull();
                            });

            rollback = TestingUpdates.rollback(own.get(0), 3, OnlineTrainerTest.KEY);
            h.processElement2(record(4, rollback));
            assertThat(follower(h).adopted()).isEqualTo(1);
            assertThat(trainer(h).params()).isEqualTo(ParamsCodec.toFloats(own.get(0).getParams()));
            assertThat(metrics(h, TrainerMetrics.MODEL_ADOPTED)).containsExactly(3.0);
            afterAdoption = h.snapshot(2L, 2L);

            feed(h, after);
            adoptedThenPublished = updates(h).get(2);
            assertThat(adoptedThenPublished)
                    .extracting(ModelUpdate::getVersion, ModelUpdate::getParentVersion)
                    .containsExactly(4L, 3L);
            h.processElement2(record(5, adoptedThenPublished));
            assertThat(follower(h).ignored()).as("read back once committed").isEqualTo(4);
        }

        // from a checkpoint after the adoption, or from one before it with the rollback committed
        for (OperatorSubtaskState checkpoint : List.of(afterAdoption, beforeAdoption)) {
            try (var restored = harness(SETTINGS, () -> rollback)) {
                restored.initializeState(checkpoint);
                restored.open();
                assertThat(trainer(restored).parentVersion()).isEqualTo(3L);
                restored.processElement2(record(4, rollback));
                feed(restored, after);
                assertThat(updates(restored))
                        .singleElement()
                        .satisfies(
                                u -> {
                                    assertThat(u.getVersion()).isEqualTo(4L);
                                    assertThat(u.getParentVersion()).isEqualTo(3L);
                                    assertThat(u.getParams())
                                            .isEqualTo(adoptedThenPublished.getParams());
                                });
            }
        }
    }
}
