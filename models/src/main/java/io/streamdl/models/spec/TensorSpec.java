package io.streamdl.models.spec;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One named model input: its element type and its shape per event, without the batch dimension (an
 * image is {@code [1, 28, 28]}, a log-mel clip {@code [98, 40]}, a token sequence {@code [64]}).
 * Values are laid out in C order, as in the pipeline's {@code Features} records.
 */
public record TensorSpec(String name, DType dtype, List<Integer> shape) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    public TensorSpec {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidSpecException(
                    "input name '" + name + "' must match " + NAME.pattern());
        }
        if (dtype == null) {
            throw new InvalidSpecException("input '" + name + "' has no dtype");
        }
        if (shape == null || shape.isEmpty()) {
            throw new InvalidSpecException("input '" + name + "' has no shape");
        }
        shape = List.copyOf(shape);
        for (int d : shape) {
            if (d <= 0) {
                throw new InvalidSpecException(
                        "input '" + name + "' has a non-positive dimension in " + shape);
            }
        }
    }

    public static TensorSpec of(String name, DType dtype, int... shape) {
        return new TensorSpec(name, dtype, java.util.Arrays.stream(shape).boxed().toList());
    }

    /** Dimension {@code i} of the per-event shape. */
    public int dim(int i) {
        return shape.get(i);
    }

    public int rank() {
        return shape.size();
    }

    /** Number of values per event. */
    public int elementsPerEvent() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new InvalidSpecException("input '" + name + "' is too large: " + shape);
        }
        return (int) n;
    }

    /**
     * The shape of a batch of {@code batchSize} events: the batch dimension, then {@link #shape}.
     */
    public long[] batchShape(long batchSize) {
        long[] s = new long[shape.size() + 1];
        s[0] = batchSize;
        for (int i = 0; i < shape.size(); i++) {
            s[i + 1] = shape.get(i);
        }
        return s;
    }
}
