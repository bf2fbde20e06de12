package io.streamdl.scoring;

import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.flink.DeadLetters;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.SerdeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Scores features in micro-batches with the newest verified model, stamping its version on every
 * score. Input 1: raw features records (decoded here); input 2: verified model updates, broadcast
 * to every instance.
 *
 * <ul>
 *   <li>A batch closes at {@code maxBatch} events or {@code maxWaitMillis} after its first event.
 *   <li>A newer update first flushes the open batch with the current model, then swaps, so a batch
 *       is never scored by two versions; older or equal versions are ignored.
 *   <li>Before any model has arrived, events are held (in checkpointed state) up to {@code
 *       maxHeld}; beyond that they go to the dead-letter output with reason {@code NO_MODEL}. Flink
 *       refuses checkpointing for operators that pick their input ({@code InputSelectable}), so
 *       holding back the features input itself is not an option.
 *   <li>The open batch, the held events and the current update are operator state: a restore
 *       neither loses nor duplicates a score (with the transactional sink).
 * </ul>
 */
public final class MicroBatchScorer extends AbstractStreamOperator<Score>
        implements TwoInputStreamOperator<RawRecord, ModelUpdate, Score> {
    private static final long serialVersionUID = 1L;

    /** Features the model cannot take, and events beyond the hold limit. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("score-dead-letters", TypeInformation.of(DeadLetter.class));

    private final String featuresTopic;
    private final String registryUrl;
    private final RegistryClientFactory registries;
    private final ModelLoader loader;
    private final int maxBatch;
    private final long maxWaitMillis;
    private final int maxHeld;

    private transient MicroBatch<Features> batch;
    private transient List<Features> held;
    private transient LoadedModel model;
    private transient ModelUpdate modelUpdate;
    private transient ListState<Features> bufferState;
    private transient ListState<ModelUpdate> modelState;
    private transient long timerAt;
    private transient Counter scored;
    private transient Counter batches;
    private transient Counter refused;
    private transient Counter swaps;
    private transient AvroWireDeserializer<Features> decoder;

    public MicroBatchScorer(
            String featuresTopic,
            String registryUrl,
            RegistryClientFactory registries,
            ModelLoader loader,
            int maxBatch,
            long maxWaitMillis,
            int maxHeld) {
        this.featuresTopic = featuresTopic;
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
        batch = new MicroBatch<>(maxBatch, maxWaitMillis);
        held = new ArrayList<>();
        bufferState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "pending-features", TypeInformation.of(Features.class)));
        // Union state: after a rescale every instance gets the update back, not just one of them.
        modelState =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        "current-model", TypeInformation.of(ModelUpdate.class)));
        ModelUpdate newest = null;
        for (ModelUpdate update : modelState.get()) {
            if (newest == null || update.getVersion() > newest.getVersion()) {
                newest = update;
            }
        }
        if (newest != null) {
            model = loader.load(newest);
            modelUpdate = newest;
        }
        for (Features f : bufferState.get()) {
            held.add(f);
        }
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
        getMetricGroup().gauge("modelVersion", () -> model == null ? -1L : model.version());
        if (model != null && !held.isEmpty()) {
            List<Features> restored = held;
            held = new ArrayList<>();
            long now = getProcessingTimeService().getCurrentProcessingTime();
            for (Features f : restored) {
                accept(f, now);
            }
        }
    }

    @Override
    public void processElement1(StreamRecord<RawRecord> element) throws Exception {
        RawRecord record = element.getValue();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        // Decoding here, not in an upstream task, keeps the features from being serialized
        // again between tasks: the raw bytes travel, and a bad record keeps its offset.
        Features features;
        try {
            if (record.value == null) {
                throw new SerdeException(
                        record.topic,
                        record.partition,
                        record.offset,
                        SerdeException.Reason.NO_MAGIC_BYTE,
                        "the record has no value",
                        null);
            }
            features =
                    decoder.deserialize(
                            record.topic, record.partition, record.offset, record.value);
        } catch (SerdeException e) {
            output.collect(
                    DEAD_LETTERS,
                    new StreamRecord<>(
                            DeadLetters.of(
                                    record, "decode", e.reason().name(), e.getMessage(), now)));
            return;
        }
        if (model == null) {
            if (held.size() < maxHeld) {
                held.add(features);
            } else {
                deadLetter(
                        features,
                        "NO_MODEL",
                        "no model has arrived yet and "
                                + maxHeld
                                + " events are already held (scoring.hold.max-events)",
                        now);
            }
            return;
        }
        accept(features, now);
    }

    private void accept(Features features, long now) {
        String misfit = FeatureTensors.misfit(features, model.spec());
        if (misfit != null) {
            refused.inc();
            deadLetter(
                    features,
                    "FEATURES_MISMATCH",
                    "event " + features.getEventId() + ": " + misfit,
                    now);
            return;
        }
        if (batch.add(features, now)) {
            flush(now);
        } else if (timerAt != batch.deadline()) {
            timerAt = batch.deadline();
            getProcessingTimeService().registerTimer(timerAt, this::onDeadline);
        }
    }

    private void onDeadline(long time) {
        if (!batch.isEmpty() && batch.deadline() <= time) {
            flush(time);
        }
    }

    private void flush(long now) {
        if (batch.isEmpty()) {
            return;
        }
        List<Features> events = batch.drain();
        timerAt = -1;
        for (Score score : model.score(events, now)) {
            output.collect(new StreamRecord<>(score));
        }
        scored.inc(events.size());
        batches.inc();
    }

    @Override
    public void processElement2(StreamRecord<ModelUpdate> element) throws Exception {
        ModelUpdate update = element.getValue();
        if (model != null && update.getVersion() <= model.version()) {
            return;
        }
        LoadedModel next = loader.load(update);
        long now = getProcessingTimeService().getCurrentProcessingTime();
        LoadedModel previous = model;
        if (previous != null) {
            flush(now);
        }
        model = next;
        modelUpdate = update;
        swaps.inc();
        if (previous != null) {
            previous.close();
        }
        if (!held.isEmpty()) {
            List<Features> waiting = held;
            held = new ArrayList<>();
            for (Features f : waiting) {
                accept(f, now);
            }
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<Features> pending = new ArrayList<>(held);
        pending.addAll(batch.peek());
        bufferState.update(pending);
        modelState.update(modelUpdate == null ? List.of() : List.of(modelUpdate));
    }

    @Override
    public void finish() throws Exception {
        if (model != null) {
            flush(getProcessingTimeService().getCurrentProcessingTime());
        }
        super.finish();
    }

    @Override
    public void close() throws Exception {
        if (model != null) {
            model.close();
        }
        super.close();
    }

    private void deadLetter(Features features, String reason, String message, long now) {
        output.collect(
                DEAD_LETTERS,
                new StreamRecord<>(
                        DeadLetter.newBuilder()
                                .setSourceTopic(featuresTopic)
                                .setPartition(-1)
                                .setOffset(-1L)
                                .setStage("score")
                                .setError(reason)
                                .setMessage(message)
                                .setKey(
                                        ByteBuffer.wrap(
                                                features.getEventId()
                                                        .getBytes(StandardCharsets.UTF_8)))
                                .setValue(null)
                                .setTs(now)
                                .build()));
    }
}
