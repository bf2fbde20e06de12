package io.streamdl.models.spec;

import java.util.List;

/**
 * A next-item recommender over a catalogue of items: a <em>user tower</em> of ReLU layers {@code
 * hiddenUnits} over the user's profile (the recency- and kind-weighted mean of the content
 * embeddings of the items they recently interacted with, {@code float32 [dim]}), then a softmax
 * over every item of the catalogue: the output layer's weights are one learned vector and bias per
 * item, the item side of a two-tower model. It is a classifier whose classes are the item ids, so
 * it learns test-then-train from (profile before an interaction, item interacted with) pairs like
 * any other classifier, every other item of the catalogue being a negative of the full softmax.
 */
public record NextItemParams(List<Integer> hiddenUnits) implements ArchitectureParams {
    /** The input's name. */
    public static final String INPUT = "profile";

    public NextItemParams {
        ArchitectureParams.require(hiddenUnits != null, "NEXT_ITEM hiddenUnits missing");
        hiddenUnits = List.copyOf(hiddenUnits);
        ArchitectureParams.require(
                hiddenUnits.stream().allMatch(u -> u > 0),
                "NEXT_ITEM hiddenUnits must be positive, got " + hiddenUnits);
    }

    @Override
    public ArchitectureKind kind() {
        return ArchitectureKind.NEXT_ITEM;
    }

    @Override
    public void checkSignature(List<TensorSpec> inputs, int outputSize, List<String> labels) {
        ArchitectureParams.requireSingleInput(inputs, INPUT, DType.FLOAT32, 1, kind());
        ArchitectureParams.requireClassifierOutput(outputSize, labels, kind());
    }
}
