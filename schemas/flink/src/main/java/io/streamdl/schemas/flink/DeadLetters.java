package io.streamdl.schemas.flink;

import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.topics.DeadLetterRecords;

/** Builds {@link DeadLetter} records: the input as it arrived, where from, which stage and why. */
public final class DeadLetters {
    /** The reason of a record without a value (a tombstone), at whichever stage reads it. */
    public static final String EMPTY_VALUE = "EMPTY_VALUE";

    private DeadLetters() {}

    /** The dead letter of a record without a value read at {@code stage}. */
    public static DeadLetter emptyValue(RawRecord input, String stage, long now) {
        return of(input, stage, EMPTY_VALUE, "the record has no value (a tombstone)", now);
    }

    public static DeadLetter of(
            RawRecord input, String stage, String reason, String message, long now) {
        return DeadLetterRecords.of(
                input.topic,
                input.partition,
                input.offset,
                input.key,
                input.value,
                stage,
                reason,
                message,
                now);
    }
}
