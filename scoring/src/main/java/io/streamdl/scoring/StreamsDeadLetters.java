package io.streamdl.scoring;

import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.topics.DeadLetterRecords;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** The dead letter of a raw record a Kafka Streams processor refuses, with where it was read. */
public final class StreamsDeadLetters {
    private StreamsDeadLetters() {}

    /**
     * @param where the record's coordinates, when the processor knows them (null: unknown, -1)
     */
    public static DeadLetter of(
            Record<byte[], byte[]> record,
            RecordMetadata where,
            String stage,
            String reason,
            String message,
            long now) {
        return DeadLetterRecords.of(
                where == null ? "" : where.topic(),
                where == null ? -1 : where.partition(),
                where == null ? -1 : where.offset(),
                record.key(),
                record.value(),
                stage,
                reason,
                message,
                now);
    }
}
