package io.streamdl.trainer;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.flink.StateFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Runs one {@link OnlineTrainer} in Flink: examples in (labelled for a classifier, features alone
 * for an anomaly model), signed {@link ModelUpdate}s out (main output), {@link DashboardMetric}s
 * and {@link DeadLetter}s on side outputs. The trainer's whole state (weights, optimizer state,
 * partial mini-batch, versions, window, detector) is one {@link OnlineTrainer#snapshot}; with a
 * snapshot directory, checkpoints hold a reference to a file of it ({@link StateFiles}), written
 * only when the trainer changed, and savepoints the snapshot itself; without one, every checkpoint
 * holds the snapshot in operator list state. A processing time tick drives the time trigger. Must
 * run with parallelism 1: one model, one writer.
 *
 * <p><b>Why versions stay unique and monotonic.</b> The version counter is part of the checkpointed
 * snapshot, and updates leave only through the exactly-once (transactional) Kafka sink, which
 * commits what was emitted between two checkpoints only when the second completes. After a failure
 * the job resumes from the last completed checkpoint: updates emitted after it belong to an aborted
 * transaction that {@code read_committed} readers never see, and the restored trainer re-issues
 * those version numbers, exactly once, for the weights it now computes (the same weights when the
 * same examples arrive in the same order, as training is seeded per step). A version committed to
 * the topic is therefore never reused. As a second line of defence, at start (fresh or restored)
 * the trainer asks {@link ModelUpdateLookup} for the newest committed update and numbers its
 * versions after it, which covers a restore from an old savepoint and a trainer started without
 * state; a fresh trainer also warm-starts from that update's weights when the job allows it. With
 * at-least-once sinks a failure between publishing and the next checkpoint can publish a version
 * twice; scorers ignore versions that are not newer than the one they serve. The price of
 * exactly-once is latency: an update becomes visible when the checkpoint after it completes.
 */
public final class TrainOperator extends AbstractStreamOperator<ModelUpdate>
        implements OneInputStreamOperator<LabelledExample, ModelUpdate>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final long MAX_TICK_MILLIS = 1000;

    /** Prequential accuracy and loss, drift events, published and held-back updates. */
    public static final OutputTag<DashboardMetric> METRICS =
            new OutputTag<>("train-metrics", TypeInformation.of(DashboardMetric.class));

    /** Examples with an unknown label or features the model cannot take. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("train-dead-letters", TypeInformation.of(DeadLetter.class));

    private final String specJson;
    private final TrainerSettings settings;
    private final byte[] hmacKey;
    private final boolean allowUnsigned;
    private final boolean warmStart;
    private final ModelUpdateLookup lookup;
    private final String snapshotDir;

    private transient OnlineTrainer trainer;
    private transient StateFiles files;
    private transient boolean savepoint;
    private transient ListState<byte[]> snapshots;
    private transient TrainerOutput out;
    private transient Counter examples;

    /**
     * @param spec the model to train
     * @param settings how to train it
     * @param codec signing settings for published updates (and verification of a warm start)
     * @param warmStart whether a trainer without checkpoint starts from {@code lookup}'s update
     * @param lookup finds the newest update already on the model topic
     */
    public TrainOperator(
            ModelSpec spec,
            TrainerSettings settings,
            ModelUpdateCodec.Config codec,
            boolean warmStart,
            ModelUpdateLookup lookup) {
        this(spec, settings, codec, warmStart, lookup, null);
    }

    /**
     * @param snapshotDir where checkpoints keep the trainer's snapshots as files (every instance of
     *     the job must see it), or null to keep them in the checkpoint itself
     */
    public TrainOperator(
            ModelSpec spec,
            TrainerSettings settings,
            ModelUpdateCodec.Config codec,
            boolean warmStart,
            ModelUpdateLookup lookup,
            String snapshotDir) {
        // refuses, at job construction, a model the online trainer cannot learn
        Objective.of(spec);
        this.specJson = spec.toJson();
        this.settings = settings;
        this.hmacKey = codec.hmacKey();
        this.allowUnsigned = codec.allowUnsigned();
        this.warmStart = warmStart;
        this.lookup = lookup;
        this.snapshotDir = snapshotDir;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        snapshots =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "trainer-snapshot",
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        files = snapshotDir == null ? null : new StateFiles(Path.of(snapshotDir));
        List<byte[]> restored = new ArrayList<>();
        for (byte[] s : snapshots.get()) {
            restored.add(s);
        }
        if (restored.size() > 1) {
            throw new IllegalStateException(
                    restored.size()
                            + " trainer snapshots in the checkpoint: the trainer must run with"
                            + " parallelism 1");
        }
        ModelSpec spec = ModelSpec.fromJson(specJson);
        ModelUpdateCodec codec =
                new ModelUpdateCodec(new ModelUpdateCodec.Config(hmacKey, allowUnsigned));
        ModelUpdate newest = lookup.newest();
        if (restored.isEmpty() && files != null) {
            files.clear();
        }
        if (!restored.isEmpty()) {
            byte[] state = restored.get(0);
            if (StateFiles.isReference(state)) {
                if (files == null) {
                    throw new IllegalStateException(
                            "the checkpoint of model '"
                                    + spec.name()
                                    + "' refers to a snapshot file but the job has no"
                                    + " trainer.snapshot-dir");
                }
                state = files.restore(state);
            }
            trainer = OnlineTrainer.restore(spec, settings, codec, state);
            if (newest != null) {
                trainer.fenceVersion(newest.getVersion());
            }
        } else if (newest != null && warmStart) {
            trainer = OnlineTrainer.warmStart(spec, settings, codec, newest);
        } else {
            trainer = OnlineTrainer.fresh(spec, settings, codec);
            if (newest != null) {
                trainer.fenceVersion(newest.getVersion());
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        if (parallelism != 1) {
            throw new IllegalStateException(
                    "the trainer of model '"
                            + trainer.spec().name()
                            + "' runs with parallelism "
                            + parallelism
                            + "; it must be 1, or several trainers would publish the same versions");
        }
        out = new Emitter();
        examples = getMetricGroup().counter("examples");
        getMetricGroup().gauge("modelVersion", () -> trainer.version());
        getMetricGroup().gauge("updatesPublished", () -> trainer.updatesPublished());
        getMetricGroup().gauge("heldBackRegression", () -> trainer.heldBackForRegression());
        getMetricGroup().gauge("heldBackNonFinite", () -> trainer.heldBackForNonFiniteWeights());
        getMetricGroup().gauge("examplesRefused", () -> trainer.examplesRefused());
        getMetricGroup().gauge("driftEvents", () -> trainer.driftEvents());
        getMetricGroup().gauge("prequentialAccuracy", () -> trainer.accuracy());
        scheduleTick();
    }

    private long tickMillis() {
        long publish = settings.publishEveryMillis();
        return publish == 0 ? MAX_TICK_MILLIS : Math.min(publish, MAX_TICK_MILLIS);
    }

    private void scheduleTick() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + tickMillis(), this::onTick);
    }

    private void onTick(long time) {
        trainer.onTime(time, out);
        scheduleTick();
    }

    @Override
    public void processElement(StreamRecord<LabelledExample> element) {
        examples.inc();
        trainer.accept(
                element.getValue(), getProcessingTimeService().getCurrentProcessingTime(), out);
    }

    /** Notes whether this snapshot is a savepoint, which must hold the trainer's state itself. */
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
        byte[] snapshot = trainer.snapshot();
        snapshots.update(
                List.of(
                        files == null || savepoint
                                ? snapshot
                                : files.reference(context.getCheckpointId(), snapshot)));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        if (files != null) {
            files.completed(checkpointId);
        }
    }

    /** At the end of a bounded input (or a draining stop): learn what is left and publish. */
    @Override
    public void endInput() {
        trainer.flush(getProcessingTimeService().getCurrentProcessingTime(), out);
    }

    @Override
    public void close() throws Exception {
        if (trainer != null) {
            trainer.close();
        }
        super.close();
    }

    /** The trainer as the operator's current state sees it; for tests. */
    OnlineTrainer trainer() {
        return trainer;
    }

    private final class Emitter implements TrainerOutput {
        @Override
        public void update(ModelUpdate update) {
            output.collect(new StreamRecord<>(update));
        }

        @Override
        public void metric(DashboardMetric metric) {
            output.collect(METRICS, new StreamRecord<>(metric));
        }

        @Override
        public void deadLetter(DeadLetter deadLetter) {
            output.collect(DEAD_LETTERS, new StreamRecord<>(deadLetter));
        }
    }
}
