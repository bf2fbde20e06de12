package io.streamdl.trainer;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One configuration key of the trainer: its name, its default (as text) and what it means. The
 * lists {@link TrainerSettings#KEYS} and {@link TrainJobConfig#KEYS} are what a CLI prints as help.
 */
public record ConfigKey(String key, String defaultValue, String description) {

    /**
     * Reads typed values from key=value settings, failing with a message that names the key, the
     * value and what was expected.
     */
    static final class Reader {
        private final Map<String, String> settings;

        Reader(Map<String, String> settings) {
            this.settings = settings;
        }

        String text(ConfigKey k) {
            String raw = settings.get(k.key());
            return raw == null ? k.defaultValue() : raw.trim();
        }

        int integer(ConfigKey k, long min, long max) {
            long v = longValue(k, min, max);
            return (int) v;
        }

        long longValue(ConfigKey k, long min, long max) {
            String raw = text(k);
            long v;
            try {
                v = Long.parseLong(raw);
            } catch (NumberFormatException e) {
                throw invalid(k, raw, "an integer from " + min + " to " + max);
            }
            if (v < min || v > max) {
                throw invalid(k, raw, "an integer from " + min + " to " + max);
            }
            return v;
        }

        /** A finite number in [min, max], or in (min, max] when {@code minExclusive}. */
        double real(ConfigKey k, double min, double max, boolean minExclusive) {
            String raw = text(k);
            String expected =
                    "a number " + (minExclusive ? "above " : "from ") + min + " to " + max;
            double v;
            try {
                v = Double.parseDouble(raw);
            } catch (NumberFormatException e) {
                throw invalid(k, raw, expected);
            }
            if (!Double.isFinite(v) || v < min || v > max || (minExclusive && v == min)) {
                throw invalid(k, raw, expected);
            }
            return v;
        }

        boolean bool(ConfigKey k) {
            String raw = text(k).toLowerCase(Locale.ROOT);
            return switch (raw) {
                case "true" -> true;
                case "false" -> false;
                default -> throw invalid(k, raw, "true or false");
            };
        }

        <E extends Enum<E>> E choice(ConfigKey k, Class<E> type) {
            String raw = text(k);
            String normalized = raw.toUpperCase(Locale.ROOT).replace('-', '_');
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(normalized)) {
                    return e;
                }
            }
            throw invalid(k, raw, "one of " + names(type));
        }

        /** Fails on a key under {@code prefix} that is not one of {@code known}: a likely typo. */
        void rejectUnknown(String prefix, List<ConfigKey> known) {
            Set<String> names =
                    known.stream()
                            .map(ConfigKey::key)
                            .collect(Collectors.toCollection(TreeSet::new));
            for (String key : new TreeSet<>(settings.keySet())) {
                if (key.startsWith(prefix) && !names.contains(key)) {
                    throw new IllegalArgumentException(
                            "unknown config key '" + key + "'; known keys: " + names);
                }
            }
        }

        static IllegalArgumentException invalid(ConfigKey k, String raw, String expected) {
            return new IllegalArgumentException(
                    "invalid value '"
                            + raw
                            + "' for config key '"
                            + k.key()
                            + "': expected "
                            + expected);
        }
    }

    /** The lower-case, dash-separated names of {@code type}'s constants, as config values. */
    static <E extends Enum<E>> String names(Class<E> type) {
        return java.util.Arrays.stream(type.getEnumConstants())
                .map(ConfigKey::wireName)
                .collect(Collectors.joining(", "));
    }

    static String wireName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
