package io.streamdl.models.spec;

import java.util.List;

/**
 * A Transformer encoder: token embedding ({@code vocabSize} x {@code modelDim}) plus a learned
 * position embedding, then {@code blocks} post-norm blocks of multi-head self-attention ({@code
 * heads}) and a position-wise ReLU feed-forward layer ({@code ffnDim}), each with a residual
 * connection and layer normalisation; masked average pooling over the real tokens; and a softmax
 * layer.
 */
public record TextTransformerParams(int vocabSize, int modelDim, int heads, int blocks, int ffnDim)
        implements ArchitectureParams {

    public TextTransformerParams {
        ArchitectureParams.require(
                vocabSize >= 2, "TEXT_TRANSFORMER vocabSize must be at least 2, got " + vocabSize);
        ArchitectureParams.require(
                modelDim > 0 && heads > 0 && modelDim % heads == 0,
                "TEXT_TRANSFORMER modelDim must be a positive multiple of heads, got modelDim "
                        + modelDim
                        + " and heads "
                        + heads);
        ArchitectureParams.require(
                blocks >= 1 && blocks <= 6,
                "TEXT_TRANSFORMER blocks must be 1 to 6, got " + blocks);
        ArchitectureParams.require(ffnDim > 0, "TEXT_TRANSFORMER ffnDim must be positive");
    }

    /** Token ids index the embedding table: they must be below {@code vocabSize}. */
    @Override
    public int idLimit(String inputName) {
        return "input".equals(inputName) ? vocabSize : Integer.MAX_VALUE;
    }

    @Override
    public ArchitectureKind kind() {
        return ArchitectureKind.TEXT_TRANSFORMER;
    }

    @Override
    public void checkSignature(List<TensorSpec> inputs, int outputSize, List<String> labels) {
        ArchitectureParams.require(
                inputs.size() == 2
                        && inputs.get(0)
                                .equals(new TensorSpec("input", DType.INT32, inputs.get(0).shape()))
                        && inputs.get(0).rank() == 1
                        && inputs.get(1)
                                .equals(
                                        new TensorSpec(
                                                "mask", DType.FLOAT32, inputs.get(0).shape())),
                "TEXT_TRANSFORMER takes 'input' (int32 token ids [maxLen]) and 'mask' (float32"
                        + " [maxLen], 1 = real token), got "
                        + inputs);
        ArchitectureParams.requireClassifierOutput(outputSize, labels, kind());
    }
}
