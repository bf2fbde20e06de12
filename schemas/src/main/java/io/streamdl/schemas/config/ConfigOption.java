package io.streamdl.schemas.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One configuration key: its type (through its parser), default, meaning and valid values. The one
 * way every component of the pipeline reads its settings: a bad value, given as text or directly to
 * a config record, fails with a {@link ConfigException} naming the key, the value and what is
 * allowed. Options are immutable and serializable, so job configs that hold them can travel to
 * Flink tasks.
 *
 * @param key the settings key, e.g. {@code image.width}
 * @param defaultText the default value as it would be written in the settings
 * @param description what the key means, for {@code ./pipeline config} and help texts
 * @param parser turns the (trimmed) text into a value; may throw on bad text
 * @param validator accepts the values that are valid
 * @param expected a phrase describing the valid values, used in error messages
 */
public record ConfigOption<T>(
        String key,
        String defaultText,
        String description,
        Parser<T> parser,
        Validator<T> validator,
        String expected)
        implements Serializable {
    private static final String SECRET = "a secret string";

    /** Text to value; may throw any runtime exception on bad text. */
    @FunctionalInterface
    public interface Parser<T> extends Serializable {
        T parse(String text);
    }

    /** Whether a parsed value is valid. */
    @FunctionalInterface
    public interface Validator<T> extends Serializable {
        boolean test(T value);
    }

    /** Parses and validates {@code raw}. */
    public T parse(String raw) {
        T value;
        try {
            value = parser.parse(raw.trim());
        } catch (RuntimeException e) {
            throw ConfigException.invalid(key, raw, expected);
        }
        if (value == null || !validator.test(value)) {
            throw ConfigException.invalid(key, raw, expected);
        }
        return value;
    }

    /** Validates a value given directly (for example to a config record's constructor). */
    public T check(T value) {
        if (value == null || !validator.test(value)) {
            throw ConfigException.invalid(key, value, expected);
        }
        return value;
    }

    /** The value under {@link #key()} in {@code settings}, or the default when absent. */
    public T read(Map<String, String> settings) {
        String raw = settings.get(key);
        return parse(raw == null ? defaultText : raw);
    }

    public T defaultValue() {
        return parse(defaultText);
    }

    /** This option with another default (a component that needs a different one). */
    public ConfigOption<T> withDefault(String newDefault) {
        return new ConfigOption<>(key, newDefault, description, parser, validator, expected);
    }

    public static ConfigOption<String> string(String key, String defaultValue, String description) {
        return new ConfigOption<>(key, defaultValue, description, s -> s, s -> true, "a string");
    }

    /**
     * A secret: listed by key and meaning, but its value is never printed (see {@link #secret()}).
     */
    public static ConfigOption<String> secret(String key, String description) {
        return new ConfigOption<>(key, "", description, s -> s, s -> true, SECRET);
    }

    /** Whether the value must never be printed (keys, passwords). */
    public boolean secret() {
        return SECRET.equals(expected);
    }

    public static ConfigOption<Integer> intRange(
            String key, int defaultValue, int min, int max, String description) {
        return new ConfigOption<>(
                key,
                Integer.toString(defaultValue),
                description,
                Integer::parseInt,
                v -> v >= min && v <= max,
                "an integer from " + min + " to " + max);
    }

    public static ConfigOption<Integer> positive(String key, int defaultValue, String description) {
        return new ConfigOption<>(
                key,
                Integer.toString(defaultValue),
                description,
                Integer::parseInt,
                v -> v > 0,
                "a positive integer");
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

    public static ConfigOption<Long> longRange(
            String key, long defaultValue, long min, long max, String description) {
        return new ConfigOption<>(
                key,
                Long.toString(defaultValue),
                description,
                Long::parseLong,
                v -> v >= min && v <= max,
                max == Long.MAX_VALUE
                        ? "an integer of at least " + min
                        : "an integer from " + min + " to " + max);
    }

    /** A finite number in [{@code min}, {@code max}]. */
    public static ConfigOption<Double> doubleRange(
            String key, double defaultValue, double min, double max, String description) {
        return new ConfigOption<>(
                key,
                Double.toString(defaultValue),
                description,
                Double::parseDouble,
                v -> Double.isFinite(v) && v >= min && v <= max,
                "a number from " + min + " to " + max);
    }

    /** A finite number in ({@code min}, {@code max}]: above {@code min}, at most {@code max}. */
    public static ConfigOption<Double> doubleAbove(
            String key, double defaultValue, double min, double max, String description) {
        return new ConfigOption<>(
                key,
                Double.toString(defaultValue),
                description,
                Double::parseDouble,
                v -> Double.isFinite(v) && v > min && v <= max,
                "a number above " + min + " and at most " + max);
    }

    /** A finite number greater than zero. */
    public static ConfigOption<Double> positiveDouble(
            String key, double defaultValue, String description) {
        return new ConfigOption<>(
                key,
                Double.toString(defaultValue),
                description,
                Double::parseDouble,
                v -> Double.isFinite(v) && v > 0,
                "a finite number greater than 0");
    }

    /** {@code true} or {@code false}, in any case; nothing else (no "yes", no "1"). */
    public static ConfigOption<Boolean> bool(String key, boolean defaultValue, String description) {
        return new ConfigOption<>(
                key,
                Boolean.toString(defaultValue),
                description,
                ConfigOption::parseBoolean,
                v -> true,
                "true or false");
    }

    /**
     * One of an enum's constants, written by its {@link #wireName} ({@code reset-optimizer} for
     * {@code RESET_OPTIMIZER}) or its name, in any case.
     */
    public static <E extends Enum<E>> ConfigOption<E> oneOf(
            String key, E defaultValue, Class<E> type, String description) {
        return new ConfigOption<>(
                key,
                wireName(defaultValue),
                description,
                s -> Enum.valueOf(type, s.toUpperCase(Locale.ROOT).replace('-', '_')),
                v -> true,
                "one of " + names(type));
    }

    /** A comma-separated list of finite numbers that {@code validator} accepts as a whole. */
    public static ConfigOption<List<Double>> doubleList(
            String key,
            String defaultText,
            Validator<List<Double>> validator,
            String expected,
            String description) {
        return new ConfigOption<>(
                key,
                defaultText,
                description,
                ConfigOption::parseDoubles,
                v -> v.stream().allMatch(Double::isFinite) && validator.test(v),
                expected);
    }

    /** The lower-case, dash-separated name of an enum constant, as written in config values. */
    public static String wireName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The wire names of {@code type}'s constants, comma-separated. */
    public static <E extends Enum<E>> String names(Class<E> type) {
        return Arrays.stream(type.getEnumConstants())
                .map(ConfigOption::wireName)
                .collect(Collectors.joining(", "));
    }

    private static boolean parseBoolean(String s) {
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(s);
    }

    private static List<Double> parseDoubles(String s) {
        List<Double> values = new ArrayList<>();
        for (String part : s.split(",", -1)) {
            values.add(Double.parseDouble(part.trim()));
        }
        return List.copyOf(values);
    }
}
