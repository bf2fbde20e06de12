package io.streamdl.models.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void copiesItsDataInAndOut() {
        float[] data = {1, 2, 3, 4, 5, 6};
        Tensor t = Tensor.ofFloats(new long[] {2, 3}, data);
        data[0] = 99;
        t.floats()[1] = 99;

        assertThat(t.floats()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(t.row(1)).containsExactly(4, 5, 6);
        assertThat(t.get(1, 2)).isEqualTo(6);
        assertThat(t.eventShape()).containsExactly(3);
        assertThat(t.batchSize()).isEqualTo(2);
    }

    @Test
    void refusesDataThatDoesNotFitTheShape() {
        assertThatThrownBy(() -> Tensor.ofInts(new long[] {2, 2}, new int[3]))
                .hasMessageContaining("needs 4 values, got 3");
        assertThatThrownBy(() -> Tensor.stackFloats(List.of(new float[4], new float[3]), 4))
                .hasMessageContaining("event 1 has 3 values");
        assertThatThrownBy(() -> Tensor.ofInts(new long[] {2}, new int[2]).floats())
                .hasMessageContaining("not float32");
    }

    @Test
    void batchRequiresOneBatchSize() {
        Tensor two = Tensor.ofInts(new long[] {2, 1}, new int[2]);
        Tensor three = Tensor.ofInts(new long[] {3, 1}, new int[3]);

        assertThatThrownBy(() -> Batch.of(Map.of("user", two, "item", three)))
                .hasMessageContaining("batch size");
        assertThat(Batch.of("user", two).with("item", two).size()).isEqualTo(2);
    }
}
