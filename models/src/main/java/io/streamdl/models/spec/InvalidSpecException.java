package io.streamdl.models.spec;

/** A model spec, or its JSON, that is malformed or internally inconsistent. */
public class InvalidSpecException extends IllegalArgumentException {
    public InvalidSpecException(String message) {
        super(message);
    }

    public InvalidSpecException(String message, Throwable cause) {
        super(message, cause);
    }
}
