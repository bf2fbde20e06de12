package io.streamdl.models.onnx;

import static io.streamdl.models.onnx.OnnxGraph.attr;
import static io.streamdl.models.onnx.OnnxGraph.attrInts;
import static io.streamdl.models.onnx.OnnxGraph.attrStrings;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.arch.InputLayout;
import io.streamdl.models.arch.LayerNormLayer;
import io.streamdl.models.arch.PositionEmbeddingLayer;
import io.streamdl.models.arch.PositionwiseDenseLayer;
import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftPlus;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes a network built by {@link Architectures} as an ONNX model (IR 7, opset 13) that computes
 * exactly what DL4J computes in inference mode. Graph inputs are the spec's inputs, named and
 * shaped as in the spec with a symbolic batch dimension {@code N}; the single graph output is
 * {@value ModelSpec#OUTPUT_NAME} ({@code [N, outputSize]}), plus {@value #RECONSTRUCTION_OUTPUT}
 * for autoencoders. The spec JSON is stored in the model's metadata under {@value #METADATA_SPEC}.
 *
 * <p>Supported: convolution (Truncate/Strict mode, NCHW), max and average pooling, dense and output
 * layers, activation layers and the activations identity, ReLU, leaky ReLU, ELU, sigmoid, hard
 * sigmoid, tanh, hard tanh, softplus, softsign, swish and softmax; batch normalisation (log-std or
 * variance parameters); dropout (identity at inference); LSTM (also inside {@code LastTimeStep}),
 * with DL4J's gate order c, f, o, i reordered to ONNX's i, o, f, c; embedding and
 * embedding-sequence layers (Gather); self-attention with projected input; global pooling (average
 * and sum with masks, max without); {@code TimeDistributed} dense layers; this module's layer norm,
 * position embedding and position-wise dense layers; add/subtract/product/average/max and merge
 * vertices; the CNN→dense and RNN→dense preprocessors. Anything else is refused with an {@link
 * OnnxExportException}. Masks are honoured by embedding-sequence, self-attention (padded keys get
 * DL4J's score offset of -1e9) and average-pooling layers and passed through per-time-step layers;
 * an LSTM, last-time-step or {@code TimeDistributed} layer with a mask is refused.
 *
 * <p>Stateless and thread-safe; the network is only read.
 */
public final class OnnxExporter {
    public static final long IR_VERSION = 7;
    public static final long OPSET = 13;
    public static final String METADATA_SPEC = "streamdl.spec";
    public static final String RECONSTRUCTION_OUTPUT = "reconstruction";

    /** DL4J's attention adds {@code (mask - 1) * 1e9} to the scores of padded keys. */
    private static final float MASKED_SCORE_OFFSET = 1e9f;

    private OnnxExporter() {}

    /**
     * Exports {@code graph}, which must have been built from {@code spec} by {@link
     * Architectures#build}.
     *
     * @return the serialized {@code ModelProto}
     * @throws OnnxExportException if the network uses something the exporter does not support
     */
    public static byte[] export(ComputationGraph graph, ModelSpec spec) {
        return new Export(graph, spec).run();
    }

    /** The state of one export: ONNX names and masks of the vertices written so far. */
    private static final class Export {
        private final ComputationGraph net;
        private final ModelSpec spec;
        private final ComputationGraphConfiguration conf;
        private final OnnxGraph g = new OnnxGraph();
        private final Map<String, String> tensorOf = new HashMap<>();
        private final Map<String, String> maskOf = new HashMap<>();
        private final Set<String> intTensors = new HashSet<>();
        private Map<String, InputType> types;

        Export(ComputationGraph net, ModelSpec spec) {
            this.net = net;
            this.spec = spec;
            this.conf = net.getConfiguration();
        }

        byte[] run() {
            List<String> expectedInputs =
                    Architectures.networkInputs(spec).stream().map(TensorSpec::name).toList();
            if (!conf.getNetworkInputs().equals(expectedInputs)
                    || !conf.getNetworkOutputs().equals(List.of(ModelSpec.OUTPUT_NAME))) {
                throw new OnnxExportException(
                        "network inputs "
                                + conf.getNetworkInputs()
                                + " and outputs "
                                + conf.getNetworkOutputs()
                                + " do not match spec '"
                                + spec.name()
                                + "' (inputs "
                                + expectedInputs
                                + ", output "
                                + ModelSpec.OUTPUT_NAME
                                + ")");
            }
            // on a copy: computing the types may set nIn values and preprocessors
            types =
                    conf.clone()
                            .getLayerActivationTypes(true, false, Architectures.inputTypes(spec));

            g.reserve(ModelSpec.OUTPUT_NAME);
            g.reserve(RECONSTRUCTION_OUTPUT);
            spec.inputs().forEach(in -> g.reserve(in.name()));
            declareInputs();

            for (String name : conf.getTopologicalOrderStr()) {
                if (conf.getNetworkInputs().contains(name)) {
                    continue;
                }
                GraphVertex v = conf.getVertices().get(name);
                List<String> ins = conf.getVertexInputs().get(name);
                if (v instanceof LayerVertex lv) {
                    layerVertex(name, lv, ins.get(0));
                } else if (v instanceof ElementWiseVertex ew) {
                    elementWise(name, ew, ins);
                } else if (v instanceof MergeVertex mv) {
                    merge(name, mv, ins);
                } else if (v instanceof PreprocessorVertex pv) {
                    InputType inType = types.get(ins.get(0));
                    tensorOf.put(
                            name,
                            preprocess(
                                    name, pv.getPreProcessor(), tensorOf.get(ins.get(0)), inType));
                    types.put(name, preprocessedType(pv.getPreProcessor(), inType));
                    maskOf.put(name, maskOf.get(ins.get(0)));
                } else {
                    throw unsupported(name, "vertex type " + v.getClass().getSimpleName());
                }
            }
            writeOutputs();
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put(METADATA_SPEC, spec.toJson());
            return g.toModel(spec.name(), IR_VERSION, OPSET, "streamdl-models", metadata);
        }

        private void declareInputs() {
            for (TensorSpec in : spec.inputs()) {
                int elemType = in.dtype() == DType.INT32 ? OnnxGraph.INT32 : OnnxGraph.FLOAT;
                g.input(in.name(), elemType, in.shape());
                InputLayout layout = Architectures.inputLayout(spec, in.name());
                String t =
                        switch (layout) {
                            case AS_IS, MASK -> in.name();
                            case TIME_MAJOR_TO_NCW ->
                                    g.node(
                                            "Transpose",
                                            in.name() + "_ncw",
                                            List.of(in.name()),
                                            attrInts("perm", 0, 2, 1));
                            case FLATTEN ->
                                    g.node(
                                            "Flatten",
                                            in.name() + "_flat",
                                            List.of(in.name()),
                                            attr("axis", 1L));
                        };
                if (layout != InputLayout.MASK) {
                    tensorOf.put(in.name(), t);
                    if (in.dtype() == DType.INT32) {
                        intTensors.add(t);
                    }
                    TensorSpec mask = Architectures.maskOf(spec, in.name());
                    if (mask != null) {
                        maskOf.put(in.name(), mask.name());
                    }
                }
            }
        }

        private void writeOutputs() {
            String out = tensorOf.get(ModelSpec.OUTPUT_NAME);
            if (spec.kind() == ArchitectureKind.AUTOENCODER) {
                String input = tensorOf.get("input");
                int size = spec.input("input").elementsPerEvent();
                g.nodeTo("Identity", RECONSTRUCTION_OUTPUT, List.of(out));
                g.output(RECONSTRUCTION_OUTPUT, OnnxGraph.FLOAT, List.of(size));
                String diff = g.node("Sub", "error", List.of(out, input));
                String sq = g.node("Mul", "squared_error", List.of(diff, diff));
                g.nodeTo(
                        "ReduceMean",
                        ModelSpec.OUTPUT_NAME,
                        List.of(sq),
                        attrInts("axes", 1),
                        attr("keepdims", 1L));
            } else {
                g.nodeTo("Identity", ModelSpec.OUTPUT_NAME, List.of(out));
            }
            g.output(ModelSpec.OUTPUT_NAME, OnnxGraph.FLOAT, List.of(spec.outputSize()));
        }

        // ---- vertices ----

        private void layerVertex(String name, LayerVertex lv, String inputVertex) {
            String x = tensorOf.get(inputVertex);
            InputType inType = types.get(inputVertex);
            String mask = maskOf.get(inputVertex);
            InputPreProcessor pp = lv.getPreProcessor();
            if (pp != null) {
                x = preprocess(name, pp, x, inType);
                inType = preprocessedType(pp, inType);
            }
            Layer layer = lv.getLayerConf().getLayer();
            String out;
            String outMask = mask;
            if (layer instanceof LastTimeStep lts) {
                if (!(lts.getUnderlying() instanceof LSTM lstm) || lstm.getClass() != LSTM.class) {
                    throw unsupported(
                            name,
                            "LastTimeStep around "
                                    + lts.getUnderlying().getClass().getSimpleName()
                                    + " (only LSTM)");
                }
                requireNoMask(name, mask, "LastTimeStep");
                out = lstm(name, lstm, x, true);
                outMask = null;
            } else if (layer instanceof TimeDistributed td) {
                // DL4J 1.0.0-M2.1 flattens the mask in another order than the activations, so
                // its own output would be wrong (see PositionwiseDenseLayer)
                requireNoMask(name, mask, "TimeDistributed");
                out = timeDistributed(name, td, x);
            } else if (layer.getClass() == LSTM.class) {
                requireNoMask(name, mask, "LSTM");
                out = lstm(name, (LSTM) layer, x, false);
            } else if (layer.getClass() == ConvolutionLayer.class) {
                out = convolution(name, (ConvolutionLayer) layer, x);
            } else if (layer.getClass() == SubsamplingLayer.class) {
                out = subsampling(name, (SubsamplingLayer) layer, x);
            } else if (layer.getClass() == BatchNormalization.class) {
                out = batchNorm(name, (BatchNormalization) layer, x, inType);
            } else if (layer.getClass() == ActivationLayer.class) {
                out =
                        activation(
                                name, ((ActivationLayer) layer).getActivationFn(), x, inType, true);
            } else if (layer.getClass() == DenseLayer.class
                    || layer.getClass() == OutputLayer.class) {
                out = dense(name, (BaseLayer) layer, x, inType);
            } else if (layer.getClass() == DropoutLayer.class) {
                // dropout only acts while training
                out = x;
            } else if (layer.getClass() == EmbeddingSequenceLayer.class) {
                out = embeddingSequence(name, (EmbeddingSequenceLayer) layer, x, mask);
            } else if (layer.getClass() == EmbeddingLayer.class) {
                out = embedding(name, (EmbeddingLayer) layer, x);
            } else if (layer.getClass() == SelfAttentionLayer.class) {
                out = selfAttention(name, (SelfAttentionLayer) layer, x, mask);
            } else if (layer.getClass() == GlobalPoolingLayer.class) {
                out = globalPooling(name, (GlobalPoolingLayer) layer, x, inType, mask);
                outMask = null;
                // DL4J reports a recurrent type after pooling a sequence, though the
                // activations are 2-D (its RnnToFeedForward preprocessor then passes them on)
                if (inType instanceof InputType.InputTypeRecurrent r) {
                    types.put(name, InputType.feedForward(r.getSize()));
                }
            } else if (layer.getClass() == PositionEmbeddingLayer.class) {
                out =
                        g.node(
                                "Add",
                                name,
                                List.of(x, param(name, PositionEmbeddingLayer.POSITIONS, false)));
            } else if (layer.getClass() == PositionwiseDenseLayer.class) {
                out = positionwiseDense(name, (PositionwiseDenseLayer) layer, x);
            } else if (layer.getClass() == LayerNormLayer.class) {
                out = layerNorm(name, (LayerNormLayer) layer, x);
            } else {
                throw unsupported(name, "layer type " + layer.getClass().getSimpleName());
            }
            tensorOf.put(name, out);
            if (outMask != null) {
                maskOf.put(name, outMask);
            }
        }

        private void elementWise(String name, ElementWiseVertex ew, List<String> ins) {
            List<String> xs = new ArrayList<>();
            for (String in : ins) {
                xs.add(asFloat(tensorOf.get(in)));
            }
            String out =
                    switch (ew.getOp()) {
                        case Add -> chain("Add", name, xs);
                        case Product -> chain("Mul", name, xs);
                        case Max -> g.node("Max", name, xs);
                        case Subtract -> {
                            if (xs.size() != 2) {
                                throw unsupported(name, "Subtract of " + xs.size() + " inputs");
                            }
                            yield g.node("Sub", name, xs);
                        }
                        case Average ->
                                g.node(
                                        "Div",
                                        name,
                                        List.of(
                                                chain("Add", name + "_sum", xs),
                                                g.scalar(xs.size())));
                    };
            tensorOf.put(name, out);
            firstMask(ins).ifPresent(m -> maskOf.put(name, m));
        }

        private void merge(String name, MergeVertex mv, List<String> ins) {
            List<String> xs = new ArrayList<>();
            for (String in : ins) {
                xs.add(asFloat(tensorOf.get(in)));
            }
            tensorOf.put(name, g.node("Concat", name, xs, attr("axis", (long) mv.getMergeAxis())));
            firstMask(ins).ifPresent(m -> maskOf.put(name, m));
        }

        private java.util.Optional<String> firstMask(List<String> ins) {
            return ins.stream().map(maskOf::get).filter(m -> m != null).findFirst();
        }

        private String chain(String op, String name, List<String> xs) {
            String acc = xs.get(0);
            for (int i = 1; i < xs.size(); i++) {
                acc = g.node(op, name, List.of(acc, xs.get(i)));
            }
            return acc;
        }

        // ---- preprocessors ----

        private String preprocess(String name, InputPreProcessor pp, String x, InputType inType) {
            if (pp instanceof CnnToFeedForwardPreProcessor cnn) {
                if (cnn.getFormat() != CNN2DFormat.NCHW) {
                    throw unsupported(name, "CnnToFeedForwardPreProcessor with " + cnn.getFormat());
                }
                return g.node("Flatten", name + "_flat", List.of(x), attr("axis", 1L));
            }
            if (pp instanceof RnnToFeedForwardPreProcessor rnn) {
                // DL4J passes 2-D input (after global pooling) through unchanged
                if (inType.getType() != InputType.Type.RNN) {
                    return x;
                }
                long size = ((InputType.InputTypeRecurrent) inType).getSize();
                String nwc =
                        rnn.getRnnDataFormat() == RNNFormat.NWC
                                ? x
                                : g.node(
                                        "Transpose",
                                        name + "_nwc",
                                        List.of(x),
                                        attrInts("perm", 0, 2, 1));
                return g.node("Reshape", name + "_2d", List.of(nwc, g.longs(-1, size)));
            }
            if (pp instanceof FeedForwardToRnnPreProcessor
                    && inType.getType() == InputType.Type.RNN) {
                return x;
            }
            throw unsupported(name, "preprocessor " + pp.getClass().getSimpleName());
        }

        private static InputType preprocessedType(InputPreProcessor pp, InputType inType) {
            boolean passThrough =
                    (pp instanceof RnnToFeedForwardPreProcessor
                                    && inType.getType() != InputType.Type.RNN)
                            || (pp instanceof FeedForwardToRnnPreProcessor
                                    && inType.getType() == InputType.Type.RNN);
            return passThrough ? inType : pp.getOutputType(inType);
        }

        // ---- layers ----

        private String convolution(String name, ConvolutionLayer c, String x) {
            checkCnnMode(name, c.getConvolutionMode(), c.getCnn2dDataFormat());
            int[] k = c.getKernelSize();
            int[] s = c.getStride();
            int[] p = c.getPadding();
            int[] d = c.getDilation();
            List<String> ins = new ArrayList<>(List.of(asFloat(x), param(name, "W", false)));
            if (c.hasBias()) {
                ins.add(param(name, "b", false));
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
            return activation(
                    name, c.getActivationFn(), y, InputType.convolutional(1, 1, 1), false);
        }

        private String subsampling(String name, SubsamplingLayer s, String x) {
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
            throw unsupported(name, "pooling " + s.getPoolingType() + " with dilation " + d[0]);
        }

        private void checkCnnMode(String name, ConvolutionMode mode, CNN2DFormat format) {
            if (mode != ConvolutionMode.Truncate && mode != ConvolutionMode.Strict) {
                throw unsupported(name, "convolution mode " + mode + " (only Truncate and Strict)");
            }
            if (format != CNN2DFormat.NCHW) {
                throw unsupported(name, "data format " + format + " (only NCHW)");
            }
        }

        private String batchNorm(String name, BatchNormalization bn, String x, InputType inType) {
            if (inType.getType() == InputType.Type.CNN && bn.getCnn2DFormat() != CNN2DFormat.NCHW) {
                throw unsupported(name, "batch norm over " + bn.getCnn2DFormat());
            }
            if (inType.getType() != InputType.Type.CNN && inType.getType() != InputType.Type.FF) {
                throw unsupported(name, "batch norm over " + inType.getType() + " input");
            }
            INDArray mean = net.getLayer(name).getParam("mean");
            int n = (int) mean.length();
            String scale;
            String bias;
            if (bn.isLockGammaBeta()) {
                scale = g.floats(name + ".gamma", filled(n, (float) bn.getGamma()), n);
                bias = g.floats(name + ".beta", filled(n, (float) bn.getBeta()), n);
            } else {
                scale = param(name, "gamma", true);
                bias = param(name, "beta", true);
            }
            float[] var;
            if (bn.isUseLogStd()) {
                // DL4J keeps log10 of the standard deviation; ONNX wants the variance
                float[] logStd = floats(net.getLayer(name).getParam("log10stdev"));
                var = new float[logStd.length];
                for (int i = 0; i < var.length; i++) {
                    double std = Math.pow(10.0, logStd[i]);
                    var[i] = (float) (std * std);
                }
            } else {
                var = floats(net.getLayer(name).getParam("var"));
            }
            String y =
                    g.node(
                            "BatchNormalization",
                            name,
                            List.of(
                                    asFloat(x),
                                    scale,
                                    bias,
                                    g.floats(name + ".mean", floats(mean), n),
                                    g.floats(name + ".var", var, n)),
                            attr("epsilon", (float) bn.getEps()));
            return activation(name, bn.getActivationFn(), y, inType, false);
        }

        private String dense(String name, BaseLayer layer, String x, InputType inType) {
            if (inType.getType() != InputType.Type.FF) {
                throw unsupported(name, "dense layer on " + inType.getType() + " input");
            }
            if (layer instanceof DenseLayer dl && dl.hasLayerNorm()) {
                throw unsupported(name, "dense layer with hasLayerNorm");
            }
            List<String> ins = new ArrayList<>(List.of(asFloat(x), param(name, "W", false)));
            if (net.getLayer(name).paramTable().containsKey("b")) {
                ins.add(param(name, "b", false));
            }
            String y = g.node("Gemm", name, ins);
            return activation(name, layer.getActivationFn(), y, InputType.feedForward(1), false);
        }

        private String timeDistributed(String name, TimeDistributed td, String x) {
            if (td.getUnderlying().getClass() != DenseLayer.class
                    || ((DenseLayer) td.getUnderlying()).hasLayerNorm()) {
                throw unsupported(
                        name,
                        "TimeDistributed around "
                                + td.getUnderlying().getClass().getSimpleName()
                                + " (only DenseLayer)");
            }
            DenseLayer dense = (DenseLayer) td.getUnderlying();
            boolean ncw = td.getRnnDataFormat() == RNNFormat.NCW;
            String nwc =
                    ncw
                            ? g.node(
                                    "Transpose",
                                    name + "_nwc",
                                    List.of(x),
                                    attrInts("perm", 0, 2, 1))
                            : x;
            String y = g.node("MatMul", name + "_mm", List.of(nwc, param(name, "W", false)));
            if (net.getLayer(name).paramTable().containsKey("b")) {
                y = g.node("Add", name + "_b", List.of(y, param(name, "b", false)));
            }
            // features are the last axis here, as in DL4J's per-step 2-D view
            y = activation(name, dense.getActivationFn(), y, InputType.feedForward(1), false);
            return ncw ? g.node("Transpose", name, List.of(y), attrInts("perm", 0, 2, 1)) : y;
        }

        private String positionwiseDense(String name, PositionwiseDenseLayer layer, String x) {
            String nwc =
                    g.node(
                            "Transpose",
                            name + "_nwc",
                            List.of(asFloat(x)),
                            attrInts("perm", 0, 2, 1));
            String y =
                    g.node(
                            "MatMul",
                            name + "_mm",
                            List.of(nwc, param(name, PositionwiseDenseLayer.WEIGHTS, false)));
            y =
                    g.node(
                            "Add",
                            name + "_b",
                            List.of(y, param(name, PositionwiseDenseLayer.BIAS, false)));
            y =
                    activation(
                            name,
                            layer.getActivation().getActivationFunction(),
                            y,
                            InputType.feedForward(1),
                            false);
            return g.node("Transpose", name, List.of(y), attrInts("perm", 0, 2, 1));
        }

        private String lstm(String name, LSTM lstm, String x, boolean lastStepOnly) {
            if (lstm.getRnnDataFormat() != RNNFormat.NCW) {
                throw unsupported(name, "LSTM data format " + lstm.getRnnDataFormat());
            }
            String gate = lstmActivation(name, lstm.getGateActivationFn());
            String act = lstmActivation(name, lstm.getActivationFn());
            INDArray w = net.getLayer(name).getParam("W");
            INDArray rw = net.getLayer(name).getParam("RW");
            INDArray b = net.getLayer(name).getParam("b");
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
                            List.of(asFloat(x)),
                            attrInts("perm", 2, 0, 1));
            String[] outs =
                    g.node(
                            "LSTM",
                            List.of(
                                    lastStepOnly ? "" : name + "_y",
                                    lastStepOnly ? name + "_yh" : ""),
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
            if (a instanceof ActivationReLU r && plainRelu(r)) {
                return "Relu";
            }
            throw unsupported(name, "LSTM activation " + a);
        }

        private String embeddingSequence(
                String name, EmbeddingSequenceLayer e, String x, String mask) {
            String y =
                    g.node("Gather", name + "_rows", List.of(param(name, "W", false), asIndex(x)));
            if (e.hasBias()) {
                y = g.node("Add", name + "_b", List.of(y, param(name, "b", false)));
            }
            y = activation(name, e.getActivationFn(), y, InputType.feedForward(1), false);
            if (mask != null) {
                // DL4J zeroes the embeddings of padded steps
                String m = g.node("Unsqueeze", name + "_mask", List.of(mask, g.longs(2)));
                y = g.node("Mul", name + "_masked", List.of(y, m));
            }
            return e.getOutputFormat() == RNNFormat.NCW
                    ? g.node("Transpose", name, List.of(y), attrInts("perm", 0, 2, 1))
                    : y;
        }

        private String embedding(String name, EmbeddingLayer e, String x) {
            long dim = net.getLayer(name).getParam("W").size(1);
            String rows =
                    g.node("Gather", name + "_rows", List.of(param(name, "W", false), asIndex(x)));
            String y = g.node("Reshape", name + "_2d", List.of(rows, g.longs(-1, dim)));
            if (net.getLayer(name).paramTable().containsKey("b")) {
                y = g.node("Add", name + "_b", List.of(y, param(name, "b", false)));
            }
            return activation(name, e.getActivationFn(), y, InputType.feedForward(1), false);
        }

        private String selfAttention(String name, SelfAttentionLayer a, String x, String mask) {
            if (!a.isProjectInput()) {
                throw unsupported(name, "self-attention without projectInput");
            }
            long heads = a.getNHeads();
            long hs = a.getHeadSize();
            long nIn = a.getNIn();
            String nwc =
                    g.node(
                            "Transpose",
                            name + "_nwc",
                            List.of(asFloat(x)),
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
            String weights =
                    g.node("Softmax", name + "_weights", List.of(scores), attr("axis", -1L));
            String ctx = g.node("MatMul", name + "_ctx", List.of(weights, v));
            String ctxT =
                    g.node(
                            "Transpose",
                            name + "_ctx_t",
                            List.of(ctx),
                            attrInts("perm", 0, 2, 1, 3));
            String merged =
                    g.node("Reshape", name + "_heads", List.of(ctxT, g.longs(0, 0, heads * hs)));
            String out = g.node("MatMul", name + "_out", List.of(merged, param(name, "Wo", false)));
            return g.node("Transpose", name, List.of(out), attrInts("perm", 0, 2, 1));
        }

        /** x [N,T,nIn] times W [heads, hs, nIn] transposed, split into heads and permuted. */
        private String project(
                String name, String key, String x, long heads, long hs, long nIn, long... perm) {
            float[] w = floats(net.getLayer(name).getParam(key));
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
                    "Transpose",
                    name + "_" + key + "_heads",
                    List.of(split),
                    attrInts("perm", perm));
        }

        private String globalPooling(
                String name, GlobalPoolingLayer gp, String x, InputType inType, String mask) {
            if (!gp.isCollapseDimensions()) {
                throw unsupported(name, "global pooling without collapseDimensions");
            }
            long[] axes;
            if (inType.getType() == InputType.Type.RNN) {
                axes = new long[] {2};
            } else if (inType.getType() == InputType.Type.CNN) {
                axes = new long[] {2, 3};
            } else {
                throw unsupported(name, "global pooling over " + inType.getType() + " input");
            }
            int[] dims = gp.getPoolingDimensions();
            if (dims != null
                    && !java.util.Arrays.equals(
                            java.util.Arrays.stream(dims).asLongStream().toArray(), axes)) {
                throw unsupported(name, "pooling dimensions " + java.util.Arrays.toString(dims));
            }
            PoolingType type = gp.getPoolingType();
            if (mask != null) {
                if (inType.getType() != InputType.Type.RNN
                        || (type != PoolingType.AVG && type != PoolingType.SUM)) {
                    throw unsupported(name, "masked " + type + " pooling");
                }
                // DL4J: sum over real steps, divided by their count for AVG
                String m = g.node("Unsqueeze", name + "_mask", List.of(mask, g.longs(1)));
                String xm = g.node("Mul", name + "_masked", List.of(asFloat(x), m));
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
                                List.of(asFloat(x)),
                                attrInts("axes", axes),
                                attr("keepdims", 0L));
                case MAX ->
                        g.node(
                                "ReduceMax",
                                name,
                                List.of(asFloat(x)),
                                attrInts("axes", axes),
                                attr("keepdims", 0L));
                case SUM ->
                        g.node(
                                "ReduceSum",
                                name,
                                List.of(asFloat(x), g.longs(axes)),
                                attr("keepdims", 0L));
                default -> throw unsupported(name, type + " global pooling");
            };
        }

        private String layerNorm(String name, LayerNormLayer ln, String x) {
            // opset 13 has no LayerNormalization: spell it out over the channel axis of NCW
            String mean =
                    g.node(
                            "ReduceMean",
                            name + "_mean",
                            List.of(asFloat(x)),
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
                            List.of(normed, param(name, LayerNormLayer.GAIN, false)));
            return g.node("Add", name, List.of(scaled, param(name, LayerNormLayer.BIAS, false)));
        }

        // ---- activations ----

        /**
         * Applies {@code a} to {@code x}. Softmax runs over the feature axis, which must be the
         * last one: {@code type} tells the layout of {@code x}.
         */
        private String activation(
                String name, IActivation a, String x, InputType type, boolean own) {
            String out = own ? name : name + "_act";
            if (a == null || a instanceof ActivationIdentity) {
                return own ? g.node("Identity", out, List.of(x)) : x;
            }
            if (a instanceof ActivationReLU r) {
                if (!plainRelu(r)) {
                    throw unsupported(name, "ReLU with max, threshold or negative slope");
                }
                return g.node("Relu", out, List.of(x));
            }
            if (a instanceof ActivationLReLU l) {
                return g.node("LeakyRelu", out, List.of(x), attr("alpha", (float) l.getAlpha()));
            }
            if (a instanceof ActivationELU e) {
                return g.node("Elu", out, List.of(x), attr("alpha", (float) e.getAlpha()));
            }
            if (a instanceof ActivationSigmoid) {
                return g.node("Sigmoid", out, List.of(x));
            }
            if (a instanceof ActivationHardSigmoid) {
                // DL4J: min(1, max(0, 0.2 x + 0.5)), ONNX's defaults
                return g.node(
                        "HardSigmoid", out, List.of(x), attr("alpha", 0.2f), attr("beta", 0.5f));
            }
            if (a instanceof ActivationTanH) {
                return g.node("Tanh", out, List.of(x));
            }
            if (a instanceof ActivationHardTanH) {
                return g.node("Clip", out, List.of(x, g.scalar(-1f), g.scalar(1f)));
            }
            if (a instanceof ActivationSoftPlus) {
                return g.node("Softplus", out, List.of(x));
            }
            if (a instanceof ActivationSoftSign) {
                return g.node("Softsign", out, List.of(x));
            }
            if (a instanceof ActivationSwish) {
                return g.node("Mul", out, List.of(x, g.node("Sigmoid", name + "_sig", List.of(x))));
            }
            if (a instanceof ActivationSoftmax) {
                if (type.getType() != InputType.Type.FF) {
                    throw unsupported(name, "softmax over " + type.getType() + " activations");
                }
                return g.node("Softmax", out, List.of(x), attr("axis", -1L));
            }
            throw unsupported(name, "activation " + a);
        }

        private boolean plainRelu(ActivationReLU r) {
            return (r.getMax() == null || r.getMax().isInfinite())
                    && (r.getThreshold() == null || r.getThreshold() == 0.0)
                    && (r.getNegativeSlope() == null || r.getNegativeSlope() == 0.0);
        }

        // ---- helpers ----

        private void requireNoMask(String name, String mask, String what) {
            if (mask != null) {
                throw unsupported(name, what + " with a feature mask");
            }
        }

        private String asFloat(String x) {
            if (!intTensors.contains(x)) {
                return x;
            }
            return g.node("Cast", x + "_float", List.of(x), attr("to", (long) OnnxGraph.FLOAT));
        }

        private String asIndex(String x) {
            if (intTensors.contains(x)) {
                return x;
            }
            // a float network input holding indices, as DL4J allows
            return g.node("Cast", x + "_index", List.of(x), attr("to", (long) OnnxGraph.INT64));
        }

        /** Parameter {@code key} of layer {@code name} as an initializer of its own shape. */
        private String param(String name, String key, boolean rank1) {
            INDArray p = net.getLayer(name).getParam(key);
            if (p == null) {
                throw unsupported(name, "missing parameter " + key);
            }
            long[] shape = rank1 ? new long[] {p.length()} : p.shape();
            return g.floats(name + "." + key, floats(p), shape);
        }

        private OnnxExportException unsupported(String vertex, String what) {
            return new OnnxExportException(
                    "cannot export vertex '"
                            + vertex
                            + "' of model '"
                            + spec.name()
                            + "' to ONNX: "
                            + what
                            + " is not supported");
        }
    }

    /** The values of {@code a} in C order as float32 (a copy; params are views into one buffer). */
    static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    private static float[] filled(int n, float v) {
        float[] f = new float[n];
        java.util.Arrays.fill(f, v);
        return f;
    }
}
