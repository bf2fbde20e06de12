package io.streamdl.encoders;

import io.streamdl.schemas.avro.Features;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Conversions between Java arrays and the tensor bytes of {@link Features}: little-endian values in
 * C (row-major) order, and a mask of one byte per position.
 */
public final class Tensors {
    public static final String FLOAT32 = "float32";
    public static final String INT32 = "int32";

    private Tensors() {}

    /** The values as little-endian float32 bytes, in a buffer positioned at 0. */
    public static ByteBuffer toLittleEndian(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES);
        buffer.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
        return buffer;
    }

    /** The values as little-endian int32 bytes, in a buffer positioned at 0. */
    public static ByteBuffer toLittleEndian(int[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Integer.BYTES);
        buffer.order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(values);
        return buffer;
    }

    /**
     * Reads little-endian float32 values from the buffer's remaining bytes, leaving the buffer's
     * position unchanged.
     *
     * @throws IllegalArgumentException if the remaining bytes are not a whole number of floats
     */
    public static float[] floatsFromLittleEndian(ByteBuffer bytes) {
        ByteBuffer view = littleEndianView(bytes, Float.BYTES);
        float[] values = new float[view.remaining() / Float.BYTES];
        view.asFloatBuffer().get(values);
        return values;
    }

    /**
     * Reads little-endian int32 values from the buffer's remaining bytes, leaving the buffer's
     * position unchanged.
     *
     * @throws IllegalArgumentException if the remaining bytes are not a whole number of ints
     */
    public static int[] intsFromLittleEndian(ByteBuffer bytes) {
        ByteBuffer view = littleEndianView(bytes, Integer.BYTES);
        int[] values = new int[view.remaining() / Integer.BYTES];
        view.asIntBuffer().get(values);
        return values;
    }

    /** A float32 tensor as a {@link Features} record without mask. */
    public static Features floatFeatures(
            String eventId, long ts, String encodedBy, int[] shape, float[] data) {
        checkShape(shape, data.length);
        return Features.newBuilder()
                .setEventId(eventId)
                .setTs(ts)
                .setEncodedBy(encodedBy)
                .setDtype(FLOAT32)
                .setShape(shapeList(shape))
                .setData(toLittleEndian(data))
                .setMask(null)
                .build();
    }

    /** An int32 tensor with a mask of one byte per position (1 = real, 0 = padding). */
    public static Features intFeatures(
            String eventId, long ts, String encodedBy, int[] shape, int[] data, byte[] mask) {
        checkShape(shape, data.length);
        if (mask.length != data.length) {
            throw new IllegalArgumentException(
                    "mask has " + mask.length + " bytes for " + data.length + " values");
        }
        return Features.newBuilder()
                .setEventId(eventId)
                .setTs(ts)
                .setEncodedBy(encodedBy)
                .setDtype(INT32)
                .setShape(shapeList(shape))
                .setData(toLittleEndian(data))
                .setMask(ByteBuffer.wrap(mask.clone()))
                .build();
    }

    /** The float32 values of {@code features}. */
    public static float[] floats(Features features) {
        if (!FLOAT32.equals(features.getDtype())) {
            throw new IllegalArgumentException("dtype is " + features.getDtype() + ", not float32");
        }
        return floatsFromLittleEndian(features.getData());
    }

    /** The int32 values of {@code features}. */
    public static int[] ints(Features features) {
        if (!INT32.equals(features.getDtype())) {
            throw new IllegalArgumentException("dtype is " + features.getDtype() + ", not int32");
        }
        return intsFromLittleEndian(features.getData());
    }

    /** The mask bytes of {@code features}, or null when it has none. */
    public static byte[] mask(Features features) {
        ByteBuffer mask = features.getMask();
        if (mask == null) {
            return null;
        }
        byte[] bytes = new byte[mask.remaining()];
        mask.duplicate().get(bytes);
        return bytes;
    }

    /** The number of values a tensor of {@code shape} holds. */
    public static long elementCount(int[] shape) {
        long count = 1;
        for (int dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension " + dim);
            }
            count *= dim;
        }
        return count;
    }

    private static void checkShape(int[] shape, int length) {
        if (elementCount(shape) != length) {
            throw new IllegalArgumentException(
                    "shape " + shapeList(shape) + " does not hold " + length + " values");
        }
    }

    private static List<Integer> shapeList(int[] shape) {
        List<Integer> list = new ArrayList<>(shape.length);
        for (int dim : shape) {
            list.add(dim);
        }
        return list;
    }

    private static ByteBuffer littleEndianView(ByteBuffer bytes, int width) {
        ByteBuffer view = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (view.remaining() % width != 0) {
            throw new IllegalArgumentException(
                    view.remaining()
                            + " bytes are not a whole number of "
                            + width
                            + "-byte values");
        }
        return view;
    }
}
