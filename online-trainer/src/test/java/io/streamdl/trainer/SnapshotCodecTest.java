package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
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
        assertThat(header.getInt()).as("magic \"SDLT\"").isEqualTo(0x53444c54);
        assertThat(header.getInt()).as("format").isEqualTo(3);
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
}
