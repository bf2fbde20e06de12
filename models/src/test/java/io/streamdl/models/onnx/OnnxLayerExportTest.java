package io.streamdl.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.testing.TestingData;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Layers, vertices and activations the exporter supports beyond those of the default architectures,
 * each checked for parity on small networks over the image spec's input and output; and clear
 * refusals of what it does not support.
 */
class OnnxLayerExportTest {
    private static final ModelSpec SPEC = DefaultSpecs.image();

    static Stream<Arguments> activations() {
        return Stream.of(
                Arguments.of(Activation.LEAKYRELU, Activation.ELU, Activation.SOFTPLUS),
                Arguments.of(Activation.HARDSIGMOID, Activation.HARDTANH, Activation.SOFTSIGN),
                Arguments.of(Activation.SWISH, Activation.TANH, Activation.SIGMOID),
                Arguments.of(Activation.RELU, Activation.IDENTITY, Activation.RELU));
    }

    @ParameterizedTest(name = "{0}, {1}, {2}")
    @MethodSource("activations")
    void activationsAveragePoolingAndDropoutLayersMatch(
            Activation conv, Activation dense1, Activation dense2) {
        GraphBuilder g = base();
        g.addLayer(
                "conv",
                new ConvolutionLayer.Builder(3, 3)
                        .nOut(4)
                        .stride(2, 2)
                        .padding(1, 1)
                        .activation(conv)
                        .build(),
                "input");
        g.addLayer(
                "pool",
                new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build(),
                "conv");
        g.addLayer("dense1", new DenseLayer.Builder().nOut(16).activation(dense1).build(), "pool");
        g.addLayer("dropout", new DropoutLayer.Builder(0.5).build(), "dense1");
        g.addLayer(
                "dense2", new DenseLayer.Builder().nOut(16).activation(dense2).build(), "dropout");
        g.addLayer("output", softmax(), "dense2");

        assertParity(g, "activations " + conv + ", " + dense1 + ", " + dense2);
    }

    @Test
    void elementWiseMergeGlobalPoolingAndVarianceBatchNormMatch() {
        GraphBuilder g = base();
        g.addLayer(
                "conv",
                new ConvolutionLayer.Builder(5, 5).nOut(6).activation(Activation.RELU).build(),
                "input");
        g.addLayer(
                "gmax",
                new GlobalPoolingLayer.Builder(PoolingType.MAX).collapseDimensions(true).build(),
                "conv");
        g.addLayer(
                "gavg",
                new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(true).build(),
                "conv");
        g.addLayer(
                "a", new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build(), "gmax");
        g.addLayer(
                "b",
                new DenseLayer.Builder().nOut(8).activation(Activation.SIGMOID).build(),
                "gavg");
        g.addVertex("sub", new ElementWiseVertex(ElementWiseVertex.Op.Subtract), "a", "b");
        g.addVertex("avg", new ElementWiseVertex(ElementWiseVertex.Op.Average), "a", "b");
        g.addVertex("max", new ElementWiseVertex(ElementWiseVertex.Op.Max), "a", "b");
        g.addVertex("prod", new ElementWiseVertex(ElementWiseVertex.Op.Product), "a", "b");
        g.addVertex("merged", new MergeVertex(), "sub", "avg", "max", "prod");
        g.addLayer(
                "bn",
                new BatchNormalization.Builder().useLogStd(false).eps(1e-3).build(),
                "merged");
        g.addLayer("output", softmax(), "bn");

        assertParity(g, "vertices, global pooling, variance batch norm");
    }

    @Test
    void subsetsOfRecurrentAndDenseFeaturesMatch() {
        ModelSpec audio = DefaultSpecs.audio();
        GraphBuilder g = audioBase();
        g.addVertex("mels", new SubsetVertex(5, 20), "input");
        g.addLayer(
                "lstm",
                new LSTM.Builder()
                        .nOut(8)
                        .activation(Activation.TANH)
                        .gateActivationFunction(Activation.SIGMOID)
                        .build(),
                "mels");
        g.addLayer(
                "gavg",
                new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(true).build(),
                "lstm");
        g.addLayer(
                "dense",
                new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build(),
                "gavg");
        g.addVertex("features", new SubsetVertex(4, 11), "dense");
        g.addLayer(
                "output",
                new OutputLayer.Builder(LossFunction.MCXENT)
                        .nOut(20)
                        .activation(Activation.SOFTMAX)
                        .build(),
                "features");
        ComputationGraph net = init(g);
        TestingData.randomizeWeights(net, 25, 0.1);

        double diff =
                OnnxParityTest.maxDiff(
                        audio, net, TestingData.randomBatch(audio, OnnxParityTest.EVENTS, 26));

        System.out.printf(
                "PARITY %-50s max diff %.2e%n", "subsets of recurrent and dense features", diff);
        assertThat(diff).isLessThanOrEqualTo(OnnxParityTest.TOLERANCE);
    }

