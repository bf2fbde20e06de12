package io.streamdl.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.testing.TestingSchemaRegistryClient;
import io.streamdl.scoring.TestingModels.TestingLoader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scorer's promise under load: every features record that reaches it leaves it exactly once, as
 * a score or a dead letter, however events, model updates (some of which fail to build), batch
 * deadlines, builds in progress, checkpoints and failovers interleave.
 *
 * <p>A failover restores the newest checkpoint into a new operator and replays both inputs from
 * there; what the failed operator emitted after that checkpoint is discarded, as the transactional
 * sink aborts it. Only what was emitted before a checkpoint barrier (or at the end of the input)
 * counts as delivered.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MicroBatchScorerConservationTest {
    private static final int EVENTS = 10_000;
    private static final int MAX_BATCH = 64;
    private static final long MAX_WAIT_MILLIS = 5;
    private static final int MAX_HELD = 40;
    private static final String TOPIC = "features.image";

    private static final TestingSchemaRegistryClient REGISTRY = new TestingSchemaRegistryClient();
    private static final AvroWireSerializer<Features> WRITER =
            new AvroWireSerializer<>(REGISTRY, SerdeConfig.forValues("http://unused"));

    /**
     * One thing that happens to the scorer; the inputs among them are replayed after a failover.
     */
    private sealed interface Step {}

    /** A features record at {@code offset}: one the model takes, or one it must refuse. */
    private record Event(long offset, Kind kind) implements Step {}

    private enum Kind {
        FITS,
        MISFIT,
        UNDECODABLE,
        EMPTY
    }

    private record Update(long version) implements Step {}

    private record Advance(long millis) implements Step {}

    /** Waits for the build in progress, so that the next boundary swaps. */
    private record AwaitBuild() implements Step {}

    private record Checkpoint() implements Step {}

    private record Failover() implements Step {}

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void everyEventLeavesExactlyOnceAsAScoreOrADeadLetter(long seed) throws Exception {
        TestingLoader loader = new TestingLoader();
        List<Step> steps = schedule(new Random(seed), loader);
        Run run = new Run(steps, loader);
        run.play();

        Map<Long, Integer> times = new HashMap<>();
        run.delivered.forEach(offset -> times.merge(offset, 1, Integer::sum));
        Set<Long> missing = new TreeSet<>();
        Set<Long> twice = new TreeSet<>();
        for (long offset = 0; offset < EVENTS; offset++) {
            int n = times.getOrDefault(offset, 0);
            if (n == 0) {
                missing.add(offset);
            } else if (n > 1) {
                twice.add(offset);
            }
        }
        assertThat(missing).as("events neither scored nor dead-lettered").isEmpty();
        assertThat(twice).as("events delivered more than once").isEmpty();
        assertThat(run.delivered).hasSize(EVENTS);

        // the schedule did what it is for: many swaps, refusals of every kind, restores
        assertThat(run.versionsScoring).as("versions that scored").hasSizeGreaterThan(40);
        assertThat(run.deadLetterReasons)
                .contains("NO_MODEL", "DATA_LENGTH_MISMATCH", "NO_MAGIC_BYTE", "EMPTY_VALUE");
        assertThat(run.failovers).isGreaterThanOrEqualTo(5);
    }

    /**
     * Events before the first model (more than are held), then events mixed with a new version
     * every few dozen events (one in ten fails to build, some are sent again), short time steps,
     * waits for builds, a checkpoint every few hundred steps and a failover now and then.
     */
    private static List<Step> schedule(Random random, TestingLoader loader) {
        List<Step> steps = new ArrayList<>();
        long version = 0;
        for (long offset = 0; offset < EVENTS; offset++) {
            steps.add(new Event(offset, kind(random, offset)));
            if (offset < MAX_HELD * 2) {
                continue;
            }
            int roll = random.nextInt(1000);
            if (roll < 30) {
                version++;
                if (version > 1 && random.nextInt(10) == 0) {
                    loader.fail(version);
                }
                steps.add(new Update(version));
            } else if (roll < 33 && version > 2) {
                steps.add(new Update(version - 1 - random.nextInt(2)));
            } else if (roll < 40) {
                steps.add(new AwaitBuild());
            }
            if (random.nextInt(4) == 0) {
                steps.add(new Advance(1 + random.nextInt(2 * (int) MAX_WAIT_MILLIS)));
            }
            if (random.nextInt(150) == 0) {
                steps.add(new Checkpoint());
            }
            if (random.nextInt(900) == 0) {
                steps.add(new Failover());
            }
        }
        return steps;
    }

    private static Kind kind(Random random, long offset) {
        int roll = random.nextInt(100);
        if (offset < MAX_HELD * 2 || roll < 94) {
            return Kind.FITS;
        }
        return roll < 97 ? Kind.MISFIT : roll < 99 ? Kind.UNDECODABLE : Kind.EMPTY;
    }

    private static StreamRecord<RawRecord> record(Event event) {
        byte[] value =
                switch (event.kind()) {
                    case FITS -> WRITER.serialize(TOPIC, features(event.offset(), true));
                    case MISFIT -> WRITER.serialize(TOPIC, features(event.offset(), false));
                    case UNDECODABLE -> "{}".getBytes();
                    case EMPTY -> null;
                };
        return new StreamRecord<>(new RawRecord(TOPIC, 0, event.offset(), 0L, null, value));
    }

    private static Features features(long offset, boolean fits) {
        int n = TestingModels.SPEC.inputs().get(0).elementsPerEvent();
        return Features.newBuilder()
                .setEventId("e" + offset)
                .setTs(offset)
                .setEncodedBy("image@1")
                .setDtype("float32")
                .setShape(List.of(1, 28, 28))
                .setData(ByteBuffer.allocate(fits ? n * 4 : 12))
                .build();
    }

    /** Plays a schedule against a scorer, failing it over where the schedule says. */
    private static final class Run {
        private final List<Step> steps;
        private final TestingLoader loader;
        final List<Long> delivered = new ArrayList<>();
        final Set<Long> versionsScoring = new HashSet<>();
        final Set<String> deadLetterReasons = new HashSet<>();
        int failovers;

        private TwoInputStreamOperatorTestHarness<RawRecord, ModelUpdate, Score> scorer;
        private long now;
        private long checkpointId;
        private OperatorSubtaskState lastCheckpoint;
        private int lastCheckpointStep = -1;
        private final Set<Integer> failedOver = new HashSet<>();
        private int scoresTaken;
        private int deadLettersTaken;

        Run(List<Step> steps, TestingLoader loader) {
            this.steps = steps;
            this.loader = loader;
        }

        void play() throws Exception {
            scorer = start(null);
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                if (step instanceof Event event) {
                    scorer.processElement1(record(event));
                } else if (step instanceof Update update) {
                    scorer.processElement2(
                            new StreamRecord<>(TestingModels.update(update.version())));
                } else if (step instanceof Advance advance) {
                    now += advance.millis();
                    scorer.setProcessingTime(now);
                } else if (step instanceof AwaitBuild) {
                    core().built().get();
                } else if (step instanceof Checkpoint) {
                    lastCheckpoint = scorer.snapshot(++checkpointId, now);
                    lastCheckpointStep = i;
                    takeDelivered();
                } else if (step instanceof Failover && failedOver.add(i)) {
                    failovers++;
                    // what the failed scorer emitted since the checkpoint is aborted
                    scorer.close();
                    scorer = start(lastCheckpoint);
                    i = lastCheckpointStep;
                }
            }
            scorer.getOperator().finish();
            takeDelivered();
            scorer.close();
        }

        private TwoInputStreamOperatorTestHarness<RawRecord, ModelUpdate, Score> start(
                OperatorSubtaskState state) throws Exception {
            var harness =
                    new TwoInputStreamOperatorTestHarness<>(
                            new MicroBatchScorer(
                                    "http://unused",
                                    c -> REGISTRY,
                                    loader,
                                    MAX_BATCH,
                                    MAX_WAIT_MILLIS,
                                    MAX_HELD));
            if (state != null) {
                harness.initializeState(state);
            }
            harness.open();
            harness.setProcessingTime(now);
            scoresTaken = 0;
            deadLettersTaken = 0;
            return harness;
        }

        private HoldAndSwap<?> core() {
            return ((MicroBatchScorer) scorer.getOperator()).core();
        }

        /** Everything emitted since the last call, as delivered by a completed checkpoint. */
        private void takeDelivered() {
            int seen = 0;
            for (Object o : scorer.getOutput()) {
                if (o instanceof StreamRecord<?> r && r.getValue() instanceof Score s) {
                    if (seen++ >= scoresTaken) {
                        delivered.add(Long.parseLong(s.getEventId().substring(1)));
                        versionsScoring.add(s.getModelVersion());
                    }
                }
            }
            scoresTaken = seen;
            var dead = scorer.getSideOutput(MicroBatchScorer.DEAD_LETTERS);
            List<StreamRecord<DeadLetter>> deadLetters =
                    dead == null ? List.of() : new ArrayList<>(dead);
            for (StreamRecord<DeadLetter> r :
                    deadLetters.subList(deadLettersTaken, deadLetters.size())) {
                delivered.add(r.getValue().getOffset());
                deadLetterReasons.add(r.getValue().getError());
            }
            deadLettersTaken = deadLetters.size();
        }
    }
}
