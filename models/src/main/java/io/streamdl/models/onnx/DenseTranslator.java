package io.streamdl.models.onnx;

import static io.streamdl.models.onnx.OnnxGraph.attrInts;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;

/**
 * Translates DL4J's feed-forward layers: dense and output layers (Gemm), {@code TimeDistributed}
 * dense layers, and embedding and embedding-sequence layers (Gather).
 */
final class DenseTranslator {
    private final ExportContext cx;
    private final OnnxGraph g;
    private final ActivationTranslator activations;

    DenseTranslator(ExportContext cx, ActivationTranslator activations) {
        this.cx = cx;
        this.g = cx.g;
        this.activations = activations;
    }

    String dense(String name, BaseLayer layer, String x, InputType inType) {
        if (inType.getType() != InputType.Type.FF) {
            throw cx.unsupported(name, "dense layer on " + inType.getType() + " input");
        }
        if (layer instanceof DenseLayer dl && dl.hasLayerNorm()) {
            throw cx.unsupported(name, "dense layer with hasLayerNorm");
        }
        List<String> ins = new ArrayList<>(List.of(cx.asFloat(x), cx.param(name, "W", false)));
        if (cx.net.getLayer(name).paramTable().containsKey("b")) {
            ins.add(cx.param(name, "b", false));
        }
        String y = g.node("Gemm", name, ins);
        return activations.apply(name, layer.getActivationFn(), y, InputType.feedForward(1), false);
    }

    String timeDistributed(String name, TimeDistributed td, String x) {
        if (td.getUnderlying().getClass() != DenseLayer.class
                || ((DenseLayer) td.getUnderlying()).hasLayerNorm()) {
            throw cx.unsupported(
                    name,
                    "TimeDistributed around "
                            + td.getUnderlying().getClass().getSimpleName()
                            + " (only DenseLayer)");
        }
        DenseLayer dense = (DenseLayer) td.getUnderlying();
        boolean ncw = td.getRnnDataFormat() == RNNFormat.NCW;
        String nwc =
                ncw ? g.node("Transpose", name + "_nwc", List.of(x), attrInts("perm", 0, 2, 1)) : x;
        String y = g.node("MatMul", name + "_mm", List.of(nwc, cx.param(name, "W", false)));
        if (cx.net.getLayer(name).paramTable().containsKey("b")) {
            y = g.node("Add", name + "_b", List.of(y, cx.param(name, "b", false)));
        }
        // features are the last axis here, as in DL4J's per-step 2-D view
        y = activations.apply(name, dense.getActivationFn(), y, InputType.feedForward(1), false);
        return ncw ? g.node("Transpose", name, List.of(y), attrInts("perm", 0, 2, 1)) : y;
    }

    String embeddingSequence(String name, EmbeddingSequenceLayer e, String x, String mask) {
        String y =
                g.node(
                        "Gather",
                        name + "_rows",
                        List.of(cx.param(name, "W", false), cx.asIndex(x)));
        if (e.hasBias()) {
            y = g.node("Add", name + "_b", List.of(y, cx.param(name, "b", false)));
        }
        y = activations.apply(name, e.getActivationFn(), y, InputType.feedForward(1), false);
        if (mask != null) {
            // DL4J zeroes the embeddings of padded steps
            String m = g.node("Unsqueeze", name + "_mask", List.of(mask, g.longs(2)));
            y = g.node("Mul", name + "_masked", List.of(y, m));
        }
        return e.getOutputFormat() == RNNFormat.NCW
                ? g.node("Transpose", name, List.of(y), attrInts("perm", 0, 2, 1))
                : y;
    }

    String embedding(String name, EmbeddingLayer e, String x) {
        long dim = cx.net.getLayer(name).getParam("W").size(1);
        String rows =
                g.node(
                        "Gather",
                        name + "_rows",
                        List.of(cx.param(name, "W", false), cx.asIndex(x)));
        String y = g.node("Reshape", name + "_2d", List.of(rows, g.longs(-1, dim)));
        if (cx.net.getLayer(name).paramTable().containsKey("b")) {
            y = g.node("Add", name + "_b", List.of(y, cx.param(name, "b", false)));
        }
        return activations.apply(name, e.getActivationFn(), y, InputType.feedForward(1), false);
    }
}
