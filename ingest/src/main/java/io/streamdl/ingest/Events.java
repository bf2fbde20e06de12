package io.streamdl.ingest;

import io.streamdl.schemas.avro.AudioPayload;
import io.streamdl.schemas.avro.ImagePayload;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.MetricPayload;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.avro.TextPayload;
import java.nio.ByteBuffer;
import java.util.Map;

/** Builds the records ingest sends. */
public final class Events {
    private Events() {}

    public static RawEvent image(
            String id,
            long ts,
            String source,
            String contentType,
            byte[] data,
            Integer width,
            Integer height,
            Map<String, String> attributes) {
        return RawEvent.newBuilder()
                .setId(id)
                .setTs(ts)
                .setSource(source)
                .setPayload(new ImagePayload(contentType, width, height, ByteBuffer.wrap(data)))
                .setAttributes(Map.copyOf(attributes))
                .build();
    }

    public static RawEvent audio(
            String id, long ts, String source, byte[] wav, Map<String, String> attributes) {
        return RawEvent.newBuilder()
                .setId(id)
                .setTs(ts)
                .setSource(source)
                .setPayload(new AudioPayload("audio/wav", ByteBuffer.wrap(wav)))
                .setAttributes(Map.copyOf(attributes))
                .build();
    }

    public static RawEvent text(
            String id, long ts, String source, String text, Map<String, String> attributes) {
        return RawEvent.newBuilder()
                .setId(id)
                .setTs(ts)
                .setSource(source)
                .setPayload(new TextPayload(text, null))
                .setAttributes(Map.copyOf(attributes))
                .build();
    }

    /** One observation of metric series {@code series}. */
    public static RawEvent metric(
            String id,
            long ts,
            String source,
            String series,
            double value,
            Map<String, String> attributes) {
        return RawEvent.newBuilder()
                .setId(id)
                .setTs(ts)
                .setSource(source)
                .setPayload(new MetricPayload(series, value, java.util.List.of()))
                .setAttributes(Map.copyOf(attributes))
                .build();
    }

    public static Label label(String eventId, String label, long ts) {
        return new Label(eventId, label, ts);
    }
}
