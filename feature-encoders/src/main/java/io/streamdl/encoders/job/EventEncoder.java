package io.streamdl.encoders.job;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncoderRegistry;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.MetricPayload;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.flink.DeadLetters;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.SerdeException;

/**
 * The EncodeJob's core, without Flink: one record of {@code events.raw} in, either features for one
 * encoder or a dead letter naming the stage and reason out. Nothing a record carries can make it
 * throw.
 */
public final class EventEncoder {
    /** Stage names written into dead letters. */
    public static final String STAGE_DECODE = "decode";

    public static final String STAGE_ENCODE = "encode";

    /**
     * The result for one input: exactly one of {@code encoded}, {@code deadLetter} and {@code
     * metric} (a metric event, windowed per series downstream) is set.
     */
    public record Outcome(
            EncoderRegistry.Encoded encoded, DeadLetter deadLetter, MetricPoint metric) {
        Outcome(EncoderRegistry.Encoded encoded, DeadLetter deadLetter) {
            this(encoded, deadLetter, null);
        }
    }

    private final AvroWireDeserializer<RawEvent> events;
    private final EncoderRegistry encoders;

    public EventEncoder(AvroWireDeserializer<RawEvent> events, EncoderRegistry encoders) {
        this.events = events;
        this.encoders = encoders;
    }

    public Outcome apply(RawRecord input, long now) {
        if (input.value == null) {
            return new Outcome(null, DeadLetters.emptyValue(input, STAGE_DECODE, now));
        }
        RawEvent event;
        try {
            event = events.deserialize(input.topic, input.partition, input.offset, input.value);
        } catch (SerdeException e) {
            return dead(input, STAGE_DECODE, e.reason().name(), e.getMessage(), now);
        }
        if (event.getId() == null || event.getId().isBlank()) {
            // scores, labels and features are all keyed by the event id: without one nothing
            // downstream could be attributed to this event
            return dead(input, STAGE_DECODE, "MISSING_EVENT_ID", "the event has no id", now);
        }
        if (event.getPayload() instanceof MetricPayload metric) {
            return new Outcome(
                    null, null, new MetricPoint(input, event.getId(), event.getTs(), metric));
        }
        String kind = payloadKind(event);
        try {
            return new Outcome(encoders.encode(event), null);
        } catch (EncodeException e) {
            return dead(
                    input,
                    STAGE_ENCODE + "." + kind,
                    e.reason().name(),
                    "event " + event.getId() + ": " + e.detail(),
                    now);
        } catch (RuntimeException e) {
            // An encoder bug must not stop the job; the dead letter keeps the input for a replay.
            return dead(
                    input,
                    STAGE_ENCODE + "." + kind,
                    "ENCODER_FAILURE",
                    "event " + event.getId() + ": unexpected " + e,
                    now);
        }
    }

    private static String payloadKind(RawEvent event) {
        Object payload = event.getPayload();
        if (payload == null) {
            return "none";
        }
        String name = payload.getClass().getSimpleName();
        return name.endsWith("Payload")
                ? name.substring(0, name.length() - "Payload".length()).toLowerCase()
                : name;
    }

    private static Outcome dead(
            RawRecord input, String stage, String reason, String message, long now) {
        return new Outcome(null, DeadLetters.of(input, stage, reason, message, now));
    }
}
