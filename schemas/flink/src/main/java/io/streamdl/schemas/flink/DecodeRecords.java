package io.streamdl.schemas.flink;

import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.SerdeException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes raw Kafka records into one record class and checks them; anything that does not decode
 * goes to {@link #DEAD_LETTERS} with stage {@code decode} and the serde's reason, anything its
 * {@link RecordCheck} refuses with stage {@code check} and the check's reason, so a job never stops
 * on either. Records the check skips (meant for another consumer) are counted ({@code
 * decodeSkipped}). The registry client is made by the given factory when the task opens.
 */
public final class DecodeRecords<T extends SpecificRecord> extends ProcessFunction<RawRecord, T>
        implements ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("decode-dead-letters", TypeInformation.of(DeadLetter.class));

    private final Class<T> type;
    private final SerdeConfig serde;
    private final RegistryClientFactory registries;
    private final RecordCheck<T> check;
    private transient AvroWireDeserializer<T> reader;
    private transient Counter refused;
    private transient Counter skipped;

    /** Decodes with a REST client of {@code registryUrl} and accepts every decoded record. */
    public DecodeRecords(Class<T> type, String registryUrl) {
        this(type, registryUrl, RegistryClientFactory.rest(), RecordCheck.acceptAll());
    }

    public DecodeRecords(
            Class<T> type,
            String registryUrl,
            RegistryClientFactory registries,
            RecordCheck<T> check) {
        this.type = type;
        this.serde = SerdeConfig.forValues(registryUrl);
        this.registries = registries;
        this.check = check;
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }

    @Override
    public void open(OpenContext context) {
        reader = AvroWireDeserializer.specific(registries.create(serde), type);
        refused = getRuntimeContext().getMetricGroup().counter("decodeRefused");
        skipped = getRuntimeContext().getMetricGroup().counter("decodeSkipped");
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<T> out) {
        if (record.value == null) {
            refused.inc();
            ctx.output(
                    DEAD_LETTERS,
                    DeadLetters.emptyValue(record, "decode", System.currentTimeMillis()));
            return;
        }
        T decoded;
        try {
            decoded =
                    reader.deserialize(record.topic, record.partition, record.offset, record.value);
        } catch (SerdeException e) {
            refused.inc();
            ctx.output(
                    DEAD_LETTERS,
                    DeadLetters.of(
                            record,
                            "decode",
                            e.reason().name(),
                            e.getMessage(),
                            System.currentTimeMillis()));
            return;
        }
        RecordCheck.Verdict verdict;
        try {
            verdict = check.check(decoded);
        } catch (RuntimeException e) {
            // a bug in a check must not stop the job; the dead letter keeps the record for a replay
            verdict = RecordCheck.Verdict.refuse("CHECK_FAILURE", "unexpected " + e);
        }
        if (verdict == null) {
            out.collect(decoded);
        } else if (verdict.deadLetter()) {
            refused.inc();
            ctx.output(
                    DEAD_LETTERS,
                    DeadLetters.of(
                            record,
                            "check",
                            verdict.reason(),
                            verdict.message(),
                            System.currentTimeMillis()));
        } else {
            skipped.inc();
        }
    }
}
