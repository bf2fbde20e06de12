package io.streamdl.models.onnx;

import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.ImportedParams;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * How an ONNX graph's inputs and output bind to a spec's tensors, and whether they fit: each spec
 * input feeds one graph input of its dtype and of shape {@code [batch, ...its shape]} with a
 * dynamic batch dimension, and the served graph output is float {@code [batch, outputSize]}. A
 * graph exported here uses the spec's own names; one trained elsewhere keeps its own, recorded in
 * its {@link ImportedParams}. Stateless.
 */
public final class OnnxPorts {
    private static final int ONNX_FLOAT = 1;
    private static final int ONNX_INT32 = 6;
    private static final Map<Integer, String> ONNX_TYPES =
            Map.ofEntries(
                    Map.entry(1, "float"),
                    Map.entry(2, "uint8"),
                    Map.entry(3, "int8"),
                    Map.entry(4, "uint16"),
                    Map.entry(5, "int16"),
                    Map.entry(6, "int32"),
                    Map.entry(7, "int64"),
                    Map.entry(8, "string"),
                    Map.entry(9, "bool"),
                    Map.entry(10, "float16"),
                    Map.entry(11, "double"),
                    Map.entry(12, "uint32"),
                    Map.entry(13, "uint64"),
                    Map.entry(16, "bfloat16"));

    /**
     * A graph's names for a spec's tensors.
     *
     * @param graphInputs {@code graphInputs.get(i)} is fed with the spec's input {@code i}
     * @param graphOutput the graph output served as the model's output
     */
    public record Binding(List<String> graphInputs, String graphOutput) {
        public Binding {
            graphInputs = List.copyOf(graphInputs);
        }
    }

    private OnnxPorts() {}

    /**
     * The names the ONNX model of {@code spec} uses: those its {@link ImportedParams} recorded, or
     * the exporter's (the spec's input names and {@value ModelSpec#OUTPUT_NAME}).
     */
    public static Binding of(ModelSpec spec) {
        if (spec.params() instanceof ImportedParams p) {
            return new Binding(p.graphInputs(), p.graphOutput());
        }
        return new Binding(
                spec.inputs().stream().map(TensorSpec::name).toList(), ModelSpec.OUTPUT_NAME);
    }

    /**
     * Binds a graph trained elsewhere to {@code inputs}, without checking dtypes or shapes (see
     * {@link #mismatch}): a single input to a single input; several by name when the graph's names
     * are the inputs' names, else in the graph's order. The output is the graph's only one, or else
     * the one called {@value ModelSpec#OUTPUT_NAME}.
     *
     * @param inputsFrom what gives the inputs, for the message ("encoder image")
     * @throws IllegalArgumentException with a one-line message if the counts differ or the output
     *     is ambiguous
     */
    public static Binding bind(OnnxModelInfo info, List<TensorSpec> inputs, String inputsFrom) {
        List<String> names = info.inputs().stream().map(OnnxModelInfo.Port::name).toList();
        if (names.size() != inputs.size()) {
            throw new IllegalArgumentException(
                    "the graph takes "
                            + names.size()
                            + (names.size() == 1 ? " input " : " inputs ")
                            + describePorts(info.inputs())
                            + " but "
                            + inputsFrom
                            + " gives "
                            + inputs.size()
                            + ": "
                            + describeSpecs(inputs));
        }
        List<String> specNames = inputs.stream().map(TensorSpec::name).toList();
        List<String> graphInputs =
                names.size() > 1 && new HashSet<>(names).equals(new HashSet<>(specNames))
                        ? specNames
                        : names;
        List<OnnxModelInfo.Port> outputs = info.outputs();
        String output;
        if (outputs.size() == 1) {
            output = outputs.get(0).name();
        } else if (outputs.stream().anyMatch(p -> p.name().equals(ModelSpec.OUTPUT_NAME))) {
            output = ModelSpec.OUTPUT_NAME;
        } else {
            throw new IllegalArgumentException(
                    "the graph has "
                            + outputs.size()
                            + " outputs "
                            + describePorts(outputs)
                            + ": keep only the one to serve, or call it '"
                            + ModelSpec.OUTPUT_NAME
                            + "'");
        }
        return new Binding(graphInputs, output);
    }

