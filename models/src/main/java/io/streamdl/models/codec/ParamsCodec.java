package io.streamdl.models.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** DL4J's flattened parameter vector as little-endian float32 bytes, and back. */
public final class ParamsCodec {
    private ParamsCodec() {}

    /** {@code params} (any shape, C order) as little-endian float32. */
    public static byte[] toBytes(INDArray params) {
        float[] values = params.castTo(DataType.FLOAT).dup('c').data().asFloat();
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return buf.array();
    }

    /** The floats in little-endian {@code bytes}, whose length must be a multiple of 4. */
    public static float[] toFloats(ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() % 4 != 0) {
            throw new IllegalArgumentException(
                    b.remaining() + " parameter bytes are not a whole number of float32 values");
        }
        FloatBuffer f = b.asFloatBuffer();
        float[] values = new float[f.remaining()];
        f.get(values);
        return values;
    }

    /** {@code values} as the {@code [1, n]} row vector {@code ComputationGraph.setParams} takes. */
    public static INDArray toRowVector(float[] values) {
        return Nd4j.create(values, new long[] {1, values.length}, 'c');
    }
}
