package io.streamdl.scoring;

import io.streamdl.models.inference.FeatureTensors;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.flink.DeadLetters;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.SerdeException;
import io.streamdl.scoring.lifecycle.ModelEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.concurrent.ExecutorThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores features in micro-batches with the newest verified model, stamping its version on every
 * score. Input 1: raw features records (decoded here); input 2: verified model updates, broadcast
 * to every instance. {@link HoldAndSwap} decides (holding before the first model, batching by size
 * and time, swapping between two batches, ignoring stale versions); this class keeps its state,
 * timers, outputs and metrics.
 *
 * <ul>
 *   <li>Sessions are built by {@link ModelLoader#load} on one background thread per instance, never
 *       on the task thread, and the current model keeps scoring meanwhile. A finished build is
 *       taken at the next event, update or timer; a timer polls every {@value #BUILD_POLL_MILLIS}
 *       ms while a build runs, so a quiet stream swaps too.
 *   <li>A build that fails is logged and counted ({@code modelBuildsFailed}) and the current model
 *       keeps serving. It is no dead letter: the update passed verification, its Kafka coordinates
 *       are not known here, and every instance would report it.
 *   <li>Events beyond {@code maxHeld} before the first model go to the dead-letter output with
 *       reason {@code NO_MODEL}. Flink refuses checkpointing for operators that pick their input
 *       ({@code InputSelectable}), so holding back the features input itself is not an option.
 *   <li>Operator state: the held events and the open batch, the update whose model serves, and the
 *       newest verified update still building or queued (the updates source will not replay it). A
 *       restore rebuilds the serving model before any record, on the task thread as nothing can be
 *       scored without it: a restored job never serves a version older than it served before the
 *       checkpoint, nor refuses an event for want of a model it had. The pending update then goes
 *       back to the build thread. A restore neither loses nor duplicates a score (with the
 *       transactional sink).
 *   <li>With a state directory, the two updates are kept in files written once per version ({@link
 *       StateFiles}) and checkpoints hold references; a savepoint holds the updates themselves. An
 *       update is megabytes, and Flink writes operator list state one byte per call: written into
 *       every checkpoint, the serving models were most of an idle pipeline's CPU and made short
 *       checkpoint intervals impossible.
 * </ul>
 */
public final class MicroBatchScorer extends AbstractStreamOperator<Score>
        implements TwoInputStreamOperator<RawRecord, ModelUpdate, Score> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MicroBatchScorer.class);

    /** How often a scorer looks at a build in progress when no event or batch deadline comes. */
    static final long BUILD_POLL_MILLIS = 10;

    /** How long close() waits for a build in progress, so that its session is closed here. */
    private static final long BUILD_STOP_SECONDS = 60;

    /** Features the model cannot take, and events beyond the hold limit. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("score-dead-letters", TypeInformation.of(DeadLetter.class));

    /** A {@code SERVING} lifecycle event each time this instance starts serving a version. */
    public static final OutputTag<ModelEvent> SERVING_EVENTS =
            new OutputTag<>("serving-events", TypeInformation.of(ModelEvent.class));

    private final String registryUrl;
    private final RegistryClientFactory registries;
    private final ModelLoader loader;
    private final int maxBatch;
    private final long maxWaitMillis;
    private final int maxHeld;
    private final String stateDir;
    private boolean reportsServing = true;

    /** An event waiting to be scored: decoded, and as it arrived (for state and dead letters). */
    record Pending(RawRecord raw, Features features) {}

    private transient HoldAndSwap<Pending> core;
    private transient HoldAndSwap.Output<Pending> out;
    private transient ExecutorService builds;
    private transient List<RawRecord> restored;
    private transient ModelUpdate restoredPending;
    private transient ListState<RawRecord> bufferState;
    private transient ListState<byte[]> modelState;
    private transient ListState<byte[]> pendingModelState;
    private transient UpdateState servingState;
    private transient UpdateState pendingState;
    private transient boolean savepoint;
    private transient long timerAt;
    private transient Counter scored;
    private transient Counter batches;
    private transient Counter refused;
    private transient Counter swaps;
    private transient Counter buildsFailed;
    private transient Histogram batchSizes;
    private transient Histogram latencies;
    private transient AvroWireDeserializer<Features> decoder;

    public MicroBatchScorer(
            String registryUrl,
            RegistryClientFactory registries,
            ModelLoader loader,
            int maxBatch,
            long maxWaitMillis,
            int maxHeld) {
        this(registryUrl, registries, loader, maxBatch, maxWaitMillis, maxHeld, null);
    }

    /**
     * @param stateDir where this model's scorer instances keep the updates of their state as files
     *     (every instance must see it), or null to keep them in every checkpoint
     */
    public MicroBatchScorer(
            String registryUrl,
            RegistryClientFactory registries,
            ModelLoader loader,
            int maxBatch,
            long maxWaitMillis,
            int maxHeld,
            String stateDir) {
        this.stateDir = stateDir;
        this.registryUrl = registryUrl;
        this.registries = registries;
        this.loader = loader;
        this.maxBatch = maxBatch;
        this.maxWaitMillis = maxWaitMillis;
        this.maxHeld = maxHeld;
        new MicroBatch<>(maxBatch, maxWaitMillis); // validates the sizes at job build time
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        builds =
                Executors.newSingleThreadExecutor(
                        new ExecutorThreadFactory(
                                "model-build-"
                                        + getRuntimeContext()
                                                .getTaskInfo()
                                                .getIndexOfThisSubtask()));
        core =
                new HoldAndSwap<>(
                        maxBatch,
                        maxWaitMillis,
                        maxHeld,
                        BUILD_POLL_MILLIS,
                        this::startBuild,
                        MicroBatchScorer::misfit);
        timerAt = -1;
        bufferState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "pending-features", TypeInformation.of(RawRecord.class)));
        // Union state: after a rescale every instance gets the updates back, not just one of them,
        // and takes the newest any instance had.
        modelState =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        "current-model",
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        pendingModelState =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        "pending-model",
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        servingState = new UpdateState(stateDir, subtask, "serving");
        pendingState = new UpdateState(stateDir, subtask, "pending");
        ModelUpdate serving = servingState.restore(modelState.get());
        if (serving != null) {
            core.restore(serving, loader.load(serving));
        }
        restoredPending = pendingState.restore(pendingModelState.get());
        // Decoded in open(), once the registry client exists.
        restored = new ArrayList<>();
        bufferState.get().forEach(restored::add);
    }

    @Override
    public void open() throws Exception {
        super.open();
        decoder =
                AvroWireDeserializer.specific(
                        registries.create(SerdeConfig.forValues(registryUrl)), Features.class);
        scored = getMetricGroup().counter("scored");
        batches = getMetricGroup().counter("batches");
        refused = getMetricGroup().counter("featuresRefused");
        swaps = getMetricGroup().counter("modelSwaps");
        buildsFailed = getMetricGroup().counter("modelBuildsFailed");
        getMetricGroup().gauge("modelVersion", core::servingVersion);
        // the last 1,000 batches and scores: what Prometheus reporters export as quantiles
        batchSizes =
                getMetricGroup().histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
        latencies =
                getMetricGroup()
                        .histogram("eventToScoreMs", new DescriptiveStatisticsHistogram(1000));
        out = new Emitter();
        if (core.serving() != null) {
            reportServing(HoldAndSwap.NO_VERSION, core.servingVersion(), core.serving().getModel());
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (RawRecord record : restored) {
            receive(record, now);
        }
        restored = null;
        // After the restored events, so that they rejoin the batch of the model they waited for.
        if (restoredPending != null) {
            core.update(restoredPending, now, out);
            restoredPending = null;
        }
        scheduleWakeUp(now);
    }

    /** Runs on the task thread; the returned future completes on the build thread. */
    private CompletableFuture<LoadedModel> startBuild(ModelUpdate verified) {
        return CompletableFuture.supplyAsync(() -> loader.load(verified), builds);
    }

    /** The one place features meet a model's spec before a batch is built. */
    private static FeatureTensors.Refusal misfit(Pending pending, LoadedModel model) {
        return FeatureTensors.check(pending.features(), model.spec());
    }

    @Override
    public void processElement1(StreamRecord<RawRecord> element) throws Exception {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        receive(element.getValue(), now);
        scheduleWakeUp(now);
    }

    /**
     * Decodes one record (here, not in an upstream task, so the features are not serialized again
     * between tasks) and hands it to the core. Every dead letter keeps the record's bytes and
     * coordinates, so it can be replayed.
     */
    private void receive(RawRecord record, long now) {
        Features features;
        try {
            if (record.value == null) {
                DeadLetter empty = DeadLetters.emptyValue(record, "decode", now);
                deadLetter(record, "decode", empty.getError(), empty.getMessage(), now);
                return;
            }
            features =
                    decoder.deserialize(
                            record.topic, record.partition, record.offset, record.value);
        } catch (SerdeException e) {
            deadLetter(record, "decode", e.reason().name(), e.getMessage(), now);
            return;
        }
        core.receive(new Pending(record, features), now, out);
    }

    @Override
    public void processElement2(StreamRecord<ModelUpdate> element) throws Exception {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        core.update(element.getValue(), now, out);
        scheduleWakeUp(now);
    }

    /** Keeps one timer at the core's next wake-up; a timer that finds nothing to do is harmless. */
    private void scheduleWakeUp(long now) {
        long at = core.wakeUpAt(now);
        if (at >= 0 && (timerAt < 0 || at < timerAt)) {
            timerAt = at;
            getProcessingTimeService().registerTimer(at, this::onTimer);
        }
    }

    private void onTimer(long time) {
        if (time >= timerAt) {
            timerAt = -1;
        }
        core.onTime(time, out);
        scheduleWakeUp(time);
    }

    /** Notes whether this snapshot is a savepoint, which must hold the updates themselves. */
    @Override
    public OperatorSnapshotFutures snapshotState(
            long checkpointId,
            long timestamp,
            CheckpointOptions options,
            CheckpointStreamFactory factory)
            throws Exception {
        savepoint = options.getCheckpointType().isSavepoint();
        return super.snapshotState(checkpointId, timestamp, options, factory);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<RawRecord> pending = new ArrayList<>();
        core.waiting().forEach(p -> pending.add(p.raw()));
        bufferState.update(pending);
        long id = context.getCheckpointId();
        modelState.update(servingState.snapshot(id, core.serving(), savepoint));
        pendingModelState.update(pendingState.snapshot(id, core.newestPending(), savepoint));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        servingState.completed(checkpointId);
        pendingState.completed(checkpointId);
    }

    /** At the end of the input: waits for a model being built, then scores what is left. */
    @Override
    public void finish() throws Exception {
        core.finish(getProcessingTimeService().getCurrentProcessingTime(), out);
        super.finish();
    }

    /**
     * Stops the build thread, letting a build in progress end so that its session is closed here
     * rather than leaked, then closes the serving model.
     */
    @Override
    public void close() throws Exception {
        try {
            if (builds != null) {
                builds.shutdown();
                if (!builds.awaitTermination(BUILD_STOP_SECONDS, TimeUnit.SECONDS)) {
                    LOG.warn(
                            "a model build is still running {} s after the scorer closed; its"
                                    + " session is closed when it ends",
                            BUILD_STOP_SECONDS);
                }
            }
        } finally {
            try {
                if (core != null) {
                    core.close();
                }
            } finally {
                super.close();
            }
        }
    }

    /**
     * Stops {@link #SERVING_EVENTS}: a shadow scorer's versions are candidates, which the lifecycle
     * gate reports.
     *
     * @return this scorer
     */
    public MicroBatchScorer withoutServingEvents() {
        reportsServing = false;
        return this;
    }

    private void reportServing(long previousVersion, long version, String model) {
        if (!reportsServing) {
            return;
        }
        String actor =
                getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks()
                        + "@"
                        + ProcessHandle.current().pid();
        output.collect(
                SERVING_EVENTS,
                new StreamRecord<>(
                        ModelEvents.of(
                                model,
                                ModelEvents.SERVING,
                                version,
                                previousVersion == HoldAndSwap.NO_VERSION ? null : previousVersion,
                                previousVersion == HoldAndSwap.NO_VERSION
                                        ? "first version served by this scorer"
                                        : "swapped from version " + previousVersion,
                                Map.of(),
                                actor,
                                System.currentTimeMillis())));
    }

    /** The core as the operator's current state sees it; for tests. */
    HoldAndSwap<Pending> core() {
        return core;
    }

    private void deadLetter(
            RawRecord record, String stage, String reason, String message, long now) {
        output.collect(
                DEAD_LETTERS,
                new StreamRecord<>(DeadLetters.of(record, stage, reason, message, now)));
    }

    private final class Emitter implements HoldAndSwap.Output<Pending> {
        @Override
        public void score(List<Pending> batch, LoadedModel model, long now) {
            List<Features> events = new ArrayList<>(batch.size());
            batch.forEach(p -> events.add(p.features()));
            for (Score score : model.score(events, now)) {
                latencies.update(score.getScoredTs() - score.getEventTs());
                output.collect(new StreamRecord<>(score));
            }
            scored.inc(events.size());
            batches.inc();
            batchSizes.update(events.size());
        }

        @Override
        public void misfit(Pending pending, FeatureTensors.Refusal why, long now) {
            refused.inc();
            deadLetter(pending.raw(), "score", why.reason().name(), why.message(), now);
        }

        @Override
        public void noModel(Pending pending, int maxHeld, long now) {
            deadLetter(
                    pending.raw(),
                    "score",
                    "NO_MODEL",
                    "no model has arrived yet and "
                            + maxHeld
                            + " events are already held (scoring.hold.max-events)",
                    now);
        }

        @Override
        public void endedWithoutModel(Pending pending, long now) {
            deadLetter(
                    pending.raw(),
                    "score",
                    "NO_MODEL",
                    "the input ended before any model of this scorer was built",
                    now);
        }

        @Override
        public void swapped(long previousVersion, LoadedModel next) {
            swaps.inc();
            LOG.debug("now serving version {} (was {})", next.version(), previousVersion);
            reportServing(previousVersion, next.version(), core.serving().getModel());
        }

        @Override
        public void buildFailed(ModelUpdate update, Exception cause) {
            buildsFailed.inc();
            LOG.warn(
                    "building version {} of model {} failed; version {} keeps serving",
                    update.getVersion(),
                    update.getModel(),
                    core.servingVersion(),
                    cause);
        }
    }
}
