package io.streamdl.models.onnx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import onnx.Onnx;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;

/**
 * What an ONNX model declares, read without running it: its graph inputs and outputs, its metadata,
 * and the first float initializer holding NaN or infinity. Used to check received models against
 * their spec before a session is built.
 *
 * @param firstNonFinite {@code name[index]} of the first non-finite float initializer value, or
 *     null if all are finite
 */
public record OnnxModelInfo(
        long irVersion,
        List<Port> inputs,
        List<Port> outputs,
        Map<String, String> metadata,
        String firstNonFinite) {

    /**
     * A graph input or output.
     *
     * @param elemType ONNX {@code TensorProto.DataType} number (1 = float, 6 = int32)
     * @param dims dimensions; -1 for a symbolic one such as the batch
     */
    public record Port(String name, int elemType, List<Long> dims) {}

    public OnnxModelInfo {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        metadata = Map.copyOf(metadata);
    }

    /**
     * Parses a serialized {@code ModelProto}.
     *
     * @throws IllegalArgumentException if the bytes are not an ONNX model with a graph
     */
    public static OnnxModelInfo parse(byte[] model) {
        Onnx.ModelProto proto;
        try {
            proto = Onnx.ModelProto.parseFrom(model);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
        }
        if (!proto.hasGraph() || proto.getGraph().getNodeCount() == 0) {
            throw new IllegalArgumentException(
                    "not an ONNX model: it has no graph, or an empty one");
        }
        Onnx.GraphProto graph = proto.getGraph();
        Map<String, String> metadata = new LinkedHashMap<>();
        proto.getMetadataPropsList().forEach(e -> metadata.put(e.getKey(), e.getValue()));
        return new OnnxModelInfo(
                proto.getIrVersion(),
                ports(graph.getInputList(), graph),
                ports(graph.getOutputList(), graph),
                metadata,
                firstNonFinite(graph));
    }

    private static List<Port> ports(List<Onnx.ValueInfoProto> values, Onnx.GraphProto graph) {
        java.util.Set<String> initializers = new java.util.HashSet<>();
        graph.getInitializerList().forEach(t -> initializers.add(t.getName()));
        List<Port> ports = new ArrayList<>();
        for (Onnx.ValueInfoProto v : values) {
            // IR < 4 lists initializers among the inputs; they are not fed by the caller
            if (initializers.contains(v.getName())) {
                continue;
            }
            Onnx.TypeProto.Tensor t = v.getType().getTensorType();
            List<Long> dims = new ArrayList<>();
            for (Onnx.TensorShapeProto.Dimension d : t.getShape().getDimList()) {
                dims.add(d.hasDimValue() ? d.getDimValue() : -1L);
            }
            ports.add(new Port(v.getName(), t.getElemType(), dims));
        }
        return ports;
    }

    private static String firstNonFinite(Onnx.GraphProto graph) {
        for (Onnx.TensorProto t : graph.getInitializerList()) {
            if (t.getDataType() != Onnx.TensorProto.DataType.FLOAT.getNumber()) {
                continue;
            }
            if (!t.getRawData().isEmpty()) {
                java.nio.FloatBuffer f =
                        t.getRawData()
                                .asReadOnlyByteBuffer()
                                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                                .asFloatBuffer();
                for (int i = 0; i < f.limit(); i++) {
                    if (!Float.isFinite(f.get(i))) {
                        return t.getName() + "[" + i + "]";
                    }
                }
            }
            for (int i = 0; i < t.getFloatDataCount(); i++) {
                if (!Float.isFinite(t.getFloatData(i))) {
                    return t.getName() + "[" + i + "]";
                }
            }
        }
        return null;
    }
}
