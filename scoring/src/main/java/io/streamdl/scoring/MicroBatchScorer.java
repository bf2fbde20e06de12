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

    private final String registryUrl;
    private final RegistryClientFactory registries;
    private final ModelLoader loader;
    private final int maxBatch;
    private final long maxWaitMillis;
    private final int maxHeld;

    /** An event waiting to be scored: decoded, and as it arrived (for state and dead letters). */
    private record Pending(RawRecord raw, Features features) {}

    private transient MicroBatch<Pending> batch;
    private transient List<Pending> held;
    private transient List<RawRecord> restored;
    private transient LoadedModel model;
    private transient ModelUpdate modelUpdate;
    private transient ListState<RawRecord> bufferState;
    private transient ListState<ModelUpdate> modelState;
    private transient long timerAt;
    private transient Counter scored;
    private transient Counter batches;
    private transient Counter refused;
    private transient Counter swaps;
    private transient AvroWireDeserializer<Features> decoder;

    public MicroBatchScorer(
            String registryUrl,
            RegistryClientFactory registries,
            ModelLoader loader,
            int maxBatch,
            long maxWaitMillis,
            int maxHeld) {
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
                                        "pending-features", TypeInformation.of(RawRecord.class)));
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
        getMetricGroup().gauge("modelVersion", () -> model == null ? -1L : model.version());
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (RawRecord record : restored) {
            receive(record, now);
        }
        restored = null;
    }

    @Override
    public void processElement1(StreamRecord<RawRecord> element) throws Exception {
        receive(element.getValue(), getProcessingTimeService().getCurrentProcessingTime());
    }

    /**
     * Decodes one record (here, not in an upstream task, so the features are not serialized again
     * between tasks) and holds, batches or refuses it. Every dead letter keeps the record's bytes
     * and coordinates, so it can be replayed.
     */
    private void receive(RawRecord record, long now) {
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
            deadLetter(record, "decode", e.reason().name(), e.getMessage(), now);
            return;
        }
        Pending pending = new Pending(record, features);
        if (model == null) {
            if (held.size() < maxHeld) {
                held.add(pending);
            } else {
                deadLetter(
                        record,
                        "score",
                        "NO_MODEL",
                        "no model has arrived yet and "
                                + maxHeld
                                + " events are already held (scoring.hold.max-events)",
                        now);
            }
            return;
        }
        accept(pending, now);
    }

    private void accept(Pending pending, long now) {
        String misfit = FeatureTensors.misfit(pending.features(), model.spec());
        if (misfit != null) {
            refused.inc();
            deadLetter(
                    pending.raw(),
                    "score",
                    "FEATURES_MISMATCH",
                    "event " + pending.features().getEventId() + ": " + misfit,
                    now);
            return;
        }
        if (batch.add(pending, now)) {
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
        List<Features> events = new ArrayList<>(batch.size());
        batch.drain().forEach(p -> events.add(p.features()));
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
            List<Pending> waiting = held;
            held = new ArrayList<>();
            for (Pending p : waiting) {
                accept(p, now);
            }
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<RawRecord> pending = new ArrayList<>(held.size() + batch.size());
        held.forEach(p -> pending.add(p.raw()));
        batch.peek().forEach(p -> pending.add(p.raw()));
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

    private void deadLetter(
            RawRecord record, String stage, String reason, String message, long now) {
        output.collect(
                DEAD_LETTERS,
                new StreamRecord<>(DeadLetters.of(record, stage, reason, message, now)));
    }
}
