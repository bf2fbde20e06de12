package io.streamdl.encoders.job;

import io.streamdl.encoders.Encoder;
import io.streamdl.encoders.EncoderRegistry;
import io.streamdl.encoders.metric.MetricEncoderConfig;
import io.streamdl.encoders.metric.MetricWindows;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.flink.KafkaConnectors;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.flink.StreamingJob;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.topics.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;

/**
 * {@code events.raw} → decode → the encoder for the payload → {@code features.<encoder>} (metric
 * events: keyed by series → the series' sliding window → {@code features.metric}); every record
 * that cannot be decoded or encoded → {@code dlq} with its stage and reason. Sources and sinks are
 * passed in, so tests can plug in bounded ones; {@link #onKafka} wires the production connectors
 * (exactly-once transactional sinks). The features of encoders given {@linkplain #withWireFeatures
 * wire sinks} are encoded to the wire format once in this job, and that stream ({@link
 * #wireFeatures}) can feed a scorer in the same job.
 */
public final class EncodeJob implements StreamingJob {
    private final Source<RawRecord, ?, ?> source;
    private final Map<String, Sink<Features>> featureSinks;
    private final Sink<DeadLetter> deadLetterSink;
    private final String registryUrl;
    private final RegistryClientFactory registries;
    private final EncoderRegistry encoders;
    private final MetricEncoderConfig metrics;
    private final Map<String, Sink<RawRecord>> wireSinks;
    private transient Map<String, DataStream<RawRecord>> wired;

    public EncodeJob(
            Source<RawRecord, ?, ?> source,
            Map<String, Sink<Features>> featureSinks,
            Sink<DeadLetter> deadLetterSink,
            String registryUrl,
            RegistryClientFactory registries,
            EncoderRegistry encoders,
            MetricEncoderConfig metrics) {
        this(
                source,
                featureSinks,
                deadLetterSink,
                registryUrl,
                registries,
                encoders,
                metrics,
                Map.of());
    }

    private EncodeJob(
            Source<RawRecord, ?, ?> source,
            Map<String, Sink<Features>> featureSinks,
            Sink<DeadLetter> deadLetterSink,
            String registryUrl,
            RegistryClientFactory registries,
            EncoderRegistry encoders,
            MetricEncoderConfig metrics,
            Map<String, Sink<RawRecord>> wireSinks) {
        for (Encoder<?> encoder : encoders.encoders()) {
            if (!featureSinks.containsKey(encoder.name())
                    && !wireSinks.containsKey(encoder.name())) {
                throw new IllegalArgumentException(
                        "no sink for the features of encoder " + encoder.name());
            }
        }
        this.source = source;
        this.featureSinks = Map.copyOf(featureSinks);
        this.deadLetterSink = deadLetterSink;
        this.registryUrl = registryUrl;
        this.registries = registries;
        this.encoders = encoders;
        this.metrics = metrics;
        this.wireSinks = Map.copyOf(wireSinks);
        if (metrics != null && !featureSinks.containsKey(MetricWindows.NAME)) {
            throw new IllegalArgumentException("no sink for the features of metric windows");
        }
    }

