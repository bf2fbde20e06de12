package io.streamdl.ingest.datasets;

import java.util.Locale;

/** The two parts of a data set; {@link #id()} is how data files and manifests spell them. */
public enum Split {
    TRAIN("train"),
    TEST("test");

    private final String id;

    Split(String id) {
        this.id = id;
    }

    /** {@code "train"} or {@code "test"}. */
    public String id() {
        return id;
    }

    /**
     * The split spelt {@code id} (case-insensitive).
     *
     * @throws IllegalArgumentException if {@code id} is neither {@code train} nor {@code test}
     */
    public static Split of(String id) {
        if (id != null) {
            switch (id.toLowerCase(Locale.ROOT)) {
                case "train":
                    return TRAIN;
                case "test":
                    return TEST;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("split must be train or test, not " + id);
    }
}
