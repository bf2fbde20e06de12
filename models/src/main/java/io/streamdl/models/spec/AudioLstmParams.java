package io.streamdl.models.spec;

import java.util.List;

/**
 * A stack of {@code layers} LSTMs of {@code units} each over {@code [frames, mels]} input; the last
 * LSTM's final time step feeds a softmax layer.
 *
 * @param dropout drop probability applied to the input of the softmax layer while training
 */
public record AudioLstmParams(int units, int layers, double dropout) implements ArchitectureParams {

    public AudioLstmParams {
        ArchitectureParams.require(units > 0, "AUDIO_LSTM units must be positive, got " + units);
        ArchitectureParams.require(
                layers >= 1 && layers <= 4, "AUDIO_LSTM layers must be 1 to 4, got " + layers);
        ArchitectureParams.requireDropout(dropout);
    }

    @Override
    public ArchitectureKind kind() {
        return ArchitectureKind.AUDIO_LSTM;
    }

    @Override
    public void checkSignature(List<TensorSpec> inputs, int outputSize, List<String> labels) {
        ArchitectureParams.requireSingleInput(inputs, "input", DType.FLOAT32, 2, kind());
        ArchitectureParams.requireClassifierOutput(outputSize, labels, kind());
    }
}
