package io.streamdl.scoring.dashboard;

import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.Recommendation;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.SchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.WireSerde;
import io.streamdl.scoring.StreamsLifecycle;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Running dashboard aggregates: {@link DashboardAggregates}' topology in a {@link KafkaStreams}
 * with {@code exactly_once_v2}, so each closed window is written once. {@link #close()} stops it;
 * the registry client stays the caller's.
 */
public final class DashboardAggregatesApp implements AutoCloseable {
    private final DashboardAggregatesConfig config;
    private final StreamsLifecycle lifecycle;

    private DashboardAggregatesApp(DashboardAggregatesConfig config, StreamsLifecycle lifecycle) {
        this.config = config;
        this.lifecycle = lifecycle;
    }

    /** Builds the topology with wire-format serdes on {@code registry} and starts it. */
    public static DashboardAggregatesApp start(
            DashboardAggregatesConfig config, SchemaRegistryClient registry) {
        return start(config, registry, KafkaClientSecurity.PLAINTEXT);
    }

    /** As {@link #start(DashboardAggregatesConfig, SchemaRegistryClient)}, as {@code security}. */
    public static DashboardAggregatesApp start(
            DashboardAggregatesConfig config,
            SchemaRegistryClient registry,
            KafkaClientSecurity security) {
        SerdeConfig values = SerdeConfig.forValues(config.registryUrl());
        return new DashboardAggregatesApp(
                config,
                StreamsLifecycle.start(
                        "dashboard aggregates",
                        config.applicationId(),
                        DashboardAggregates.buildTopology(
                                config,
                                WireSerde.specific(registry, values, Score.class),
                                WireSerde.specific(registry, values, DeadLetter.class),
                                WireSerde.specific(registry, values, Anomaly.class),
                                WireSerde.specific(registry, values, Recommendation.class),
                                WireSerde.specific(registry, values, Label.class),
                                WireSerde.specific(registry, values, DashboardMetric.class)),
                        security.applyTo(streamsProperties(config))));
    }

    public static Properties streamsProperties(DashboardAggregatesConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                StreamsLifecycle.guarantee(config.exactlyOnce()));
        // Small fetches per partition, so that the tasks reading a backlog take turns in small
        // steps: a task far ahead of another makes the other's records late in the windows
        // after the repartition (they would be dropped as later than the grace).
        p.put(StreamsConfig.consumerPrefix("max.partition.fetch.bytes"), 64 * 1024);
        // a score topic created later (a user's model) is picked up within this
        p.put(StreamsConfig.consumerPrefix("metadata.max.age.ms"), 30_000);
        if (!config.stateDir().isEmpty()) {
            p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
        }
        return p;
    }

    public KafkaStreams.State state() {
        return lifecycle.state();
    }

    /**
     * Waits until the app is running (its tasks assigned and restored).
     *
     * @return false if {@code timeout} passed first
     */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return lifecycle.awaitRunning(timeout);
    }

    public DashboardAggregatesConfig config() {
        return config;
    }

    /** The Kafka Streams client's metrics (for {@code /metrics}). */
    public java.util.Map<
                    org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric>
            metrics() {
        return lifecycle.metrics();
    }

    @Override
    public void close() {
        lifecycle.close();
    }
}
