package io.streamdl.encoders;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key of an encoder: its default, what it means, how to parse it and which values
 * are valid. A bad value, given as text or directly to a config record, fails with an {@link
 * EncoderConfigException} naming the key.
 *
 * @param key the settings key, e.g. {@code image.width}
 * @param defaultText the default value as it would be written in the settings
 * @param description what the key means, for help texts
 * @param parser turns the (trimmed) text into a value; may throw on bad text
 * @param validator accepts the values that are valid
 * @param expected a phrase describing the valid values, used in error messages
 */
public record EncoderOption<T>(
        String key,
        String defaultText,
        String description,
        Function<String, T> parser,
        Predicate<T> validator,
        String expected) {

    /** Parses and validates {@code raw}. */
    public T parse(String raw) {
        T value;
        try {
            value = parser.apply(raw.trim());
        } catch (RuntimeException e) {
            throw new EncoderConfigException(key, "'" + raw + "' is not " + expected);
        }
        if (value == null || !validator.test(value)) {
            throw new EncoderConfigException(key, "'" + raw + "' is not " + expected);
        }
        return value;
    }

    /** Validates a value given directly (for example to a config record's constructor). */
    public T check(T value) {
        if (value == null || !validator.test(value)) {
            throw new EncoderConfigException(key, "'" + value + "' is not " + expected);
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

    public static EncoderOption<Integer> intRange(
            String key, int defaultValue, int min, int max, String description) {
        return new EncoderOption<>(
                key,
                Integer.toString(defaultValue),
                description,
                Integer::parseInt,
                v -> v >= min && v <= max,
                "an integer from " + min + " to " + max);
    }

    public static EncoderOption<Long> longRange(
            String key, long defaultValue, long min, long max, String description) {
        return new EncoderOption<>(
                key,
                Long.toString(defaultValue),
                description,
                Long::parseLong,
                v -> v >= min && v <= max,
                "an integer from " + min + " to " + max);
    }

    /** A finite number in [{@code min}, {@code max}]. */
    public static EncoderOption<Double> doubleRange(
            String key, double defaultValue, double min, double max, String description) {
        return new EncoderOption<>(
                key,
                Double.toString(defaultValue),
                description,
                Double::parseDouble,
                v -> Double.isFinite(v) && v >= min && v <= max,
                "a number from " + min + " to " + max);
    }

    /** A finite number greater than zero. */
    public static EncoderOption<Double> positiveDouble(
            String key, double defaultValue, String description) {
        return new EncoderOption<>(
                key,
                Double.toString(defaultValue),
                description,
                Double::parseDouble,
                v -> Double.isFinite(v) && v > 0,
                "a finite number greater than 0");
    }

    public static EncoderOption<Boolean> bool(
            String key, boolean defaultValue, String description) {
        return new EncoderOption<>(
                key,
                Boolean.toString(defaultValue),
                description,
                EncoderOption::parseBoolean,
                v -> true,
                "true or false");
    }

    public static EncoderOption<String> string(
            String key, String defaultValue, String description) {
        return new EncoderOption<>(key, defaultValue, description, s -> s, s -> true, "a string");
    }

    /** One of an enum's constants, written by name in any case. */
    public static <E extends Enum<E>> EncoderOption<E> oneOf(
            String key, E defaultValue, Class<E> type, String description) {
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name());
        }
        return new EncoderOption<>(
                key,
                defaultValue.name(),
                description,
                s -> Enum.valueOf(type, s.toUpperCase(Locale.ROOT)),
                v -> true,
                "one of " + names);
    }

    /** A comma-separated list of finite numbers that {@code validator} accepts as a whole. */
    public static EncoderOption<List<Double>> doubleList(
            String key,
            String defaultText,
            Predicate<List<Double>> validator,
            String expected,
            String description) {
        return new EncoderOption<>(
                key,
                defaultText,
                description,
                EncoderOption::parseDoubles,
                v -> v.stream().allMatch(Double::isFinite) && validator.test(v),
                expected);
    }

    /**
     * Refuses keys under {@code prefix} that none of {@code options} knows, so a misspelt key fails
     * at start instead of silently leaving a default in place.
     */
    public static void refuseUnknown(
            Map<String, String> settings, String prefix, List<EncoderOption<?>> options) {
        TreeSet<String> unknown = new TreeSet<>();
        for (String key : settings.keySet()) {
            if (key.startsWith(prefix)) {
                unknown.add(key);
            }
        }
        options.forEach(o -> unknown.remove(o.key()));
        if (!unknown.isEmpty()) {
            throw new EncoderConfigException(
                    unknown.first(),
                    "unknown key(s) "
                            + unknown
                            + "; known keys: "
                            + options.stream().map(EncoderOption::key).toList());
        }
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
