package io.streamdl.models.spec;

import java.util.List;

/**
 * The hyper-parameters of one architecture kind. Each implementation validates its own values on
 * construction and checks that a spec's inputs and outputs fit the network it describes.
 */
public sealed interface ArchitectureParams
        permits ImageCnnParams,
                AudioLstmParams,
                TextTransformerParams,
                AutoencoderParams,
                ForecasterParams,
                RecsParams,
                NextItemParams,
                ImportedParams {

    /** The kind these parameters describe. */
    ArchitectureKind kind();

    /**
     * Checks that {@code inputs}, {@code outputSize} and {@code labels} are what this architecture
     * consumes and produces.
     *
     * @throws InvalidSpecException naming the first inconsistency
     */
    void checkSignature(List<TensorSpec> inputs, int outputSize, List<String> labels);

    /**
     * The exclusive upper bound of the integer ids that input {@code inputName} may carry (token
     * ids below the vocabulary size, say), or {@link Integer#MAX_VALUE} when any non-negative int
     * is valid. Ids outside it would index past an embedding table.
     */
    default int idLimit(String inputName) {
        return Integer.MAX_VALUE;
    }

    /** The Java type holding the hyper-parameters of {@code kind}. */
    static Class<? extends ArchitectureParams> typeOf(ArchitectureKind kind) {
        return switch (kind) {
            case IMAGE_CNN -> ImageCnnParams.class;
            case AUDIO_LSTM -> AudioLstmParams.class;
            case TEXT_TRANSFORMER -> TextTransformerParams.class;
            case AUTOENCODER -> AutoencoderParams.class;
            case FORECASTER -> ForecasterParams.class;
            case RECS -> RecsParams.class;
            case NEXT_ITEM -> NextItemParams.class;
            case IMPORTED -> ImportedParams.class;
        };
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new InvalidSpecException(message);
        }
    }

    static void requireSingleInput(
            List<TensorSpec> inputs, String name, DType dtype, int rank, ArchitectureKind kind) {
        require(
                inputs.size() == 1,
                kind + " takes exactly one input named '" + name + "', got " + inputs.size());
        TensorSpec in = inputs.get(0);
        require(
                in.name().equals(name) && in.dtype() == dtype && (rank < 0 || in.rank() == rank),
                kind
                        + " expects input '"
                        + name
                        + "' of "
                        + dtype.wireName()
                        + (rank < 0 ? "" : " with rank " + rank)
                        + ", got "
                        + in);
    }

    static void requireClassifierOutput(
            int outputSize, List<String> labels, ArchitectureKind kind) {
        require(outputSize >= 2, kind + " needs at least 2 classes, got outputSize " + outputSize);
        require(
                labels.size() == outputSize,
                kind
                        + " needs one label per class: outputSize "
                        + outputSize
                        + " but "
                        + labels.size()
                        + " labels");
    }

    static void requireScoreOutput(int outputSize, List<String> labels, ArchitectureKind kind) {
        require(
                outputSize == 1 && labels.isEmpty(),
                kind
                        + " produces one score per event: outputSize must be 1 and labels empty, got "
                        + outputSize
                        + " and "
                        + labels);
    }

    static void requireDropout(double dropout) {
        require(
                dropout >= 0.0 && dropout < 1.0,
                "dropout must be a drop probability in [0, 1), got " + dropout);
    }
}
