package io.streamdl.schemas.topics;

import io.streamdl.schemas.avro.DeadLetter;
import java.nio.ByteBuffer;

/**
 * Builds the {@link DeadLetter} of a refused input: where it came from (topic, partition, offset;
 * -1 when unknown), its bytes as they arrived, the stage that refused it and why. Every job and app
 * of the pipeline writes its dead letters through here, so they all read alike.
 */
public final class DeadLetterRecords {
    private DeadLetterRecords() {}

    /**
     * @param message what a user should read; the reason when null
     * @param now when it was refused, epoch milliseconds
     */
    public static DeadLetter of(
            String topic,
            int partition,
            long offset,
            byte[] key,
            byte[] value,
            String stage,
            String reason,
            String message,
            long now) {
        return DeadLetter.newBuilder()
                .setSourceTopic(topic == null ? "" : topic)
                .setPartition(partition)
                .setOffset(offset)
                .setStage(stage)
                .setError(reason)
                .setMessage(message == null ? reason : message)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setTs(now)
                .build();
    }
}
