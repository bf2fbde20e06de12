package io.streamdl.models.codec;

/**
 * A {@code ModelUpdate} that must not be used, with a stable {@link Reason} for metrics and dead
 * letters and a message saying exactly what is wrong. Also thrown by the encoder for weights it
 * refuses to publish.
 */
public class ModelUpdateRejected extends RuntimeException {
    /** Why an update was refused; the names are stable and appear in logs and dead letters. */
    public enum Reason {
        /** The format is not one this codec reads. */
        UNSUPPORTED_FORMAT,
        /** The SHA-256 does not match the update's content, or is malformed. */
        CHECKSUM_MISMATCH,
        /** The update is unsigned and unsigned updates are not allowed. */
        MISSING_SIGNATURE,
        /** The HMAC signature does not match (wrong key or altered checksum), or is malformed. */
        BAD_SIGNATURE,
        /** The update names a signing key that is neither this pipeline's nor an accepted one. */
        UNKNOWN_KEY,
        /** The architecture field is not a valid spec this build can read. */
        INVALID_SPEC,
        /** The spec is valid but is not the model expected (name, inputs, outputs or labels). */
        SPEC_MISMATCH,
        /** The parameters or the ONNX graph do not have the shape the spec implies. */
        SHAPE_MISMATCH,
        /** A weight is NaN or infinite. */
        NON_FINITE_WEIGHTS,
        /** The ONNX bytes are missing or cannot be parsed. */
        CORRUPT_ONNX,
        /**
         * The update is an imported ONNX model, served only: it has no DL4J network to build, train
         * or score with.
         */
        SERVE_ONLY
    }

    private final Reason reason;
    private final String model;
    private final long version;

    public ModelUpdateRejected(Reason reason, String model, long version, String detail) {
        this(reason, model, version, detail, null);
    }

    public ModelUpdateRejected(
            Reason reason, String model, long version, String detail, Throwable cause) {
        super(reason + ": model '" + model + "' version " + version + ": " + detail, cause);
        this.reason = reason;
        this.model = model;
        this.version = version;
    }

    public Reason reason() {
        return reason;
    }

    /** The model name the update claims. */
    public String model() {
        return model;
    }

    /** The version the update claims. */
    public long version() {
        return version;
    }
}
