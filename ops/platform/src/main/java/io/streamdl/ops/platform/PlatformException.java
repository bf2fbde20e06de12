package io.streamdl.ops.platform;

/** A start-up failure the user can act on; its message is one line naming what went wrong. */
public final class PlatformException extends RuntimeException {
    public PlatformException(String message) {
        super(message);
    }

    public PlatformException(String message, Throwable cause) {
        super(message, cause);
    }
}
