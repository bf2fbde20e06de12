package io.streamdl.models.spec;

/**
 * Element types of model inputs and outputs. {@link #wireName()} is the spelling used in spec JSON
 * and in the {@code Features.dtype} field of the pipeline.
 */
public enum DType {
    FLOAT32("float32"),
    INT32("int32");

    private final String wireName;

    DType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Parses a wire name such as {@code "float32"}; anything else is refused. */
    public static DType fromWireName(String name) {
        for (DType t : values()) {
            if (t.wireName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                "unknown dtype '" + name + "': expected float32 or int32");
    }
}
