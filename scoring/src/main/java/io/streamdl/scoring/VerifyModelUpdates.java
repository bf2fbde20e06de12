package io.streamdl.scoring;

import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.flink.DeadLetters;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.SerdeException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and verifies model updates in their own task, off the scorers' hot path: only updates
 * that pass (checksum, signature, spec, finite weights) reach the scorers; refused ones go to the
 * dead-letter output with the reason, and the last good model keeps serving.
 */
public final class VerifyModelUpdates extends ProcessFunction<RawRecord, ModelUpdate> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("update-dead-letters", TypeInformation.of(DeadLetter.class));

    private final String registryUrl;
    private final RegistryClientFactory registries;
    private final String model;
    private final UpdateVerifier verifier;
    private transient AvroWireDeserializer<ModelUpdate> reader;
    private transient Counter accepted;
    private transient Counter refused;

    public VerifyModelUpdates(
            String registryUrl,
            RegistryClientFactory registries,
            String model,
            UpdateVerifier verifier) {
        this.registryUrl = registryUrl;
        this.registries = registries;
        this.model = model;
        this.verifier = verifier;
    }

    @Override
    public void open(OpenContext context) {
        reader =
                AvroWireDeserializer.specific(
                        registries.create(SerdeConfig.forValues(registryUrl)), ModelUpdate.class);
        accepted = getRuntimeContext().getMetricGroup().counter("updatesAccepted");
        refused = getRuntimeContext().getMetricGroup().counter("updatesRefused");
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<ModelUpdate> out) {
        long now = System.currentTimeMillis();
        if (record.value == null) {
            return; // a compaction tombstone: nothing to serve, nothing lost
        }
        ModelUpdate update;
        try {
            update =
                    reader.deserialize(record.topic, record.partition, record.offset, record.value);
        } catch (SerdeException e) {
            refuse(ctx, record, e.reason().name(), e.getMessage(), now);
            return;
        }
        if (!model.equals(update.getModel())) {
            refuse(
                    ctx,
                    record,
                    "WRONG_MODEL",
                    "update for model " + update.getModel() + " on the topic of " + model,
                    now);
            return;
        }
        UpdateVerifier.Refusal refusal;
        try {
            refusal = verifier.check(update);
        } catch (RuntimeException e) {
            refusal = new UpdateVerifier.Refusal("VERIFICATION_FAILED", e.toString());
        }
        if (refusal != null) {
            refuse(
                    ctx,
                    record,
                    refusal.reason(),
                    "version " + update.getVersion() + ": " + refusal.message(),
                    now);
            return;
        }
        accepted.inc();
        out.collect(update);
    }

    private void refuse(Context ctx, RawRecord record, String reason, String message, long now) {
        refused.inc();
        ctx.output(DEAD_LETTERS, DeadLetters.of(record, "verify-model", reason, message, now));
    }
}
