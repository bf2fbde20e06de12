package io.streamdl.models.spec;

import java.util.List;

/**
 * The tensors the pipeline's feature encoders emit with their default configuration, as a model's
 * inputs: what a catalogue entry's {@code inputs} default to, and what an imported ONNX model must
 * take. Images are NCHW {@code [1, 28, 28]} float32, audio log-mel {@code [98 frames, 40 mels]}
 * float32, text int32 token ids {@code [64]} with a float32 {@code mask}, metric windows {@code [32
 * points, 1 channel]} float32 with a float32 {@code mask}. The recommender's features come from the
 * Recommender app and have no defaults. Stateless.
 */
public final class EncoderTensors {
    /** The encoders that have default tensors. */
    public static final List<String> ENCODERS = List.of("image", "audio", "text", "metric");

    private EncoderTensors() {}

    /**
     * The inputs a model reading {@code encoder}'s features takes.
     *
     * @throws InvalidSpecException naming the encoders that have defaults, if {@code encoder} has
     *     none
     */
    public static List<TensorSpec> of(String encoder) {
        return switch (encoder) {
            case "image" ->
                    List.of(
                            TensorSpec.of(
                                    "input",
                                    DType.FLOAT32,
                                    1,
                                    DefaultSpecs.IMAGE_SIZE,
                                    DefaultSpecs.IMAGE_SIZE));
            case "audio" ->
                    List.of(
                            TensorSpec.of(
                                    "input",
                                    DType.FLOAT32,
                                    DefaultSpecs.AUDIO_FRAMES,
                                    DefaultSpecs.AUDIO_MELS));
            case "text" ->
                    List.of(
                            TensorSpec.of("input", DType.INT32, DefaultSpecs.TEXT_MAX_LEN),
                            TensorSpec.of("mask", DType.FLOAT32, DefaultSpecs.TEXT_MAX_LEN));
            case "metric" ->
                    List.of(
                            TensorSpec.of("input", DType.FLOAT32, DefaultSpecs.METRIC_WINDOW, 1),
                            TensorSpec.of("mask", DType.FLOAT32, DefaultSpecs.METRIC_WINDOW));
            default ->
                    throw new InvalidSpecException(
                            "encoder '"
                                    + encoder
                                    + "' has no default inputs (encoders with defaults: "
                                    + ENCODERS
                                    + ")");
        };
    }
}
