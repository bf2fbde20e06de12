package io.streamdl.scoring;

import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.schemas.avro.Features;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Stacks {@link Features} records into a model's input batch, checking dtype and size. */
public final class FeatureTensors {
    private FeatureTensors() {}

    /** Why a features record does not fit a model, or null if it fits. */
    public static String misfit(Features features, ModelSpec spec) {
        TensorSpec input = spec.inputs().get(0);
        String dtype = input.dtype() == DType.INT32 ? "int32" : "float32";
        if (!dtype.equals(features.getDtype())) {
            return "dtype " + features.getDtype() + " but model " + spec.name() + " takes " + dtype;
        }
        int bytes = features.getData().remaining();
        if (bytes != input.elementsPerEvent() * 4) {
            return bytes / 4
                    + " values of shape "
                    + features.getShape()
                    + " but model "
                    + spec.name()
                    + " takes "
                    + input.elementsPerEvent()
                    + " ("
                    + input.shape()
                    + ")";
        }
        return null;
    }

    /** The batch for {@code events}, all of which fit {@code spec} (see {@link #misfit}). */
    public static Batch batch(List<Features> events, ModelSpec spec) {
        Batch batch = null;
        for (int i = 0; i < spec.inputs().size(); i++) {
            TensorSpec input = spec.inputs().get(i);
            int[] shape = input.shape().stream().mapToInt(Integer::intValue).toArray();
            Tensor tensor;
            if (input.dtype() == DType.INT32) {
                List<int[]> rows = new ArrayList<>(events.size());
                for (Features f : events) {
                    rows.add(i == 0 ? ints(f.getData()) : mask(f, input.elementsPerEvent()));
                }
                tensor = Tensor.stackInts(rows, shape);
            } else {
                List<float[]> rows = new ArrayList<>(events.size());
                for (Features f : events) {
                    rows.add(
                            i == 0 ? floats(f.getData()) : maskFloats(f, input.elementsPerEvent()));
                }
                tensor = Tensor.stackFloats(rows, shape);
            }
            batch =
                    batch == null
                            ? Batch.of(input.name(), tensor)
                            : batch.with(input.name(), tensor);
        }
        return batch;
    }

    static float[] floats(ByteBuffer data) {
        ByteBuffer le = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[le.remaining() / 4];
        le.asFloatBuffer().get(out);
        return out;
    }

    static int[] ints(ByteBuffer data) {
        ByteBuffer le = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[le.remaining() / 4];
        le.asIntBuffer().get(out);
        return out;
    }

    /** A second input, when a model takes one, is the text mask (1 for a real token). */
    private static int[] mask(Features f, int n) {
        int[] out = new int[n];
        ByteBuffer mask = f.getMask();
        for (int j = 0; j < n; j++) {
            out[j] = mask == null || mask.get(mask.position() + j) != 0 ? 1 : 0;
        }
        return out;
    }

    private static float[] maskFloats(Features f, int n) {
        int[] m = mask(f, n);
        float[] out = new float[n];
        for (int j = 0; j < n; j++) {
            out[j] = m[j];
        }
        return out;
    }
}
