package io.streamdl.encoders;

/** A configuration value an encoder does not accept. The message names the key. */
public class EncoderConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public EncoderConfigException(String key, String message) {
        super("invalid config '" + key + "': " + message);
        this.key = key;
    }

    /** The configuration key whose value was refused. */
    public String key() {
        return key;
    }
}
