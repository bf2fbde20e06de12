package io.streamdl.schemas.flink;

import java.util.Arrays;
import java.util.Objects;

/**
 * A Kafka record as it arrived, bytes undecoded, with where it came from. Jobs decode it in an
 * operator so that a record that fails can go to the dead-letter topic with its coordinates. A
 * Flink POJO (public fields, no-argument constructor).
 */
public final class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] key;
    public byte[] value;

    public RawRecord() {}

    public RawRecord(
            String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawRecord r
                && topic.equals(r.topic)
                && partition == r.partition
                && offset == r.offset
                && timestamp == r.timestamp
                && Arrays.equals(key, r.key)
                && Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
