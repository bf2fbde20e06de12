package io.streamdl.models.spec;

import java.util.List;

/**
 * A dense forecaster over a metric window {@code [window, channels]} (newest point last): it sees
 * only the {@code window - 1} points before the newest, through ReLU layers of {@code hiddenUnits}
 * (none: a linear autoregression), and predicts the newest point's channels. The model's output is
 * the per-event mean squared error of that forecast over the channels, the anomaly score: how
 * surprising the newest value is given its recent past. An optional {@code mask} input {@code
 * [window]} (1 = a real point) is accepted so metric features feed the model as they are, but the
 * network does not read it: a young series' padding is zeros, the mean of its normalised history.
 */
public record ForecasterParams(List<Integer> hiddenUnits) implements ArchitectureParams {

    public ForecasterParams {
        ArchitectureParams.require(hiddenUnits != null, "FORECASTER hiddenUnits missing");
        hiddenUnits = List.copyOf(hiddenUnits);
        ArchitectureParams.require(
                hiddenUnits.stream().allMatch(u -> u > 0),
                "FORECASTER hiddenUnits must be positive, got " + hiddenUnits);
    }

    @Override
    public ArchitectureKind kind() {
        return ArchitectureKind.FORECASTER;
    }

    @Override
    public void checkSignature(List<TensorSpec> inputs, int outputSize, List<String> labels) {
        ArchitectureParams.require(
                inputs.size() == 1 || inputs.size() == 2,
                "FORECASTER takes an input 'input' and optionally a 'mask', got " + inputs.size());
        TensorSpec window = inputs.get(0);
        ArchitectureParams.require(
                window.name().equals("input")
                        && window.dtype() == DType.FLOAT32
                        && window.rank() == 2
                        && window.dim(0) >= 2,
                "FORECASTER expects input 'input' of float32 [window >= 2, channels], got "
                        + window);
        if (inputs.size() == 2) {
            TensorSpec expected = TensorSpec.of("mask", DType.FLOAT32, window.dim(0));
            ArchitectureParams.require(
                    inputs.get(1).equals(expected),
                    "FORECASTER's second input must be " + expected + ", got " + inputs.get(1));
        }
        ArchitectureParams.requireScoreOutput(outputSize, labels, kind());
    }
}
