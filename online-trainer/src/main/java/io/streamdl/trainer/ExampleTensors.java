package io.streamdl.trainer;

import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Tensor;
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
 * Turns {@link Features} records into a model's input {@link Batch}, in the layout the scorers use:
 * the model's first input is the features' data; an input called {@code mask} comes from the
 * features' mask (one byte per position, 1 = real token; all ones when absent).
 */
final class ExampleTensors {
    static final String MASK_INPUT = "mask";

    private ExampleTensors() {}

    /** Why {@code features} cannot feed {@code spec}, or null if they can. */
    static String misfit(Features features, ModelSpec spec) {
        TensorSpec input = spec.inputs().get(0);
        String dtype = input.dtype().wireName();
        if (!dtype.equals(features.getDtype())) {
            return "dtype " + features.getDtype() + " but model " + spec.name() + " takes " + dtype;
        }
        int values = features.getData().remaining() / 4;
        if (features.getData().remaining() % 4 != 0 || values != input.elementsPerEvent()) {
            return features.getData().remaining()
                    + " data bytes of shape "
                    + features.getShape()
                    + " but model "
                    + spec.name()
                    + " takes "
                    + input.elementsPerEvent()
                    + " values "
                    + input.shape();
        }
        for (int i = 1; i < spec.inputs().size(); i++) {
            TensorSpec extra = spec.inputs().get(i);
            if (!extra.name().equals(MASK_INPUT)) {
                return "model "
                        + spec.name()
                        + " takes input '"
                        + extra.name()
                        + "', which features do not carry";
            }
            ByteBuffer mask = features.getMask();
            if (mask != null && mask.remaining() != extra.elementsPerEvent()) {
                return mask.remaining()
                        + " mask bytes but model "
                        + spec.name()
                        + " takes "
                        + extra.elementsPerEvent();
            }
        }
        return null;
    }

    /** The batch of {@code events}, each of which fits {@code spec} (see {@link #misfit}). */
    static Batch batch(List<Features> events, ModelSpec spec) {
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
