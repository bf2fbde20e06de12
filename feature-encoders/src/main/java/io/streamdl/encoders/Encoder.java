package io.streamdl.encoders;

import io.streamdl.schemas.avro.Features;
import java.io.Serializable;

/**
 * Turns one payload of type {@code P} into a tensor. Implementations are immutable and thread-safe,
 * and serializable so that a Flink function can hold one.
 *
 * <p>Contract of {@link #encode}: it returns a {@link Features} whose {@code encodedBy} is {@link
 * #encodedBy()}, or throws {@link EncodeException} for any input it refuses, however malformed;
 * limits are checked before any large allocation, so hostile input cannot exhaust memory. Other
 * exceptions are bugs.
 *
 * @param <P> the Avro payload type this encoder reads
 */
public interface Encoder<P> extends Serializable {
    /** The encoder's name, also the suffix of its topic {@code features.<name>}. */
    String name();

    /**
     * The version of what this encoder emits. It changes whenever the same input could give
     * different features: a new implementation, another output-affecting configuration, another
     * vocabulary.
     */
    String version();

    /** {@code name@version}, written to {@code Features.encodedBy}. */
    default String encodedBy() {
        return name() + "@" + version();
    }

    /** The payload class this encoder reads. */
    Class<P> payloadType();

    /**
     * Encodes one payload.
     *
     * @param eventId the source event's id, copied to {@code Features.eventId}
     * @param ts the source event's time, copied to {@code Features.ts}
     * @param payload the payload to encode
     * @throws EncodeException if the payload is refused; its reason says why
     */
    Features encode(String eventId, long ts, P payload);
}
