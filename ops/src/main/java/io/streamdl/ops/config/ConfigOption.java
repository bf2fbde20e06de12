package io.streamdl.ops.config;

import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key: its default, what it means, how to parse it and what values are valid. A
 * bad value fails at start with a message naming the key.
 */
public record ConfigOption<T>(
        String key,
        String defaultValue,
        String description,
        Function<String, T> parser,
        Predicate<T> validator,
        String expected) {

    public T parse(String raw) {
        T value;
        try {
            value = parser.apply(raw.trim());
        } catch (RuntimeException e) {
            throw new ConfigException(key, raw, expected);
        }
        if (!validator.test(value)) {
            throw new ConfigException(key, raw, expected);
        }
        return value;
    }

    public static ConfigOption<String> string(String key, String defaultValue, String description) {
        return new ConfigOption<>(key, defaultValue, description, s -> s, s -> true, "a string");
    }

    public static ConfigOption<Integer> port(String key, int defaultValue, String description) {
        return new ConfigOption<>(
                key,
                Integer.toString(defaultValue),
                description,
                Integer::parseInt,
                p -> p >= 0 && p <= 65535,
                "a port number from 0 to 65535 (0 picks a free port)");
    }

    public static ConfigOption<Integer> positive(String key, int defaultValue, String description) {
        return new ConfigOption<>(
                key,
                Integer.toString(defaultValue),
                description,
                Integer::parseInt,
                n -> n > 0,
                "a positive integer");
    }

    /** Thrown for a value a key does not accept. */
    public static final class ConfigException extends IllegalArgumentException {
        public ConfigException(String key, String value, String expected) {
            super(
                    "invalid value '"
                            + value
                            + "' for config key '"
                            + key
                            + "': expected "
                            + expected);
        }
    }
}
