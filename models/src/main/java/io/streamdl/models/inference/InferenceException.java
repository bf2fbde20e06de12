package io.streamdl.models.inference;

/** A backend failed to load a model or to score a batch; the cause carries the native error. */
public class InferenceException extends RuntimeException {
    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
