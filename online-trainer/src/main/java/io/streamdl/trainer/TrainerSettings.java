package io.streamdl.trainer;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * How {@link OnlineTrainer} learns, evaluates, publishes and reacts to drift. Immutable; {@link
 * #from} reads it from {@code trainer.*} keys (listed with defaults in {@link #KEYS}) and names the
 * key of any bad value.
 *
 * @param batchSize examples per mini-batch step
 * @param optimizer the updater every trainable layer uses
 * @param learningRate the base learning rate (the spec's own is ignored for training)
 * @param publishEveryExamples consider publishing after this many examples learned since the last
 *     attempt; 0 turns the count trigger off
 * @param publishEveryMillis consider publishing this long after the last attempt (a partial
 *     mini-batch is learned first); 0 turns the time trigger off
 * @param guardMargin hold back a candidate whose prequential accuracy is below the last published
 *     one's by more than this
 * @param guardResetOnDrift after a drift event, judge the next candidate on finiteness only: the
 *     last published accuracy was measured on data that no longer looks the same
 * @param windowSize examples in the sliding prequential window
 * @param metricsEveryExamples emit accuracy and loss after this many evaluated examples
 * @param driftDetector the detector on the prequential error stream
 * @param driftDelta Page-Hinkley's tolerated change of the error rate
 * @param driftLambda Page-Hinkley's alarm threshold
 * @param driftMinExamples examples the detector sees before it may raise an alarm
 * @param driftAdaptation what the trainer does on a drift event
 * @param driftLrBoost the learning-rate factor of a boost
 * @param driftBoostSteps mini-batch steps a boost lasts
 * @param learningRateHalfLife examples (since the start or the last drift event) over which the
 *     learning rate halves; 0 keeps it constant
 * @param learningRateFloor the lowest fraction of {@code learningRate} the decay reaches
 * @param replayBufferSize most recent learned examples kept for rehearsal; 0 turns replay off
 * @param replayBatches extra mini-batches drawn from the replay buffer after each step on new
 *     examples; 0 turns replay off
 */
public record TrainerSettings(
        int batchSize,
        Optimizer optimizer,
        double learningRate,
        long publishEveryExamples,
        long publishEveryMillis,
        double guardMargin,
        boolean guardResetOnDrift,
        int windowSize,
        long metricsEveryExamples,
        DriftDetectorKind driftDetector,
        double driftDelta,
        double driftLambda,
        long driftMinExamples,
        DriftAdaptation driftAdaptation,
        double driftLrBoost,
        int driftBoostSteps,
        long learningRateHalfLife,
        double learningRateFloor,
        int replayBufferSize,
        int replayBatches)
        implements Serializable {

    /** The updaters the trainer can use. */
    public enum Optimizer {
        ADAM,
        SGD,
        /** SGD with Nesterov momentum 0.9. */
        NESTEROVS
    }

    /** Drift detectors on the prequential 0/1 error stream. */
    public enum DriftDetectorKind {
        PAGE_HINKLEY,
        NONE
    }

    /** What a drift event does to training. */
    public enum DriftAdaptation {
        /** Multiply the learning rate by {@code driftLrBoost} for {@code driftBoostSteps} steps. */
        LR_BOOST,
        /** Zero the optimizer's state (moments, momentum) and its iteration count. */
        RESET_OPTIMIZER,
        /** Both. */
        BOTH,
        /** Only report the event. */
        NONE
    }

    public static final ConfigKey BATCH_SIZE =
            new ConfigKey("trainer.batch-size", "32", "examples per mini-batch step (1..4096)");
    public static final ConfigKey OPTIMIZER =
            new ConfigKey(
                    "trainer.optimizer",
                    "adam",
                    "updater of every trainable layer: "
                            + ConfigKey.names(Optimizer.class)
                            + " (momentum 0.9)");
    public static final ConfigKey LEARNING_RATE =
            new ConfigKey("trainer.learning-rate", "0.001", "base learning rate (0..10]");
    public static final ConfigKey PUBLISH_EVERY_EXAMPLES =
            new ConfigKey(
                    "trainer.publish.every-examples",
                    "1000",
                    "consider publishing after this many examples learned; 0 = off");
    public static final ConfigKey PUBLISH_EVERY_SECONDS =
            new ConfigKey(
                    "trainer.publish.every-seconds",
                    "60",
                    "consider publishing this many seconds after the last attempt; 0 = off");
    public static final ConfigKey GUARD_MARGIN =
            new ConfigKey(
                    "trainer.guard.margin",
                    "0.05",
                    "hold back an update whose prequential accuracy is below the last published"
                            + " one's by more than this (0..1)");
    public static final ConfigKey GUARD_RESET_ON_DRIFT =
            new ConfigKey(
                    "trainer.guard.reset-on-drift",
                    "true",
                    "after a drift event, compare the next update with nothing (finiteness only)");
    public static final ConfigKey WINDOW_SIZE =
            new ConfigKey(
                    "trainer.window.size",
                    "1000",
                    "examples in the sliding prequential accuracy/loss window");
    public static final ConfigKey METRICS_EVERY_EXAMPLES =
            new ConfigKey(
                    "trainer.metrics.every-examples",
                    "200",
                    "emit prequential accuracy and loss to dashboard.metrics every this many"
                            + " examples");
    public static final ConfigKey DRIFT_DETECTOR =
            new ConfigKey(
                    "trainer.drift.detector",
                    "page-hinkley",
                    "drift detector on the prequential error stream: "
                            + ConfigKey.names(DriftDetectorKind.class));
    public static final ConfigKey DRIFT_DELTA =
            new ConfigKey(
                    "trainer.drift.delta",
                    "0.05",
                    "Page-Hinkley: change of the error rate tolerated without alarm [0..1)");
    public static final ConfigKey DRIFT_LAMBDA =
            new ConfigKey("trainer.drift.lambda", "50", "Page-Hinkley: alarm threshold (> 0)");
    public static final ConfigKey DRIFT_MIN_EXAMPLES =
            new ConfigKey(
                    "trainer.drift.min-examples",
                    "100",
                    "examples seen (after start or an alarm) before another alarm");
    public static final ConfigKey DRIFT_ADAPTATION =
            new ConfigKey(
                    "trainer.drift.adaptation",
                    "reset-optimizer",
                    "reaction to a drift event: " + ConfigKey.names(DriftAdaptation.class));
    public static final ConfigKey DRIFT_LR_BOOST =
            new ConfigKey(
                    "trainer.drift.lr-boost", "3", "learning-rate factor of a boost (1..100]");
    public static final ConfigKey DRIFT_BOOST_STEPS =
            new ConfigKey("trainer.drift.boost-steps", "50", "mini-batch steps a boost lasts");

    public static final ConfigKey LEARNING_RATE_HALF_LIFE =
            new ConfigKey(
                    "trainer.learning-rate.half-life-examples",
                    "30000",
                    "examples over which the learning rate halves, counted from the start or the"
                            + " last drift event; 0 = constant");
    public static final ConfigKey LEARNING_RATE_FLOOR =
            new ConfigKey(
                    "trainer.learning-rate.floor",
                    "0.25",
                    "lowest fraction of the base learning rate the decay reaches (0..1]");
    public static final ConfigKey REPLAY_BUFFER_SIZE =
            new ConfigKey(
                    "trainer.replay.buffer-size",
                    "4096",
                    "most recent learned examples kept in checkpointed state for rehearsal"
                            + " (0..1000000; emptied by a drift event)");
    public static final ConfigKey REPLAY_BATCHES =
            new ConfigKey(
                    "trainer.replay.batches",
                    "2",
                    "mini-batches drawn from the replay buffer after each step on new examples"
                            + " (0..16; 0 = learn each example once)");

    /** Every key read by {@link #from}, with its default. */
    public static final List<ConfigKey> KEYS =
            List.of(
                    BATCH_SIZE,
                    OPTIMIZER,
                    LEARNING_RATE,
                    PUBLISH_EVERY_EXAMPLES,
                    PUBLISH_EVERY_SECONDS,
                    GUARD_MARGIN,
                    GUARD_RESET_ON_DRIFT,
                    WINDOW_SIZE,
                    METRICS_EVERY_EXAMPLES,
                    DRIFT_DETECTOR,
                    DRIFT_DELTA,
                    DRIFT_LAMBDA,
                    DRIFT_MIN_EXAMPLES,
                    DRIFT_ADAPTATION,
                    DRIFT_LR_BOOST,
                    DRIFT_BOOST_STEPS,
                    LEARNING_RATE_HALF_LIFE,
                    LEARNING_RATE_FLOOR,
                    REPLAY_BUFFER_SIZE,
                    REPLAY_BATCHES);

    public TrainerSettings {
        require(batchSize >= 1 && batchSize <= 4096, BATCH_SIZE, batchSize);
        require(optimizer != null, OPTIMIZER, optimizer);
        require(
                learningRate > 0 && learningRate <= 10 && Double.isFinite(learningRate),
                LEARNING_RATE,
                learningRate);
        require(publishEveryExamples >= 0, PUBLISH_EVERY_EXAMPLES, publishEveryExamples);
        require(publishEveryMillis >= 0, PUBLISH_EVERY_SECONDS, publishEveryMillis);
        if (publishEveryExamples == 0 && publishEveryMillis == 0) {
            throw new IllegalArgumentException(
                    "config keys '"
                            + PUBLISH_EVERY_EXAMPLES.key()
                            + "' and '"
                            + PUBLISH_EVERY_SECONDS.key()
                            + "' are both 0: the trainer would never publish");
        }
        require(guardMargin >= 0 && guardMargin <= 1, GUARD_MARGIN, guardMargin);
        require(windowSize >= 1 && windowSize <= 1_000_000, WINDOW_SIZE, windowSize);
        require(metricsEveryExamples >= 1, METRICS_EVERY_EXAMPLES, metricsEveryExamples);
        require(driftDetector != null, DRIFT_DETECTOR, driftDetector);
        require(driftDelta >= 0 && driftDelta < 1, DRIFT_DELTA, driftDelta);
        require(driftLambda > 0 && Double.isFinite(driftLambda), DRIFT_LAMBDA, driftLambda);
        require(driftMinExamples >= 1, DRIFT_MIN_EXAMPLES, driftMinExamples);
        require(driftAdaptation != null, DRIFT_ADAPTATION, driftAdaptation);
        require(driftLrBoost > 1 && driftLrBoost <= 100, DRIFT_LR_BOOST, driftLrBoost);
        require(driftBoostSteps >= 1, DRIFT_BOOST_STEPS, driftBoostSteps);
        require(learningRateHalfLife >= 0, LEARNING_RATE_HALF_LIFE, learningRateHalfLife);
        require(
                learningRateFloor > 0 && learningRateFloor <= 1,
                LEARNING_RATE_FLOOR,
                learningRateFloor);
        require(
                replayBufferSize >= 0 && replayBufferSize <= 1_000_000,
                REPLAY_BUFFER_SIZE,
                replayBufferSize);
        require(replayBatches >= 0 && replayBatches <= 16, REPLAY_BATCHES, replayBatches);
    }

    /** Whether steps on new examples are followed by rehearsal of buffered ones. */
    public boolean replays() {
        return replayBufferSize > 0 && replayBatches > 0;
    }

    /** The defaults of {@link #KEYS}. */
    public static TrainerSettings defaults() {
        return from(Map.of());
    }

    /**
     * Reads the {@code trainer.*} keys of {@link #KEYS} from {@code settings}; absent keys take
     * their defaults, other prefixes are ignored.
     *
     * @throws IllegalArgumentException naming the key of a bad value
     */
    public static TrainerSettings from(Map<String, String> settings) {
        ConfigKey.Reader r = new ConfigKey.Reader(settings);
        return new TrainerSettings(
                r.integer(BATCH_SIZE, 1, 4096),
                r.choice(OPTIMIZER, Optimizer.class),
                r.real(LEARNING_RATE, 0, 10, true),
                r.longValue(PUBLISH_EVERY_EXAMPLES, 0, Long.MAX_VALUE),
                r.longValue(PUBLISH_EVERY_SECONDS, 0, Long.MAX_VALUE / 1000) * 1000,
                r.real(GUARD_MARGIN, 0, 1, false),
                r.bool(GUARD_RESET_ON_DRIFT),
                r.integer(WINDOW_SIZE, 1, 1_000_000),
                r.longValue(METRICS_EVERY_EXAMPLES, 1, Long.MAX_VALUE),
                r.choice(DRIFT_DETECTOR, DriftDetectorKind.class),
                r.real(DRIFT_DELTA, 0, 0.999999, false),
                r.real(DRIFT_LAMBDA, 0, 1e9, true),
                r.longValue(DRIFT_MIN_EXAMPLES, 1, Long.MAX_VALUE),
                r.choice(DRIFT_ADAPTATION, DriftAdaptation.class),
                r.real(DRIFT_LR_BOOST, 1, 100, true),
                r.integer(DRIFT_BOOST_STEPS, 1, Integer.MAX_VALUE),
                r.longValue(LEARNING_RATE_HALF_LIFE, 0, Long.MAX_VALUE),
                r.real(LEARNING_RATE_FLOOR, 0, 1, true),
                r.integer(REPLAY_BUFFER_SIZE, 0, 1_000_000),
                r.integer(REPLAY_BATCHES, 0, 16));
    }

    private static void require(boolean ok, ConfigKey key, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(
                    "invalid value '"
                            + value
                            + "' for config key '"
                            + key.key()
                            + "': "
                            + key.description());
        }
    }
}
