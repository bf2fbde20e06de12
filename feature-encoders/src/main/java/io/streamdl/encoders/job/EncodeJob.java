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
 * (exactly-once transactional sinks).
 */
public final class EncodeJob implements StreamingJob {
    private final Source<RawRecord, ?, ?> source;
    private final Map<String, Sink<Features>> featureSinks;
    private final Sink<DeadLetter> deadLetterSink;
    private final String registryUrl;
    private final RegistryClientFactory registries;
    private final EncoderRegistry encoders;
    private final MetricEncoderConfig metrics;

    public EncodeJob(
            Source<RawRecord, ?, ?> source,
            Map<String, Sink<Features>> featureSinks,
            Sink<DeadLetter> deadLetterSink,
            String registryUrl,
            RegistryClientFactory registries,
            EncoderRegistry encoders,
            MetricEncoderConfig metrics) {
        for (Encoder<?> encoder : encoders.encoders()) {
            if (!featureSinks.containsKey(encoder.name())) {
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
        if (metrics != null && !featureSinks.containsKey(MetricWindows.NAME)) {
            throw new IllegalArgumentException("no sink for the features of metric windows");
        }
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
        outputs.forEach(
                (name, tag) ->
                        encoded.getSideOutput(tag)
                                .sinkTo(featureSinks.get(name))
                                .name("features." + name)
                                .uid("encode-sink-" + name));
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
