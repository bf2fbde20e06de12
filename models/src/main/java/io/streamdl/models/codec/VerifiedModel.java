package io.streamdl.models.codec;

import io.streamdl.models.inference.Dl4jBackend;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.spec.ModelSpec;
import java.util.Map;
import java.util.OptionalLong;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A {@code ModelUpdate} that passed every check of {@link ModelUpdateCodec#decode} (those of {@link
 * ModelUpdateVerifier}): its spec, its version and lineage, the DL4J network built from the spec
 * with the received parameters, and the ONNX bytes. The network is this object's own; callers that
 * train it should {@code clone()} it first if the model is shared.
 */
public final class VerifiedModel {
    private final VerifiedUpdate verified;
    private final ComputationGraph network;

    VerifiedModel(VerifiedUpdate verified, ComputationGraph network) {
        this.verified = verified;
        this.network = network;
    }

    public ModelSpec spec() {
        return verified.spec();
    }

    public long version() {
        return verified.version();
    }

    public OptionalLong parentVersion() {
        return verified.parentVersion();
    }

    /** The network, built from the spec with the received parameters. */
    public ComputationGraph network() {
        return network;
    }

    /** A copy of the ONNX model. */
    public byte[] onnx() {
        return verified.onnx();
    }

    public Map<String, Double> metrics() {
        return verified.metrics();
    }

    public long createdTs() {
        return verified.createdTs();
    }

    /** Hex SHA-256 of the update's canonical content. */
    public String sha256() {
        return verified.sha256();
    }

    /** Whether an HMAC signature was checked (false only for an allowed unsigned update). */
    public boolean signatureVerified() {
        return verified.signatureVerified();
    }

    /** An ONNX Runtime session for this model. */
    public OnnxRuntimeBackend openOnnxRuntime(OnnxRuntimeBackend.Config config) {
        return verified.openOnnxRuntime(config);
    }

    /** A DL4J backend scoring with a copy of {@link #network()}. */
    public Dl4jBackend openDl4j() {
        return Dl4jBackend.create(verified.spec(), network);
    }

    @Override
    public String toString() {
        return "VerifiedModel["
                + verified.spec().name()
                + " v"
                + verified.version()
                + ", sha256 "
                + verified.sha256()
                + "]";
    }
}
