package io.streamdl.models.spec;

import java.util.List;

/**
 * A neural matrix-factorisation scorer: user and item embeddings of {@code embeddingDim}, their
 * concatenation with their element-wise product, a ReLU layer of {@code hiddenUnits}, and a sigmoid
 * giving the probability that the user interacts with the item. Ids are indices in {@code [0,
 * numUsers)} and {@code [0, numItems)}; mapping external ids to indices (for example by hashing) is
 * the caller's job.
 */
public record RecsParams(int numUsers, int numItems, int embeddingDim, int hiddenUnits)
        implements ArchitectureParams {

    public RecsParams {
        ArchitectureParams.require(
                numUsers > 0 && numItems > 0, "RECS numUsers and numItems must be positive");
        ArchitectureParams.require(
                embeddingDim > 0 && hiddenUnits > 0,
                "RECS embeddingDim and hiddenUnits must be positive");
    }

    /** User and item ids index their embedding tables. */
    @Override
    public int idLimit(String inputName) {
        return switch (inputName) {
            case "user" -> numUsers;
            case "item" -> numItems;
            default -> Integer.MAX_VALUE;
        };
    }

    @Override
    public ArchitectureKind kind() {
        return ArchitectureKind.RECS;
    }

    @Override
    public void checkSignature(List<TensorSpec> inputs, int outputSize, List<String> labels) {
        ArchitectureParams.require(
                inputs.equals(
                        List.of(
                                TensorSpec.of("user", DType.INT32, 1),
                                TensorSpec.of("item", DType.INT32, 1))),
                "RECS takes 'user' and 'item', each int32 [1], got " + inputs);
        ArchitectureParams.requireScoreOutput(outputSize, labels, kind());
    }
}
