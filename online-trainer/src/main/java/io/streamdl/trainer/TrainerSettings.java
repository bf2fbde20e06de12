package io.streamdl.trainer;

import io.streamdl.schemas.config.ConfigException;
import io.streamdl.schemas.config.ConfigOption;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * How {@link OnlineTrainer} learns, evaluates, publishes and reacts to drift. Immutable; {@link
 * #from} reads it from {@code trainer.*} keys (listed with defaults in {@link #OPTIONS}) and names
 * the key of any bad value.
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

    public static final ConfigOption<Integer> BATCH_SIZE =
            ConfigOption.intRange(
                    "trainer.batch-size", 32, 1, 4096, "examples per mini-batch step");
    public static final ConfigOption<Optimizer> OPTIMIZER =
            ConfigOption.oneOf(
                    "trainer.optimizer",
                    Optimizer.ADAM,
                    Optimizer.class,
                    "updater of every trainable layer (nesterovs: momentum 0.9)");
    public static final ConfigOption<Double> LEARNING_RATE =
            ConfigOption.doubleAbove("trainer.learning-rate", 0.001, 0, 10, "base learning rate");
    public static final ConfigOption<Long> PUBLISH_EVERY_EXAMPLES =
            ConfigOption.longRange(
                    "trainer.publish.every-examples",
                    1000,
                    0,
                    Long.MAX_VALUE,
                    "consider publishing after this many examples learned; 0 = off");
    public static final ConfigOption<Long> PUBLISH_EVERY_SECONDS =
            ConfigOption.longRange(
                    "trainer.publish.every-seconds",
                    60,
                    0,
                    Long.MAX_VALUE / 1000,
                    "consider publishing this many seconds after the last attempt; 0 = off");
    public static final ConfigOption<Double> GUARD_MARGIN =
            ConfigOption.doubleRange(
                    "trainer.guard.margin",
                    0.05,
                    0,
                    1,
                    "hold back an update whose prequential accuracy is below the last published"
                            + " one's by more than this");
    public static final ConfigOption<Boolean> GUARD_RESET_ON_DRIFT =
            ConfigOption.bool(
                    "trainer.guard.reset-on-drift",
                    true,
                    "after a drift event, compare the next update with nothing (finiteness only)");
    public static final ConfigOption<Integer> WINDOW_SIZE =
            ConfigOption.intRange(
                    "trainer.window.size",
                    1000,
                    1,
                    1_000_000,
                    "examples in the sliding prequential accuracy/loss window");
    public static final ConfigOption<Long> METRICS_EVERY_EXAMPLES =
            ConfigOption.longRange(
                    "trainer.metrics.every-examples",
                    200,
                    1,
                    Long.MAX_VALUE,
                    "emit prequential accuracy and loss to dashboard.metrics every this many"
                            + " examples");
    public static final ConfigOption<DriftDetectorKind> DRIFT_DETECTOR =
            ConfigOption.oneOf(
                    "trainer.drift.detector",
                    DriftDetectorKind.PAGE_HINKLEY,
                    DriftDetectorKind.class,
                    "drift detector on the prequential error stream");
    public static final ConfigOption<Double> DRIFT_DELTA =
            ConfigOption.doubleRange(
                    "trainer.drift.delta",
                    0.05,
                    0,
                    0.999999,
                    "Page-Hinkley: change of the error rate tolerated without alarm");
    public static final ConfigOption<Double> DRIFT_LAMBDA =
            ConfigOption.doubleAbove(
                    "trainer.drift.lambda", 50, 0, 1e9, "Page-Hinkley: alarm threshold");
    public static final ConfigOption<Long> DRIFT_MIN_EXAMPLES =
            ConfigOption.longRange(
                    "trainer.drift.min-examples",
                    100,
                    1,
                    Long.MAX_VALUE,
                    "examples seen (after start or an alarm) before another alarm");
    public static final ConfigOption<DriftAdaptation> DRIFT_ADAPTATION =
            ConfigOption.oneOf(
                    "trainer.drift.adaptation",
                    DriftAdaptation.RESET_OPTIMIZER,
                    DriftAdaptation.class,
                    "reaction to a drift event");
    public static final ConfigOption<Double> DRIFT_LR_BOOST =
            ConfigOption.doubleAbove(
                    "trainer.drift.lr-boost", 3, 1, 100, "learning-rate factor of a boost");
    public static final ConfigOption<Integer> DRIFT_BOOST_STEPS =
            ConfigOption.intRange(
                    "trainer.drift.boost-steps",
                    50,
                    1,
                    Integer.MAX_VALUE,
                    "mini-batch steps a boost lasts");
    public static final ConfigOption<Long> LEARNING_RATE_HALF_LIFE =
            ConfigOption.longRange(
                    "trainer.learning-rate.half-life-examples",
                    30000,
                    0,
                    Long.MAX_VALUE,
                    "examples over which the learning rate halves, counted from the start or the"
                            + " last drift event; 0 = constant");
    public static final ConfigOption<Double> LEARNING_RATE_FLOOR =
            ConfigOption.doubleAbove(
                    "trainer.learning-rate.floor",
                    0.25,
                    0,
                    1,
                    "lowest fraction of the base learning rate the decay reaches");
    public static final ConfigOption<Integer> REPLAY_BUFFER_SIZE =
            ConfigOption.intRange(
                    "trainer.replay.buffer-size",
                    4096,
                    0,
                    1_000_000,
                    "most recent learned examples kept in checkpointed state for rehearsal"
                            + " (emptied by a drift event)");
    public static final ConfigOption<Integer> REPLAY_BATCHES =
            ConfigOption.intRange(
                    "trainer.replay.batches",
                    2,
                    0,
                    16,
                    "mini-batches drawn from the replay buffer after each step on new examples"
                            + " (0 = learn each example once)");

    /** Every key read by {@link #from}, with its default. */
    public static final List<ConfigOption<?>> OPTIONS =
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

    /** Every value is checked by its option, so a record built in code is refused alike. */
    public TrainerSettings {
        BATCH_SIZE.check(batchSize);
        OPTIMIZER.check(optimizer);
        LEARNING_RATE.check(learningRate);
        PUBLISH_EVERY_EXAMPLES.check(publishEveryExamples);
        PUBLISH_EVERY_SECONDS.check(publishEveryMillis / 1000);
        if (publishEveryMillis < 0) {
            throw ConfigException.invalid(
                    PUBLISH_EVERY_SECONDS.key(), publishEveryMillis / 1000.0, "at least 0");
        }
        if (publishEveryExamples == 0 && publishEveryMillis == 0) {
            throw ConfigException.refused(
                    PUBLISH_EVERY_SECONDS.key(),
                    "it and '"
                            + PUBLISH_EVERY_EXAMPLES.key()
                            + "' are both 0: the trainer would never publish");
        }
        GUARD_MARGIN.check(guardMargin);
        WINDOW_SIZE.check(windowSize);
        METRICS_EVERY_EXAMPLES.check(metricsEveryExamples);
        DRIFT_DETECTOR.check(driftDetector);
        DRIFT_DELTA.check(driftDelta);
        DRIFT_LAMBDA.check(driftLambda);
        DRIFT_MIN_EXAMPLES.check(driftMinExamples);
        DRIFT_ADAPTATION.check(driftAdaptation);
        DRIFT_LR_BOOST.check(driftLrBoost);
        DRIFT_BOOST_STEPS.check(driftBoostSteps);
        LEARNING_RATE_HALF_LIFE.check(learningRateHalfLife);
        LEARNING_RATE_FLOOR.check(learningRateFloor);
        REPLAY_BUFFER_SIZE.check(replayBufferSize);
        REPLAY_BATCHES.check(replayBatches);
    }

    /** Whether steps on new examples are followed by rehearsal of buffered ones. */
    public boolean replays() {
        return replayBufferSize > 0 && replayBatches > 0;
    }

    /** The defaults of {@link #OPTIONS}. */
    public static TrainerSettings defaults() {
        return from(Map.of());
    }

    /**
     * Reads the {@code trainer.*} keys of {@link #OPTIONS} from {@code settings}; absent keys take
     * their defaults, other prefixes are ignored.
     *
     * @throws IllegalArgumentException naming the key of a bad value
     */
    public static TrainerSettings from(Map<String, String> settings) {
        return new TrainerSettings(
                BATCH_SIZE.read(settings),
                OPTIMIZER.read(settings),
                LEARNING_RATE.read(settings),
                PUBLISH_EVERY_EXAMPLES.read(settings),
                PUBLISH_EVERY_SECONDS.read(settings) * 1000,
                GUARD_MARGIN.read(settings),
                GUARD_RESET_ON_DRIFT.read(settings),
                WINDOW_SIZE.read(settings),
                METRICS_EVERY_EXAMPLES.read(settings),
                DRIFT_DETECTOR.read(settings),
                DRIFT_DELTA.read(settings),
                DRIFT_LAMBDA.read(settings),
                DRIFT_MIN_EXAMPLES.read(settings),
                DRIFT_ADAPTATION.read(settings),
                DRIFT_LR_BOOST.read(settings),
                DRIFT_BOOST_STEPS.read(settings),
                LEARNING_RATE_HALF_LIFE.read(settings),
                LEARNING_RATE_FLOOR.read(settings),
                REPLAY_BUFFER_SIZE.read(settings),
                REPLAY_BATCHES.read(settings));
    }
}
