package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.models.spec.DefaultSpecs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class SnapshotCodecTest {
    /**
     * A format-3 snapshot written by the trainer before it was split into pieces (commit 834c6da):
     * {@link #GOLDEN_SETTINGS}, {@code TestingExamples(TINY, 21)}, 100 examples of {@code
     * examples(source, new Random(21), 100, false)} accepted at 1010, 1020, ... 2000. Its ring has
     * wrapped (96 learned into 20) and 4 examples wait for their batch.
     */
    private static final String GOLDEN = "trainer-snapshot-format3.bin";

    private static final TrainerSettings GOLDEN_SETTINGS =
            OnlineTrainerTest.settings(
                    "trainer.batch-size", "8",
                    "trainer.guard.margin", "1",
                    "trainer.publish.every-examples", "32",
                    "trainer.window.size", "40",
                    "trainer.metrics.every-examples", "40",
                    "trainer.replay.buffer-size", "20",
                    "trainer.drift.lambda", "30");

    static byte[] golden() {
        try (InputStream in = SnapshotCodecTest.class.getResourceAsStream(GOLDEN)) {
            assertThat(in).as(GOLDEN).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aSnapshotOfTheFormerTrainerRestoresAndWritesBackByteForByte() {
        byte[] golden = golden();
        ByteBuffer header = ByteBuffer.wrap(golden);
        assertThat(header.getInt()).as("magic \"SDLT\"").isEqualTo(SnapshotCodec.MAGIC);
        assertThat(header.getInt()).as("format").isEqualTo(SnapshotCodec.FORMAT);
        try (OnlineTrainer t =
                OnlineTrainer.restore(
                        TestingExamples.TINY, GOLDEN_SETTINGS, OnlineTrainerTest.CODEC, golden)) {
            assertThat(t.version()).isEqualTo(3);
            assertThat(t.parentVersion()).isEqualTo(3L);
            assertThat(t.examplesSeen()).isEqualTo(100);
            assertThat(t.examplesLearned()).isEqualTo(96);
            assertThat(t.steps()).isEqualTo(12);
            assertThat(t.pendingExamples()).isEqualTo(4);
            assertThat(t.replayBufferSize()).isEqualTo(20);
            assertThat(t.examplesReplayed())
                    .as("2 batches of 8 after each step")
                    .isEqualTo(12 * 2 * 8);
            assertThat(t.updatesPublished()).isEqualTo(3);
            assertThat(t.snapshot()).isEqualTo(golden);
        }
    }

    @Test
    void aSnapshotWrittenAfterRestoringTheFormerOneContinuesWithIdenticalWeights() {
        List<LabelledExample> more =
                OnlineTrainerTest.examples(
                        new TestingExamples(TestingExamples.TINY, 22), new Random(22), 60, false);
        try (OnlineTrainer fromGolden =
                OnlineTrainer.restore(
                        TestingExamples.TINY, GOLDEN_SETTINGS, OnlineTrainerTest.CODEC, golden())) {
            try (OnlineTrainer rewritten =
                    OnlineTrainer.restore(
                            TestingExamples.TINY,
                            GOLDEN_SETTINGS,
                            OnlineTrainerTest.CODEC,
                            fromGolden.snapshot())) {
                TestingTrainerOutput outGolden = new TestingTrainerOutput();
                TestingTrainerOutput outRewritten = new TestingTrainerOutput();
                for (LabelledExample e : more) {
                    fromGolden.accept(e, 3_000, outGolden);
                    rewritten.accept(e, 3_000, outRewritten);
                }
                assertThat(outRewritten.versions()).containsExactly(4L, 5L);
                assertThat(outRewritten.versions()).isEqualTo(outGolden.versions());
                for (int i = 0; i < outGolden.updates.size(); i++) {
                    assertThat(outRewritten.updates.get(i).getParams())
                            .isEqualTo(outGolden.updates.get(i).getParams());
                }
                assertThat(rewritten.params()).isEqualTo(fromGolden.params());
                assertThat(rewritten.examplesReplayed()).isEqualTo(fromGolden.examplesReplayed());
            }
        }
    }

    @Test
    void theFormatConstantsAreThoseOfFormat3() {
        assertThat(SnapshotCodec.MAGIC).isEqualTo(0x53444c54);
        assertThat(SnapshotCodec.FORMAT).isEqualTo(3);
    }

    @Test
    void theFormerTrainersSnapshotDecodesToItsRingPendingBatchAndLineage() throws IOException {
        SnapshotCodec.State s =
                SnapshotCodec.decode(golden(), TestingExamples.TINY, 40, new PageHinkley(0, 1, 1));
        assertThat(s.spec().name()).isEqualTo("tiny");
        assertThat(s.optimizer()).isEqualTo(TrainerSettings.Optimizer.ADAM);
        assertThat(s.lineage().highestVersion()).isEqualTo(3);
        assertThat(s.pending()).hasSize(4);
        assertThat(s.replay()).hasSize(20);
        assertThat(s.replayNext()).as("96 learned into a ring of 20").isEqualTo(16);
        assertThat(s.counters().examplesSeen()).isEqualTo(100);
        assertThat(s.schedule().examplesSinceDrift()).isEqualTo(96);
        assertThat(s.window().count()).isEqualTo(40);
    }

    /** A state with a value in every field, built without a network. */
    private static SnapshotCodec.State handBuilt() {
        TestingExamples source = new TestingExamples(TestingExamples.TINY, 3);
        TrainerCounters counters = new TrainerCounters();
        counters.addSeen();
        counters.addStep(1);
        counters.addMisfit();
        PrequentialWindow window = new PrequentialWindow(10);
        window.add(true, 0.25f, 100);
        window.add(false, 2.5f, 101);
        PageHinkley detector = new PageHinkley(0.05, 50, 100);
        detector.add(1);
        detector.add(0);
        List<AcceptedExample> replay =
                List.of(
                        new AcceptedExample("r0", 0, 10, source.features("r0", 0)),
                        new AcceptedExample("r1", 1, 11, source.features("r1", 1)),
                        new AcceptedExample("r2", 1, 12, source.features("r2", 1)));
        return new SnapshotCodec.State(
                TestingExamples.TINY,
                TrainerSettings.Optimizer.NESTEROVS,
                new VersionLineage.State(7, 6L, 0.875, new float[] {1f, -2f}),
                12_345,
                new LearningRateSchedule.State(0.002, 3, 77),
                counters,
                new SnapshotCodec.NetworkState(40, 2, new float[] {0.5f, 1.5f}, new float[] {9f}),
                window,
                detector,
                List.of(new AcceptedExample("p0", 1, 13, source.features("p0", 1))),
                replay,
                1);
    }

    @Test
    void everyFieldSurvivesAnEncodeAndDecode() throws IOException {
        SnapshotCodec.State written = handBuilt();
        byte[] bytes = SnapshotCodec.encode(written);
        PageHinkley detector = new PageHinkley(0.05, 50, 100);
        SnapshotCodec.State read = SnapshotCodec.decode(bytes, TestingExamples.TINY, 10, detector);

        assertThat(read.optimizer()).isEqualTo(TrainerSettings.Optimizer.NESTEROVS);
        assertThat(read.lineage().highestVersion()).isEqualTo(7);
        assertThat(read.lineage().parentVersion()).isEqualTo(6L);
        assertThat(read.lineage().referenceQuality()).isEqualTo(0.875);
        assertThat(read.lineage().lastGoodParams()).containsExactly(1f, -2f);
        assertThat(read.lastAttemptMillis()).isEqualTo(12_345);
        assertThat(read.schedule()).isEqualTo(written.schedule());
        assertThat(read.counters().examplesSeen()).isEqualTo(1);
        assertThat(read.counters().refused()).isEqualTo(1);
        assertThat(read.network().iterations()).isEqualTo(40);
        assertThat(read.network().epochs()).isEqualTo(2);
        assertThat(read.network().params()).containsExactly(0.5f, 1.5f);
        assertThat(read.network().optimizerState()).containsExactly(9f);
        assertThat(read.window().count()).isEqualTo(2);
        assertThat(read.window().accuracy()).isEqualTo(0.5);
        assertThat(read.window().oldestTime(0)).isEqualTo(100);
        assertThat(read.detector()).isSameAs(detector);
        assertThat(detector.count()).isEqualTo(2);
        assertThat(detector.statistic()).isEqualTo(written.detector().statistic());
        assertThat(read.pending()).isEqualTo(written.pending());
        assertThat(read.replay()).isEqualTo(written.replay());
        assertThat(read.replayNext()).isEqualTo(1);
        assertThat(SnapshotCodec.encode(read)).as("writes back alike").isEqualTo(bytes);
    }

    @Test
    void theBodyEndsWithItsCrc32AndBeginsWithMagicFormatAndTheSpec() {
        byte[] bytes = SnapshotCodec.encode(handBuilt());
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        assertThat(b.getLong(bytes.length - 8)).isEqualTo(crc.getValue());
        assertThat(b.getInt(0)).isEqualTo(0x53444c54);
        assertThat(b.getInt(4)).isEqualTo(3);
        int specLength = b.getInt(8);
        assertThat(new String(bytes, 12, specLength, StandardCharsets.UTF_8))
                .isEqualTo(TestingExamples.TINY.toJson());
    }

    /** {@code body} (a snapshot without its CRC) with a fresh CRC appended. */
    private static byte[] sealed(byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(body);
        return ByteBuffer.allocate(body.length + 8).put(body).putLong(crc.getValue()).array();
    }

    private static byte[] body(byte[] snapshot) {
        return Arrays.copyOf(snapshot, snapshot.length - 8);
    }

    @Test
    void corruptOrForeignBytesAreRefusedWithTheReason() {
        byte[] good = SnapshotCodec.encode(handBuilt());
        PageHinkley detector = new PageHinkley(0.05, 50, 100);

        byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 0x01;
        assertThatThrownBy(() -> SnapshotCodec.decode(flipped, TestingExamples.TINY, 10, detector))
                .isInstanceOf(IOException.class)
                .hasMessage("CRC mismatch");

        assertThatThrownBy(() -> SnapshotCodec.decode(new byte[15], TestingExamples.TINY, 10, null))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("too short");

        byte[] format2 = body(good);
        ByteBuffer.wrap(format2).putInt(4, 2);
        assertThatThrownBy(
                        () ->
                                SnapshotCodec.decode(
                                        sealed(format2), TestingExamples.TINY, 10, detector))
                .isInstanceOf(IOException.class)
                .hasMessage("snapshot format 2, this build reads 3");

        byte[] otherMagic = body(good);
        ByteBuffer.wrap(otherMagic).putInt(0, 0x12345678);
        assertThatThrownBy(
                        () ->
                                SnapshotCodec.decode(
                                        sealed(otherMagic), TestingExamples.TINY, 10, detector))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bad magic");

        byte[] trailing = Arrays.copyOf(body(good), good.length - 8 + 3);
        assertThatThrownBy(
                        () ->
                                SnapshotCodec.decode(
                                        sealed(trailing), TestingExamples.TINY, 10, detector))
                .isInstanceOf(IOException.class)
                .hasMessage("3 unread bytes at the end");

        byte[] outsideTheRing = body(good);
        ByteBuffer.wrap(outsideTheRing).putInt(outsideTheRing.length - 4, 3);
        assertThatThrownBy(
                        () ->
                                SnapshotCodec.decode(
                                        sealed(outsideTheRing), TestingExamples.TINY, 10, detector))
                .isInstanceOf(IOException.class)
                .hasMessage("replay position 3 in a ring of 3");
    }

    @Test
    void aSnapshotOfAnotherArchitectureIsRefusedNamingBoth() {
        byte[] good = SnapshotCodec.encode(handBuilt());
        assertThatThrownBy(() -> SnapshotCodec.decode(good, DefaultSpecs.image(), 10, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("architecture")
                .hasMessageContaining("'tiny'");
    }

    @Test
    void aDetectorTurnedOffOrOnSinceTheSnapshotIsHandled() throws IOException {
        byte[] withDetector = SnapshotCodec.encode(handBuilt());
        SnapshotCodec.State off =
                SnapshotCodec.decode(withDetector, TestingExamples.TINY, 10, null);
        assertThat(off.detector()).isNull();
        assertThat(off.replay()).as("read past the detector's state").hasSize(3);

        SnapshotCodec.State h = handBuilt();
        byte[] withoutDetector =
                SnapshotCodec.encode(
                        new SnapshotCodec.State(
                                h.spec(),
                                h.optimizer(),
                                h.lineage(),
                                h.lastAttemptMillis(),
                                h.schedule(),
                                h.counters(),
                                h.network(),
                                h.window(),
                                null,
                                h.pending(),
                                h.replay(),
                                h.replayNext()));
        PageHinkley fresh = new PageHinkley(0.05, 50, 100);
        SnapshotCodec.State on =
                SnapshotCodec.decode(withoutDetector, TestingExamples.TINY, 10, fresh);
        assertThat(on.detector()).isSameAs(fresh);
        assertThat(fresh.count()).as("starts afresh").isZero();
    }
}
