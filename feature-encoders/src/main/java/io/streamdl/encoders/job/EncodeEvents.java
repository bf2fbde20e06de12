package io.streamdl.encoders.job;

import io.streamdl.encoders.EncoderRegistry;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and encodes each raw event: features go to the side output of their encoder, refusals are
 * the main output (dead letters). Counts records in, features out per encoder and dead letters per
 * reason as Flink metrics.
 */
public final class EncodeEvents extends ProcessFunction<RawRecord, DeadLetter> {
    private static final long serialVersionUID = 1L;

    private final String registryUrl;
    private final RegistryClientFactory registries;
    private final EncoderRegistry encoders;
    private final Map<String, OutputTag<Features>> outputs;
    private transient EventEncoder core;
    private transient Counter in;
    private transient Map<String, Counter> out;
    private transient Map<String, Counter> dead;
    private transient MetricGroup metrics;

    public EncodeEvents(
            String registryUrl,
            RegistryClientFactory registries,
            EncoderRegistry encoders,
            Map<String, OutputTag<Features>> outputs) {
        this.registryUrl = registryUrl;
        this.registries = registries;
        this.encoders = encoders;
        this.outputs = Map.copyOf(outputs);
    }

    /** The side output carrying metric events to their series' windows. */
    public static final OutputTag<MetricPoint> METRIC_POINTS =
            new OutputTag<>(
                    "metric-points",
                    org.apache.flink.api.common.typeinfo.TypeInformation.of(MetricPoint.class));

    /** The side output carrying {@code encoder}'s features. */
    public static OutputTag<Features> output(String encoder) {
        return new OutputTag<>(
                "features." + encoder,
                org.apache.flink.api.common.typeinfo.TypeInformation.of(Features.class));
    }

    @Override
    public void open(OpenContext context) {
        core =
                new EventEncoder(
                        AvroWireDeserializer.specific(
                                registries.create(SerdeConfig.forValues(registryUrl)),
                                RawEvent.class),
                        encoders);
        metrics = getRuntimeContext().getMetricGroup();
        in = metrics.counter("eventsIn");
        out = new HashMap<>();
        dead = new HashMap<>();
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<DeadLetter> deadLetters) {
        in.inc();
        EventEncoder.Outcome outcome = core.apply(record, System.currentTimeMillis());
        if (outcome.metric() != null) {
            ctx.output(METRIC_POINTS, outcome.metric());
            return;
        }
        if (outcome.deadLetter() != null) {
            dead.computeIfAbsent(
                            outcome.deadLetter().getError(),
                            r -> metrics.addGroup("deadLetters", r).counter("count"))
                    .inc();
            deadLetters.collect(outcome.deadLetter());
            return;
        }
        String encoder = outcome.encoded().encoderName();
        OutputTag<Features> tag = outputs.get(encoder);
        if (tag == null) {
            throw new IllegalStateException(
                    "no output for encoder " + encoder + "; outputs: " + outputs.keySet());
        }
        out.computeIfAbsent(encoder, e -> metrics.addGroup("features", e).counter("count")).inc();
        ctx.output(tag, outcome.encoded().features());
    }
}
