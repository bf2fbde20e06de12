package io.streamdl.encoders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.schemas.avro.Features;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TensorsTest {

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    @Test
    void valuesAreWrittenLittleEndian() {
        // 1.0f is 0x3F800000; -2 is 0xFFFFFFFE
        assertThat(bytes(Tensors.toLittleEndian(new float[] {1f})))
                .containsExactly(0x00, 0x00, 0x80, 0x3F);
        assertThat(bytes(Tensors.toLittleEndian(new int[] {1, -2})))
                .containsExactly(0x01, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF);
    }

    @Test
    void roundTripsWithoutMovingTheBuffer() {
        float[] floats = {0f, -1.5f, Float.MIN_VALUE, 3e38f};
        ByteBuffer buffer = Tensors.toLittleEndian(floats);
        assertThat(Tensors.floatsFromLittleEndian(buffer)).containsExactly(floats);
        assertThat(buffer.position()).isZero();
        int[] ints = {0, 7, Integer.MIN_VALUE, Integer.MAX_VALUE};
        assertThat(Tensors.intsFromLittleEndian(Tensors.toLittleEndian(ints)))
                .containsExactly(ints);
        assertThatThrownBy(() -> Tensors.floatsFromLittleEndian(ByteBuffer.wrap(new byte[5])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void featuresCarryShapeDtypeAndMask() {
        Features floats =
                Tensors.floatFeatures(
                        "e", 3L, "x@1", new int[] {1, 2, 2}, new float[] {1, 2, 3, 4});
        assertThat(floats.getShape()).containsExactly(1, 2, 2);
        assertThat(floats.getDtype()).isEqualTo("float32");
        assertThat(Tensors.floats(floats)).containsExactly(1, 2, 3, 4);
        assertThat(Tensors.mask(floats)).isNull();
        assertThatThrownBy(() -> Tensors.ints(floats)).hasMessageContaining("float32");

        Features ints =
                Tensors.intFeatures(
                        "e", 3L, "x@1", new int[] {3}, new int[] {2, 9, 0}, new byte[] {1, 1, 0});
        assertThat(Tensors.ints(ints)).containsExactly(2, 9, 0);
        assertThat(Tensors.mask(ints)).containsExactly(1, 1, 0);
        assertThatThrownBy(
                        () -> Tensors.floatFeatures("e", 0, "x@1", new int[] {3}, new float[] {1}))
                .hasMessageContaining("does not hold");
    }
}
