package io.streamdl.bench;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.arch.PositionwiseDenseLayer;
import io.streamdl.models.spec.ModelSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Floating-point operations per sample of a DL4J network, counted from its layer shapes: twice the
 * multiply-adds of every matrix product (convolutions, dense and output layers, LSTM gates at every
 * time step, self-attention's projections, scores and weighted sums, position-wise dense layers at
 * every position). Sequences count at their full length (the runtime computes padded positions
 * too); embeddings (lookups), pooling, normalisation, activations and additions are not counted.
 */
final class FlopCounter {
    /** The counting method, as the report states it. */
    static final String METHOD =
            "2 x multiply-adds of every matrix product, counted from the DL4J layer shapes:"
                    + " convolutions (k x k x channels-in per output value), dense/output layers,"
                    + " LSTM gates (4 x (in + units) x units per step x steps), self-attention"
                    + " (Q/K/V/output projections + QK^T + weighted sum, full sequence length),"
                    + " position-wise dense layers per position; lookups, pooling, norms and"
                    + " element-wise ops not counted";

    private FlopCounter() {}

    static long flopsPerSample(ComputationGraph graph, ModelSpec spec) {
        return perLayer(graph, spec).values().stream().mapToLong(Long::longValue).sum();
    }

    /** The FLOPs of each counted layer, by vertex name, in graph order. */
    static Map<String, Long> perLayer(ComputationGraph graph, ModelSpec spec) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        InputType[] inputs = Architectures.inputTypes(spec);
        Map<String, InputType> outputs = conf.clone().getLayerActivationTypes(true, false, inputs);
        Map<String, InputType> types = new LinkedHashMap<>(outputs);
        List<String> inputNames = conf.getNetworkInputs();
        for (int i = 0; i < inputNames.size() && i < inputs.length; i++) {
            types.putIfAbsent(inputNames.get(i), inputs[i]);
        }
        Map<String, Long> flops = new LinkedHashMap<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex lv)) {
                continue;
            }
            List<String> in = conf.getVertexInputs().get(e.getKey());
            InputType inType = in == null || in.isEmpty() ? null : types.get(in.get(0));
            long f = layerFlops(lv.getLayerConf().getLayer(), inType, types.get(e.getKey()));
            if (f > 0) {
                flops.put(e.getKey(), f);
            }
        }
        return flops;
    }

    static long layerFlops(Layer layer, InputType in, InputType out) {
        while (layer instanceof BaseWrapperLayer w) {
            layer = w.getUnderlying();
        }
        // an LSTM's steps are its input's (the last one may emit one step); the others compute
        // once per position of their output
        long stepsIn = in instanceof InputType.InputTypeRecurrent r ? r.getTimeSeriesLength() : 1;
        long steps = out instanceof InputType.InputTypeRecurrent r ? r.getTimeSeriesLength() : 1;
        if (layer instanceof ConvolutionLayer conv) {
            InputType.InputTypeConvolutional o = (InputType.InputTypeConvolutional) out;
            long macsPerOutput = conv.getNIn() * conv.getKernelSize()[0] * conv.getKernelSize()[1];
            return 2 * macsPerOutput * o.getChannels() * o.getHeight() * o.getWidth();
        }
        if (layer instanceof LSTM lstm) {
            long units = lstm.getNOut();
            return 2 * 4 * (lstm.getNIn() + units) * units * stepsIn;
        }
        if (layer instanceof SelfAttentionLayer a) {
            long heads = a.getNHeads();
            long head = a.getHeadSize() > 0 ? a.getHeadSize() : a.getNOut() / heads;
            long inner = heads * head;
            long projections = a.isProjectInput() ? 2 * steps * (3 * a.getNIn() * inner) : 0;
            long output = a.isProjectInput() ? 2 * steps * inner * a.getNOut() : 0;
            long attention = 2 * 2 * heads * steps * steps * head;
            return projections + output + attention;
        }
        if (layer instanceof PositionwiseDenseLayer p) {
            return 2 * steps * p.getNIn() * p.getNOut();
        }
        if (layer instanceof EmbeddingLayer
                || layer instanceof EmbeddingSequenceLayer
                || layer instanceof BatchNormalization) {
            return 0;
        }
        if (layer instanceof FeedForwardLayer ff) {
            return 2 * ff.getNIn() * ff.getNOut() * steps;
        }
        return 0;
    }
}
