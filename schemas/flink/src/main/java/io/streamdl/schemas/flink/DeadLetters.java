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
        boolean tooLarge = input.value != null && input.value.length > MAX_VALUE_BYTES;
        return DeadLetterRecords.of(
                input.topic,
                input.partition,
                input.offset,
                input.key,
                tooLarge ? null : input.value,
                stage,
                reason,
                tooLarge
                        ? message
                                + " (its "
                                + input.value.length
                                + "-byte value is left out: dlq takes the broker's default 1 MB"
                                + " messages; it is at the offset above)"
                        : message,
                now);
    }

    /**
     * A refused record larger than this (a model update can be 32 MiB) is dead-lettered without its
     * value, which would not fit a {@code dlq} message of the broker's default size.
     */
    public static final int MAX_VALUE_BYTES = 900 * 1024;
}
