package io.streamdl.models.inference;

import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The input of one inference call: one tensor per model input, by name, all with the same batch
 * size. Immutable.
 */
public final class Batch {
    private final Map<String, Tensor> tensors;
    private final int size;

    private Batch(Map<String, Tensor> tensors) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one tensor");
        }
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.size = tensors.values().iterator().next().batchSize();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getValue().batchSize() != size) {
                throw new IllegalArgumentException(
                        "tensor '"
                                + e.getKey()
                                + "' has batch size "
                                + e.getValue().batchSize()
                                + ", others "
                                + size);
            }
        }
    }

    /** A batch of a single input called {@code name}. */
    public static Batch of(String name, Tensor tensor) {
        return new Batch(Map.of(name, tensor));
    }

    /** A batch of the given inputs; iteration order is preserved. */
    public static Batch of(Map<String, Tensor> tensors) {
        return new Batch(tensors);
    }

    /** This batch plus (or with a replaced) input {@code name}. */
    public Batch with(String name, Tensor tensor) {
        LinkedHashMap<String, Tensor> copy = new LinkedHashMap<>(tensors);
        copy.put(name, tensor);
        return new Batch(copy);
    }

    /** Number of events. */
    public int size() {
        return size;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("batch has no input '" + name + "'; has " + names());
        }
        return t;
    }

    /**
     * Checks that this batch holds exactly the inputs of {@code spec}, with their dtypes and
     * per-event shapes.
     *
     * @throws IllegalArgumentException naming the first input that does not fit
     */
    public void requireMatches(ModelSpec spec) {
        if (tensors.size() != spec.inputs().size()) {
            throw new IllegalArgumentException(
                    "model '"
                            + spec.name()
                            + "' takes inputs "
                            + spec.inputs().stream().map(TensorSpec::name).toList()
                            + ", batch has "
                            + names());
        }
        for (TensorSpec in : spec.inputs()) {
            Tensor t = tensors.get(in.name());
            if (t == null) {
                throw new IllegalArgumentException(
                        "model '" + spec.name() + "' needs input '" + in.name() + "'");
            }
            int[] expected = in.shape().stream().mapToInt(Integer::intValue).toArray();
            if (t.dtype() != in.dtype() || !Arrays.equals(t.eventShape(), expected)) {
                throw new IllegalArgumentException(
                        "input '"
                                + in.name()
                                + "' of model '"
                                + spec.name()
                                + "' must be "
                                + in.dtype().wireName()
                                + " [N, "
                                + in.shape().toString().replaceAll("[\\[\\]]", "")
                                + "], got "
                                + t);
            }
        }
    }
}
