package io.streamdl.models.inference;

import io.streamdl.models.spec.ModelSpec;

/**
 * Scores batches with one model version. Implementations are thread-safe; {@link #close()} releases
 * native resources, after which {@link #infer} must not be called.
 */
public interface InferenceBackend extends AutoCloseable {

    /** The model this backend scores. */
    ModelSpec spec();

    /**
     * Scores a batch.
     *
     * @param batch one tensor per input of {@link #spec()}, with the spec's dtypes and shapes
     * @return {@code [batch size, spec().outputSize()]} float32: class probabilities for a
     *     classifier, otherwise one score per event
     * @throws IllegalArgumentException if the batch does not fit the spec
     */
    Tensor infer(Batch batch);

    /** A short human-readable name, such as {@code onnxruntime(CPU, 1 thread)}. */
    String description();

    @Override
    void close();
}
