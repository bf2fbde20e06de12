package io.streamdl.schemas.registry;

import java.util.Locale;

/** Confluent's compatibility levels. */
public enum CompatibilityLevel {
    NONE,
    BACKWARD,
    BACKWARD_TRANSITIVE,
    FORWARD,
    FORWARD_TRANSITIVE,
    FULL,
    FULL_TRANSITIVE;

    public boolean transitive() {
        return name().endsWith("_TRANSITIVE");
    }

    /** New readers must read old data. */
    public boolean checksBackward() {
        return this != NONE && !name().startsWith("FORWARD");
    }

    /** Old readers must read new data. */
    public boolean checksForward() {
        return this != NONE && !name().startsWith("BACKWARD");
    }

    /** Parses a level, case-insensitively; null if it is not one. */
    public static CompatibilityLevel parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
