package io.streamdl.models.onnx;

import static io.streamdl.models.onnx.OnnxGraph.attr;

import io.streamdl.models.spec.ModelSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the translators of one export share: the network being read, its spec, the ONNX graph being
 * written and which of its tensors hold integers, with the helpers that read parameters and convert
 * tensors.
 */
final class ExportContext {
    final ComputationGraph net;
    final ModelSpec spec;
    final OnnxGraph g = new OnnxGraph();
    private final Set<String> intTensors = new HashSet<>();

    ExportContext(ComputationGraph net, ModelSpec spec) {
        this.net = net;
        this.spec = spec;
    }

    /** Records that {@code tensor} holds integers (an INT32 network input). */
    void markInt(String tensor) {
        intTensors.add(tensor);
    }

    void requireNoMask(String name, String mask, String what) {
        if (mask != null) {
            throw unsupported(name, what + " with a feature mask");
        }
    }

    String asFloat(String x) {
        if (!intTensors.contains(x)) {
            return x;
        }
        return g.node("Cast", x + "_float", List.of(x), attr("to", (long) OnnxGraph.FLOAT));
    }

    String asIndex(String x) {
        if (intTensors.contains(x)) {
            return x;
        }
        // a float network input holding indices, as DL4J allows
        return g.node("Cast", x + "_index", List.of(x), attr("to", (long) OnnxGraph.INT64));
    }

    /** Parameter {@code key} of layer {@code name} as an initializer of its own shape. */
    String param(String name, String key, boolean rank1) {
        INDArray p = net.getLayer(name).getParam(key);
        if (p == null) {
            throw unsupported(name, "missing parameter " + key);
        }
        long[] shape = rank1 ? new long[] {p.length()} : p.shape();
        return g.floats(name + "." + key, floats(p), shape);
    }

    OnnxExportException unsupported(String vertex, String what) {
        return new OnnxExportException(
                "cannot export vertex '"
                        + vertex
                        + "' of model '"
                        + spec.name()
                        + "' to ONNX: "
                        + what
                        + " is not supported");
    }

    /** The values of {@code a} in C order as float32 (a copy; params are views into one buffer). */
    static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    static float[] filled(int n, float v) {
        float[] f = new float[n];
        java.util.Arrays.fill(f, v);
        return f;
    }
}
