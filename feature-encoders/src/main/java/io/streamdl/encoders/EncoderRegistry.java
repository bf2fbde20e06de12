package io.streamdl.encoders;

import io.streamdl.encoders.EncodeException.Reason;
import io.streamdl.encoders.audio.AudioEncoder;
import io.streamdl.encoders.audio.AudioEncoderConfig;
import io.streamdl.encoders.image.ImageEncoder;
import io.streamdl.encoders.image.ImageEncoderConfig;
import io.streamdl.encoders.text.TextEncoder;
import io.streamdl.encoders.text.TextEncoderConfig;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.RawEvent;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Routes a {@link RawEvent}'s payload to the encoder for its type. Immutable and serializable, so a
 * Flink function can hold one; at most one encoder per payload type and per name.
 */
public final class EncoderRegistry implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * An encoded event.
     *
     * @param encoderName the encoder's {@link Encoder#name()}, so the topic is {@code
     *     features.<encoderName>}
     * @param features the tensor, stamped with the encoder's {@code name@version}
     */
    public record Encoded(String encoderName, Features features) {}

    private final Map<Class<?>, Encoder<?>> byPayload;

    private EncoderRegistry(Map<Class<?>, Encoder<?>> byPayload) {
        this.byPayload = byPayload;
    }

    /**
     * A registry of {@code encoders}.
     *
     * @throws IllegalArgumentException if two encoders share a payload type or a name
     */
    public static EncoderRegistry of(Encoder<?>... encoders) {
        Map<Class<?>, Encoder<?>> byPayload = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (Encoder<?> encoder : encoders) {
            if (byPayload.putIfAbsent(encoder.payloadType(), encoder) != null) {
                throw new IllegalArgumentException(
                        "two encoders for " + encoder.payloadType().getSimpleName());
            }
            if (names.contains(encoder.name())) {
                throw new IllegalArgumentException("two encoders named " + encoder.name());
            }
            names.add(encoder.name());
        }
        return new EncoderRegistry(byPayload);
    }

    /**
     * The image, audio and text encoders configured by {@code settings} (keys of {@link
     * ImageEncoderConfig}, {@link AudioEncoderConfig}, {@link TextEncoderConfig}); the text encoder
     * only when {@code text.vocab.path} is set, since it needs a vocabulary.
     *
     * @throws ConfigException naming the key of the first invalid setting
     */
    public static EncoderRegistry fromSettings(Map<String, String> settings) {
        return fromConfigs(
                ImageEncoderConfig.from(settings),
                AudioEncoderConfig.from(settings),
                TextEncoderConfig.from(settings));
    }

    /**
     * The image, audio and text encoders of these configs; the text encoder only when its
     * vocabulary path is set.
     */
    public static EncoderRegistry fromConfigs(
            ImageEncoderConfig image, AudioEncoderConfig audio, TextEncoderConfig text) {
        List<Encoder<?>> encoders = new ArrayList<>();
        encoders.add(new ImageEncoder(image));
        encoders.add(new AudioEncoder(audio));
        if (!text.vocabPath().isBlank()) {
            encoders.add(TextEncoder.fromConfig(text));
        }
        return of(encoders.toArray(new Encoder<?>[0]));
    }

    /** The encoders, in registration order. */
    public List<Encoder<?>> encoders() {
        return List.copyOf(byPayload.values());
    }

    /** The encoder for {@code payload}'s type, if one is registered. */
    public Optional<Encoder<?>> encoderFor(Object payload) {
        return payload == null
                ? Optional.empty()
                : Optional.ofNullable(byPayload.get(payload.getClass()));
    }

    /** The encoder named {@code name}, if one is registered. */
    public Optional<Encoder<?>> encoderNamed(String name) {
        return byPayload.values().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /**
     * Encodes {@code event} with the encoder for its payload type.
     *
     * @throws EncodeException with {@link Reason#NO_ENCODER} if the event has no payload or no
     *     encoder takes its type, or with the encoder's reason if it refuses the payload
     */
    public Encoded encode(RawEvent event) {
        Object payload = event.getPayload();
        Encoder<?> encoder =
                encoderFor(payload)
                        .orElseThrow(
                                () ->
                                        new EncodeException(
                                                Reason.NO_ENCODER,
                                                payload == null
                                                        ? "the event has no payload"
                                                        : "no encoder is configured for "
                                                                + payload.getClass()
                                                                        .getSimpleName()));
        return new Encoded(encoder.name(), encodeWith(encoder, event, payload));
    }

    private static <P> Features encodeWith(Encoder<P> encoder, RawEvent event, Object payload) {
        return encoder.encode(event.getId(), event.getTs(), encoder.payloadType().cast(payload));
    }
}
