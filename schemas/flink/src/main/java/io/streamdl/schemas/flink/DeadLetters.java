package io.streamdl.schemas.flink;

import io.streamdl.schemas.avro.DeadLetter;
import java.nio.ByteBuffer;

/** Builds {@link DeadLetter} records: the input as it arrived, where from, which stage and why. */
public final class DeadLetters {
    private DeadLetters() {}

    public static DeadLetter of(
            RawRecord input, String stage, String reason, String message, long now) {
        return DeadLetter.newBuilder()
                .setSourceTopic(input.topic)
                .setPartition(input.partition)
                .setOffset(input.offset)
                .setStage(stage)
                .setError(reason)
                .setMessage(message == null ? reason : message)
                .setKey(input.key == null ? null : ByteBuffer.wrap(input.key))
                .setValue(input.value == null ? null : ByteBuffer.wrap(input.value))
                .setTs(now)
                .build();
    }
}
