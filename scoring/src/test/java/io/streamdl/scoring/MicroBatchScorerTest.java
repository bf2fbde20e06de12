package io.streamdl.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.testing.TestingSchemaRegistryClient;
import io.streamdl.scoring.TestingModels.TestingLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Builds run on the scorer's own thread: one that never ends fails the test, not the Maven run. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MicroBatchScorerTest {
    private static final ModelSpec SPEC = TestingModels.SPEC;

    private static TwoInputStreamOperatorTestHarness<RawRecord, ModelUpdate, Score> harness(
            int maxBatch, long maxWait) throws Exception {
        return harness(maxBatch, maxWait, new TestingLoader());
    }

    private static TwoInputStreamOperatorTestHarness<RawRecord, ModelUpdate, Score> harness(
            int maxBatch, long maxWait, ModelLoader loader) throws Exception {
        return new TwoInputStreamOperatorTestHarness<>(
                new MicroBatchScorer("http://unused", c -> REGISTRY, loader, maxBatch, maxWait, 5));
    }

    private static HoldAndSwap<?> core(
            TwoInputStreamOperatorTestHarness<RawRecord, ModelUpdate, Score> h) {
        return ((MicroBatchScorer) h.getOperator()).core();
    }

    /** Waits until the core reports the build in progress ended; the swap comes at a boundary. */
    private static void awaitBuild(
            TwoInputStreamOperatorTestHarness<RawRecord, ModelUpdate, Score> h) throws Exception {
        core(h).built().get();
    }

    private static final TestingSchemaRegistryClient REGISTRY = new TestingSchemaRegistryClient();
    private static final AvroWireSerializer<Features> WRITER =
            new AvroWireSerializer<>(REGISTRY, SerdeConfig.forValues("http://unused"));
    private static long offset;

    private static StreamRecord<RawRecord> raw(Features f) {
        return new StreamRecord<>(
                new RawRecord(
                        "features.image",
                        0,
                        offset++,
                        0L,
                        null,
                        WRITER.serialize("features.image", f)));
    }

    private static StreamRecord<RawRecord> features(String id) {
        return raw(featuresRecord(id));
    }

    private static Features featuresRecord(String id) {
        int n = SPEC.inputs().get(0).elementsPerEvent();
        ByteBuffer data = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        return Features.newBuilder()
                .setEventId(id)
                .setTs(1L)
                .setEncodedBy("image@1")
                .setDtype("float32")
                .setShape(List.of(1, 28, 28))
                .setData(ByteBuffer.wrap(data.array()))
                .build();
    }

    private static StreamRecord<ModelUpdate> model(long version) {
        return new StreamRecord<>(TestingModels.update(version));
    }

    private static List<Score> scores(
            TwoInputStreamOperatorTestHarness<RawRecord, ModelUpdate, Score> h) {
        List<Score> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof Score s) {
                out.add(s);
            }
        }
        return out;
    }

    @Test
    void aBatchClosesOnSizeAndOnTime() throws Exception {
        try (var h = harness(4, 100)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement2(model(1));
            awaitBuild(h);
            for (int i = 0; i < 4; i++) {
                h.processElement1(features("e" + i));
            }
            assertThat(scores(h)).hasSize(4).allMatch(s -> s.getModelVersion() == 1);
            h.processElement1(features("e4"));
            h.processElement1(features("e5"));
            h.setProcessingTime(99);
            assertThat(scores(h)).hasSize(4);
            h.setProcessingTime(100);
            assertThat(scores(h))
                    .extracting(Score::getEventId)
                    .containsExactly("e0", "e1", "e2", "e3", "e4", "e5");
            assertThat(scores(h).get(5).getLabel()).isEqualTo(SPEC.labels().get(1));
        }
    }

    @Test
    void eventsWaitForTheFirstModelAndOverflowToDeadLetters() throws Exception {
        try (var h = harness(2, 10)) {
            h.open();
            for (int i = 0; i < 7; i++) {
                h.processElement1(features("w" + i));
            }
            h.setProcessingTime(1000);
            assertThat(scores(h)).isEmpty();
            assertThat(h.getSideOutput(MicroBatchScorer.DEAD_LETTERS))
                    .extracting(r -> r.getValue().getError())
                    .containsExactly("NO_MODEL", "NO_MODEL");
            // The refused events keep their bytes, so they can be replayed.
            AvroWireDeserializer<Features> reader =
                    AvroWireDeserializer.specific(REGISTRY, Features.class);
            assertThat(h.getSideOutput(MicroBatchScorer.DEAD_LETTERS))
                    .extracting(
                            r ->
                                    reader.deserialize(
                                                    "features.image",
                                                    r.getValue().getValue().array())
                                            .getEventId())
                    .containsExactly("w5", "w6");
            h.processElement2(model(3));
            awaitBuild(h);
            h.setProcessingTime(2000);
            assertThat(scores(h))
                    .extracting(Score::getEventId)
                    .containsExactly("w0", "w1", "w2", "w3", "w4");
            assertThat(scores(h)).allMatch(s -> s.getModelVersion() == 3);
        }
    }

    @Test
    void aNewModelSwapsBetweenBatchesAndStaleOnesAreIgnored() throws Exception {
        try (var h = harness(4, 1000)) {
            h.open();
            h.processElement2(model(1));
            awaitBuild(h);
            h.processElement1(features("a"));
            h.processElement1(features("b"));
            h.processElement2(model(2));
            awaitBuild(h);
            h.processElement1(features("c"));
            h.processElement2(model(1));
            h.processElement1(features("d"));
            h.setProcessingTime(5000);
            assertThat(scores(h))
                    .extracting(s -> s.getEventId() + "@" + s.getModelVersion())
                    .containsExactly("a@1", "b@1", "c@2", "d@2");
        }
    }

    @Test
    void bufferedEventsAndTheModelSurviveSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(10, 1000)) {
            h.open();
            h.processElement2(model(4));
            awaitBuild(h);
            h.processElement1(features("x"));
            h.processElement1(features("y"));
            snapshot = h.snapshot(1L, 1L);
        }
        try (var restored = harness(10, 1000)) {
            restored.initializeState(snapshot);
            restored.open();
            restored.setProcessingTime(10_000);
            restored.processElement1(features("z"));
            restored.setProcessingTime(20_000);
            assertThat(scores(restored))
                    .extracting(s -> s.getEventId() + "@" + s.getModelVersion())
                    .containsExactly("x@4", "y@4", "z@4");
            OperatorSubtaskState afterFlush = restored.snapshot(2L, 2L);
            try (var again = harness(10, 1000)) {
                again.initializeState(afterFlush);
                again.open();
                again.setProcessingTime(50_000);
                assertThat(scores(again)).as("nothing left in state after a flush").isEmpty();
            }
        }
    }

    @Test
    void featuresTheModelCannotTakeBecomeDeadLetters() throws Exception {
        try (var h = harness(1, 0)) {
            h.open();
            h.processElement2(model(1));
            awaitBuild(h);
            Features wrong = featuresRecord("bad");
            wrong.setData(ByteBuffer.allocate(12));
            h.processElement1(raw(wrong));
            h.processElement1(
                    new StreamRecord<>(
                            new RawRecord("features.image", 1, 77L, 0L, null, "{}".getBytes())));
            h.processElement1(
                    new StreamRecord<>(new RawRecord("features.image", 1, 78L, 0L, null, null)));
            Features nan = featuresRecord("nan");
            ByteBuffer nanData = nan.getData().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            ByteBuffer copy =
                    ByteBuffer.allocate(nanData.remaining())
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            copy.put(nanData).flip();
            copy.putFloat(8, Float.NaN);
            nan.setData(copy);
            h.processElement1(raw(nan));
            Features negative = featuresRecord("negative");
            negative.setShape(List.of(-1, 28, 28));
            h.processElement1(raw(negative));
            assertThat(scores(h)).isEmpty();
            List<DeadLetter> dead = new ArrayList<>();
            h.getSideOutput(MicroBatchScorer.DEAD_LETTERS).forEach(r -> dead.add(r.getValue()));
            assertThat(dead)
                    .extracting(DeadLetter::getError)
                    .containsExactly(
                            "DATA_LENGTH_MISMATCH",
                            "NO_MAGIC_BYTE",
                            "EMPTY_VALUE",
                            "NON_FINITE_VALUE",
                            "INVALID_SHAPE");
            assertThat(dead.get(0).getMessage()).contains("bad");
            assertThat(dead.get(1).getStage()).isEqualTo("decode");
            assertThat(dead.get(1).getOffset()).isEqualTo(77L);
            assertThat(dead.get(2).getOffset()).isEqualTo(78L);

            // the scorer keeps going: a good record after the bad ones is scored
            h.processElement1(raw(featuresRecord("good")));
            h.setProcessingTime(1_000);
            assertThat(scores(h)).extracting(Score::getEventId).containsExactly("good");
        }
    }

    @Test
    void theOldModelKeepsScoringWhileTheNewOneBuilds() throws Exception {
        TestingLoader loader = new TestingLoader();
        try (var h = harness(2, 1000, loader)) {
            h.open();
            h.processElement2(model(1));
            awaitBuild(h);
            h.processElement1(features("a"));
            h.processElement1(features("b"));
            loader.gate(2);
            h.processElement2(model(2));
            h.processElement1(features("c"));
            h.processElement1(features("d"));
            h.processElement1(features("e"));
            h.setProcessingTime(500);
            assertThat(core(h).isBuilding()).as("version 2 still building").isTrue();
            assertThat(core(h).servingVersion()).isEqualTo(1);
            loader.gate(2).complete(null);
            awaitBuild(h);
            h.processElement1(features("f"));
            h.processElement1(features("g"));
            assertThat(scores(h))
                    .extracting(s -> s.getEventId() + "@" + s.getModelVersion())
                    .as("e waited in an open batch of version 1, which closes before the swap")
                    .containsExactly("a@1", "b@1", "c@1", "d@1", "e@1", "f@2", "g@2");
            assertThat(core(h).servingVersion()).isEqualTo(2);
        }
    }

    @Test
    void aFailingBuildKeepsTheOldModelAndLeavesNoTraceInTheCheckpoint() throws Exception {
        TestingLoader loader = new TestingLoader();
        loader.fail(2);
        OperatorSubtaskState snapshot;
        try (var h = harness(10, 100, loader)) {
            h.open();
            h.processElement2(model(1));
            awaitBuild(h);
            h.processElement1(features("a"));
            h.processElement2(model(2));
            awaitBuild(h);
            h.processElement1(features("b"));
            assertThat(core(h).isBuilding()).isFalse();
            assertThat(core(h).newestPending()).as("a failed update is not pending").isNull();
            h.processElement2(model(2));
            assertThat(loader.asked)
                    .as("a failed version is not tried again")
                    .containsExactly(1L, 2L);
            snapshot = h.snapshot(1L, 1L);
            h.setProcessingTime(1000);
            assertThat(scores(h))
                    .extracting(s -> s.getEventId() + "@" + s.getModelVersion())
                    .containsExactly("a@1", "b@1");
            assertThat(h.getSideOutput(MicroBatchScorer.DEAD_LETTERS)).isNull();
        }
        try (var restored = harness(10, 100, loader)) {
            restored.initializeState(snapshot);
            restored.open();
            restored.setProcessingTime(5000);
            assertThat(scores(restored))
                    .extracting(s -> s.getEventId() + "@" + s.getModelVersion())
                    .containsExactly("a@1", "b@1");
            assertThat(loader.asked).as("the restore rebuilds version 1 only").endsWith(1L);
        }
    }

    @Test
    void onlyTheNewestOfTheUpdatesArrivingDuringABuildIsBuilt() throws Exception {
        TestingLoader loader = new TestingLoader();
        try (var h = harness(1, 0, loader)) {
            h.open();
            loader.gate(1);
            h.processElement2(model(1));
            h.processElement2(model(2));
            h.processElement2(model(3));
            h.processElement2(model(4));
            h.processElement2(model(3));
            loader.gate(1).complete(null);
            awaitBuild(h);
            h.processElement1(features("a"));
            awaitBuild(h);
            h.processElement1(features("b"));
            assertThat(loader.asked).containsExactly(1L, 4L);
            assertThat(scores(h))
                    .extracting(s -> s.getEventId() + "@" + s.getModelVersion())
                    .containsExactly("a@1", "b@4");
            assertThat(loader.closed).as("the replaced session is closed").containsExactly(1L);
        }
    }

    @Test
    void aCheckpointDuringABuildRestoresTheServedVersionAndResumesTheBuild() throws Exception {
        TestingLoader before = new TestingLoader();
        OperatorSubtaskState snapshot;
        try (var h = harness(10, 100, before)) {
            h.open();
            h.processElement2(model(1));
            awaitBuild(h);
            h.processElement1(features("a"));
            before.gate(2);
            h.processElement2(model(2));
            snapshot = h.snapshot(1L, 1L);
            before.gate(2).complete(null);
        }
        TestingLoader after = new TestingLoader();
        try (var restored = harness(10, 100, after)) {
            restored.initializeState(snapshot);
            restored.open();
            assertThat(core(restored).servingVersion())
                    .as("serves what it served at the checkpoint")
                    .isEqualTo(1);
            awaitBuild(restored);
            restored.processElement1(features("b"));
            restored.setProcessingTime(5000);
            assertThat(after.asked).containsExactly(1L, 2L);
            assertThat(scores(restored))
                    .extracting(s -> s.getEventId() + "@" + s.getModelVersion())
                    .containsExactly("a@1", "b@2");
        }
    }

    @Test
    void withAStateDirectoryCheckpointsReferToUpdateFilesWrittenOncePerVersion(@TempDir Path dir)
            throws Exception {
        TestingLoader before = new TestingLoader();
        OperatorSubtaskState first;
        OperatorSubtaskState second;
        OperatorSubtaskState savepoint;
        try (var h =
                new TwoInputStreamOperatorTestHarness<>(
                        new MicroBatchScorer(
                                "http://unused",
                                c -> REGISTRY,
                                before,
                                10,
                                100,
                                5,
                                dir.toString()))) {
            h.open();
            h.processElement2(model(1));
            awaitBuild(h);
            h.processElement1(features("a"));
            before.gate(2);
            h.processElement2(model(2));
            first = h.snapshot(1L, 1L);
            second = h.snapshot(2L, 2L);
            assertThat(files(dir)).as("one file per update, however many checkpoints").hasSize(2);
            h.notifyOfCompletedCheckpoint(2L);
            assertThat(files(dir)).hasSize(2);
            savepoint =
                    h.snapshotWithLocalState(
                                    3L,
                                    3L,
                                    org.apache.flink.runtime.checkpoint.SavepointType.savepoint(
                                            org.apache.flink.core.execution.SavepointFormatType
                                                    .CANONICAL))
                            .getJobManagerOwnedState();
            before.gate(2).complete(null);
        }
        long updateBytes = TestingModels.update(1).toByteBuffer().remaining();
        assertThat(savepoint.getStateSize() - second.getStateSize())
                .as("a checkpoint holds references where a savepoint holds both updates")
                .isGreaterThan(updateBytes);
        for (OperatorSubtaskState from : List.of(first, savepoint)) {
            TestingLoader after = new TestingLoader();
            try (var restored =
                    new TwoInputStreamOperatorTestHarness<>(
                            new MicroBatchScorer(
                                    "http://unused",
                                    c -> REGISTRY,
                                    after,
                                    10,
                                    100,
                                    5,
                                    dir.toString()))) {
                restored.initializeState(from);
                restored.open();
                assertThat(core(restored).servingVersion()).isEqualTo(1);
                awaitBuild(restored);
                restored.processElement1(features("b"));
                restored.setProcessingTime(5000);
                assertThat(after.asked).containsExactly(1L, 2L);
                assertThat(scores(restored))
                        .extracting(s -> s.getEventId() + "@" + s.getModelVersion())
                        .containsExactly("a@1", "b@2");
            }
        }
    }

    private static List<Path> files(Path dir) throws Exception {
        try (var walk = java.nio.file.Files.walk(dir)) {
            return walk.filter(java.nio.file.Files::isRegularFile).toList();
        }
    }

    @Test
    void closeWaitsForTheBuildAndClosesEverySession() throws Exception {
        TestingLoader loader = new TestingLoader();
        var h = harness(10, 100, loader);
        h.open();
        h.processElement2(model(1));
        awaitBuild(h);
        h.processElement1(features("a"));
        loader.gate(2);
        h.processElement2(model(2));
        loader.gate(2).complete(null);
        h.close();
        assertThat(loader.closed)
                .as("the serving session and the one built but not yet serving")
                .containsExactlyInAnyOrder(1L, 2L);
    }
}
