package io.streamdl.models.inference;

import io.streamdl.models.spec.DType;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable dense tensor, batch dimension first, values in C order: float32 or int32. The
 * factories copy the data they are given and accessors hand out copies, so a tensor can be shared
 * between threads and kept while its source array is reused.
 */
public final class Tensor {
    private final DType dtype;
    private final long[] shape;
    private final float[] floats;
    private final int[] ints;

    private Tensor(DType dtype, long[] shape, float[] floats, int[] ints) {
        this.dtype = dtype;
        this.shape = shape;
        this.floats = floats;
        this.ints = ints;
    }

    /** A float32 tensor of {@code shape} holding a copy of {@code data}. */
    public static Tensor ofFloats(long[] shape, float[] data) {
        checkShape(shape, data.length);
        return new Tensor(DType.FLOAT32, shape.clone(), data.clone(), null);
    }

    /** An int32 tensor of {@code shape} holding a copy of {@code data}. */
    public static Tensor ofInts(long[] shape, int[] data) {
        checkShape(shape, data.length);
        return new Tensor(DType.INT32, shape.clone(), null, data.clone());
    }

    /** Stacks per-event float arrays of {@code eventShape} into a batch. */
    public static Tensor stackFloats(List<float[]> events, int... eventShape) {
        int per = product(eventShape);
        float[] data = new float[events.size() * per];
        for (int i = 0; i < events.size(); i++) {
            float[] e = events.get(i);
            if (e.length != per) {
                throw new IllegalArgumentException(
                        "event "
                                + i
                                + " has "
                                + e.length
                                + " values, expected "
                                + per
                                + " for shape "
                                + Arrays.toString(eventShape));
            }
            System.arraycopy(e, 0, data, i * per, per);
        }
        return new Tensor(DType.FLOAT32, batchShape(events.size(), eventShape), data, null);
    }

    /** Stacks per-event int arrays of {@code eventShape} into a batch. */
    public static Tensor stackInts(List<int[]> events, int... eventShape) {
        int per = product(eventShape);
        int[] data = new int[events.size() * per];
        for (int i = 0; i < events.size(); i++) {
            int[] e = events.get(i);
            if (e.length != per) {
                throw new IllegalArgumentException(
                        "event " + i + " has " + e.length + " values, expected " + per);
            }
            System.arraycopy(e, 0, data, i * per, per);
        }
        return new Tensor(DType.INT32, batchShape(events.size(), eventShape), null, data);
    }

    /** Wraps an array the caller hands over and never touches again; for this package only. */
    static Tensor adoptFloats(long[] shape, float[] data) {
        checkShape(shape, data.length);
        return new Tensor(DType.FLOAT32, shape.clone(), data, null);
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The size of the first (batch) dimension. */
    public int batchSize() {
        return (int) shape[0];
    }

    /** The shape of one event: {@link #shape()} without the batch dimension. */
    public int[] eventShape() {
        int[] s = new int[shape.length - 1];
        for (int i = 1; i < shape.length; i++) {
            s[i - 1] = (int) shape[i];
        }
        return s;
    }

    /** Number of values per event. */
    public int elementsPerEvent() {
        return shape[0] == 0 ? 0 : size() / batchSize();
    }

    /** Total number of values. */
    public int size() {
        return dtype == DType.FLOAT32 ? floats.length : ints.length;
    }

    /** A copy of the values of a float32 tensor. */
    public float[] floats() {
        return floatData().clone();
    }

    /** A copy of the values of an int32 tensor. */
    public int[] ints() {
        return intData().clone();
    }

    /** A copy of the values of event {@code i} of a float32 tensor. */
    public float[] row(int i) {
        int per = elementsPerEvent();
        return Arrays.copyOfRange(floatData(), i * per, (i + 1) * per);
    }

    /** Value {@code j} of event {@code i} of a float32 tensor. */
    public float get(int i, int j) {
        return floatData()[i * elementsPerEvent() + j];
    }

    /** The backing float array, not copied; backends in this package read it, never write it. */
    float[] floatData() {
        if (floats == null) {
            throw new IllegalStateException("tensor is " + dtype.wireName() + ", not float32");
        }
        return floats;
    }

    /** The backing int array, not copied; backends in this package read it, never write it. */
    int[] intData() {
        if (ints == null) {
            throw new IllegalStateException("tensor is " + dtype.wireName() + ", not int32");
        }
        return ints;
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype.wireName() + " " + Arrays.toString(shape) + "]";
    }

    private static void checkShape(long[] shape, int length) {
        if (shape.length < 1) {
            throw new IllegalArgumentException("a tensor needs a batch dimension");
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "negative dimension in " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + length);
        }
    }

    private static int product(int[] dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    private static long[] batchShape(int batch, int[] eventShape) {
        long[] s = new long[eventShape.length + 1];
        s[0] = batch;
        for (int i = 0; i < eventShape.length; i++) {
            s[i + 1] = eventShape[i];
        }
        return s;
    }
}
