package io.streamdl.trainer;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.flink.StateFiles;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.SerdeException;
import io.streamdl.schemas.topics.DeadLetterRecords;
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
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link OnlineTrainer} in Flink: examples in on the first input (labelled for a
 * classifier, features alone for an anomaly model), the raw records of the model's own {@code
 * models.<model>} topic on the second, signed {@link ModelUpdate}s out (main output), {@link
 * DashboardMetric}s and {@link DeadLetter}s on side outputs. Each record of the model topic is
 * decoded and handed to a {@link ModelTopicFollower}: the trainer adopts a newer version another
 * publisher put there when it can load its weights, and otherwise numbers its versions above it;
 * its own updates, older ones and tombstones are ignored, and a record that does not decode or
 * verify is logged, counted ({@code modelUpdatesRefused}) and dead-lettered (stage {@value
 * #FOLLOW_STAGE}, without its bytes, which stay on the model topic). The trainer's whole state
 * (weights, optimizer state, partial mini-batch, versions, window, detector) is one {@link
 * OnlineTrainer#snapshot}; with a snapshot directory, checkpoints hold a reference to a file of it
 * ({@link StateFiles}), written only when the trainer changed, and savepoints the snapshot itself;
 * without one, every checkpoint holds the snapshot in operator list state. A processing time tick
 * drives the time trigger. Must run with parallelism 1: one model, one writer.
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
 * state; a fresh trainer also warm-starts from that update's weights when the job allows it, and a
 * restored one takes a newer one as the model topic input would (adopting it if it can): restored
 * from its latest checkpoint, a version committed after it is another publisher's (the trainer's
 * own were aborted), which the restored input reads again only once the numbering has passed it;
 * restored from an older savepoint, it is the trainer's own later weights, which it continues from
 * rather than fork the lineage (to go back to older weights, publish a rollback). With
 * at-least-once sinks a failure between publishing and the next checkpoint can publish a version
 * twice; scorers ignore versions that are not newer than the one they serve. The price of
 * exactly-once is latency: an update becomes visible when the checkpoint after it completes.
 */
public final class TrainOperator extends AbstractStreamOperator<ModelUpdate>
        implements TwoInputStreamOperator<LabelledExample, RawRecord, ModelUpdate>,
                BoundedMultiInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrainOperator.class);
    private static final long MAX_TICK_MILLIS = 1000;

    /** The stage of the dead letters of model topic records the trainer refuses. */
    public static final String FOLLOW_STAGE = "train-follow-model";

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
    private final ModelUpdateCodec.Config signing;
    private final boolean warmStart;
    private final ModelUpdateLookup lookup;
    private final String snapshotDir;
    private final String registryUrl;
    private final RegistryClientFactory registries;

    private transient OnlineTrainer trainer;
    private transient ModelTopicFollower follower;
    private transient AvroWireDeserializer<ModelUpdate> reader;

    /** What the trainer reported while its state was restored, emitted at the first tick. */
    private transient List<DashboardMetric> restoring;

    private transient StateFiles files;
    private transient boolean savepoint;
    private transient ListState<byte[]> snapshots;
    private transient TrainerOutput out;
    private transient Counter examples;

    /**
     * @param spec the model to train
     * @param settings how to train it
     * @param codec signing settings for published updates, and verification of the updates read
     *     from the model topic (a warm start's, the lookup's, the second input's)
     * @param warmStart whether a trainer without checkpoint starts from {@code lookup}'s update
     * @param lookup finds the newest update already on the model topic
     * @param snapshotDir where checkpoints keep the trainer's snapshots as files (every instance of
     *     the job must see it), or null to keep them in the checkpoint itself
     * @param registryUrl the schema registry the model topic's records are decoded with
     * @param registries makes the registry client, when the task opens
     */
    public TrainOperator(
            ModelSpec spec,
            TrainerSettings settings,
            ModelUpdateCodec.Config codec,
            boolean warmStart,
            ModelUpdateLookup lookup,
            String snapshotDir,
            String registryUrl,
            RegistryClientFactory registries) {
        // refuses, at job construction, a model the online trainer cannot learn
        Objective.of(spec);
        this.specJson = spec.toJson();
        this.settings = settings;
        this.hmacKey = codec.hmacKey();
        this.allowUnsigned = codec.allowUnsigned();
        this.signing = codec;
        this.warmStart = warmStart;
        this.lookup = lookup;
        this.snapshotDir = snapshotDir;
        this.registryUrl = registryUrl;
        this.registries = registries;
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
        // the trainer signs with the key and also accepts the keys being rotated out
        ModelUpdateCodec codec = new ModelUpdateCodec(signing);
        follower = new ModelTopicFollower(spec, signing);
        restoring = new ArrayList<>();
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
            if (newest != null && newest.getVersion() > trainer.version()) {
                takeNewestAfterRestore(newest);
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

    /**
     * A version committed after the restored checkpoint: adopted or fenced as the model topic input
     * would; one that does not verify still fences the numbering, as at any start.
     */
    private void takeNewestAfterRestore(ModelUpdate newest) {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        ModelTopicFollower.Result result =
                follower.take(trainer, newest, now, new Collected(restoring));
        if (result.outcome() == ModelTopicFollower.Outcome.REFUSED) {
            LOG.warn(
                    "model '{}': the newest update on the topic, version {}, is refused: {}: {}",
                    trainer.spec().name(),
                    newest.getVersion(),
                    result.reason(),
                    result.message());
            trainer.fenceVersion(newest.getVersion());
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
        reader =
                AvroWireDeserializer.specific(
                        registries.create(SerdeConfig.forValues(registryUrl)), ModelUpdate.class);
        examples = getMetricGroup().counter("examples");
        getMetricGroup().gauge("modelUpdatesAdopted", () -> follower.adopted());
        getMetricGroup().gauge("modelUpdatesFenced", () -> follower.fenced());
        getMetricGroup().gauge("modelUpdatesIgnored", () -> follower.ignored());
        getMetricGroup().gauge("modelUpdatesRefused", () -> follower.refused());
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
        restoring.forEach(out::metric);
        restoring.clear();
        trainer.onTime(time, out);
        scheduleTick();
    }

    @Override
    public void processElement1(StreamRecord<LabelledExample> element) {
        examples.inc();
        trainer.accept(
                element.getValue(), getProcessingTimeService().getCurrentProcessingTime(), out);
    }

    /** A record of the model topic: see {@link ModelTopicFollower}. */
    @Override
    public void processElement2(StreamRecord<RawRecord> element) {
        RawRecord record = element.getValue();
        if (record.value == null) {
            follower.tombstone();
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        ModelTopicFollower.Result result;
        try {
            ModelUpdate update =
                    reader.deserialize(record.topic, record.partition, record.offset, record.value);
            result = follower.take(trainer, update, now, out);
        } catch (SerdeException e) {
            result = follower.undecodable(e.reason().name(), e.getMessage());
        }
        if (result.outcome() != ModelTopicFollower.Outcome.REFUSED) {
            return;
        }
        LOG.warn(
                "model '{}': skipping record {} of the model topic: {}: {}",
                trainer.spec().name(),
                record,
                result.reason(),
                result.message());
        // an update is up to 32 MiB; its bytes stay on the compacted topic, at these coordinates
        out.deadLetter(
                DeadLetterRecords.of(
                        record.topic,
                        record.partition,
                        record.offset,
                        record.key,
                        null,
                        FOLLOW_STAGE,
                        result.reason(),
                        result.message(),
                        now));
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

    /**
     * At the end of the examples (a bounded input, or a draining stop): learn what is left and
     * publish. The end of the model topic input changes nothing.
     */
    @Override
    public void endInput(int inputId) {
        if (inputId == 1) {
            trainer.flush(getProcessingTimeService().getCurrentProcessingTime(), out);
        }
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

    /** What became of the model topic's records so far; for tests. */
    ModelTopicFollower follower() {
        return follower;
    }

    /** Keeps the metrics the trainer reports while there is no output yet. */
    private record Collected(List<DashboardMetric> metrics) implements TrainerOutput {
        @Override
        public void update(ModelUpdate update) {
            throw new IllegalStateException("the trainer publishes nothing while restoring");
        }

        @Override
        public void metric(DashboardMetric metric) {
            metrics.add(metric);
        }

        @Override
        public void deadLetter(DeadLetter deadLetter) {
            throw new IllegalStateException("the trainer refuses no example while restoring");
        }
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
