package io.streamdl.models.onnx;

import static io.streamdl.models.onnx.OnnxGraph.attr;
import static io.streamdl.models.onnx.OnnxGraph.attrInts;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.arch.InputLayout;
import io.streamdl.models.arch.LayerNormLayer;
import io.streamdl.models.arch.PositionEmbeddingLayer;
import io.streamdl.models.arch.PositionwiseDenseLayer;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.ImageCnnParams;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
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
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Writes a network built by {@link Architectures} as an ONNX model (IR 7, opset 13) that computes
 * exactly what DL4J computes in inference mode. Graph inputs are the spec's inputs, named and
 * shaped as in the spec with a symbolic batch dimension {@code N}; the single graph output is
 * {@value ModelSpec#OUTPUT_NAME} ({@code [N, outputSize]}), plus {@value #RECONSTRUCTION_OUTPUT}
 * for autoencoders, {@value #FORECAST_OUTPUT} (the predicted newest point) for forecasters and
 * {@value #EMBEDDING_OUTPUT} (the penultimate dense layer's activations, a content embedding) for
 * image CNNs. The spec JSON is stored in the model's metadata under {@value #METADATA_SPEC}.
 *
 * <p>Supported: convolution (Truncate/Strict mode, NCHW), max and average pooling, dense and output
 * layers, activation layers and the activations identity, ReLU, leaky ReLU, ELU, sigmoid, hard
 * sigmoid, tanh, hard tanh, softplus, softsign, swish and softmax; batch normalisation (log-std or
 * variance parameters); dropout (identity at inference); LSTM (also inside {@code LastTimeStep}),
 * with DL4J's gate order c, f, o, i reordered to ONNX's i, o, f, c; embedding and
 * embedding-sequence layers (Gather); self-attention with projected input; global pooling (average
 * and sum with masks, max without); {@code TimeDistributed} dense layers; this module's layer norm,
 * position embedding and position-wise dense layers; add/subtract/product/average/max, merge and
 * subset vertices; the CNN→dense and RNN→dense preprocessors. Anything else is refused with an
 * {@link OnnxExportException}. Masks are honoured by embedding-sequence, self-attention (padded
 * keys get DL4J's score offset of -1e9) and average-pooling layers and passed through per-time-step
 * layers; an LSTM, last-time-step or {@code TimeDistributed} layer with a mask is refused.
 *
 * <p>Stateless and thread-safe; the network is only read.
 */
public final class OnnxExporter {
    public static final long IR_VERSION = 7;
    public static final long OPSET = 13;
    public static final String METADATA_SPEC = "streamdl.spec";
    public static final String RECONSTRUCTION_OUTPUT = "reconstruction";
    public static final String FORECAST_OUTPUT = "forecast";
    public static final String EMBEDDING_OUTPUT = "content_embedding";

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
        private final ExportContext cx;
        private final ModelSpec spec;
        private final ComputationGraphConfiguration conf;
        private final OnnxGraph g;
        private final ActivationTranslator activations;
        private final DenseTranslator dense;
        private final CnnTranslator cnn;
        private final RecurrentTranslator recurrent;
        private final AttentionTranslator attention;
        private final VertexTranslator vertices;
        private final Map<String, String> tensorOf = new HashMap<>();
        private final Map<String, String> maskOf = new HashMap<>();
        private Map<String, InputType> types;

        Export(ComputationGraph net, ModelSpec spec) {
            this.cx = new ExportContext(net, spec);
            this.spec = spec;
            this.conf = net.getConfiguration();
            this.g = cx.g;
            this.activations = new ActivationTranslator(cx);
            this.dense = new DenseTranslator(cx, activations);
            this.cnn = new CnnTranslator(cx, activations);
            this.recurrent = new RecurrentTranslator(cx);
            this.attention = new AttentionTranslator(cx, activations);
            this.vertices = new VertexTranslator(cx);
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
            g.reserve(FORECAST_OUTPUT);
            g.reserve(EMBEDDING_OUTPUT);
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
                    tensorOf.put(name, vertices.elementWise(name, ew, floatInputs(ins)));
                    firstMask(ins).ifPresent(m -> maskOf.put(name, m));
                } else if (v instanceof MergeVertex mv) {
                    tensorOf.put(name, vertices.merge(name, mv, floatInputs(ins)));
                    firstMask(ins).ifPresent(m -> maskOf.put(name, m));
                } else if (v instanceof SubsetVertex sv) {
                    tensorOf.put(name, vertices.subset(name, sv, floatInputs(ins).get(0)));
                    firstMask(ins).ifPresent(m -> maskOf.put(name, m));
                } else if (v instanceof PreprocessorVertex pv) {
                    InputType inType = types.get(ins.get(0));
                    tensorOf.put(
                            name,
                            vertices.preprocess(
                                    name, pv.getPreProcessor(), tensorOf.get(ins.get(0)), inType));
                    types.put(
                            name, VertexTranslator.preprocessedType(pv.getPreProcessor(), inType));
                    maskOf.put(name, maskOf.get(ins.get(0)));
                } else {
                    throw cx.unsupported(name, "vertex type " + v.getClass().getSimpleName());
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
                        cx.markInt(t);
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
            switch (spec.kind()) {
                case AUTOENCODER -> {
                    String input = tensorOf.get("input");
                    int size = spec.input("input").elementsPerEvent();
                    g.nodeTo("Identity", RECONSTRUCTION_OUTPUT, List.of(out));
                    g.output(RECONSTRUCTION_OUTPUT, OnnxGraph.FLOAT, List.of(size));
                    meanSquaredError(input, out);
                }
                case FORECASTER -> {
                    TensorSpec window = spec.input("input");
                    int channels = window.dim(1);
                    long from = (long) (window.dim(0) - 1) * channels;
                    g.nodeTo("Identity", FORECAST_OUTPUT, List.of(out));
                    g.output(FORECAST_OUTPUT, OnnxGraph.FLOAT, List.of(channels));
                    String newest =
                            g.node(
                                    "Slice",
                                    "newest",
                                    List.of(
                                            tensorOf.get("input"),
                                            g.longs(from),
                                            g.longs(from + channels),
                                            g.longs(1)));
                    meanSquaredError(newest, out);
                }
                case IMAGE_CNN -> {
                    g.nodeTo("Identity", ModelSpec.OUTPUT_NAME, List.of(out));
                    // graphs built by Architectures have it; hand-made test graphs may not
                    String dense = tensorOf.get(Architectures.IMAGE_EMBEDDING_LAYER);
                    if (dense != null) {
                        g.nodeTo("Identity", EMBEDDING_OUTPUT, List.of(dense));
                        g.output(
                                EMBEDDING_OUTPUT,
                                OnnxGraph.FLOAT,
                                List.of(((ImageCnnParams) spec.params()).denseUnits()));
                    }
                }
                default -> g.nodeTo("Identity", ModelSpec.OUTPUT_NAME, List.of(out));
            }
            g.output(ModelSpec.OUTPUT_NAME, OnnxGraph.FLOAT, List.of(spec.outputSize()));
        }

        /** Writes the graph output: the mean over axis 1 of {@code (prediction - target)^2}. */
        private void meanSquaredError(String target, String prediction) {
            String diff = g.node("Sub", "error", List.of(prediction, target));
            String sq = g.node("Mul", "squared_error", List.of(diff, diff));
            g.nodeTo(
                    "ReduceMean",
                    ModelSpec.OUTPUT_NAME,
                    List.of(sq),
                    attrInts("axes", 1),
                    attr("keepdims", 1L));
        }

        // ---- vertices ----

        private void layerVertex(String name, LayerVertex lv, String inputVertex) {
            String x = tensorOf.get(inputVertex);
            InputType inType = types.get(inputVertex);
            String mask = maskOf.get(inputVertex);
            InputPreProcessor pp = lv.getPreProcessor();
            if (pp != null) {
                x = vertices.preprocess(name, pp, x, inType);
                inType = VertexTranslator.preprocessedType(pp, inType);
            }
            Layer layer = lv.getLayerConf().getLayer();
            String out;
            String outMask = mask;
            if (layer instanceof LastTimeStep lts) {
                if (!(lts.getUnderlying() instanceof LSTM lstm) || lstm.getClass() != LSTM.class) {
                    throw cx.unsupported(
                            name,
                            "LastTimeStep around "
                                    + lts.getUnderlying().getClass().getSimpleName()
                                    + " (only LSTM)");
                }
                cx.requireNoMask(name, mask, "LastTimeStep");
                out = recurrent.lstm(name, lstm, x, true);
                outMask = null;
            } else if (layer instanceof TimeDistributed td) {
                // DL4J 1.0.0-M2.1 flattens the mask in another order than the activations, so
                // its own output would be wrong (see PositionwiseDenseLayer)
                cx.requireNoMask(name, mask, "TimeDistributed");
                out = dense.timeDistributed(name, td, x);
            } else if (layer.getClass() == LSTM.class) {
                cx.requireNoMask(name, mask, "LSTM");
                out = recurrent.lstm(name, (LSTM) layer, x, false);
            } else if (layer.getClass() == ConvolutionLayer.class) {
                out = cnn.convolution(name, (ConvolutionLayer) layer, x);
            } else if (layer.getClass() == SubsamplingLayer.class) {
                out = cnn.subsampling(name, (SubsamplingLayer) layer, x);
            } else if (layer.getClass() == BatchNormalization.class) {
                out = cnn.batchNorm(name, (BatchNormalization) layer, x, inType);
            } else if (layer.getClass() == ActivationLayer.class) {
                out =
                        activations.apply(
                                name, ((ActivationLayer) layer).getActivationFn(), x, inType, true);
            } else if (layer.getClass() == DenseLayer.class
                    || layer.getClass() == OutputLayer.class) {
                out = dense.dense(name, (BaseLayer) layer, x, inType);
            } else if (layer.getClass() == DropoutLayer.class) {
                // dropout only acts while training
                out = x;
            } else if (layer.getClass() == EmbeddingSequenceLayer.class) {
                out = dense.embeddingSequence(name, (EmbeddingSequenceLayer) layer, x, mask);
            } else if (layer.getClass() == EmbeddingLayer.class) {
                out = dense.embedding(name, (EmbeddingLayer) layer, x);
            } else if (layer.getClass() == SelfAttentionLayer.class) {
                out = attention.selfAttention(name, (SelfAttentionLayer) layer, x, mask);
            } else if (layer.getClass() == GlobalPoolingLayer.class) {
                out = cnn.globalPooling(name, (GlobalPoolingLayer) layer, x, inType, mask);
                outMask = null;
                // DL4J reports a recurrent type after pooling a sequence, though the
                // activations are 2-D (its RnnToFeedForward preprocessor then passes them on)
                if (inType instanceof InputType.InputTypeRecurrent r) {
                    types.put(name, InputType.feedForward(r.getSize()));
                }
            } else if (layer.getClass() == PositionEmbeddingLayer.class) {
                out = attention.positionEmbedding(name, x);
            } else if (layer.getClass() == PositionwiseDenseLayer.class) {
                out = attention.positionwiseDense(name, (PositionwiseDenseLayer) layer, x);
            } else if (layer.getClass() == LayerNormLayer.class) {
                out = attention.layerNorm(name, (LayerNormLayer) layer, x);
            } else {
                throw cx.unsupported(name, "layer type " + layer.getClass().getSimpleName());
            }
            tensorOf.put(name, out);
            if (outMask != null) {
                maskOf.put(name, outMask);
            }
        }

        private List<String> floatInputs(List<String> ins) {
            List<String> xs = new ArrayList<>();
            for (String in : ins) {
                xs.add(cx.asFloat(tensorOf.get(in)));
            }
            return xs;
        }

        private java.util.Optional<String> firstMask(List<String> ins) {
            return ins.stream().map(maskOf::get).filter(m -> m != null).findFirst();
        }
    }
}
