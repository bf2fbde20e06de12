package io.streamdl.models.spec;

/**
 * The families of networks this module can build, export and score, and {@link #IMPORTED} for a
 * model trained elsewhere that is only served. The name is stable: it is written into every spec
 * JSON and therefore into every {@code ModelUpdate}.
 */
public enum ArchitectureKind {
    /** A LeNet-style convolutional classifier over NCHW images. */
    IMAGE_CNN,
    /** A stacked LSTM classifier over log-mel frames, reading the last time step. */
    AUDIO_LSTM,
    /** A Transformer encoder classifier over token ids with a padding mask. */
    TEXT_TRANSFORMER,
    /** A dense autoencoder whose per-sample reconstruction error is an anomaly score. */
    AUTOENCODER,
    /**
     * A dense forecaster of a metric window's newest point from the points before it, whose
     * per-event squared forecast error is an anomaly score.
     */
    FORECASTER,
    /** A scorer of (user, item) pairs from learned user and item embeddings. */
    RECS,
    /**
     * A next-item recommender: a user tower over a content-embedding profile, softmax over the
     * catalogue's items.
     */
    NEXT_ITEM,
    /**
     * An ONNX model trained elsewhere and imported as is ({@code OnnxImport}): ONNX Runtime serves
     * it, but it has no DL4J network, so it is never built, trained or scored with DL4J.
     */
    IMPORTED
}
