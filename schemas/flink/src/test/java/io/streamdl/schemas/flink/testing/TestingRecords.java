package io.streamdl.schemas.flink.testing;

import io.streamdl.schemas.flink.RawRecord;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * A bounded Flink source of the given raw records, split among the source's subtasks: a job's
 * topology runs in a test without Kafka.
 */
public final class TestingRecords implements GeneratorFunction<Long, RawRecord> {
    private static final long serialVersionUID = 1L;

    /** A serializable copy of a {@link RawRecord} (which is a Flink POJO, not Serializable). */
    private record Copy(
            String topic, int partition, long offset, long timestamp, byte[] key, byte[] value)
            implements Serializable {}

    private final List<Copy> records;

    private TestingRecords(List<Copy> records) {
        this.records = records;
    }

    public static Source<RawRecord, ?, ?> source(List<RawRecord> records) {
        List<Copy> copies = new ArrayList<>(records.size());
        for (RawRecord r : records) {
            copies.add(new Copy(r.topic, r.partition, r.offset, r.timestamp, r.key, r.value));
        }
        return new DataGeneratorSource<>(
                new TestingRecords(copies), copies.size(), TypeInformation.of(RawRecord.class));
    }

    @Override
    public RawRecord map(Long index) {
        Copy c = records.get(Math.toIntExact(index));
        return new RawRecord(
                c.topic(), c.partition(), c.offset(), c.timestamp(), c.key(), c.value());
    }
}
