package io.streamdl.encoders;

/**
 * An input that an encoder refuses. It carries a stable {@link Reason}, whose name goes into {@code
 * DeadLetter.error}, and a sentence for a person ({@link #detail()}) that says what was wrong with
 * the input. Encoders turn every failure caused by the input into this exception, so a job can
 * route the event to the dead-letter topic and keep running; anything else escaping an encoder is a
 * bug.
 */
public class EncodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why an input was refused; the names are stable and appear in dead letters. */
    public enum Reason {
        /** The payload's bytes (or text) exceed the encoder's configured size limit. */
        PAYLOAD_TOO_LARGE,
        /** No encoder is configured for the payload's type, or the payload is missing. */
        NO_ENCODER,
        /** The image is in a format or variant the encoder does not decode (GIF, CMYK, ...). */
        UNSUPPORTED_IMAGE_FORMAT,
        /** The image bytes are corrupt or truncated, or do not match their content type. */
        CORRUPT_IMAGE,
        /** The image declares more pixels than allowed: refused before decoding. */
        IMAGE_TOO_LARGE,
        /** The payload's declared width or height is invalid or differs from the image's own. */
        IMAGE_DIMENSION_MISMATCH,
        /** The audio bytes are not a RIFF/WAVE file. */
        NOT_WAV,
        /** The WAV file uses an encoding, channel count or rate the encoder does not decode. */
        UNSUPPORTED_AUDIO_FORMAT,
        /** The WAV file is malformed or truncated, or holds non-finite samples. */
        CORRUPT_AUDIO,
        /** The clip is longer than the configured maximum: refused before decoding samples. */
        AUDIO_TOO_LONG,
        /** The WAV file holds no samples. */
        EMPTY_AUDIO,
        /** The text is missing or has nothing to tokenise after normalisation. */
        /** A metric event whose series key is empty. */
        MISSING_SERIES,
        /** A metric value that is NaN or infinite. */
        NON_FINITE_METRIC,
        /** A metric event older than the newest one already windowed for its series. */
        OUT_OF_ORDER,
        /** A metric event with another number of channels than its series had so far. */
        METRIC_CHANNELS_CHANGED,
        /** A metric event with more channels than {@code metric.max-channels}. */
        TOO_MANY_CHANNELS,
        EMPTY_TEXT,
        /** The text has more characters than the configured maximum. */
        TEXT_TOO_LONG
    }

    private final Reason reason;
    private final String detail;

    public EncodeException(Reason reason, String detail) {
        this(reason, detail, null);
    }

    public EncodeException(Reason reason, String detail, Throwable cause) {
        super(reason.name() + ": " + detail, cause);
        this.reason = reason;
        this.detail = detail;
    }

    public Reason reason() {
        return reason;
    }

    /** The sentence for a person, without the reason code (for {@code DeadLetter.message}). */
    public String detail() {
        return detail;
    }
}
