package io.streamdl.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record that could not be written or read in the Confluent wire format. It names the topic,
 * partition and offset (-1 when unknown, as in a plain Kafka {@code Deserializer}) and a stable
 * {@link Reason}, so that jobs can route the record to the dead-letter topic.
 */
public class SerdeException extends SerializationException {
    /** Why a record was refused; the names are stable and appear in dead letters. */
    public enum Reason {
        /** The value does not start with the magic byte 0. */
        NO_MAGIC_BYTE,
        /** The value ends before its header or its Avro body does. */
        TRUNCATED,
        /** The schema id in the header is not known to the registry. */
        UNKNOWN_SCHEMA_ID,
        /** The Avro body cannot be decoded with its writer schema. */
        MALFORMED_AVRO,
        /** Bytes remain after the Avro body. */
        TRAILING_BYTES,
        /** The writer schema cannot be read with the reader schema. */
        INCOMPATIBLE_SCHEMA,
        /** The record to write does not match its own schema. */
        RECORD_SCHEMA_MISMATCH,
        /** The object to write is not an Avro record. */
        NOT_AVRO,
        /** The registry refused to register the writer schema. */
        REGISTRATION_REFUSED,
        /** The registry could not be reached or failed. */
        REGISTRY_UNAVAILABLE
    }

    private final String topic;
    private final int partition;
    private final long offset;
    private final Reason reason;

    public SerdeException(
            String topic,
            int partition,
            long offset,
            Reason reason,
            String detail,
            Throwable cause) {
        super(describe(topic, partition, offset, reason, detail), cause);
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.reason = reason;
    }

    private static String describe(
            String topic, int partition, long offset, Reason reason, String detail) {
        StringBuilder where = new StringBuilder(reason.name()).append(" at topic ").append(topic);
        if (partition >= 0) {
            where.append(", partition ").append(partition);
        }
        if (offset >= 0) {
            where.append(", offset ").append(offset);
        }
        return where.append(": ").append(detail).toString();
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    public Reason reason() {
        return reason;
    }
}
