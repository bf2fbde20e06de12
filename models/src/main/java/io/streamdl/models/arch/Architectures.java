package io.streamdl.models.arch;

import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.AudioLstmParams;
import io.streamdl.models.spec.AutoencoderParams;
import io.streamdl.models.spec.ForecasterParams;
import io.streamdl.models.spec.ImageCnnParams;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.NextItemParams;
import io.streamdl.models.spec.RecsParams;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.models.spec.TextTransformerParams;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
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
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Builds the DL4J network a {@link ModelSpec} describes. Every architecture is a {@link
 * ComputationGraph} whose inputs are named after the spec's inputs (except masks) and whose single
 * output vertex is {@value ModelSpec#OUTPUT_NAME}, so the exporter, the backends and the codec
 * handle all kinds alike. The same spec always yields the same layers, parameter layout and initial
 * weights (the spec's seed).
 *
 * <p>Every layer's activation is set explicitly: DL4J's global default is sigmoid, and the ONNX
 * exporter reads activations from the configuration rather than assuming them.
 */
public final class Architectures {
    /** Epsilon of batch and layer normalisation. */
    public static final double NORM_EPSILON = 1e-5;

    private static final double EMBEDDING_INIT_STD = 0.05;

    private Architectures() {}

    /** A freshly initialised network for {@code spec}. */
    public static ComputationGraph build(ModelSpec spec) {
        ComputationGraph graph = new ComputationGraph(configuration(spec));
        graph.init();
        return graph;
    }

    /**
     * The number of parameters of the network for {@code spec}, without allocating it: the length
     * of {@code build(spec).params()}.
     */
    public static long parameterCount(ModelSpec spec) {
        long n = 0;
        for (GraphVertex v : configuration(spec).getVertices().values()) {
            if (v instanceof LayerVertex lv) {
                Layer layer = lv.getLayerConf().getLayer();
                n += layer.initializer().numParams(layer);
            }
        }
        return n;
    }

    /**
     * Refuses a spec this class has no network for: an {@link ArchitectureKind#IMPORTED} model,
     * whose ONNX graph is served as is and has no DL4J layers or parameters.
     *
     * @throws IllegalArgumentException saying so
     */
    public static void requireBuildable(ModelSpec spec) {
        if (spec.kind() == ArchitectureKind.IMPORTED) {
            throw new IllegalArgumentException(
                    "model '"
                            + spec.name()
                            + "' is an imported ONNX model (kind IMPORTED): it is served as is with"
                            + " ONNX Runtime and has no DL4J network to build, train or score with");
        }
    }

    /**
     * The network configuration for {@code spec}.
     *
     * @throws IllegalArgumentException for an imported spec (see {@link #requireBuildable})
     */
    public static ComputationGraphConfiguration configuration(ModelSpec spec) {
        requireBuildable(spec);
        if (spec.specVersion() != 1) {
            throw new IllegalArgumentException(
                    "no builder for specVersion " + spec.specVersion() + " of " + spec.kind());
        }
        GraphBuilder g =
                new NeuralNetConfiguration.Builder()
                        .seed(spec.seed())
                        .dataType(DataType.FLOAT)
                        .updater(new Adam(spec.learningRate()))
                        .weightInit(WeightInit.XAVIER)
                        .activation(Activation.IDENTITY)
                        .convolutionMode(ConvolutionMode.Truncate)
                        .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                        .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                        .graphBuilder();
        switch (spec.kind()) {
            case IMAGE_CNN -> imageCnn(g, spec, (ImageCnnParams) spec.params());
            case AUDIO_LSTM -> audioLstm(g, spec, (AudioLstmParams) spec.params());
            case TEXT_TRANSFORMER ->
                    textTransformer(g, spec, (TextTransformerParams) spec.params());
            case AUTOENCODER -> autoencoder(g, spec, (AutoencoderParams) spec.params());
            case FORECASTER -> forecaster(g, spec, (ForecasterParams) spec.params());
            case RECS -> recs(g, spec, (RecsParams) spec.params());
            case NEXT_ITEM -> nextItem(g, spec, (NextItemParams) spec.params());
            case IMPORTED -> throw new AssertionError("refused by requireBuildable");
        }
        return g.setOutputs(ModelSpec.OUTPUT_NAME).build();
    }

    /**
     * DL4J's types of the network inputs, in {@link #networkInputs} order. An index input (token,
     * user or item ids) is sized like the one-hot vector it stands for, because {@code
     * setInputTypes} overrides an embedding layer's {@code nIn} with that size.
     */
    public static InputType[] inputTypes(ModelSpec spec) {
        requireBuildable(spec);
        return switch (spec.kind()) {
            case IMAGE_CNN -> {
                TensorSpec in = spec.input("input");
                yield new InputType[] {InputType.convolutional(in.dim(1), in.dim(2), in.dim(0))};
            }
            case AUDIO_LSTM -> {
                TensorSpec in = spec.input("input");
                yield new InputType[] {InputType.recurrent(in.dim(1), in.dim(0), RNNFormat.NCW)};
            }
            case TEXT_TRANSFORMER ->
                    new InputType[] {
                        InputType.recurrent(
                                ((TextTransformerParams) spec.params()).vocabSize(),
                                spec.input("input").dim(0),
                                RNNFormat.NCW)
                    };
            case AUTOENCODER, FORECASTER ->
                    new InputType[] {InputType.feedForward(spec.input("input").elementsPerEvent())};
            case NEXT_ITEM ->
                    new InputType[] {
                        InputType.feedForward(spec.input(NextItemParams.INPUT).elementsPerEvent())
                    };
            case RECS -> {
                RecsParams p = (RecsParams) spec.params();
                yield new InputType[] {
                    InputType.feedForward(p.numUsers()), InputType.feedForward(p.numItems())
                };
            }
            case IMPORTED -> throw new AssertionError("refused by requireBuildable");
        };
    }

    /** How the spec input called {@code inputName} maps onto the network's input. */
    public static InputLayout inputLayout(ModelSpec spec, String inputName) {
        spec.input(inputName);
        requireBuildable(spec);
        return switch (spec.kind()) {
            case IMAGE_CNN, RECS, NEXT_ITEM -> InputLayout.AS_IS;
            case AUDIO_LSTM -> InputLayout.TIME_MAJOR_TO_NCW;
            case AUTOENCODER -> InputLayout.FLATTEN;
            case TEXT_TRANSFORMER ->
                    inputName.equals("mask") ? InputLayout.MASK : InputLayout.AS_IS;
            case FORECASTER -> inputName.equals("mask") ? InputLayout.MASK : InputLayout.FLATTEN;
            case IMPORTED -> throw new AssertionError("refused by requireBuildable");
        };
    }

    /** The spec inputs that are network inputs, in the network's input order. */
    public static List<TensorSpec> networkInputs(ModelSpec spec) {
        List<TensorSpec> inputs = new ArrayList<>();
        for (TensorSpec in : spec.inputs()) {
            if (inputLayout(spec, in.name()) != InputLayout.MASK) {
                inputs.add(in);
            }
        }
        return inputs;
    }

    /**
     * The spec input that masks network input {@code inputName} (1 = real step, 0 = padding), or
     * null if that input is not masked.
     */
    public static TensorSpec maskOf(ModelSpec spec, String inputName) {
        if (spec.kind() == ArchitectureKind.TEXT_TRANSFORMER && inputName.equals("input")) {
            return spec.input("mask");
        }
        return null;
    }

    private static OutputLayer softmaxOutput(int nOut, double dropout) {
        OutputLayer.Builder b =
                new OutputLayer.Builder(LossFunction.MCXENT)
                        .nOut(nOut)
                        .activation(Activation.SOFTMAX);
        if (dropout > 0) {
            // DL4J's argument is the probability of keeping an input
            b.dropOut(1.0 - dropout);
        }
        return b.build();
    }

    private static void imageCnn(GraphBuilder g, ModelSpec spec, ImageCnnParams p) {
        g.addInputs("input").setInputTypes(inputTypes(spec));
        int k = p.kernelSize();
        String prev = "input";
        prev = convBlock(g, "1", prev, p.conv1Channels(), k, (k - 1) / 2, p.batchNorm());
        prev = convBlock(g, "2", prev, p.conv2Channels(), k, 0, p.batchNorm());
        g.addLayer(IMAGE_EMBEDDING_LAYER, reluDense(p.denseUnits()), prev);
        g.addLayer(
                ModelSpec.OUTPUT_NAME,
                softmaxOutput(spec.outputSize(), p.dropout()),
                IMAGE_EMBEDDING_LAYER);
    }

    private static String convBlock(
            GraphBuilder g,
            String suffix,
            String input,
            int channels,
            int kernel,
            int padding,
            boolean batchNorm) {
        g.addLayer(
                "conv" + suffix,
                new ConvolutionLayer.Builder(kernel, kernel)
                        .nOut(channels)
                        .stride(1, 1)
                        .padding(padding, padding)
                        .activation(batchNorm ? Activation.IDENTITY : Activation.RELU)
                        .weightInit(WeightInit.RELU)
                        .build(),
                input);
        String prev = "conv" + suffix;
        if (batchNorm) {
            g.addLayer(
                    "bn" + suffix,
                    new BatchNormalization.Builder().eps(NORM_EPSILON).build(),
                    prev);
            g.addLayer(
                    "relu" + suffix,
                    new ActivationLayer.Builder().activation(Activation.RELU).build(),
                    "bn" + suffix);
            prev = "relu" + suffix;
        }
        g.addLayer(
                "pool" + suffix,
                new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                        .kernelSize(2, 2)
                        .stride(2, 2)
                        .build(),
                prev);
        return "pool" + suffix;
    }

    private static void audioLstm(GraphBuilder g, ModelSpec spec, AudioLstmParams p) {
        g.addInputs("input").setInputTypes(inputTypes(spec));
        String prev = "input";
        for (int i = 1; i <= p.layers(); i++) {
            LSTM lstm =
                    new LSTM.Builder()
                            .nOut(p.units())
                            .activation(Activation.TANH)
                            .gateActivationFunction(Activation.SIGMOID)
                            .build();
            String name = "lstm" + i;
            if (i == p.layers()) {
                g.addLayer(name, new LastTimeStep(lstm), prev);
            } else {
                g.addLayer(name, lstm, prev);
            }
            prev = name;
        }
        g.addLayer(ModelSpec.OUTPUT_NAME, softmaxOutput(spec.outputSize(), p.dropout()), prev);
    }

    private static void textTransformer(GraphBuilder g, ModelSpec spec, TextTransformerParams p) {
        int maxLen = spec.input("input").dim(0);
        int d = p.modelDim();
        g.addInputs("input").setInputTypes(inputTypes(spec));
        g.addLayer(
                "embedding",
                new EmbeddingSequenceLayer.Builder()
                        .nIn(p.vocabSize())
                        .nOut(d)
                        .inputLength(maxLen)
                        .hasBias(false)
                        .activation(Activation.IDENTITY)
                        .weightInit(new NormalDistribution(0, EMBEDDING_INIT_STD))
                        .build(),
                "input");
        g.addLayer("positions", new PositionEmbeddingLayer(d, maxLen), "embedding");
        String prev = "positions";
        for (int b = 1; b <= p.blocks(); b++) {
            String attn = "attention" + b;
            g.addLayer(
                    attn,
                    new SelfAttentionLayer.Builder()
                            .nIn(d)
                            .nOut(d)
                            .nHeads(p.heads())
                            .projectInput(true)
                            .build(),
                    prev);
            g.addVertex(
                    "residual" + b + "a",
                    new ElementWiseVertex(ElementWiseVertex.Op.Add),
                    prev,
                    attn);
            g.addLayer("norm" + b + "a", new LayerNormLayer(d, NORM_EPSILON), "residual" + b + "a");
            // not TimeDistributed(DenseLayer): see PositionwiseDenseLayer
            g.addLayer(
                    "ffn" + b + "a",
                    new PositionwiseDenseLayer(d, p.ffnDim(), Activation.RELU),
                    "norm" + b + "a");
            g.addLayer(
                    "ffn" + b + "b",
                    new PositionwiseDenseLayer(p.ffnDim(), d, Activation.IDENTITY),
                    "ffn" + b + "a");
            g.addVertex(
                    "residual" + b + "b",
                    new ElementWiseVertex(ElementWiseVertex.Op.Add),
                    "norm" + b + "a",
                    "ffn" + b + "b");
            g.addLayer("norm" + b + "b", new LayerNormLayer(d, NORM_EPSILON), "residual" + b + "b");
            prev = "norm" + b + "b";
        }
        g.addLayer(
                "pool",
                new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(true).build(),
                prev);
        g.addLayer(ModelSpec.OUTPUT_NAME, softmaxOutput(spec.outputSize(), 0.0), "pool");
    }

    /**
     * The image CNN's penultimate layer (dense, ReLU): its activations are an image's content
     * embedding, exported as the ONNX output {@code content_embedding}.
     */
    public static final String IMAGE_EMBEDDING_LAYER = "dense";

    private static void autoencoder(GraphBuilder g, ModelSpec spec, AutoencoderParams p) {
        int size = spec.input("input").elementsPerEvent();
        g.addInputs("input").setInputTypes(inputTypes(spec));
        List<Integer> widths = new ArrayList<>(p.hiddenUnits());
        widths.add(p.bottleneck());
        for (int i = p.hiddenUnits().size() - 1; i >= 0; i--) {
            widths.add(p.hiddenUnits().get(i));
        }
        String prev = "input";
        for (int i = 0; i < widths.size(); i++) {
            String name =
                    i < p.hiddenUnits().size()
                            ? "encoder" + (i + 1)
                            : i == p.hiddenUnits().size()
                                    ? "code"
                                    : "decoder" + (i - p.hiddenUnits().size());
            g.addLayer(name, reluDense(widths.get(i)), prev);
            prev = name;
        }
        g.addLayer(
                ModelSpec.OUTPUT_NAME,
                mseOutput(
                        size, p.linearReconstruction() ? Activation.IDENTITY : Activation.SIGMOID),
                prev);
    }

    private static void forecaster(GraphBuilder g, ModelSpec spec, ForecasterParams p) {
        TensorSpec window = spec.input("input");
        int channels = window.dim(1);
        g.addInputs("input").setInputTypes(inputTypes(spec));
        // the flattened window is point-major, so the history is a prefix; DL4J's bounds are
        // inclusive
        g.addVertex("history", new SubsetVertex(0, (window.dim(0) - 1) * channels - 1), "input");
        String prev = "history";
        for (int i = 0; i < p.hiddenUnits().size(); i++) {
            String name = "hidden" + (i + 1);
            g.addLayer(name, reluDense(p.hiddenUnits().get(i)), prev);
            prev = name;
        }
        g.addLayer(ModelSpec.OUTPUT_NAME, mseOutput(channels, Activation.IDENTITY), prev);
    }

    private static void nextItem(GraphBuilder g, ModelSpec spec, NextItemParams p) {
        g.addInputs(NextItemParams.INPUT).setInputTypes(inputTypes(spec));
        String prev = NextItemParams.INPUT;
        for (int i = 0; i < p.hiddenUnits().size(); i++) {
            String name = "user" + (i + 1);
            g.addLayer(name, reluDense(p.hiddenUnits().get(i)), prev);
            prev = name;
        }
        g.addLayer(ModelSpec.OUTPUT_NAME, softmaxOutput(spec.outputSize(), 0.0), prev);
    }

    private static void recs(GraphBuilder g, ModelSpec spec, RecsParams p) {
        g.addInputs("user", "item").setInputTypes(inputTypes(spec));
        g.addLayer("userEmbedding", embedding(p.numUsers(), p.embeddingDim()), "user");
        g.addLayer("itemEmbedding", embedding(p.numItems(), p.embeddingDim()), "item");
        g.addVertex(
                "interaction",
                new ElementWiseVertex(ElementWiseVertex.Op.Product),
                "userEmbedding",
                "itemEmbedding");
        g.addVertex("features", new MergeVertex(), "userEmbedding", "itemEmbedding", "interaction");
        g.addLayer("hidden", reluDense(p.hiddenUnits()), "features");
        g.addLayer(
                ModelSpec.OUTPUT_NAME,
                new OutputLayer.Builder(LossFunction.XENT)
                        .nOut(1)
                        .activation(Activation.SIGMOID)
                        .build(),
                "hidden");
    }

    /** A dense layer of {@code units} with ReLU and He initialisation. */
    private static DenseLayer reluDense(int units) {
        return new DenseLayer.Builder()
                .nOut(units)
                .activation(Activation.RELU)
                .weightInit(WeightInit.RELU)
                .build();
    }

    /** A regression output of {@code units} trained with mean squared error. */
    private static OutputLayer mseOutput(int units, Activation activation) {
        return new OutputLayer.Builder(LossFunction.MSE).nOut(units).activation(activation).build();
    }

    private static EmbeddingLayer embedding(int count, int dim) {
        return new EmbeddingLayer.Builder()
                .nIn(count)
                .nOut(dim)
                .hasBias(false)
                .activation(Activation.IDENTITY)
                .weightInit(new NormalDistribution(0, EMBEDDING_INIT_STD))
                .build();
    }
}
