package io.streamdl.models.arch;

/**
 * How one spec input (pipeline layout, batch first, C order) becomes the array DL4J's network
 * takes. The DL4J backend applies it in Java, the ONNX exporter as the first node after the graph
 * input, so both backends see the network's own layout.
 */
public enum InputLayout {
    /** Passed as is (images NCHW, token ids, user and item indices). */
    AS_IS,
    /** {@code [batch, time, features]} → DL4J's NCW {@code [batch, features, time]}. */
    TIME_MAJOR_TO_NCW,
    /** Flattened to {@code [batch, elements]} in C order. */
    FLATTEN,
    /** Not a network input: the feature mask of another input. */
    MASK
}
