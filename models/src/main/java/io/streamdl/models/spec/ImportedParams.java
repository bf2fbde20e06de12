package io.streamdl.models.spec;

import java.util.List;

/**
 * An ONNX graph trained elsewhere, served as it came: no hyper-parameters, only how its own tensor
 * names bind to the spec. {@code graphInputs.get(i)} is the graph input fed with the spec's input
 * {@code i} (a user's graph rarely calls its input {@code input}), and {@code graphOutput} is the
 * graph output served as the model's output, {@code [batch, outputSize]} float.
 *
 * <p>A classifier has one label per output; a model without labels gives one score per event.
 */
public record ImportedParams(List<String> graphInputs, String graphOutput)
        implements ArchitectureParams {
    private static final int MAX_NAME_LENGTH = 256;

    public ImportedParams {
        ArchitectureParams.require(graphInputs != null, "IMPORTED graphInputs missing");
        graphInputs = List.copyOf(graphInputs);
        graphInputs.forEach(n -> requireName(n, "graph input"));
        requireName(graphOutput, "graph output");
        ArchitectureParams.require(
                graphInputs.stream().distinct().count() == graphInputs.size(),
                "IMPORTED graphInputs must be distinct, got " + graphInputs);
    }

    private static void requireName(String name, String what) {
        ArchitectureParams.require(
                name != null
                        && !name.isBlank()
                        && name.length() <= MAX_NAME_LENGTH
                        && name.chars().noneMatch(Character::isISOControl),
                "IMPORTED "
                        + what
                        + " name must be 1 to "
                        + MAX_NAME_LENGTH
                        + " printable characters, got '"
                        + name
                        + "'");
    }

    @Override
    public ArchitectureKind kind() {
        return ArchitectureKind.IMPORTED;
    }

    @Override
    public void checkSignature(List<TensorSpec> inputs, int outputSize, List<String> labels) {
        ArchitectureParams.require(
                graphInputs.size() == inputs.size(),
                "IMPORTED binds "
                        + graphInputs.size()
                        + " graph inputs "
                        + graphInputs
                        + " to "
                        + inputs.size()
                        + " spec inputs");
        if (labels.isEmpty()) {
            ArchitectureParams.requireScoreOutput(outputSize, labels, kind());
        } else {
            ArchitectureParams.requireClassifierOutput(outputSize, labels, kind());
        }
    }
}
