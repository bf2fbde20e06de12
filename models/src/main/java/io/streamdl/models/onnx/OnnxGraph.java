package io.streamdl.models.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx;
import org.nd4j.shade.protobuf.ByteString;

/**
 * A small builder over the ONNX protobuf classes that ship in nd4j-api: unique tensor names,
 * little-endian initializers, nodes with attributes, and the final {@code ModelProto}. Not
 * thread-safe; one instance builds one graph.
 */
final class OnnxGraph {
    static final int FLOAT = Onnx.TensorProto.DataType.FLOAT.getNumber();
    static final int INT32 = Onnx.TensorProto.DataType.INT32.getNumber();
    static final int INT64 = Onnx.TensorProto.DataType.INT64.getNumber();

    /** The symbolic batch dimension of every graph input and output. */
    static final String BATCH_DIM = "N";

    private final Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> constants = new HashMap<>();

    /** Marks names that generated tensors must not take (graph inputs and outputs). */
    void reserve(String name) {
        names.add(name);
    }

    /** A tensor name starting with {@code hint} that is not taken yet. */
    String fresh(String hint) {
        String name = hint;
        for (int i = 1; names.contains(name); i++) {
            name = hint + "_" + i;
        }
        names.add(name);
        return name;
    }

    /** Declares a graph input {@code [N, eventShape...]}; the name must have been reserved. */
    void input(String name, int elemType, List<Integer> eventShape) {
        graph.addInput(valueInfo(name, elemType, eventShape));
    }

    /** Declares a graph output {@code [N, eventShape...]}. */
    void output(String name, int elemType, List<Integer> eventShape) {
        graph.addOutput(valueInfo(name, elemType, eventShape));
    }

    /** A float32 initializer holding {@code data} with dimensions {@code dims}. */
    String floats(String hint, float[] data, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalStateException(
                    "initializer " + hint + " has " + data.length + " values for " + n);
        }
        ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        String name = fresh(hint);
        Onnx.TensorProto.Builder t =
                Onnx.TensorProto.newBuilder()
                        .setName(name)
                        .setDataType(FLOAT)
                        .setRawData(ByteString.copyFrom(buf.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    /** A float32 scalar constant, shared between uses. */
    String scalar(float value) {
        return constants.computeIfAbsent(
                "f:" + Float.floatToIntBits(value), k -> floats("const_f", new float[] {value}));
    }

    /** A 1-D int64 constant (shapes, axes), shared between uses. */
    String longs(long... values) {
        StringBuilder key = new StringBuilder("i:");
        for (long v : values) {
            key.append(v).append(',');
        }
        return constants.computeIfAbsent(
                key.toString(),
                k -> {
                    ByteBuffer buf =
                            ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                    buf.asLongBuffer().put(values);
                    String name = fresh("const_i");
                    graph.addInitializer(
                            Onnx.TensorProto.newBuilder()
                                    .setName(name)
                                    .setDataType(INT64)
                                    .addDims(values.length)
                                    .setRawData(ByteString.copyFrom(buf.array())));
                    return name;
                });
    }

    /** Adds a node with one output named after {@code outHint}; returns the output name. */
    String node(String op, String outHint, List<String> inputs, Onnx.AttributeProto... attrs) {
        return node(op, List.of(outHint), inputs, attrs)[0];
    }

    /** Adds a node with several outputs; an empty hint leaves that output unused. */
    String[] node(
            String op, List<String> outHints, List<String> inputs, Onnx.AttributeProto... attrs) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op);
        String[] outs = new String[outHints.size()];
        for (int i = 0; i < outs.length; i++) {
            outs[i] = outHints.get(i).isEmpty() ? "" : fresh(outHints.get(i));
            n.addOutput(outs[i]);
        }
        n.setName(fresh("node_" + op + "_" + outs[0]));
        inputs.forEach(n::addInput);
        for (Onnx.AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return outs;
    }

    /** Adds a node writing to an exact, reserved output name (graph outputs). */
    void nodeTo(String op, String output, List<String> inputs, Onnx.AttributeProto... attrs) {
        Onnx.NodeProto.Builder n =
                Onnx.NodeProto.newBuilder()
                        .setOpType(op)
                        .setName(fresh("node_" + op + "_" + output))
                        .addOutput(output);
        inputs.forEach(n::addInput);
        for (Onnx.AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        graph.addNode(n);
    }

    /** The serialized model: IR {@code irVersion}, default-domain opset {@code opset}. */
    byte[] toModel(
            String graphName,
            long irVersion,
            long opset,
            String producer,
            Map<String, String> metadata) {
        graph.setName(graphName);
        Onnx.ModelProto.Builder model =
                Onnx.ModelProto.newBuilder()
                        .setIrVersion(irVersion)
                        .addOpsetImport(
                                Onnx.OperatorSetIdProto.newBuilder()
                                        .setDomain("")
                                        .setVersion(opset))
                        .setProducerName(producer)
                        .setGraph(graph);
        metadata.forEach(
                (k, v) ->
                        model.addMetadataProps(
                                Onnx.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build().toByteArray();
    }

    static Onnx.AttributeProto attr(String name, long value) {
        return Onnx.AttributeProto.newBuilder()
                .setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    static Onnx.AttributeProto attr(String name, float value) {
        return Onnx.AttributeProto.newBuilder()
                .setName(name)
                .setType(Onnx.AttributeProto.AttributeType.FLOAT)
                .setF(value)
                .build();
    }

    static Onnx.AttributeProto attr(String name, String value) {
        return Onnx.AttributeProto.newBuilder()
                .setName(name)
                .setType(Onnx.AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value))
                .build();
    }

    static Onnx.AttributeProto attrInts(String name, long... values) {
        Onnx.AttributeProto.Builder a =
                Onnx.AttributeProto.newBuilder()
                        .setName(name)
                        .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static Onnx.AttributeProto attrStrings(String name, String... values) {
        Onnx.AttributeProto.Builder a =
                Onnx.AttributeProto.newBuilder()
                        .setName(name)
                        .setType(Onnx.AttributeProto.AttributeType.STRINGS);
        for (String v : values) {
            a.addStrings(ByteString.copyFromUtf8(v));
        }
        return a.build();
    }

    private static Onnx.ValueInfoProto valueInfo(
            String name, int elemType, List<Integer> eventShape) {
        Onnx.TensorShapeProto.Builder shape =
                Onnx.TensorShapeProto.newBuilder()
                        .addDim(
                                Onnx.TensorShapeProto.Dimension.newBuilder()
                                        .setDimParam(BATCH_DIM));
        for (int d : eventShape) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(
                        Onnx.TypeProto.newBuilder()
                                .setTensorType(
                                        Onnx.TypeProto.Tensor.newBuilder()
                                                .setElemType(elemType)
                                                .setShape(shape)))
                .build();
    }
}
