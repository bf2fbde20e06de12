package io.streamdl.encoders.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncodeException.Reason;
import io.streamdl.encoders.Tensors;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.MetricPayload;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricWindowsTest {
    private final MetricWindows windows =
            new MetricWindows(MetricEncoderConfig.from(Map.of("metric.window", "4")));

    private static MetricPayload point(String series, double value) {
        return new MetricPayload(series, value, List.of());
    }

    @Test
    void everyObservationYieldsOneWindowPaddedAndMaskedUntilTheSeriesFillsIt() {
        MetricWindows.Windowed first = windows.accept(null, "e1", 1000, point("cpu", 5));
        Features f = first.features();
        assertThat(f.getShape()).containsExactly(4, 1);
        assertThat(f.getSeries()).isEqualTo("cpu");
        assertThat(f.getEncodedBy()).isEqualTo("metric@1");
        assertThat(bytes(f)).containsExactly(0, 0, 0, 1);
        assertThat(Tensors.floats(f)).containsExactly(0f, 0f, 0f, 0f);

        MetricWindows.Windowed s = first;
        for (int i = 2; i <= 6; i++) {
            s = windows.accept(s.state(), "e" + i, 1000L * i, point("cpu", i % 2 == 0 ? 4 : 6));
        }
        // a full window of the last 4 points: history 6, 4, 6 (mean 16/3, std 0.943), newest 4
        assertThat(bytes(s.features())).containsExactly(1, 1, 1, 1);
        float[] z = Tensors.floats(s.features());
        assertThat(z[3]).isCloseTo(-1.41421f, org.assertj.core.data.Offset.offset(1e-4f));
        assertThat(z[0]).isCloseTo(0.70711f, org.assertj.core.data.Offset.offset(1e-4f));
        assertThat(s.state().count()).isEqualTo(6);
    }

    @Test
    void aSpikeReadsAsManyStandardDeviationsAndIsClipped() {
        MetricWindows.Windowed s = null;
        double[] values = {10, 10.1, 9.9, 10, 500};
        for (int i = 0; i < values.length; i++) {
            s = windows.accept(s == null ? null : s.state(), "e" + i, i, point("t", values[i]));
        }
        float[] z = Tensors.floats(s.features());
        assertThat(z[3]).isEqualTo(10f); // clipped at metric.clip
        assertThat(Math.abs(z[0])).isLessThan(2f);
    }

    @Test
    void inconsistentObservationsAreRefusedAndLeaveTheStateAsItWas() {
        MetricWindows.Windowed s = windows.accept(null, "e1", 5000, point("cpu", 1));
        MetricWindows.State state = s.state();
        assertRefused(
                () -> windows.accept(state, "e2", 4999, point("cpu", 2)), Reason.OUT_OF_ORDER);
        assertRefused(
                () -> windows.accept(state, "e3", 6000, point("cpu", Double.NaN)),
                Reason.NON_FINITE_METRIC);
        assertRefused(
                () -> windows.accept(state, "e4", 6000, point("cpu", Double.POSITIVE_INFINITY)),
                Reason.NON_FINITE_METRIC);
        assertRefused(() -> windows.accept(null, "e5", 6000, point(" ", 2)), Reason.MISSING_SERIES);
        assertRefused(
                () ->
                        windows.accept(
                                state, "e6", 6000, new MetricPayload("cpu", 1.0, List.of(2.0))),
                Reason.METRIC_CHANNELS_CHANGED);
        assertRefused(
                () ->
                        windows.accept(
                                null,
                                "e7",
                                6000,
                                new MetricPayload("v", 1.0, java.util.Collections.nCopies(8, 1.0))),
                Reason.TOO_MANY_CHANNELS);
        assertThat(state.count()).isEqualTo(1);
        assertThat(state.lastTs()).isEqualTo(5000);
        // equal times are accepted
        assertThat(windows.accept(state, "e8", 5000, point("cpu", 3)).state().count()).isEqualTo(2);
    }

    @Test
    void stateRoundTripsThroughItsExplicitFormatAndSurvivesAWindowChange() {
        MetricWindows.Windowed s = null;
        for (int i = 0; i < 7; i++) {
            s = windows.accept(s == null ? null : s.state(), "e" + i, i, point("x", i * i));
        }
        byte[] bytes = s.state().toBytes();
        MetricWindows.State back = MetricWindows.State.fromBytes(bytes, 4);
        MetricWindows.Windowed a = windows.accept(s.state(), "n", 10, point("x", 3));
        MetricWindows.Windowed b = windows.accept(back, "n", 10, point("x", 3));
        assertThat(Tensors.floats(b.features())).containsExactly(Tensors.floats(a.features()));

        MetricWindows smaller =
                new MetricWindows(MetricEncoderConfig.from(Map.of("metric.window", "2")));
        MetricWindows.State shrunk = MetricWindows.State.fromBytes(bytes, 2);
        Features f = smaller.accept(shrunk, "n", 10, point("x", 36)).features();
        assertThat(f.getShape()).containsExactly(2, 1);
        assertThat(bytes(f)).containsExactly(1, 1);
    }

    private static void assertRefused(Runnable call, Reason reason) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        EncodeException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    private static int[] bytes(Features f) {
        java.nio.ByteBuffer mask = f.getMask().duplicate();
        int[] out = new int[mask.remaining()];
        for (int i = 0; i < out.length; i++) {
            out[i] = mask.get();
        }
        return out;
    }
}
