package io.streamdl.models.spec;

import java.util.List;

/**
 * A dense autoencoder over the flattened input: encoder layers {@code hiddenUnits} (ReLU), a {@code
 * bottleneck} code (ReLU), the mirrored decoder, and a sigmoid reconstruction. The model's output
 * is the per-event mean squared reconstruction error, the anomaly score; inputs are expected in [0,
 * 1].
 */
public record AutoencoderParams(List<Integer> hiddenUnits, int bottleneck)
        implements ArchitectureParams {

    public AutoencoderParams {
        ArchitectureParams.require(hiddenUnits != null, "AUTOENCODER hiddenUnits missing");
        hiddenUnits = List.copyOf(hiddenUnits);
        ArchitectureParams.require(
                hiddenUnits.stream().allMatch(u -> u > 0),
                "AUTOENCODER hiddenUnits must be positive, got " + hiddenUnits);
        ArchitectureParams.require(
                bottleneck > 0, "AUTOENCODER bottleneck must be positive, got " + bottleneck);
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
