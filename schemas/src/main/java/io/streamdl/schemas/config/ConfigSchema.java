package io.streamdl.schemas.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every key the pipeline knows, by component. {@link #check} is run on the whole settings map
 * before anything starts: an unknown key is refused with the nearest known key suggested (a typo
 * must never leave a default silently in place), and every value must parse. Immutable.
 */
public final class ConfigSchema {
    private final List<ConfigGroup> groups;
    private final Map<String, ConfigOption<?>> byKey;

    private ConfigSchema(List<ConfigGroup> groups, Map<String, ConfigOption<?>> byKey) {
        this.groups = groups;
        this.byKey = byKey;
    }

    /**
     * A schema of {@code groups}.
     *
     * @throws IllegalArgumentException if two options share a key
     */
    public static ConfigSchema of(List<ConfigGroup> groups) {
        Map<String, ConfigOption<?>> byKey = new LinkedHashMap<>();
        for (ConfigGroup group : groups) {
            for (ConfigOption<?> option : group.options()) {
                if (byKey.putIfAbsent(option.key(), option) != null) {
                    throw new IllegalArgumentException(
                            "config key '" + option.key() + "' is declared twice");
                }
            }
        }
        return new ConfigSchema(List.copyOf(groups), byKey);
    }

    public List<ConfigGroup> groups() {
        return groups;
    }

    public Optional<ConfigOption<?>> option(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    /**
     * Checks every entry of {@code settings}, in key order.
     *
     * @throws ConfigException for the first unknown key (naming the nearest known one) or the first
     *     value its option refuses
     */
    public void check(Map<String, String> settings) {
        for (Map.Entry<String, String> e : new TreeMap<>(settings).entrySet()) {
            ConfigOption<?> option = byKey.get(e.getKey());
            if (option == null) {
                throw unknown(e.getKey());
            }
            option.parse(e.getValue() == null ? "" : e.getValue());
        }
    }

    private ConfigException unknown(String key) {
        String nearest = nearest(key);
        return new ConfigException(
                key,
                "unknown config key '"
                        + key
                        + "'"
                        + (nearest == null ? "" : "; did you mean '" + nearest + "'?")
                        + " ('./pipeline config' lists every key)");
    }

    /**
     * The known key most like {@code key}, or null when none is close: keys are compared by the
     * words they share (split at dots and dashes, so reordered words still match), then by edit
     * distance.
     */
    public String nearest(String key) {
        Set<String> words = words(key);
        String best = null;
        double bestScore = 0;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : byKey.keySet()) {
            Set<String> other = words(candidate);
            Set<String> shared = new HashSet<>(words);
            shared.retainAll(other);
            Set<String> union = new HashSet<>(words);
            union.addAll(other);
            double score = (double) shared.size() / union.size();
            int distance = editDistance(key, candidate);
            // a close spelling counts as much as sharing most words
            if (distance <= Math.max(2, key.length() / 5)) {
                score = Math.max(score, 1.0 - (double) distance / Math.max(key.length(), 1));
            }
            if (score > bestScore || (score == bestScore && distance < bestDistance)) {
                best = candidate;
                bestScore = score;
                bestDistance = distance;
            }
        }
        return bestScore >= 0.4 ? best : null;
    }

    private static Set<String> words(String key) {
        return new HashSet<>(
                Arrays.asList(key.toLowerCase(java.util.Locale.ROOT).split("[.\\-_]+")));
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * Refuses keys under {@code prefix} that none of {@code options} knows, for a component that
     * reads its own keys out of a larger settings map.
     *
     * @throws ConfigException naming the first unknown key and the nearest known one
     */
    public static void refuseUnknown(
            Map<String, String> settings, String prefix, List<? extends ConfigOption<?>> options) {
        ConfigSchema own = of(List.of(ConfigGroup.of(prefix, options)));
        for (String key : new TreeMap<>(settings).keySet()) {
            if (key.startsWith(prefix) && !own.byKey.containsKey(key)) {
                throw own.unknown(key);
            }
        }
    }

    /** Every key, in group order. */
    public List<String> keys() {
        return new ArrayList<>(byKey.keySet());
    }
}
