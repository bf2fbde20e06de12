package io.streamdl.trainer;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Dl4jInputs;
import io.streamdl.models.inference.FeatureTensors;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.ModelUpdate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fine-tunes one model online, without Flink: a classifier from labelled examples, or an anomaly
 * model (autoencoder, forecaster) from features alone, as its {@link Objective} says.
 *
 * <p><b>Test-then-train.</b> Examples are collected into mini-batches of {@code batchSize}. When a
 * batch is full, every example in it is first predicted by the current network (inference mode),
 * which the {@link PrequentialEvaluator} scores into the sliding {@link PrequentialWindow}
 * (accuracy, cross-entropy) and the drift detector; only then does one optimizer step learn from
 * the batch. The network changes only at those steps, so predicting the batch together gives
 * exactly the predictions each example would have had on arrival, at a fraction of the cost.
 *
 * <p><b>Anomaly models.</b> An autoencoder or forecaster has no labels: its target comes from the
 * features themselves, and its output is each event's anomaly score (reconstruction or forecast
 * error). The same test-then-train order scores each example by the current weights before the step
 * learns it; the window's mean error replaces accuracy as the published and guarded figure (lower
 * is better) and no drift detector runs (a drifting error stream is what such a model reports, not
 * a reason to forget).
 *
 * <p><b>Rehearsal.</b> With {@code replayBatches > 0}, each step on new examples is followed by
 * that many steps on mini-batches drawn from a {@link ReplayRing} of the {@code replayBufferSize}
 * most recently learned examples (experience replay). Every event still arrives once and is
 * evaluated once, before it is learned; replay lets a single pass over the stream reach the
 * accuracy that plain one-step-per-example SGD only reaches after more data, at the cost of extra
 * steps. A drift event empties the buffer, whose examples belong to the old concept.
 *
 * <p><b>Publishing.</b> After a step that brings the examples learned since the last attempt to
 * {@code publishEveryExamples}, or on {@link #onTime} once {@code publishEveryMillis} have passed
 * (a partial mini-batch is learned first, so slow streams still learn), the {@link PublishGuard}
 * judges the current weights. Published updates are signed by the codec, numbered {@code version()
 * + 1}, name the previous {@link VersionLineage} version as parent, and carry the window's metrics.
 * Held-back updates consume no version number; they are counted and reported as metrics. Weights
 * that went NaN or infinite are replaced by the last good ones (the last published, warm-start or
 * initial weights) and the optimizer is reset.
 *
 * <p><b>Adoption.</b> A newer version another publisher put on the model topic (a rollback's signed
 * copy of older weights; see {@link ModelTopicFollower}) with this architecture replaces the
 * weights: the lineage continues from it (the parent of the next version, its published figure the
 * guard's reference, NaN without one), the optimizer state is reset (its moments belong to the
 * replaced weights), and the prequential window, drift detector and replay buffer start afresh:
 * their figures describe, and their examples shaped, the weights being replaced, and the guard must
 * judge the adopted weights by their own predictions. The partial mini-batch stays: its examples
 * are unseen, and the adopted weights predict them first.
 *
 * <p><b>Drift.</b> With a detector configured, each prediction's 0/1 error feeds {@link
 * PageHinkley}; an alarm is reported and adapts training as configured (learning-rate boost for a
 * number of steps, optimizer reset, or both). The {@link LearningRateSchedule} also decays the rate
 * by a half-life, restarted by each drift event.
 *
 * <p><b>State.</b> {@link #snapshot} writes everything that determines future outputs (weights,
 * optimizer state and counts, the unlearned partial batch, the replay buffer, versions, window,
 * detector, counters) in {@link SnapshotCodec}'s explicit versioned binary format with a CRC;
 * {@link #restore} reads it back. The random generator is reseeded from the step count before each
 * step, so a restored trainer fed the same examples produces the same weights.
 *
 * <p>Labels are mapped to class indices through the spec's labels; an unknown label, or features
 * that do not fit the model, become dead letters. Not thread-safe: one thread drives an instance.
 */
public final class OnlineTrainer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OnlineTrainer.class);
    private static final long NO_TIME = Long.MIN_VALUE;

    /** The class index of an anomaly model's examples, which have none. */
    private static final Integer NO_LABEL = -1;

    private final ModelSpec spec;
    private final Objective objective;
    private final TrainerSettings settings;
    private final TrainableNetwork network;
    private final Map<String, Integer> classes;
    private final UpdatePublisher publisher;
    private final PrequentialEvaluator evaluator;
    private final ReplayRing replay;
    private final LearningRateSchedule schedule;
    private final VersionLineage lineage;
    private final List<AcceptedExample> pending = new ArrayList<>();
    private TrainerCounters counters = new TrainerCounters();
    private long lastAttemptMillis = NO_TIME;

    /**
     * Counts the calls that may have changed the state; {@link #snapshot} encodes again only when
     * it moved (a checkpoint of an idle trainer costs nothing).
     */
    private long changes;

    private long snapshotAt = -1;
    private byte[] snapshotBytes;

    private OnlineTrainer(ModelSpec spec, TrainerSettings settings, ModelUpdateCodec codec) {
        this.objective = Objective.of(spec);
        this.spec = spec;
        this.settings = settings;
        this.schedule = new LearningRateSchedule(settings);
        this.replay = new ReplayRing(settings.replayBufferSize());
        this.network = TrainableNetwork.create(spec, settings.optimizer(), settings.learningRate());
        this.classes = new HashMap<>();
        for (int i = 0; i < spec.labels().size(); i++) {
            classes.put(spec.labels().get(i), i);
        }
        PageHinkley detector =
                objective == Objective.CLASSIFY
                                && settings.driftDetector()
                                        == TrainerSettings.DriftDetectorKind.PAGE_HINKLEY
                        ? new PageHinkley(
                                settings.driftDelta(),
                                settings.driftLambda(),
                                settings.driftMinExamples())
                        : null;
        this.evaluator =
                new PrequentialEvaluator(
                        spec.outputSize(), new PrequentialWindow(settings.windowSize()), detector);
        this.lineage = new VersionLineage(network.params());
        this.publisher =
                new UpdatePublisher(
                        spec,
                        objective,
                        codec,
                        new PublishGuard(settings.guardMargin()),
                        network,
                        lineage,
                        evaluator);
    }

    /** A trainer starting from the spec's initial weights, before version 1. */
    public static OnlineTrainer fresh(
            ModelSpec spec, TrainerSettings settings, ModelUpdateCodec codec) {
        return new OnlineTrainer(spec, settings, codec);
    }

    /**
     * A trainer continuing from {@code newest}, the newest update on the model topic: its weights,
     * version (the parent of the next one) and published figure (the guard's reference). If the
     * update fails verification or is for another architecture, the trainer starts from the initial
     * weights instead, with a warning, but still numbers its versions after it.
     */
    public static OnlineTrainer warmStart(
            ModelSpec spec, TrainerSettings settings, ModelUpdateCodec codec, ModelUpdate newest) {
        OnlineTrainer trainer = new OnlineTrainer(spec, settings, codec);
        WarmStart.Weights start = WarmStart.of(spec, codec, newest);
        if (start == null) {
            trainer.fenceVersion(newest.getVersion());
            return trainer;
        }
        trainer.continueFrom(start.version(), start.quality(), start.params());
        LOG.info(
                "model '{}' warm-started from version {} (published {} {})",
                spec.name(),
                start.version(),
                trainer.objective.describe(),
                trainer.lineage.referenceQuality());
        return trainer;
    }

    /**
     * A trainer in exactly the state {@link #snapshot} captured.
     *
     * @throws IllegalStateException if the snapshot is corrupt, of an unknown format, or for
     *     another architecture
     */
    public static OnlineTrainer restore(
            ModelSpec spec, TrainerSettings settings, ModelUpdateCodec codec, byte[] snapshot) {
        OnlineTrainer trainer = new OnlineTrainer(spec, settings, codec);
        SnapshotCodec.State state;
        try {
            state =
                    SnapshotCodec.decode(
                            snapshot, spec, settings.windowSize(), trainer.evaluator.detector());
        } catch (IOException e) {
            throw new IllegalStateException(
                    "corrupt trainer snapshot for model '" + spec.name() + "': " + e.getMessage(),
                    e);
        }
        trainer.install(state);
        return trainer;
    }

    /**
     * Makes sure the next published version is above {@code newestKnown}, a version already on the
     * model topic (for example written before the checkpoint this trainer restored from).
     */
    public void fenceVersion(long newestKnown) {
        long current = lineage.version();
        if (fence(newestKnown)) {
            LOG.warn(
                    "model '{}': version {} exists on the topic but this trainer is at {}; its"
                            + " next version will be {}",
                    spec.name(),
                    newestKnown,
                    current,
                    lineage.nextVersion());
        }
    }

    /** {@link #fenceVersion} without the warning; whether the numbering moved. */
    boolean fence(long newestKnown) {
        if (!lineage.fence(newestKnown)) {
            return false;
        }
        changes++;
        return true;
    }

    /**
     * Continues from {@code version}, which another publisher put on the model topic with {@code
     * params} of this trainer's architecture and figure {@code quality} (NaN if it carries none),
     * as <b>Adoption</b> above says; reports it to {@code out} as {@link
     * TrainerMetrics#MODEL_ADOPTED}. Checking the update is the caller's ({@link
     * ModelTopicFollower}).
     */
    void adopt(long version, double quality, float[] params, long now, TrainerOutput out) {
        continueFrom(version, quality, params);
        network.resetOptimizer();
        evaluator.restart();
        replay.clear();
        counters.resetLearnedSinceAttempt();
        out.metric(metric(TrainerMetrics.MODEL_ADOPTED, version, counters.examplesLearned(), now));
    }

    private void continueFrom(long version, double quality, float[] params) {
        changes++;
        network.setParams(params);
        lineage.continueFrom(version, quality, params);
    }

    /**
     * Takes one example at processing time {@code now}: a labelled one for a classifier; for an
     * anomaly model the label is not used (it may be null).
     */
    public void accept(LabelledExample example, long now, TrainerOutput out) {
        changes++;
        startClock(now);
        counters.addSeen();
        // (an Integer on both sides: a plain int would unbox the map's null)
        Integer label = objective.needsLabels() ? classes.get(example.label) : NO_LABEL;
        if (label == null) {
            counters.addUnknownLabel();
            out.deadLetter(TrainerRecords.unknownLabel(example, spec, now));
            return;
        }
        // TrainJob checks features as they arrive; this guards trainers fed by other means
        FeatureTensors.Refusal misfit = FeatureTensors.check(example.features, spec);
        if (misfit != null) {
            counters.addMisfit();
            out.deadLetter(TrainerRecords.misfit(example, misfit, now));
            return;
        }
        pending.add(new AcceptedExample(example.eventId, label, now, example.features));
        if (pending.size() >= settings.batchSize()) {
            step(now, out);
        }
    }

    /**
     * The time trigger: once {@code publishEveryMillis} have passed since the last attempt, learns
     * any partial mini-batch and considers publishing.
     */
    public void onTime(long now, TrainerOutput out) {
        if (lastAttemptMillis == NO_TIME) {
            changes++;
        }
        startClock(now);
        if (settings.publishEveryMillis() > 0
                && now - lastAttemptMillis >= settings.publishEveryMillis()) {
            step(now, out);
            if (counters.learnedSinceAttempt() > 0) {
                changes++;
                attemptPublish(now, out);
            } else {
                // Not a change for the snapshot: nothing is pending or unpublished, so a trainer
                // restored with the earlier time only makes its next attempt sooner.
                lastAttemptMillis = now;
            }
        }
    }

    /** At the end of the input: learns any partial mini-batch and considers publishing. */
    public void flush(long now, TrainerOutput out) {
        changes++;
        startClock(now);
        step(now, out);
        if (counters.learnedSinceAttempt() > 0) {
            attemptPublish(now, out);
        }
    }

    private void startClock(long now) {
        if (lastAttemptMillis == NO_TIME) {
            lastAttemptMillis = now;
        }
    }

    /** Predicts, then learns from, the pending examples. */
    private void step(long now, TrainerOutput out) {
        if (pending.isEmpty()) {
            return;
        }
        changes++;
        int n = pending.size();
        // one conversion of the pending features serves the prediction and the step
        Batch batch = ExampleBatches.features(pending, spec);
        MultiDataSet data = ExampleBatches.trainingData(objective, spec, pending, batch);
        if (objective == Objective.CLASSIFY) {
            INDArray output =
                    network.graph()
                            .output(false, data.getFeatures(), data.getFeaturesMaskArrays())[0];
            evaluator.evaluate(
                    pending,
                    output.castTo(DataType.FLOAT).dup('c').data().asFloat(),
                    statistic -> onDrift(statistic, now, out));
        } else {
            // the model's output with its score head: one error per example
            evaluator.evaluateErrors(
                    pending, Dl4jInputs.output(spec, network.graph(), batch).floats());
        }
        counters.addEvaluated(n);

        Nd4j.getRandom().setSeed(spec.seed() * 0x9E3779B97F4A7C15L + counters.steps());
        network.graph().fit(data);
        if (settings.replays()) {
            replay.addAll(pending);
            rehearse();
        }
        counters.addStep(n);
        pending.clear();
        schedule.afterStep(n);
        applyLearningRate();
        if (counters.evaluatedSinceMetrics() >= settings.metricsEveryExamples()) {
            emitWindowMetrics(now, out);
        }
        if (settings.publishEveryExamples() > 0
                && counters.learnedSinceAttempt() >= settings.publishEveryExamples()) {
            attemptPublish(now, out);
        }
    }

    /**
     * Rehearsal: {@code replayBatches} extra steps on examples drawn from the replay buffer, seeded
     * from the step count so that a restored trainer repeats them exactly.
     */
    private void rehearse() {
        for (List<AcceptedExample> drawn :
                replay.draw(
                        spec.seed(),
                        counters.steps(),
                        settings.replayBatches(),
                        settings.batchSize())) {
            network.graph()
                    .fit(
                            ExampleBatches.trainingData(
                                    objective, spec, drawn, ExampleBatches.features(drawn, spec)));
            counters.addReplayed(drawn.size());
        }
    }

    private void applyLearningRate() {
        if (schedule.refresh()) {
            network.setLearningRate(schedule.rate());
        }
    }

    private void onDrift(double statistic, long now, TrainerOutput out) {
        counters.addDrift();
        // examples of the old concept would pull the model back
        replay.clear();
        if (schedule.onDrift()) {
            network.resetOptimizer();
        }
        applyLearningRate();
        if (settings.guardResetOnDrift()) {
            lineage.forgetReferenceQuality();
        }
        LOG.info(
                "model '{}': drift detected after {} examples (statistic {}), adaptation {}",
                spec.name(),
                counters.examplesSeen(),
                statistic,
                settings.driftAdaptation());
        out.metric(metric(TrainerMetrics.DRIFT, statistic, counters.driftEvents(), now));
    }

    private void emitWindowMetrics(long now, TrainerOutput out) {
        counters.resetEvaluatedSinceMetrics();
        PrequentialWindow window = evaluator.window();
        out.metric(metric(objective.metric(), objective.quality(window), window.count(), now));
        if (objective == Objective.CLASSIFY) {
            out.metric(metric(TrainerMetrics.LOSS, window.meanLoss(), window.count(), now));
        }
        out.metric(
                metric(
                        TrainerMetrics.EXAMPLES,
                        counters.examplesSeen(),
                        counters.examplesLearned(),
                        now));
    }

    private void attemptPublish(long now, TrainerOutput out) {
        lastAttemptMillis = now;
        publisher.attempt(counters, now, out);
    }

    private DashboardMetric metric(String name, double value, long count, long now) {
        return publisher.metric(name, value, count, now);
    }

    // ---- state ----

    /**
     * Everything that determines this trainer's future outputs, in an explicit binary format. While
     * nothing changes, every call returns the same array (callers must not modify it).
     */
    public byte[] snapshot() {
        if (snapshotBytes != null && snapshotAt == changes) {
            return snapshotBytes;
        }
        snapshotBytes = encodeSnapshot();
        snapshotAt = changes;
        return snapshotBytes;
    }

    private byte[] encodeSnapshot() {
        return SnapshotCodec.encode(
                new SnapshotCodec.State(
                        spec,
                        network.optimizer(),
                        lineage.state(),
                        lastAttemptMillis,
                        schedule.state(),
                        counters,
                        new SnapshotCodec.NetworkState(
                                network.iterationCount(),
                                network.epochCount(),
                                network.params(),
                                network.optimizerState()),
                        evaluator.window(),
                        evaluator.detector(),
                        pending,
                        replay.entries(),
                        replay.next()));
    }

    private void install(SnapshotCodec.State state) {
        lineage.restore(state.lineage());
        lastAttemptMillis = state.lastAttemptMillis();
        counters = state.counters();
        SnapshotCodec.NetworkState saved = state.network();
        network.setParams(saved.params());
        if (state.optimizer() == network.optimizer()) {
            network.setOptimizerState(saved.optimizerState());
            network.setCounts(saved.iterations(), saved.epochs());
        } else {
            LOG.warn(
                    "model '{}': the checkpoint was trained with {}, the job now uses {}; starting"
                            + " the new optimizer from scratch",
                    spec.name(),
                    state.optimizer(),
                    network.optimizer());
        }
        // the rate in use then is recomputed from the current settings
        schedule.restore(state.schedule());
        applyLearningRate();
        evaluator.restoreWindow(state.window());
        pending.addAll(state.pending());
        replay.restore(state.replay(), state.replayNext());
    }

    // ---- observation ----

    public ModelSpec spec() {
        return spec;
    }

    /** The newest version this trainer published or knows of; the next one is this plus one. */
    public long version() {
        return lineage.version();
    }

    /** The version the current weights descend from, or null for the initial weights. */
    public Long parentVersion() {
        return lineage.parentVersion();
    }

    /** The checksum of {@code version} if this trainer published it lately, else null. */
    String publishedSha256(long version) {
        return publisher.sha256Of(version);
    }

    public long examplesSeen() {
        return counters.examplesSeen();
    }

    public long examplesLearned() {
        return counters.examplesLearned();
    }

    /** Optimizer steps taken. */
    public long steps() {
        return counters.steps();
    }

    /** Examples waiting for their mini-batch. */
    public int pendingExamples() {
        return pending.size();
    }

    public long updatesPublished() {
        return counters.published();
    }

    public long heldBackForRegression() {
        return counters.heldBackRegression();
    }

    public long heldBackForNonFiniteWeights() {
        return counters.heldBackNonFinite();
    }

    /** Examples refused for an unknown label or features the model cannot take. */
    public long examplesRefused() {
        return counters.refused();
    }

    /** Examples learned again from the replay buffer (counted once per draw). */
    public long examplesReplayed() {
        return counters.examplesReplayed();
    }

    /** Examples in the replay buffer. */
    public int replayBufferSize() {
        return replay.size();
    }

    public long driftEvents() {
        return counters.driftEvents();
    }

    /**
     * Prequential accuracy over the window (NaN before the first prediction, and for an anomaly
     * model, which has no classes).
     */
    public double accuracy() {
        return objective == Objective.CLASSIFY ? evaluator.window().accuracy() : Double.NaN;
    }

    /**
     * The window's mean loss: cross-entropy for a classifier, the mean anomaly score (error) for an
     * anomaly model (NaN before the first prediction).
     */
    public double meanLoss() {
        return evaluator.window().meanLoss();
    }

    /** The learning rate in use (boosted after drift). */
    public double learningRate() {
        return schedule.rate();
    }

    /** A copy of the current parameters. */
    public float[] params() {
        return network.params();
    }

    /** Replaces the current parameters; for tests and tools that inject weights. */
    void setParams(float[] values) {
        network.setParams(values);
    }

    @Override
    public void close() {
        network.clear();
    }
}
