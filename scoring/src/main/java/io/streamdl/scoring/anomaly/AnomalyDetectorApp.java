package io.streamdl.scoring.anomaly;

import io.streamdl.schemas.registry.SchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.scoring.StreamsLifecycle;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A running anomaly detector: {@link AnomalyDetector}'s topology in a {@link KafkaStreams} with
 * {@code processing.guarantee=exactly_once_v2}, so an anomaly is written once per score and the
 * series state moves with it. {@link #close()} stops it; the registry client stays the caller's.
 *
 * <p>{@link #series} answers from this instance's local store: with several instances, a series
 * lives on the one that owns its partition ({@code queryMetadataForKey} would find it; not needed
 * while the pipeline runs one instance).
 */
public final class AnomalyDetectorApp implements AutoCloseable {
    private final AnomalyDetectorConfig config;
    private final StreamsLifecycle lifecycle;

    private AnomalyDetectorApp(AnomalyDetectorConfig config, StreamsLifecycle lifecycle) {
        this.config = config;
        this.lifecycle = lifecycle;
    }

    /** Builds the topology with wire-format serdes on {@code registry} and starts it. */
    public static AnomalyDetectorApp start(
            AnomalyDetectorConfig config, SchemaRegistryClient registry) {
        return start(config, registry, KafkaClientSecurity.PLAINTEXT);
    }

    /** As {@link #start(AnomalyDetectorConfig, SchemaRegistryClient)}, as {@code security}. */
    public static AnomalyDetectorApp start(
            AnomalyDetectorConfig config,
            SchemaRegistryClient registry,
            KafkaClientSecurity security) {
        return new AnomalyDetectorApp(
                config,
                StreamsLifecycle.start(
                        "anomaly detector",
                        config.applicationId(),
                        AnomalyDetector.buildTopology(config, registry),
                        security.applyTo(streamsProperties(config))));
    }

    /** The Kafka Streams settings of {@code config}. */
    public static Properties streamsProperties(AnomalyDetectorConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                StreamsLifecycle.guarantee(config.exactlyOnce()));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads());
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
     * @throws IllegalStateException if the app stopped or failed instead
     */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return lifecycle.awaitRunning(timeout);
    }

    /**
     * The current threshold, counters and recent anomalies of a series, from the local store.
     *
     * @param model the model that scores it
     * @param series its series key, or null for the model's scores without one
     * @return empty when this instance holds no state of that series
     * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the store is not
     *     queryable (before {@link #awaitRunning}, during a rebalance, after {@link #close()})
     */
    public Optional<SeriesView> series(String model, String series) {
        String key = AnomalyDetector.seriesKey(model, series);
        ReadOnlyKeyValueStore<String, SeriesState> store =
                lifecycle
                        .streams()
                        .store(
                                StoreQueryParameters.fromNameAndType(
                                        AnomalyDetector.STORE,
                                        QueryableStoreTypes.keyValueStore()));
        return Optional.ofNullable(store.get(key)).map(s -> SeriesView.of(key, s, config));
    }

    public AnomalyDetectorConfig config() {
        return config;
    }

    /**
     * Stops the app and leaves its consumer group, so that a restarted instance (a new member) gets
     * the tasks at once instead of after the old member's session timeout.
     */
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
