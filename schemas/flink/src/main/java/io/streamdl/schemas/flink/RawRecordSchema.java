package io.streamdl.schemas.flink;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
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
    private transient Counter skipped;

    /** Every record. */
    public RawRecordSchema() {
        this(null);
    }

    /** Every record but those whose {@link #SCORED_BY} header names {@code model}. */
    public RawRecordSchema(String model) {
        this.skipScoredBy = model;
    }

    /**
     * Whether {@code header}, a {@link #SCORED_BY} value, names {@code model}: compared as bytes,
     * since it is read for every record of the topic.
     */
    public static boolean names(byte[] header, String model) {
        if (header == null) {
            return false;
        }
        byte[] m = model.getBytes(StandardCharsets.UTF_8);
        int start = 0;
        for (int i = 0; i <= header.length; i++) {
            if (i == header.length || header[i] == ',') {
                if (i - start == m.length
                        && java.util.Arrays.equals(header, start, i, m, 0, m.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /**
     * Counts the records left out ({@code recordsScoredWhereMade}), so that a record whose header
     * claims a model scored it is visible on the job's metrics rather than gone without trace.
     */
    @Override
    public void open(DeserializationSchema.InitializationContext context) throws Exception {
        if (skipScoredBy != null) {
            skipped = context.getMetricGroup().counter("recordsScoredWhereMade");
        }
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        if (skipScoredBy != null) {
            Header scored = record.headers().lastHeader(SCORED_BY);
            if (scored != null && names(scored.value(), skipScoredBy)) {
                if (skipped != null) {
                    skipped.inc();
                }
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
