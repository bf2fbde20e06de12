package io.streamdl.trainer;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.spec.ModelSpec;
import java.util.IdentityHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The spec's DL4J network set up for training with a chosen optimizer, and the few operations the
 * trainer needs beyond DL4J's own: changing the learning rate of every layer (including SameDiff
 * and wrapped layers, which {@code ComputationGraph.setLearningRate} skips), resetting the
 * optimizer, and reading and writing parameters and optimizer state as plain float arrays.
 */
final class TrainableNetwork {
    private final ComputationGraph graph;
    private final TrainerSettings.Optimizer optimizer;

    private TrainableNetwork(ComputationGraph graph, TrainerSettings.Optimizer optimizer) {
        this.graph = graph;
        this.optimizer = optimizer;
    }

    /**
     * A fresh network for {@code spec} (its seed gives the initial weights, as {@link
     * Architectures#build} does), with {@code optimizer} at {@code learningRate} on every layer.
     */
    static TrainableNetwork create(
            ModelSpec spec, TrainerSettings.Optimizer optimizer, double learningRate) {
        ComputationGraphConfiguration conf = Architectures.configuration(spec);
        IUpdater updater = updater(optimizer, learningRate);
        for (GraphVertex v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv) {
                setUpdater(lv.getLayerConf().getLayer(), updater);
            }
        }
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return new TrainableNetwork(graph, optimizer);
    }

    /** Whether the parameters of a network of spec {@code a} fit one of spec {@code b}. */
    static boolean sameArchitecture(ModelSpec a, ModelSpec b) {
        return a.sameInterfaceAs(b)
                && a.kind() == b.kind()
                && a.params().equals(b.params())
                && a.specVersion() == b.specVersion();
    }

    ComputationGraph graph() {
        return graph;
    }

    TrainerSettings.Optimizer optimizer() {
        return optimizer;
    }

    /** Sets the learning rate of every trainable layer. */
    void setLearningRate(double learningRate) {
        Map<IUpdater, Boolean> seen = new IdentityHashMap<>();
        for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
            collectUpdaters(layer.conf().getLayer(), seen);
        }
        for (IUpdater u : seen.keySet()) {
            if (u.hasLearningRate()) {
                // the live updater blocks hold these same config objects, so this takes effect at
                // the next step without rebuilding the updater
                u.setLrAndSchedule(learningRate, null);
            }
        }
    }

    /** Forgets the optimizer's state: moments or momentum, and the iteration count. */
    void resetOptimizer() {
        INDArray state = updater().getStateViewArray();
        if (state != null) {
            state.assign(0);
        }
        graph.getConfiguration().setIterationCount(0);
    }

    /** A copy of the flattened parameters. */
    float[] params() {
        return graph.params().castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    void setParams(float[] values) {
        long expected = graph.numParams();
        if (values.length != expected) {
            throw new IllegalArgumentException(
                    values.length + " parameters for a network of " + expected);
        }
        graph.setParams(Nd4j.create(values, new long[] {1, values.length}, 'c'));
    }

    /** A copy of the optimizer's state (empty for plain SGD). */
    float[] optimizerState() {
        INDArray state = updater().getStateViewArray();
        return state == null
                ? new float[0]
                : state.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    void setOptimizerState(float[] values) {
        INDArray state = updater().getStateViewArray();
        long length = state == null ? 0 : state.length();
        if (values.length != length) {
            throw new IllegalArgumentException(
                    values.length + " optimizer state values for an updater of " + length);
        }
        if (state != null) {
            state.assign(Nd4j.create(values, state.shape(), 'c'));
        }
    }

    int iterationCount() {
        return graph.getConfiguration().getIterationCount();
    }

    int epochCount() {
        return graph.getConfiguration().getEpochCount();
    }

    void setCounts(int iterations, int epochs) {
        graph.getConfiguration().setIterationCount(iterations);
        graph.getConfiguration().setEpochCount(epochs);
    }

    void clear() {
        graph.clear();
    }

    private ComputationGraphUpdater updater() {
        return graph.getUpdater(true);
    }

    private static IUpdater updater(TrainerSettings.Optimizer optimizer, double learningRate) {
        return switch (optimizer) {
            case ADAM -> new Adam(learningRate);
            case SGD -> new Sgd(learningRate);
            case NESTEROVS -> new Nesterovs(learningRate, 0.9);
        };
    }

    private static void setUpdater(Layer layer, IUpdater updater) {
        if (layer instanceof BaseWrapperLayer w) {
            setUpdater(w.getUnderlying(), updater);
        } else if (layer instanceof BaseLayer b) {
            b.setIUpdater(updater.clone());
            b.setBiasUpdater(null);
        } else if (layer instanceof AbstractSameDiffLayer s) {
            s.setUpdater(updater.clone());
            s.setBiasUpdater(null);
        }
    }

    private static void collectUpdaters(Layer layer, Map<IUpdater, Boolean> seen) {
        if (layer instanceof BaseWrapperLayer w) {
            collectUpdaters(w.getUnderlying(), seen);
        } else if (layer instanceof BaseLayer b) {
            add(b.getIUpdater(), seen);
            add(b.getBiasUpdater(), seen);
        } else if (layer instanceof AbstractSameDiffLayer s) {
            add(s.getUpdater(), seen);
            add(s.getBiasUpdater(), seen);
        }
    }

    private static void add(IUpdater u, Map<IUpdater, Boolean> seen) {
        if (u != null) {
            seen.put(u, Boolean.TRUE);
        }
    }
}
