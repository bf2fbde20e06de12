package io.streamdl.schemas.flink;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Passes Kafka records through undecoded, keeping topic, partition and offset; optionally leaves
 * out the records whose {@value #SCORED_BY} header names a model (already scored in the job that
 * wrote them, see {@code FusedScoreJob}).
 */
public final class RawRecordSchema implements KafkaRecordDeserializationSchema<RawRecord> {
    private static final long serialVersionUID = 1L;

    /**
     * Header of a features record that was scored where it was made: the models, comma-separated.
     */
    public static final String SCORED_BY = "streamdl-scored-by";

    private final String skipScoredBy;

    /** Every record. */
    public RawRecordSchema() {
        this(null);
    }

    /** Every record but those whose {@link #SCORED_BY} header names {@code model}. */
    public RawRecordSchema(String model) {
        this.skipScoredBy = model;
    }

    /** Whether {@code header}, a {@link #SCORED_BY} value, names {@code model}. */
    public static boolean names(byte[] header, String model) {
        if (header == null) {
            return false;
        }
        for (String m : new String(header, StandardCharsets.UTF_8).split(",")) {
            if (m.equals(model)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        if (skipScoredBy != null) {
            Header scored = record.headers().lastHeader(SCORED_BY);
            if (scored != null && names(scored.value(), skipScoredBy)) {
                return;
            }
        }
        out.collect(
                new RawRecord(
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp(),
                        record.key(),
                        record.value()));
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
