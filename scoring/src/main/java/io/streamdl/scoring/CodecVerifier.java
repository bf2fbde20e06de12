package io.streamdl.scoring;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.codec.ModelUpdateRejected;
import io.streamdl.schemas.avro.ModelUpdate;

/**
 * Verifies updates with {@link ModelUpdateCodec#verify}: format, checksum, HMAC signature (unless
 * unsigned updates are allowed), spec, parameter count, finite weights and the ONNX model's inputs
 * and outputs. It builds no DL4J network: the scorers serve the ONNX bytes.
 */
public final class CodecVerifier implements UpdateVerifier {
    private static final long serialVersionUID = 1L;

    private final byte[] hmacKey;
    private final boolean allowUnsigned;
    private final ModelUpdateCodec.Config config;
    private transient ModelUpdateCodec codec;

    public CodecVerifier(byte[] hmacKey, boolean allowUnsigned) {
        this.hmacKey = hmacKey == null ? null : hmacKey.clone();
        this.allowUnsigned = allowUnsigned;
        this.config = null;
    }

    /** Verifies with {@code config}'s key and its accepted keys (a rotation under way). */
    public CodecVerifier(ModelUpdateCodec.Config config) {
        this.hmacKey = null;
        this.allowUnsigned = config.allowUnsigned();
        this.config = config;
    }

    @Override
    public Refusal check(ModelUpdate update) {
        if (codec == null && config != null) {
            codec = new ModelUpdateCodec(config);
        }
        if (codec == null) {
            codec =
                    new ModelUpdateCodec(
                            hmacKey == null
                                    ? ModelUpdateCodec.Config.unsigned()
                                    : allowUnsigned
                                            ? new ModelUpdateCodec.Config(hmacKey, true)
                                            : ModelUpdateCodec.Config.signed(hmacKey));
        }
        try {
            codec.verify(update);
            return null;
        } catch (ModelUpdateRejected e) {
            return new Refusal(e.reason().name(), e.getMessage());
        }
    }
}
