package io.streamdl.encoders.job;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.metric.MetricEncoderConfig;
import io.streamdl.encoders.metric.MetricWindows;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.flink.DeadLetters;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The window of each metric series, keyed by series: the {@link MetricWindows} core with its state
 * in Flink keyed state (one explicitly encoded window per series). Every point yields its window on
 * the main output or a dead letter on {@link #DEAD_LETTERS}; metrics {@code metricWindows}, {@code
 * metricRefused}. A series idle for {@code metric.idle-ttl-hours} (processing time) is forgotten,
 * so the state holds the live series only; its next point starts a new window.
 */
public final class EncodeMetricWindows extends KeyedProcessFunction<String, MetricPoint, Features> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("metric-dead-letters", TypeInformation.of(DeadLetter.class));

    private final MetricEncoderConfig config;
    private transient MetricWindows windows;
    private transient ValueState<byte[]> window;
    private transient Counter emitted;
    private transient Counter refused;

    public EncodeMetricWindows(MetricEncoderConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        windows = new MetricWindows(config);
        ValueStateDescriptor<byte[]> descriptor =
                new ValueStateDescriptor<>(
                        "metric-window", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        if (config.idleTtlHours() > 0) {
            // idle series expire (processing time since their last point) and are dropped from
            // snapshots and, incrementally, from the heap
            descriptor.enableTimeToLive(
                    StateTtlConfig.newBuilder(Duration.ofHours(config.idleTtlHours()))
                            .updateTtlOnCreateAndWrite()
                            .neverReturnExpired()
                            .cleanupFullSnapshot()
                            .cleanupIncrementally(10, false)
                            .build());
        }
        window = getRuntimeContext().getState(descriptor);
        emitted = getRuntimeContext().getMetricGroup().counter("metricWindows");
        refused = getRuntimeContext().getMetricGroup().counter("metricRefused");
    }

    @Override
    public void processElement(MetricPoint point, Context ctx, Collector<Features> out)
            throws Exception {
        byte[] stored = window.value();
        MetricWindows.State state =
                stored == null ? null : MetricWindows.State.fromBytes(stored, config.window());
        try {
            MetricWindows.Windowed windowed =
                    windows.accept(state, point.eventId, point.ts, point.payload);
            window.update(windowed.state().toBytes());
            emitted.inc();
            out.collect(windowed.features());
        } catch (EncodeException e) {
            refused.inc();
            ctx.output(
                    DEAD_LETTERS,
                    DeadLetters.of(
                            point.raw,
                            EventEncoder.STAGE_ENCODE + ".metric",
                            e.reason().name(),
                            "event " + point.eventId + ": " + e.detail(),
                            System.currentTimeMillis()));
        }
    }
}
