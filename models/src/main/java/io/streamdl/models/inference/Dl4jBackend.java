package io.streamdl.models.inference;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.spec.ModelSpec;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Scores with DL4J itself: the reference the ONNX export is checked against, and a fallback where
 * ONNX Runtime is unavailable. It keeps its own copy of the network, so the caller may go on
 * training the original. DL4J networks are not thread-safe, so calls are serialised.
 */
public final class Dl4jBackend implements InferenceBackend {
    private final ModelSpec spec;
    private final ComputationGraph graph;
    private boolean closed;

    private Dl4jBackend(ModelSpec spec, ComputationGraph graph) {
        this.spec = spec;
        this.graph = graph;
    }

    /**
     * A backend scoring with a copy of {@code graph}, which must be built from {@code spec}.
     *
     * @throws IllegalArgumentException if {@code spec} is an imported ONNX model, which has no DL4J
     *     network (see {@link Architectures#requireBuildable})
     */
    public static Dl4jBackend create(ModelSpec spec, ComputationGraph graph) {
        Architectures.requireBuildable(spec);
        return new Dl4jBackend(spec, graph.clone());
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public synchronized Tensor infer(Batch batch) {
        if (closed) {
            throw new IllegalStateException("DL4J backend for '" + spec.name() + "' is closed");
        }
        return Dl4jInputs.output(spec, graph, batch);
    }

    @Override
    public String description() {
        return "dl4j";
    }

    @Override
    public synchronized void close() {
        closed = true;
        graph.clear();
    }
}
