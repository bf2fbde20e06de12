package io.streamdl.models.codec;

import io.streamdl.models.inference.Dl4jBackend;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.spec.ModelSpec;
import java.util.Map;
import java.util.OptionalLong;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A {@code ModelUpdate} that passed every check of {@link ModelUpdateCodec#decode}: its spec, its
 * version and lineage, the DL4J network with the received parameters, and the ONNX bytes. The
 * network is this object's own; callers that train it should {@code clone()} it first if the model
 * is shared.
 */
public final class VerifiedModel {
    private final ModelSpec spec;
    private final long version;
    private final Long parentVersion;
    private final ComputationGraph network;
    private final byte[] onnx;
    private final Map<String, Double> metrics;
    private final long createdTs;
    private final String sha256;
    private final boolean signatureVerified;

    VerifiedModel(
            ModelSpec spec,
            long version,
            Long parentVersion,
            ComputationGraph network,
            byte[] onnx,
            Map<String, Double> metrics,
            long createdTs,
            String sha256,
            boolean signatureVerified) {
        this.spec = spec;
        this.version = version;
        this.parentVersion = parentVersion;
        this.network = network;
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

    /** The network, built from the spec with the received parameters. */
    public ComputationGraph network() {
        return network;
    }

    /** A copy of the ONNX model. */
    public byte[] onnx() {
        return onnx.clone();
    }

    public Map<String, Double> metrics() {
        return metrics;
    }

    public long createdTs() {
        return createdTs;
    }

    /** Hex SHA-256 of the update's canonical content. */
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

    /** A DL4J backend scoring with a copy of {@link #network()}. */
    public Dl4jBackend openDl4j() {
        return Dl4jBackend.create(spec, network);
    }

    @Override
    public String toString() {
        return "VerifiedModel[" + spec.name() + " v" + version + ", sha256 " + sha256 + "]";
    }
}
