package io.streamdl.encoders.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.encoders.metric.MetricEncoderConfig;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.MetricPayload;
import io.streamdl.schemas.flink.RawRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

// the harnesses' close() declares InterruptedException
@SuppressWarnings("try")
class EncodeMetricWindowsTest {
    private static long offset;

    private static KeyedOneInputStreamOperatorTestHarness<String, MetricPoint, Features> harness()
            throws Exception {
        return harness(Map.of("metric.window", "3"));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, MetricPoint, Features> harness(
            Map<String, String> settings) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new EncodeMetricWindows(MetricEncoderConfig.from(settings))),
                p -> p.series,
                Types.STRING);
    }

    private static StreamRecord<MetricPoint> point(String series, long ts, double value) {
        long at = offset++;
        RawRecord raw = new RawRecord("events.raw", 0, at, ts, null, new byte[] {0});
        return new StreamRecord<>(
                new MetricPoint(
                        raw, series + "-" + at, ts, new MetricPayload(series, value, List.of())));
    }

    private static List<Features> windows(
            KeyedOneInputStreamOperatorTestHarness<String, MetricPoint, Features> h) {
        List<Features> out = new ArrayList<>();
        h.extractOutputValues().forEach(out::add);
        return out;
    }

    private static List<DeadLetter> dead(
            KeyedOneInputStreamOperatorTestHarness<String, MetricPoint, Features> h) {
        List<DeadLetter> out = new ArrayList<>();
        h.getSideOutput(EncodeMetricWindows.DEAD_LETTERS).forEach(r -> out.add(r.getValue()));
        return out;
    }

    @Test
    void interleavedSeriesAreWindowedApartAndLateEventsAreRefusedWithTheirCoordinates()
            throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(point("cpu", 1000, 1));
            h.processElement(point("mem", 500, 10));
            h.processElement(point("cpu", 2000, 2));
            h.processElement(point("mem", 600, 11));
            // cpu at 1500 is before cpu's newest (2000): refused; mem is not affected by cpu's time
            long lateOffset = offset;
            h.processElement(point("cpu", 1500, 3));
            h.processElement(point("mem", 700, 12));

            List<Features> out = windows(h);
            assertThat(out)
                    .extracting(Features::getSeries)
                    .containsExactly("cpu", "mem", "cpu", "mem", "mem");
            Features memThird = out.get(4);
            assertThat(memThird.getShape()).containsExactly(3, 1);
            assertThat(memThird.getMask().remaining()).isEqualTo(3);
            List<DeadLetter> dead = dead(h);
            assertThat(dead)
                    .singleElement()
                    .satisfies(
                            d -> {
                                assertThat(d.getError()).isEqualTo("OUT_OF_ORDER");
                                assertThat(d.getStage()).isEqualTo("encode.metric");
                                assertThat(d.getSourceTopic()).isEqualTo("events.raw");
                                assertThat(d.getOffset())
                                        .isEqualTo(out.size() == 5 ? offset - 2 : -1);
                            });
            // one window per series, however many points: state is bounded by the series count
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            h.processElement(point("cpu", 3000, 4));
            h.processElement(point("cpu", 4000, 5));
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
        }
    }

    @Test
    void aRestoredOperatorContinuesEachSeriesWindow() throws Exception {
        OperatorSubtaskState snapshot;
        Features before;
        try (var h = harness()) {
            h.open();
            h.processElement(point("cpu", 1, 1));
            h.processElement(point("cpu", 2, 2));
            snapshot = h.snapshot(1, 10);
            h.processElement(point("cpu", 3, 9));
            before = windows(h).get(2);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(point("cpu", 3, 9));
            Features after = windows(restored).get(0);
            assertThat(after.getData()).isEqualTo(before.getData());
            assertThat(after.getMask()).isEqualTo(before.getMask());
            restored.processElement(point("cpu", 2, 7));
            assertThat(dead(restored))
                    .extracting(DeadLetter::getError)
                    .containsExactly("OUT_OF_ORDER");
        }
    }

    @Test
    void aSeriesIdleLongerThanItsTtlIsForgottenAndStartsANewWindow() throws Exception {
        long hour = 3_600_000L;
        try (var h = harness(Map.of("metric.window", "3", "metric.idle-ttl-hours", "1"))) {
            h.open();
            h.setStateTtlProcessingTime(0);
            h.processElement(point("idle", 100, 1));
            h.processElement(point("idle", 200, 2));
            h.processElement(point("busy", 100, 1));
            h.setStateTtlProcessingTime(hour / 2);
            h.processElement(point("busy", 200, 2));
            h.setStateTtlProcessingTime(hour + hour / 4);
            // 'idle' expired: an older time is no longer late, and its window starts again
            h.processElement(point("idle", 50, 3));
            // 'busy' wrote within the hour: still known, so an older time is refused
            h.processElement(point("busy", 150, 3));

            List<Features> out = windows(h);
            assertThat(out).hasSize(5);
            assertThat(out.get(4).getMask().array()).containsExactly(0, 0, 1);
            assertThat(dead(h))
                    .singleElement()
                    .satisfies(d -> assertThat(d.getError()).isEqualTo("OUT_OF_ORDER"));
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
        }
    }
}
