package io.streamdl.models.onnx;

import static io.streamdl.models.onnx.ExportContext.floats;
import static io.streamdl.models.onnx.OnnxGraph.attr;
import static io.streamdl.models.onnx.OnnxGraph.attrInts;
import static io.streamdl.models.onnx.OnnxGraph.attrStrings;

import java.util.List;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Translates DL4J's LSTM layer (NCW, also inside {@code LastTimeStep}) into an ONNX LSTM,
 * reordering DL4J's gate blocks c, f, o, i to ONNX's i, o, f, c.
 */
final class RecurrentTranslator {
    private final ExportContext cx;
    private final OnnxGraph g;

    RecurrentTranslator(ExportContext cx) {
        this.cx = cx;
        this.g = cx.g;
    }

    String lstm(String name, LSTM lstm, String x, boolean lastStepOnly) {
        if (lstm.getRnnDataFormat() != RNNFormat.NCW) {
            throw cx.unsupported(name, "LSTM data format " + lstm.getRnnDataFormat());
        }
        String gate = lstmActivation(name, lstm.getGateActivationFn());
        String act = lstmActivation(name, lstm.getActivationFn());
        INDArray w = cx.net.getLayer(name).getParam("W");
        INDArray rw = cx.net.getLayer(name).getParam("RW");
        INDArray b = cx.net.getLayer(name).getParam("b");
        int in = (int) w.size(0);
        int h = (int) rw.size(0);
        float[] wd = floats(w);
        float[] rd = floats(rw);
        float[] bd = floats(b);
        // DL4J's gate blocks along 4H are c, f, o, i; ONNX wants i, o, f, c
        int[] dl4jBlock = {3, 2, 1, 0};
        float[] wo = new float[4 * h * in];
        float[] ro = new float[4 * h * h];
        float[] bo = new float[8 * h];
        for (int gi = 0; gi < 4; gi++) {
            int src = dl4jBlock[gi] * h;
            for (int u = 0; u < h; u++) {
                int row = gi * h + u;
                for (int j = 0; j < in; j++) {
                    wo[row * in + j] = wd[j * 4 * h + src + u];
                }
                for (int j = 0; j < h; j++) {
                    ro[row * h + j] = rd[j * 4 * h + src + u];
                }
                bo[row] = bd[src + u];
            }
        }
        String tnc =
                g.node(
                        "Transpose",
                        name + "_tnc",
                        List.of(cx.asFloat(x)),
                        attrInts("perm", 2, 0, 1));
        String[] outs =
                g.node(
                        "LSTM",
                        List.of(lastStepOnly ? "" : name + "_y", lastStepOnly ? name + "_yh" : ""),
                        List.of(
                                tnc,
                                g.floats(name + ".W", wo, 1, 4L * h, in),
                                g.floats(name + ".R", ro, 1, 4L * h, h),
                                g.floats(name + ".B", bo, 1, 8L * h)),
                        attr("hidden_size", (long) h),
                        attr("direction", "forward"),
                        attrStrings("activations", gate, act, act));
        if (lastStepOnly) {
            return g.node("Reshape", name, List.of(outs[1], g.longs(-1, h)));
        }
        String tnh = g.node("Squeeze", name + "_sq", List.of(outs[0], g.longs(1)));
        return g.node("Transpose", name, List.of(tnh), attrInts("perm", 1, 2, 0));
    }

    private String lstmActivation(String name, IActivation a) {
        if (a instanceof ActivationSigmoid) {
            return "Sigmoid";
        }
        if (a instanceof ActivationTanH) {
            return "Tanh";
        }
        if (a instanceof ActivationReLU r && ActivationTranslator.plainRelu(r)) {
            return "Relu";
        }
        throw cx.unsupported(name, "LSTM activation " + a);
    }
}
