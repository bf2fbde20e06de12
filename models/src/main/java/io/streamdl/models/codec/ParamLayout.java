package io.streamdl.models.codec;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.spec.ModelSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Names a position of the flat parameter vector the way DL4J's {@code
 * ComputationGraph.paramTable()} does ({@code layer_param[index]}), from the network configuration
 * alone: no {@code ComputationGraph} is built and the network's parameters are not allocated, so a
 * verifier can say which weight is broken without the cost of a network.
 *
 * <p>DL4J lays parameters out layer by layer in the graph's topological order, each layer as its
 * parameter initializer arranges it; {@code ParamLayoutTest} checks this against built networks.
 */
final class ParamLayout {
    private ParamLayout() {}

    /**
     * {@code layer_param[index]} of flat parameter {@code index}, or {@code #index} past the end.
     */
    static String describe(ModelSpec spec, long index) {
        ComputationGraphConfiguration conf = Architectures.configuration(spec);
        long offset = 0;
        for (String name : topologicalOrder(conf)) {
            if (!(conf.getVertices().get(name) instanceof LayerVertex vertex)) {
                continue;
            }
            Layer layer = vertex.getLayerConf().getLayer();
            long n = layer.initializer().numParams(layer);
            if (index >= offset && index < offset + n) {
                return name + "_" + withinLayer(vertex, n, index - offset);
            }
            offset += n;
        }
        return "#" + index;
    }

    /**
     * The vertex names, network inputs first, in the order DL4J sorts them: Kahn's algorithm with a
     * first-in first-out queue, visiting a vertex's consumers in configuration order.
     */
    static List<String> topologicalOrder(ComputationGraphConfiguration conf) {
        List<String> all = new ArrayList<>(conf.getNetworkInputs());
        all.addAll(conf.getVertices().keySet());
        Map<String, Set<String>> unplacedInputs = new HashMap<>();
        Map<String, List<String>> consumers = new HashMap<>();
        for (String vertex : all) {
            Set<String> inputs =
                    new LinkedHashSet<>(conf.getVertexInputs().getOrDefault(vertex, List.of()));
            unplacedInputs.put(vertex, inputs);
            for (String input : inputs) {
                consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(vertex);
            }
        }
        ArrayDeque<String> ready = new ArrayDeque<>();
        for (String vertex : all) {
            if (unplacedInputs.get(vertex).isEmpty()) {
                ready.add(vertex);
            }
        }
        List<String> order = new ArrayList<>(all.size());
        while (!ready.isEmpty()) {
            String next = ready.removeFirst();
            order.add(next);
            for (String consumer : consumers.getOrDefault(next, List.of())) {
                Set<String> waiting = unplacedInputs.get(consumer);
                waiting.remove(next);
                if (waiting.isEmpty()) {
                    ready.addLast(consumer);
                }
            }
        }
        if (order.size() != all.size()) {
            throw new IllegalStateException("the network configuration has a cycle");
        }
        return order;
    }

    /** {@code param[index]} within one layer, from the views its initializer lays out. */
    private static String withinLayer(LayerVertex vertex, long numParams, long index) {
        Layer layer = vertex.getLayerConf().getLayer();
        // a scratch vector of this layer's size only; initializeParams=false leaves it unwritten
        INDArray scratch = Nd4j.zeros(DataType.FLOAT, 1, numParams);
        Map<String, INDArray> views =
                layer.initializer().init(vertex.getLayerConf().clone(), scratch, false);
        for (Map.Entry<String, INDArray> e : views.entrySet()) {
            long start = e.getValue().offset() - scratch.offset();
            if (index >= start && index < start + e.getValue().length()) {
                return e.getKey() + "[" + (index - start) + "]";
            }
        }
        return "#" + index;
    }
}