    /**
     * This job with the features of {@code sinks}' encoders written by these sinks in the wire
     * format, and available to other operators of the job through {@link #wireFeatures}.
     */
    public EncodeJob withWireFeatures(Map<String, Sink<RawRecord>> sinks) {
        Set<String> known = new java.util.HashSet<>();
        encoders.encoders().forEach(e -> known.add(e.name()));
        for (String name : sinks.keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException(
                        "no encoder " + name + " for wire features; encoders: " + known);
            }
        }
        Map<String, Sink<RawRecord>> all = new LinkedHashMap<>(wireSinks);
        all.putAll(sinks);
        return new EncodeJob(
                source,
                featureSinks,
                deadLetterSink,
                registryUrl,
                registries,
                encoders,
                metrics,
                all);
    }

    /**
     * {@link #withWireFeatures} on Kafka: the features of each encoder of {@code scoredBy} go to
     * {@code features.<encoder>} encoded once, for the topic and for the scorers of this job alike,
     * with the models those score in their {@code streamdl-scored-by} header (so that scorers
     * reading the topic for other writers' records skip them).
     */
    public EncodeJob withWireFeaturesOnKafka(
            KafkaSettings kafka, Map<String, List<String>> scoredBy) {
        Map<String, Sink<RawRecord>> sinks = new LinkedHashMap<>();
        scoredBy.forEach(
                (name, models) ->
                        sinks.put(
                                name,
                                KafkaConnectors.rawSink(
                                        kafka,
                                        Topics.features(name).name(),
                                        "features-" + name,
                                        models)));
        return withWireFeatures(sinks);
    }

    /**
     * The features of {@code encoder} in the wire format, as written to {@code features.<encoder>}
     * (partition and offset -1: not yet on Kafka); only after {@link #build}, for an encoder given
     * a wire sink.
     */
    public DataStream<RawRecord> wireFeatures(String encoder) {
        DataStream<RawRecord> stream = wired == null ? null : wired.get(encoder);
        if (stream == null) {
            throw new IllegalStateException(
                    "no wire features of encoder "
                            + encoder
                            + " (built: "
                            + (wired != null)
                            + ", wire encoders: "
                            + wireSinks.keySet()
                            + ")");
        }
        return stream;
    }

    /** The job on Kafka: reads events.raw, writes features.<encoder> and dlq transactionally. */
    public static EncodeJob onKafka(KafkaSettings kafka, EncoderRegistry encoders) {
        return onKafka(kafka, encoders, MetricEncoderConfig.defaults());
    }

    /**
     * The job on Kafka with metric events windowed per series by {@code metrics} into {@code
     * features.metric}.
     */
    public static EncodeJob onKafka(
            KafkaSettings kafka, EncoderRegistry encoders, MetricEncoderConfig metrics) {
        Map<String, Sink<Features>> sinks = new LinkedHashMap<>();
        sinks.put(
                MetricWindows.NAME,
                KafkaConnectors.avroSink(
                        kafka,
                        Topics.features(MetricWindows.NAME),
                        Features::getEventId,
                        "features-" + MetricWindows.NAME));
        for (Encoder<?> encoder : encoders.encoders()) {
            sinks.put(
                    encoder.name(),
                    KafkaConnectors.avroSink(
                            kafka,
                            Topics.features(encoder.name()),
                            Features::getEventId,
                            "features-" + encoder.name()));
        }
        return new EncodeJob(
                KafkaConnectors.rawSource(kafka, List.of(Topics.EVENTS_RAW.name())),
                sinks,
                KafkaConnectors.avroSink(kafka, Topics.DLQ, null, "dlq"),
                kafka.registryUrl(),
                kafka.registries(),
                encoders,
                metrics);
    }

    @Override
    public String name() {
        return "EncodeJob";
    }

    @Override
    public void build(StreamExecutionEnvironment env) {
        Map<String, OutputTag<Features>> outputs = new LinkedHashMap<>();
        for (Encoder<?> encoder : encoders.encoders()) {
            outputs.put(encoder.name(), EncodeEvents.output(encoder.name()));
        }
        SingleOutputStreamOperator<DeadLetter> encoded =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "events.raw")
                        .uid("encode-source")
                        .process(new EncodeEvents(registryUrl, registries, encoders, outputs))
                        .name("decode and encode")
                        .uid("encode-events");
        wired = new LinkedHashMap<>();
        outputs.forEach(
                (name, tag) -> {
                    if (wireSinks.containsKey(name)) {
                        // no buffer timeout: a scorer in another task of this job reads it
                        DataStream<RawRecord> wire =
                                encoded.getSideOutput(tag)
                                        .process(
                                                new FeaturesToWire(
                                                        Topics.features(name).name(),
                                                        registryUrl,
                                                        registries))
                                        .name("features." + name + " in wire format")
                                        .uid("encode-wire-" + name)
                                        .setBufferTimeout(0);
                        wire.sinkTo(wireSinks.get(name))
                                .name("features." + name)
                                .uid("encode-wire-sink-" + name);
                        wired.put(name, wire);
                    } else {
                        encoded.getSideOutput(tag)
                                .sinkTo(featureSinks.get(name))
                                .name("features." + name)
                                .uid("encode-sink-" + name);
                    }
                });
        DataStream<DeadLetter> dead = encoded;
        if (metrics != null) {
            SingleOutputStreamOperator<Features> windows =
                    encoded.getSideOutput(EncodeEvents.METRIC_POINTS)
                            .keyBy(new MetricSeries(), Types.STRING)
                            .process(new EncodeMetricWindows(metrics))
                            .name("window metric series")
                            .uid("encode-metric-windows");
            windows.sinkTo(featureSinks.get(MetricWindows.NAME))
                    .name("features." + MetricWindows.NAME)
                    .uid("encode-sink-" + MetricWindows.NAME);
            dead = dead.union(windows.getSideOutput(EncodeMetricWindows.DEAD_LETTERS));
        }
        dead.sinkTo(deadLetterSink).name("dlq").uid("encode-sink-dlq");
    }

    /** Keys metric points by their series. */
    static final class MetricSeries implements KeySelector<MetricPoint, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(MetricPoint point) {
            return point.series;
        }
    }
}