    @Test
    void timeDistributedDenseFullSequenceLstmAndMaxPoolingOverTimeMatch() {
        ModelSpec audio = DefaultSpecs.audio();
        GraphBuilder g = audioBase();
        g.addLayer(
                "td",
                new TimeDistributed(
                        new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build(),
                        RNNFormat.NCW),
                "input");
        g.addLayer(
                "lstm",
                new LSTM.Builder()
                        .nOut(8)
                        .activation(Activation.TANH)
                        .gateActivationFunction(Activation.SIGMOID)
                        .build(),
                "td");
        g.addLayer(
                "gmax",
                new GlobalPoolingLayer.Builder(PoolingType.MAX).collapseDimensions(true).build(),
                "lstm");
        g.addLayer(
                "output",
                new OutputLayer.Builder(LossFunction.MCXENT)
                        .nOut(20)
                        .activation(Activation.SOFTMAX)
                        .build(),
                "gmax");
        ComputationGraph net = init(g);
        TestingData.randomizeWeights(net, 23, 0.1);

        double diff =
                OnnxParityTest.maxDiff(
                        audio, net, TestingData.randomBatch(audio, OnnxParityTest.EVENTS, 24));

        System.out.printf(
                "PARITY %-50s max diff %.2e%n", "TimeDistributed, LSTM, max over time", diff);
        assertThat(diff).isLessThanOrEqualTo(OnnxParityTest.TOLERANCE);
    }

    @Test
    void refusesConvolutionModeSameNamingTheVertex() {
        GraphBuilder g = base();
        g.addLayer(
                "sameconv",
                new ConvolutionLayer.Builder(3, 3)
                        .nOut(2)
                        .convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU)
                        .build(),
                "input");
        g.addLayer("output", softmax(), "sameconv");
        ComputationGraph net = init(g);

        assertThatThrownBy(() -> OnnxExporter.export(net, SPEC))
                .isInstanceOf(OnnxExportException.class)
                .hasMessageContaining("'sameconv'")
                .hasMessageContaining("convolution mode Same");
    }

    @Test
    void refusesUnsupportedLayers() {
        GraphBuilder g = base();
        g.addLayer("up", new Upsampling2D.Builder(2).build(), "input");
        g.addLayer("output", softmax(), "up");
        ComputationGraph net = init(g);

        assertThatThrownBy(() -> OnnxExporter.export(net, SPEC))
                .isInstanceOf(OnnxExportException.class)
                .hasMessageContaining("'up'")
                .hasMessageContaining("Upsampling2D");
    }

    @Test
    void refusesANetworkWhoseInputsDoNotMatchTheSpec() {
        ComputationGraph net = init(base().addLayer("output", softmax(), "input"));

        assertThatThrownBy(() -> OnnxExporter.export(net, DefaultSpecs.ncf()))
                .isInstanceOf(OnnxExportException.class)
                .hasMessageContaining("do not match spec 'ncf'");
    }

    private static void assertParity(GraphBuilder g, String label) {
        ComputationGraph net = init(g);
        TestingData.randomizeWeights(net, 21, 0.1);
        double diff =
                OnnxParityTest.maxDiff(
                        SPEC, net, TestingData.randomBatch(SPEC, OnnxParityTest.EVENTS, 22));
        System.out.printf("PARITY %-50s max diff %.2e%n", label, diff);
        assertThat(diff).isLessThanOrEqualTo(OnnxParityTest.TOLERANCE);
    }

    private static GraphBuilder base() {
        return new NeuralNetConfiguration.Builder()
                .seed(3)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .activation(Activation.IDENTITY)
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(28, 28, 1))
                .setOutputs("output");
    }

    /** A graph over the audio spec's input, in DL4J's NCW layout. */
    private static GraphBuilder audioBase() {
        return new NeuralNetConfiguration.Builder()
                .seed(4)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .activation(Activation.IDENTITY)
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(Architectures.inputTypes(DefaultSpecs.audio()))
                .setOutputs("output");
    }

    private static OutputLayer softmax() {
        return new OutputLayer.Builder(LossFunction.MCXENT)
                .nOut(10)
                .activation(Activation.SOFTMAX)
                .build();
    }

    private static ComputationGraph init(GraphBuilder g) {
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }
}
