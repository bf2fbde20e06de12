package io.streamdl.models.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.models.inference.FeatureTensors.Reason;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.Features;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureTensorsTest {
    private static final ModelSpec IMAGE = DefaultSpecs.image();
    private static final ModelSpec TEXT = DefaultSpecs.text();

    private static Features image(String id, List<Integer> shape, float... values) {
        ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            data.putFloat(v);
        }
        data.flip();
        return new Features(id, 1L, "image@1", "float32", shape, data, null, null);
    }

    private static float[] pixels(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i % 7) / 7f;
        }
        return v;
    }

    private static Features text(int[] ids, byte[] mask) {
        ByteBuffer data = ByteBuffer.allocate(ids.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : ids) {
            data.putInt(v);
        }
        data.flip();
        return new Features(
                "t1",
                1L,
                "text@1",
                "int32",
                List.of(ids.length),
                data,
                mask == null ? null : ByteBuffer.wrap(mask),
                null);
    }

    private static Reason reason(Features f, ModelSpec spec) {
        FeatureTensors.Refusal r = FeatureTensors.check(f, spec);
        return r == null ? null : r.reason();
    }

    @Test
    void aConsistentRecordFitsAndStacksIntoTheModelsBatch() {
        Features ok = image("e1", List.of(1, 28, 28), pixels(784));
        assertThat(FeatureTensors.check(ok, IMAGE)).isNull();
        // as the image encoder writes it: with a leading batch dimension of 1
        assertThat(FeatureTensors.check(image("e1", List.of(1, 1, 28, 28), pixels(784)), IMAGE))
                .isNull();
        assertThat(reason(image("e1", List.of(2, 1, 28, 14), pixels(784)), IMAGE))
                .isEqualTo(Reason.SHAPE_MISMATCH);
        Batch batch = FeatureTensors.batch(List.of(ok, ok), IMAGE);
        assertThat(batch.size()).isEqualTo(2);
        assertThat(batch.names()).containsExactly("input");

        int[] ids = new int[64];
        ids[0] = 2;
        ids[1] = 7999;
        byte[] mask = new byte[64];
        mask[0] = 1;
        mask[1] = 1;
        assertThat(FeatureTensors.check(text(ids, mask), TEXT)).isNull();
        assertThat(FeatureTensors.check(text(ids, null), TEXT)).isNull();
        assertThat(FeatureTensors.batch(List.of(text(ids, mask)), TEXT).names())
                .containsExactly("input", "mask");
    }

    @Test
    void everyInconsistencyHasItsOwnReason() {
        assertThat(reason(image("", List.of(1, 28, 28), pixels(784)), IMAGE))
                .isEqualTo(Reason.MISSING_EVENT_ID);
        Features asInts = image("e", List.of(1, 28, 28), pixels(784));
        asInts.setDtype("int32");
        assertThat(reason(asInts, IMAGE)).isEqualTo(Reason.DTYPE_MISMATCH);
        assertThat(reason(image("e", List.of(-1, 28, 28), pixels(784)), IMAGE))
                .isEqualTo(Reason.INVALID_SHAPE);
        assertThat(reason(image("e", List.of(1, 0, 28), pixels(784)), IMAGE))
                .isEqualTo(Reason.INVALID_SHAPE);
        assertThat(reason(image("e", List.of(65536, 65536, 28), pixels(784)), IMAGE))
                .isEqualTo(Reason.INVALID_SHAPE);
        // same number of values, another shape
        assertThat(reason(image("e", List.of(784), pixels(784)), IMAGE))
                .isEqualTo(Reason.SHAPE_MISMATCH);
        assertThat(reason(image("e", List.of(1, 28, 28), pixels(783)), IMAGE))
                .isEqualTo(Reason.DATA_LENGTH_MISMATCH);
        float[] nan = pixels(784);
        nan[400] = Float.NaN;
        assertThat(reason(image("e", List.of(1, 28, 28), nan), IMAGE))
                .isEqualTo(Reason.NON_FINITE_VALUE);
        float[] inf = pixels(784);
        inf[0] = Float.NEGATIVE_INFINITY;
        assertThat(FeatureTensors.check(image("e", List.of(1, 28, 28), inf), IMAGE).message())
                .contains("event e", "value 0", "-Infinity");

        int[] ids = new int[64];
        ids[5] = 8000; // the vocabulary has 8000 tokens: 0..7999
        assertThat(reason(text(ids, null), TEXT)).isEqualTo(Reason.ID_OUT_OF_RANGE);
        ids[5] = -3;
        assertThat(reason(text(ids, null), TEXT)).isEqualTo(Reason.ID_OUT_OF_RANGE);
        assertThat(reason(text(new int[64], new byte[10]), TEXT))
                .isEqualTo(Reason.MASK_LENGTH_MISMATCH);
    }

    @Test
    void dataWithATrailingPartialValueIsRefusedNotTruncated() {
        Features f = image("e", List.of(1, 28, 28), pixels(784));
        ByteBuffer longer = ByteBuffer.allocate(784 * 4 + 3);
        longer.put(f.getData().duplicate()).put(new byte[3]).flip();
        f.setData(longer);
        assertThat(reason(f, IMAGE)).isEqualTo(Reason.DATA_LENGTH_MISMATCH);
    }

    @Test
    void aMetricWindowWithItsMaskFeedsTheForecaster() {
        ModelSpec metric = DefaultSpecs.metric();
        // as the metric encoder writes a series' third point: [32 points, 1 channel], newest last
        ByteBuffer data = ByteBuffer.allocate(32 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < 32; t++) {
            data.putFloat(t < 29 ? 0f : t - 30f);
        }
        data.flip();
        byte[] mask = new byte[32];
        mask[29] = 1;
        mask[30] = 1;
        mask[31] = 1;
        Features window =
                new Features(
                        "m1",
                        1L,
                        "metric@1",
                        "float32",
                        List.of(32, 1),
                        data,
                        ByteBuffer.wrap(mask),
                        "cpu");

        assertThat(FeatureTensors.check(window, metric)).isNull();
        Batch batch = FeatureTensors.batch(List.of(window, window), metric);
        assertThat(batch.names()).containsExactly("input", "mask");
        assertThat(batch.tensor("input").shape()).containsExactly(2, 32, 1);
        assertThat(batch.tensor("input").get(1, 31)).isEqualTo(1f);
        assertThat(batch.tensor("mask").shape()).containsExactly(2, 32);
        float[] expectedMask = new float[32];
        expectedMask[29] = 1f;
        expectedMask[30] = 1f;
        expectedMask[31] = 1f;
        assertThat(batch.tensor("mask").row(0)).containsExactly(expectedMask);

        window.setMask(ByteBuffer.wrap(new byte[31]));
        assertThat(reason(window, metric)).isEqualTo(Reason.MASK_LENGTH_MISMATCH);
        window.setMask(ByteBuffer.wrap(mask));
        window.setShape(List.of(32));
        assertThat(reason(window, metric)).isEqualTo(Reason.SHAPE_MISMATCH);
    }
}
