package io.streamdl.models.onnx;

import static io.streamdl.models.onnx.ExportContext.floats;
import static io.streamdl.models.onnx.OnnxGraph.attr;
import static io.streamdl.models.onnx.OnnxGraph.attrInts;

import io.streamdl.models.arch.LayerNormLayer;
import io.streamdl.models.arch.PositionEmbeddingLayer;
import io.streamdl.models.arch.PositionwiseDenseLayer;
import java.util.List;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;

/**
 * Translates the transformer layers: DL4J's self-attention with projected input (padded keys get
 * DL4J's score offset) and this module's position embedding, position-wise dense and layer norm
 * layers.
 */
final class AttentionTranslator {
    /** DL4J's attention adds {@code (mask - 1) * 1e9} to the scores of padded keys. */
    private static final float MASKED_SCORE_OFFSET = 1e9f;

    private final ExportContext cx;
    private final OnnxGraph g;
    private final ActivationTranslator activations;

    AttentionTranslator(ExportContext cx, ActivationTranslator activations) {
        this.cx = cx;
        this.g = cx.g;
        this.activations = activations;
    }

    String selfAttention(String name, SelfAttentionLayer a, String x, String mask) {
        if (!a.isProjectInput()) {
            throw cx.unsupported(name, "self-attention without projectInput");
        }
        long heads = a.getNHeads();
        long hs = a.getHeadSize();
        long nIn = a.getNIn();
        String nwc =
                g.node(
                        "Transpose",
                        name + "_nwc",
                        List.of(cx.asFloat(x)),
                        attrInts("perm", 0, 2, 1));
        String q = project(name, "Wq", nwc, heads, hs, nIn, 0, 2, 1, 3);
        String k = project(name, "Wk", nwc, heads, hs, nIn, 0, 2, 3, 1);
        String v = project(name, "Wv", nwc, heads, hs, nIn, 0, 2, 1, 3);
        String scores = g.node("MatMul", name + "_scores", List.of(q, k));
        scores =
                g.node(
                        "Mul",
                        name + "_scaled",
                        List.of(scores, g.scalar((float) (1.0 / Math.sqrt(hs)))));
        if (mask != null) {
            String m = g.node("Unsqueeze", name + "_mask", List.of(mask, g.longs(1, 2)));
            String kept = g.node("Mul", name + "_kept", List.of(scores, m));
            String off =
                    g.node(
                            "Mul",
                            name + "_offset",
                            List.of(
                                    g.node("Sub", name + "_m1", List.of(m, g.scalar(1f))),
                                    g.scalar(MASKED_SCORE_OFFSET)));
            scores = g.node("Add", name + "_masked", List.of(kept, off));
        }
        String weights = g.node("Softmax", name + "_weights", List.of(scores), attr("axis", -1L));
        String ctx = g.node("MatMul", name + "_ctx", List.of(weights, v));
        String ctxT =
                g.node("Transpose", name + "_ctx_t", List.of(ctx), attrInts("perm", 0, 2, 1, 3));
        String merged =
                g.node("Reshape", name + "_heads", List.of(ctxT, g.longs(0, 0, heads * hs)));
        String out = g.node("MatMul", name + "_out", List.of(merged, cx.param(name, "Wo", false)));
        return g.node("Transpose", name, List.of(out), attrInts("perm", 0, 2, 1));
    }

    /** x [N,T,nIn] times W [heads, hs, nIn] transposed, split into heads and permuted. */
    private String project(
            String name, String key, String x, long heads, long hs, long nIn, long... perm) {
        float[] w = floats(cx.net.getLayer(name).getParam(key));
        int rows = (int) (heads * hs);
        int cols = (int) nIn;
        float[] wt = new float[w.length];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                wt[j * rows + r] = w[r * cols + j];
            }
        }
        String p =
                g.node(
                        "MatMul",
                        name + "_" + key,
                        List.of(x, g.floats(name + "." + key + "T", wt, nIn, rows)));
        String split =
                g.node(
                        "Reshape",
                        name + "_" + key + "_split",
                        List.of(p, g.longs(0, 0, heads, hs)));
        return g.node(
                "Transpose", name + "_" + key + "_heads", List.of(split), attrInts("perm", perm));
    }

    String positionEmbedding(String name, String x) {
        return g.node(
                "Add", name, List.of(x, cx.param(name, PositionEmbeddingLayer.POSITIONS, false)));
    }

    String positionwiseDense(String name, PositionwiseDenseLayer layer, String x) {
        String nwc =
                g.node(
                        "Transpose",
                        name + "_nwc",
                        List.of(cx.asFloat(x)),
                        attrInts("perm", 0, 2, 1));
        String y =
                g.node(
                        "MatMul",
                        name + "_mm",
                        List.of(nwc, cx.param(name, PositionwiseDenseLayer.WEIGHTS, false)));
        y =
                g.node(
                        "Add",
                        name + "_b",
                        List.of(y, cx.param(name, PositionwiseDenseLayer.BIAS, false)));
        y =
                activations.apply(
                        name,
                        layer.getActivation().getActivationFunction(),
                        y,
                        InputType.feedForward(1),
                        false);
        return g.node("Transpose", name, List.of(y), attrInts("perm", 0, 2, 1));
    }

    String layerNorm(String name, LayerNormLayer ln, String x) {
        // opset 13 has no LayerNormalization: spell it out over the channel axis of NCW
        String mean =
                g.node(
                        "ReduceMean",
                        name + "_mean",
                        List.of(cx.asFloat(x)),
                        attrInts("axes", 1),
                        attr("keepdims", 1L));
        String centered = g.node("Sub", name + "_centered", List.of(x, mean));
        String sq = g.node("Mul", name + "_sq", List.of(centered, centered));
        String var =
                g.node(
                        "ReduceMean",
                        name + "_var",
                        List.of(sq),
                        attrInts("axes", 1),
                        attr("keepdims", 1L));
        String std =
                g.node(
                        "Sqrt",
                        name + "_std",
                        List.of(
                                g.node(
                                        "Add",
                                        name + "_var_eps",
                                        List.of(var, g.scalar((float) ln.getEpsilon())))));
        String normed = g.node("Div", name + "_normed", List.of(centered, std));
        String scaled =
                g.node(
                        "Mul",
                        name + "_scaled",
                        List.of(normed, cx.param(name, LayerNormLayer.GAIN, false)));
        return g.node("Add", name, List.of(scaled, cx.param(name, LayerNormLayer.BIAS, false)));
    }
}
