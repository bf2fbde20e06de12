package io.streamdl.models.onnx;

import static io.streamdl.models.onnx.ExportContext.filled;
import static io.streamdl.models.onnx.ExportContext.floats;
import static io.streamdl.models.onnx.OnnxGraph.attr;
import static io.streamdl.models.onnx.OnnxGraph.attrInts;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Translates DL4J's convolutional layers: convolution (Truncate/Strict mode, NCHW), max and average
 * pooling, batch normalisation (log-std or variance parameters) and global pooling (average and sum
 * with masks, max without).
 */
final class CnnTranslator {
    private final ExportContext cx;
    private final OnnxGraph g;
    private final ActivationTranslator activations;

    CnnTranslator(ExportContext cx, ActivationTranslator activations) {
        this.cx = cx;
        this.g = cx.g;
        this.activations = activations;
    }

    String convolution(String name, ConvolutionLayer c, String x) {
        checkCnnMode(name, c.getConvolutionMode(), c.getCnn2dDataFormat());
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] p = c.getPadding();
        int[] d = c.getDilation();
        List<String> ins = new ArrayList<>(List.of(cx.asFloat(x), cx.param(name, "W", false)));
        if (c.hasBias()) {
            ins.add(cx.param(name, "b", false));
        }
        String y =
                g.node(
                        "Conv",
                        name,
                        ins,
                        attrInts("kernel_shape", k[0], k[1]),
                        attrInts("strides", s[0], s[1]),
                        attrInts("pads", p[0], p[1], p[0], p[1]),
                        attrInts("dilations", d[0], d[1]));
        return activations.apply(
                name, c.getActivationFn(), y, InputType.convolutional(1, 1, 1), false);
    }

    String subsampling(String name, SubsamplingLayer s, String x) {
        checkCnnMode(name, s.getConvolutionMode(), s.getCnn2dDataFormat());
        int[] k = s.getKernelSize();
        int[] st = s.getStride();
        int[] p = s.getPadding();
        int[] d = s.getDilation();
        if (s.getPoolingType() == PoolingType.MAX) {
            return g.node(
                    "MaxPool",
                    name,
                    List.of(x),
                    attrInts("kernel_shape", k[0], k[1]),
                    attrInts("strides", st[0], st[1]),
                    attrInts("pads", p[0], p[1], p[0], p[1]),
                    attrInts("dilations", d[0], d[1]));
        }
        if (s.getPoolingType() == PoolingType.AVG && d[0] == 1 && d[1] == 1) {
            return g.node(
                    "AveragePool",
                    name,
                    List.of(x),
                    attrInts("kernel_shape", k[0], k[1]),
                    attrInts("strides", st[0], st[1]),
                    attrInts("pads", p[0], p[1], p[0], p[1]),
                    attr("count_include_pad", s.isAvgPoolIncludePadInDivisor() ? 1L : 0L));
        }
        throw cx.unsupported(name, "pooling " + s.getPoolingType() + " with dilation " + d[0]);
    }

    private void checkCnnMode(String name, ConvolutionMode mode, CNN2DFormat format) {
        if (mode != ConvolutionMode.Truncate && mode != ConvolutionMode.Strict) {
            throw cx.unsupported(name, "convolution mode " + mode + " (only Truncate and Strict)");
        }
        if (format != CNN2DFormat.NCHW) {
            throw cx.unsupported(name, "data format " + format + " (only NCHW)");
        }
    }

    String batchNorm(String name, BatchNormalization bn, String x, InputType inType) {
        if (inType.getType() == InputType.Type.CNN && bn.getCnn2DFormat() != CNN2DFormat.NCHW) {
            throw cx.unsupported(name, "batch norm over " + bn.getCnn2DFormat());
        }
        if (inType.getType() != InputType.Type.CNN && inType.getType() != InputType.Type.FF) {
            throw cx.unsupported(name, "batch norm over " + inType.getType() + " input");
        }
        INDArray mean = cx.net.getLayer(name).getParam("mean");
        int n = (int) mean.length();
        String scale;
        String bias;
        if (bn.isLockGammaBeta()) {
            scale = g.floats(name + ".gamma", filled(n, (float) bn.getGamma()), n);
            bias = g.floats(name + ".beta", filled(n, (float) bn.getBeta()), n);
        } else {
            scale = cx.param(name, "gamma", true);
            bias = cx.param(name, "beta", true);
        }
        float[] var;
        if (bn.isUseLogStd()) {
            // DL4J keeps log10 of the standard deviation; ONNX wants the variance
            float[] logStd = floats(cx.net.getLayer(name).getParam("log10stdev"));
            var = new float[logStd.length];
            for (int i = 0; i < var.length; i++) {
                double std = Math.pow(10.0, logStd[i]);
                var[i] = (float) (std * std);
            }
        } else {
            var = floats(cx.net.getLayer(name).getParam("var"));
        }
        String y =
                g.node(
                        "BatchNormalization",
                        name,
                        List.of(
                                cx.asFloat(x),
                                scale,
                                bias,
                                g.floats(name + ".mean", floats(mean), n),
                                g.floats(name + ".var", var, n)),
                        attr("epsilon", (float) bn.getEps()));
        return activations.apply(name, bn.getActivationFn(), y, inType, false);
    }

    String globalPooling(
            String name, GlobalPoolingLayer gp, String x, InputType inType, String mask) {
        if (!gp.isCollapseDimensions()) {
            throw cx.unsupported(name, "global pooling without collapseDimensions");
        }
        long[] axes;
        if (inType.getType() == InputType.Type.RNN) {
            axes = new long[] {2};
        } else if (inType.getType() == InputType.Type.CNN) {
            axes = new long[] {2, 3};
        } else {
            throw cx.unsupported(name, "global pooling over " + inType.getType() + " input");
        }
        int[] dims = gp.getPoolingDimensions();
        if (dims != null
                && !java.util.Arrays.equals(
                        java.util.Arrays.stream(dims).asLongStream().toArray(), axes)) {
            throw cx.unsupported(name, "pooling dimensions " + java.util.Arrays.toString(dims));
        }
        PoolingType type = gp.getPoolingType();
        if (mask != null) {
            if (inType.getType() != InputType.Type.RNN
                    || (type != PoolingType.AVG && type != PoolingType.SUM)) {
                throw cx.unsupported(name, "masked " + type + " pooling");
            }
            // DL4J: sum over real steps, divided by their count for AVG
            String m = g.node("Unsqueeze", name + "_mask", List.of(mask, g.longs(1)));
            String xm = g.node("Mul", name + "_masked", List.of(cx.asFloat(x), m));
            String sum =
                    g.node(
                            "ReduceSum",
                            name + "_sum",
                            List.of(xm, g.longs(2)),
                            attr("keepdims", 0L));
            if (type == PoolingType.SUM) {
                return sum;
            }
            String count =
                    g.node(
                            "ReduceSum",
                            name + "_count",
                            List.of(mask, g.longs(1)),
                            attr("keepdims", 1L));
            return g.node("Div", name, List.of(sum, count));
        }
        return switch (type) {
            case AVG ->
                    g.node(
                            "ReduceMean",
                            name,
                            List.of(cx.asFloat(x)),
                            attrInts("axes", axes),
                            attr("keepdims", 0L));
            case MAX ->
                    g.node(
                            "ReduceMax",
                            name,
                            List.of(cx.asFloat(x)),
                            attrInts("axes", axes),
                            attr("keepdims", 0L));
            case SUM ->
                    g.node(
                            "ReduceSum",
                            name,
                            List.of(cx.asFloat(x), g.longs(axes)),
                            attr("keepdims", 0L));
            default -> throw cx.unsupported(name, type + " global pooling");
        };
    }
}
