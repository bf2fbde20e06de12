package io.streamdl.models.inference;

import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.schemas.avro.Features;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one tensor view of a {@link Features} record, used by the scorers and the trainers alike: the
 * model's first input is the record's data (little-endian, C order); a second input called {@value
 * #MASK_INPUT} comes from the record's mask (one byte per position, non-zero = a real token or
 * metric point; all ones when absent).
 *
 * <p>{@link #check} decides whether a record can feed a model. Anyone can write to a features
 * topic, so it trusts nothing the record says: every way a schema-valid record can disagree with
 * itself or with the model has its own {@link Reason}, and a record that passes can always be
 * stacked by {@link #batch} and gives finite inputs in range. Stateless and thread-safe.
 */
public final class FeatureTensors {
    /** The name of the mask input of models that take one. */
    public static final String MASK_INPUT = "mask";

    /**
     * Why a features record cannot feed a model. Names are stable: they are dead-letter reasons.
     */
    public enum Reason {
        /** The record has no event id, so a score or example could not be attributed. */
        MISSING_EVENT_ID,
        /** The record's dtype is not the model input's. */
        DTYPE_MISMATCH,
        /** A dimension of the record's shape is zero or negative, or their product overflows. */
        INVALID_SHAPE,
        /** The record's shape is valid but not the model input's. */
        SHAPE_MISMATCH,
        /** The data's length in bytes is not what the record's shape and dtype say. */
        DATA_LENGTH_MISMATCH,
        /** A float value is NaN or infinite. */
        NON_FINITE_VALUE,
        /** An integer id is negative or not below the model's limit (vocabulary size). */
        ID_OUT_OF_RANGE,
        /** The mask's length is not the model's mask input length. */
        MASK_LENGTH_MISMATCH,
        /** The model takes an input that features records do not carry. */
        UNSUPPORTED_INPUT
    }

    /** A refused record: why, and a message naming the event and the numbers. */
    public record Refusal(Reason reason, String message) {}

    private FeatureTensors() {}

    /** Why {@code features} cannot feed {@code spec}, or null if it can. */
    public static Refusal check(Features features, ModelSpec spec) {
        String id = features.getEventId();
        if (id == null || id.isBlank()) {
            return new Refusal(Reason.MISSING_EVENT_ID, "the features record has no event id");
        }
        TensorSpec input = spec.inputs().get(0);
        String dtype = input.dtype().wireName();
        if (!dtype.equals(features.getDtype())) {
            return refuse(
                    Reason.DTYPE_MISMATCH,
                    features,
                    "dtype "
                            + features.getDtype()
                            + " but model "
                            + spec.name()
                            + " takes "
                            + dtype);
        }
        List<Integer> shape = features.getShape();
        long elements = 1;
        for (Integer d : shape) {
            if (d == null || d <= 0) {
                return refuse(
                        Reason.INVALID_SHAPE, features, "shape " + shape + " has a dimension " + d);
            }
            elements *= d;
            if (elements > Integer.MAX_VALUE / 4) {
                return refuse(Reason.INVALID_SHAPE, features, "shape " + shape + " is too large");
            }
        }
        if (!takes(input, shape)) {
            return refuse(
                    Reason.SHAPE_MISMATCH,
                    features,
                    "shape " + shape + " but model " + spec.name() + " takes " + input.shape());
        }
        ByteBuffer data = features.getData();
        if (data.remaining() != elements * 4) {
            return refuse(
                    Reason.DATA_LENGTH_MISMATCH,
                    features,
                    data.remaining()
                            + " data bytes but shape "
                            + shape
                            + " of "
                            + dtype
                            + " needs "
                            + elements * 4);
        }
        Refusal values = checkValues(features, spec, input);
        if (values != null) {
            return values;
        }
        for (int i = 1; i < spec.inputs().size(); i++) {
            TensorSpec extra = spec.inputs().get(i);
            if (!extra.name().equals(MASK_INPUT)) {
                return refuse(
                        Reason.UNSUPPORTED_INPUT,
                        features,
                        "model "
                                + spec.name()
                                + " takes input '"
                                + extra.name()
                                + "', which features records do not carry");
            }
            ByteBuffer mask = features.getMask();
            if (mask != null && mask.remaining() != extra.elementsPerEvent()) {
                return refuse(
                        Reason.MASK_LENGTH_MISMATCH,
                        features,
                        mask.remaining()
                                + " mask bytes but model "
                                + spec.name()
                                + " takes "
                                + extra.elementsPerEvent());
            }
        }
        return null;
    }

    /**
     * Whether a record of {@code shape} is one event of {@code input}: the same shape, or the same
     * with a leading batch dimension of 1 (the image encoder writes {@code [1, C, H, W]}).
     */
    private static boolean takes(TensorSpec input, List<Integer> shape) {
        if (shape.size() == input.rank() + 1 && shape.get(0) == 1) {
            return shape.subList(1, shape.size()).equals(input.shape());
        }
        return shape.equals(input.shape());
    }

    private static Refusal checkValues(Features features, ModelSpec spec, TensorSpec input) {
        ByteBuffer le = features.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = le.remaining() / 4;
        if (input.dtype() == DType.FLOAT32) {
            for (int i = 0; i < n; i++) {
                float v = le.getFloat(le.position() + 4 * i);
                if (!Float.isFinite(v)) {
                    return refuse(Reason.NON_FINITE_VALUE, features, "value " + i + " is " + v);
                }
            }
        } else {
            int limit = spec.params().idLimit(input.name());
            for (int i = 0; i < n; i++) {
                int v = le.getInt(le.position() + 4 * i);
                if (v < 0 || v >= limit) {
                    return refuse(
                            Reason.ID_OUT_OF_RANGE,
                            features,
                            "id "
                                    + v
                                    + " at position "
                                    + i
                                    + " is outside [0, "
                                    + limit
                                    + ") of model "
                                    + spec.name());
                }
            }
        }
        return null;
    }

    private static Refusal refuse(Reason reason, Features features, String detail) {
        return new Refusal(reason, "event " + features.getEventId() + ": " + detail);
    }

    /** The batch of {@code events}, each of which passed {@link #check} for {@code spec}. */
    public static Batch batch(List<Features> events, ModelSpec spec) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < spec.inputs().size(); i++) {
            TensorSpec input = spec.inputs().get(i);
            int[] shape = input.shape().stream().mapToInt(Integer::intValue).toArray();
            boolean data = i == 0;
            if (input.dtype() == DType.INT32) {
                List<int[]> rows = new ArrayList<>(events.size());
                for (Features f : events) {
                    rows.add(data ? ints(f.getData()) : maskInts(f, input.elementsPerEvent()));
                }
                tensors.put(input.name(), Tensor.stackInts(rows, shape));
            } else {
                List<float[]> rows = new ArrayList<>(events.size());
                for (Features f : events) {
                    rows.add(data ? floats(f.getData()) : maskFloats(f, input.elementsPerEvent()));
                }
                tensors.put(input.name(), Tensor.stackFloats(rows, shape));
            }
        }
        return Batch.of(tensors);
    }

    private static float[] floats(ByteBuffer data) {
        ByteBuffer le = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[le.remaining() / 4];
        le.asFloatBuffer().get(out);
        return out;
    }

    private static int[] ints(ByteBuffer data) {
        ByteBuffer le = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[le.remaining() / 4];
        le.asIntBuffer().get(out);
        return out;
    }

    private static int[] maskInts(Features f, int n) {
        int[] out = new int[n];
        ByteBuffer mask = f.getMask();
        for (int j = 0; j < n; j++) {
            out[j] = mask == null || mask.get(mask.position() + j) != 0 ? 1 : 0;
        }
        return out;
    }

    private static float[] maskFloats(Features f, int n) {
        int[] m = maskInts(f, n);
        float[] out = new float[n];
        for (int j = 0; j < n; j++) {
            out[j] = m[j];
        }
        return out;
    }
}
