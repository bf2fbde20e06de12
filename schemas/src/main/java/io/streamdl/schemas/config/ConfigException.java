package io.streamdl.schemas.config;

/** A configuration value, or key, that is refused. The message is one line naming the key. */
public class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** A value {@code raw} of {@code key} that is not one of the {@code expected} values. */
    public static ConfigException invalid(String key, Object raw, String expected) {
        return new ConfigException(
                key,
                "invalid value '" + raw + "' for config key '" + key + "': expected " + expected);
    }

    /** {@code key}'s value is refused for a reason of its own, e.g. with another key's value. */
    public static ConfigException refused(String key, String detail) {
        return new ConfigException(key, "invalid config key '" + key + "': " + detail);
    }

    /** The configuration key that was refused or whose value was. */
    public String key() {
        return key;
    }
}
