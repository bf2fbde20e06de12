package io.streamdl.schemas.flink;

import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
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
 * Decodes raw Kafka records into one record class; anything that does not decode goes to {@link
 * #DEAD_LETTERS} with stage {@code decode} and the serde's reason, so a job never stops on it.
 */
public final class DecodeRecords<T extends SpecificRecord> extends ProcessFunction<RawRecord, T>
        implements ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("decode-dead-letters", TypeInformation.of(DeadLetter.class));

    private final Class<T> type;
    private final String registryUrl;
    private transient AvroWireDeserializer<T> reader;
    private transient Counter refused;

    public DecodeRecords(Class<T> type, String registryUrl) {
        this.type = type;
        this.registryUrl = registryUrl;
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }

    @Override
    public void open(OpenContext context) {
        reader = AvroWireDeserializer.specific(new RestSchemaRegistryClient(registryUrl), type);
        refused = getRuntimeContext().getMetricGroup().counter("decodeRefused");
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<T> out) {
        if (record.value == null) {
            refused.inc();
            ctx.output(
                    DEAD_LETTERS,
                    DeadLetters.of(
                            record,
                            "decode",
                            "EMPTY_VALUE",
                            "the record has no value",
                            System.currentTimeMillis()));
            return;
        }
        try {
            out.collect(
                    reader.deserialize(
                            record.topic, record.partition, record.offset, record.value));
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
        }
    }
}
