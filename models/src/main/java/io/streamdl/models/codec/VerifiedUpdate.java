package io.streamdl.models.codec;

import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.ModelSpec;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A {@code ModelUpdate} that passed every check of {@link ModelUpdateVerifier#verify}, unpacked as
 * far as possible without building a DL4J network: its spec, version and lineage, the parameter
 * values and the ONNX bytes. {@link ModelUpdateCodec#unpack} turns it into a {@link VerifiedModel}
 * with a network, for callers that train or score with DL4J. Immutable.
 */
public final class VerifiedUpdate {
    private final ModelSpec spec;
    private final long version;
    private final Long parentVersion;
    private final float[] params;
    private final byte[] onnx;
    private final Map<String, Double> metrics;
    private final long createdTs;
    private final String sha256;
    private final boolean signatureVerified;

    VerifiedUpdate(
            ModelSpec spec,
            long version,
            Long parentVersion,
            float[] params,
            byte[] onnx,
            Map<String, Double> metrics,
            long createdTs,
            String sha256,
            boolean signatureVerified) {
        this.spec = spec;
        this.version = version;
        this.parentVersion = parentVersion;
        this.params = params;
        this.onnx = onnx;
        this.metrics = Map.copyOf(metrics);
        this.createdTs = createdTs;
        this.sha256 = sha256;
        this.signatureVerified = signatureVerified;
    }

    public ModelSpec spec() {
        return spec;
    }

    public long version() {
        return version;
    }

    public OptionalLong parentVersion() {
        return parentVersion == null ? OptionalLong.empty() : OptionalLong.of(parentVersion);
    }

    /**
     * Whether this is an ONNX model trained elsewhere ({@link ModelUpdateCodec#FORMAT_ONNX}):
     * served with ONNX Runtime, with no parameters, never unpacked into a DL4J network.
     */
    public boolean isServeOnly() {
        return spec.kind() == ArchitectureKind.IMPORTED;
    }

    /**
     * A copy of the parameters, finite and as many as the spec implies, in DL4J's flat order; none
     * for a {@linkplain #isServeOnly serve-only} model.
     */
    public float[] params() {
        return params.clone();
    }

    /** A copy of the ONNX model, whose inputs and outputs match the spec. */
    public byte[] onnx() {
        return onnx.clone();
    }

    public Map<String, Double> metrics() {
        return metrics;
    }

    public long createdTs() {
        return createdTs;
    }

    /** Hex SHA-256 of the update's canonical content (see {@link ModelUpdateDigest}). */
    public String sha256() {
        return sha256;
    }

    /** Whether an HMAC signature was checked (false only for an allowed unsigned update). */
    public boolean signatureVerified() {
        return signatureVerified;
    }

    /** An ONNX Runtime session for this model. */
    public OnnxRuntimeBackend openOnnxRuntime(OnnxRuntimeBackend.Config config) {
        return OnnxRuntimeBackend.create(spec, onnx, config);
    }

    /** The parameters without a copy, for the codec that unpacks them. */
    float[] paramsView() {
        return params;
    }

    @Override
    public String toString() {
        return "VerifiedUpdate[" + spec.name() + " v" + version + ", sha256 " + sha256 + "]";
    }
}