    /**
     * The first way the graph does not fit {@code inputs} and {@code outputSize} under {@code
     * binding}, as one line naming the port and both types, or null if it fits.
     *
     * @param inputsFrom what gives the inputs ("encoder image", "the spec")
     * @param outputFrom what needs the output width ("10 labels need", "the spec needs")
     */
    public static String mismatch(
            OnnxModelInfo info,
            List<TensorSpec> inputs,
            Binding binding,
            int outputSize,
            String inputsFrom,
            String outputFrom) {
        if (info.inputs().size() != inputs.size()) {
            return "the graph takes inputs "
                    + describePorts(info.inputs())
                    + " but "
                    + inputsFrom
                    + " gives "
                    + describeSpecs(inputs);
        }
        for (int i = 0; i < inputs.size(); i++) {
            TensorSpec in = inputs.get(i);
            String name = binding.graphInputs().get(i);
            OnnxModelInfo.Port port = port(info.inputs(), name);
            if (port == null) {
                return "the graph has no input '"
                        + name
                        + "'; it takes "
                        + describePorts(info.inputs());
            }
            List<Long> dims = batchDims(in.shape());
            int type = in.dtype() == DType.INT32 ? ONNX_INT32 : ONNX_FLOAT;
            if (port.elemType() != type || !port.dims().equals(dims)) {
                return "input '"
                        + name
                        + "' is "
                        + describe(port.elemType(), port.dims())
                        + " but "
                        + inputsFrom
                        + " gives "
                        + describe(type, dims)
                        + (name.equals(in.name()) ? "" : " (as '" + in.name() + "')")
                        + batchHint(port.dims(), dims);
            }
        }
        OnnxModelInfo.Port out = port(info.outputs(), binding.graphOutput());
        if (out == null) {
            return "the graph has no output '"
                    + binding.graphOutput()
                    + "'; it gives "
                    + describePorts(info.outputs());
        }
        List<Long> dims = List.of(-1L, (long) outputSize);
        if (out.elemType() != ONNX_FLOAT || !out.dims().equals(dims)) {
            return "output '"
                    + out.name()
                    + "' is "
                    + describe(out.elemType(), out.dims())
                    + " but "
                    + outputFrom
                    + " "
                    + describe(ONNX_FLOAT, dims)
                    + batchHint(out.dims(), dims);
        }
        return null;
    }

    /** {@code float[N,1,28,28]}: ONNX's type name, then the dimensions (N: a dynamic batch). */
    public static String describe(int elemType, List<Long> dims) {
        StringBuilder b = new StringBuilder(ONNX_TYPES.getOrDefault(elemType, "type " + elemType));
        b.append('[');
        for (int i = 0; i < dims.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            long d = dims.get(i);
            b.append(d >= 0 ? String.valueOf(d) : i == 0 ? "N" : "?");
        }
        return b.append(']').toString();
    }

    private static String batchHint(List<Long> actual, List<Long> expected) {
        boolean onlyBatch =
                actual.size() == expected.size()
                        && !actual.isEmpty()
                        && actual.get(0) >= 0
                        && actual.subList(1, actual.size())
                                .equals(expected.subList(1, expected.size()));
        return onlyBatch
                ? " (the batch dimension must be dynamic: the scorers stack events into batches)"
                : "";
    }

    private static List<Long> batchDims(List<Integer> shape) {
        List<Long> dims = new ArrayList<>();
        dims.add(-1L);
        shape.forEach(d -> dims.add((long) d));
        return dims;
    }

    private static OnnxModelInfo.Port port(List<OnnxModelInfo.Port> ports, String name) {
        return ports.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    private static String describePorts(List<OnnxModelInfo.Port> ports) {
        List<String> out = new ArrayList<>();
        for (OnnxModelInfo.Port p : ports) {
            out.add("'" + p.name() + "' " + describe(p.elemType(), p.dims()));
        }
        return out.toString();
    }

    private static String describeSpecs(List<TensorSpec> inputs) {
        List<String> out = new ArrayList<>();
        for (TensorSpec in : inputs) {
            int type = in.dtype() == DType.INT32 ? ONNX_INT32 : ONNX_FLOAT;
            out.add("'" + in.name() + "' " + describe(type, batchDims(in.shape())));
        }
        return out.toString();
    }
}
