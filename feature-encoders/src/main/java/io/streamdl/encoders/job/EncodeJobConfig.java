package io.streamdl.encoders.job;

import io.streamdl.encoders.EncoderRegistry;
import io.streamdl.encoders.audio.AudioEncoderConfig;
import io.streamdl.encoders.image.ImageEncoderConfig;
import io.streamdl.encoders.metric.MetricEncoderConfig;
import io.streamdl.encoders.text.TextEncoderConfig;
import io.streamdl.schemas.config.ConfigOption;
import io.streamdl.schemas.config.ConfigSchema;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the EncodeJob runs and what its encoders emit. Immutable; {@link #of} reads the {@code
 * encode.*} keys of {@link #OPTIONS} and the encoders' {@code image.*}, {@code audio.*} and {@code
 * text.*} keys, refusing unknown keys under those prefixes.
 *
 * @param parallelism parallelism of the source and the decode-and-encode operator
 * @param image the image encoder's settings
 * @param audio the audio encoder's settings
 * @param text the text encoder's settings (no text encoder when its vocabulary path is empty)
 * @param metric how metric series are windowed
 */
public record EncodeJobConfig(
        int parallelism,
        ImageEncoderConfig image,
        AudioEncoderConfig audio,
        TextEncoderConfig text,
        MetricEncoderConfig metric)
        implements Serializable {
    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOption.intRange("encode.parallelism", 1, 1, 1024, "parallelism of the EncodeJob");

    public static final List<ConfigOption<?>> OPTIONS = List.of(PARALLELISM);

    public EncodeJobConfig {
        PARALLELISM.check(parallelism);
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(audio, "audio");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(metric, "metric");
    }

    /**
     * Reads the job's and the encoders' keys from {@code settings}; absent keys take their
     * defaults.
     *
     * @throws io.streamdl.schemas.config.ConfigException naming the key of a bad or unknown value
     */
    public static EncodeJobConfig of(Map<String, String> settings) {
        ConfigSchema.refuseUnknown(settings, "encode.", OPTIONS);
        return new EncodeJobConfig(
                PARALLELISM.read(settings),
                ImageEncoderConfig.from(settings),
                AudioEncoderConfig.from(settings),
                TextEncoderConfig.from(settings),
                MetricEncoderConfig.from(settings));
    }

    /** The names of the encoders of this config, without loading anything. */
    public java.util.Set<String> encoderNames() {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        names.add(io.streamdl.encoders.image.ImageEncoder.NAME);
        names.add(io.streamdl.encoders.audio.AudioEncoder.NAME);
        if (!text.vocabPath().isBlank()) {
            names.add(io.streamdl.encoders.text.TextEncoder.NAME);
        }
        return names;
    }

    /** The encoders of this config (loads the text vocabulary, if one is configured). */
    public EncoderRegistry encoders() {
        return EncoderRegistry.fromConfigs(image, audio, text);
    }
}
