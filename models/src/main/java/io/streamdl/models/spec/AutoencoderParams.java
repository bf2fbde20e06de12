package io.streamdl.models.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A dense autoencoder over the flattened input: encoder layers {@code hiddenUnits} (ReLU), a {@code
 * bottleneck} code (ReLU), the mirrored decoder, and the reconstruction: {@code sigmoid} (inputs in
 * [0, 1]) or {@code linear} (standardised inputs, as the pipeline's encoders emit). The model's
 * output is the per-event mean squared reconstruction error, the anomaly score.
 *
 * <p>{@code reconstruction} came after the first specs: a spec without it means {@code sigmoid},
 * and a {@code sigmoid} spec is written without it, so specs written before read and write
 * byte-identically (their updates keep their checksums and signatures).
 */
public record AutoencoderParams(List<Integer> hiddenUnits, int bottleneck, String reconstruction)
        implements ArchitectureParams {
    public static final String SIGMOID = "sigmoid";
    public static final String LINEAR = "linear";
    private static final String FIELD = "reconstruction";

    /** With a {@code sigmoid} reconstruction. */
    public AutoencoderParams(List<Integer> hiddenUnits, int bottleneck) {
        this(hiddenUnits, bottleneck, SIGMOID);
    }

    public AutoencoderParams {
        ArchitectureParams.require(
                SIGMOID.equals(reconstruction) || LINEAR.equals(reconstruction),
                "AUTOENCODER reconstruction must be 'sigmoid' or 'linear', got " + reconstruction);
        ArchitectureParams.require(hiddenUnits != null, "AUTOENCODER hiddenUnits missing");
        hiddenUnits = List.copyOf(hiddenUnits);
        ArchitectureParams.require(
                hiddenUnits.stream().allMatch(u -> u > 0),
                "AUTOENCODER hiddenUnits must be positive, got " + hiddenUnits);
        ArchitectureParams.require(
                bottleneck > 0, "AUTOENCODER bottleneck must be positive, got " + bottleneck);
    }

    /** Whether the reconstruction is linear rather than a sigmoid. */
    public boolean linearReconstruction() {
        return LINEAR.equals(reconstruction);
    }

    /**
     * {@code params} of a spec of {@code kind}, with an autoencoder's omitted default filled in.
     */
    static JsonNode withDefaults(ArchitectureKind kind, JsonNode params) {
        if (kind != ArchitectureKind.AUTOENCODER || params.has(FIELD)) {
            return params;
        }
        return ((ObjectNode) params.deepCopy()).put(FIELD, SIGMOID);
    }

    /** {@code params} as written: an autoencoder's default reconstruction left out. */
    static JsonNode withoutDefaults(JsonNode params) {
        if (params instanceof ObjectNode o && SIGMOID.equals(o.path(FIELD).textValue())) {
            o.remove(FIELD);
        }
        return params;
    }

    @Override
    public ArchitectureKind kind() {
        return ArchitectureKind.AUTOENCODER;
    }

    @Override
    public void checkSignature(List<TensorSpec> inputs, int outputSize, List<String> labels) {
        ArchitectureParams.requireSingleInput(inputs, "input", DType.FLOAT32, -1, kind());
        ArchitectureParams.requireScoreOutput(outputSize, labels, kind());
    }
}
