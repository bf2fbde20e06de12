package io.streamdl.schemas.config;

import java.util.List;

/**
 * The options of one component (an encoder, the scorers, the trainers, the platform), as {@code
 * ./pipeline config} lists them.
 *
 * @param title what the component is, e.g. "image encoder (EncodeJob)"
 * @param options its keys, in the order they are listed
 */
public record ConfigGroup(String title, List<ConfigOption<?>> options) {
    public ConfigGroup {
        options = List.copyOf(options);
    }

    public static ConfigGroup of(String title, List<? extends ConfigOption<?>> options) {
        return new ConfigGroup(title, List.copyOf(options));
    }
}
