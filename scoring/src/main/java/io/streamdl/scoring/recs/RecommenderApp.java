package io.streamdl.scoring.recs;

import io.streamdl.schemas.avro.Recommendation;
import io.streamdl.schemas.registry.SchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.scoring.ModelLoader;
import io.streamdl.scoring.StreamsLifecycle;
import io.streamdl.scoring.UpdateVerifier;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A running recommender: {@link Recommender}'s topology in a {@link KafkaStreams}, exactly-once or
 * at-least-once as {@code recs.delivery} says, with new model versions built on a background
 * thread. {@link #close()} stops it; the registry client stays the caller's.
 *
 * <p>{@link #recommendations} answers from this instance's local stores: with several instances, a
 * user lives on the one that owns its partition ({@code queryMetadataForKey} would find it; not
 * needed while the pipeline runs one instance).
 */
public final class RecommenderApp implements AutoCloseable {
    private final RecommenderConfig config;
    private final StreamsLifecycle lifecycle;
    private final ServingRecsModel models;
    private final ExecutorService loads;
    private final Map<String, Integer> index = new HashMap<>();

    private RecommenderApp(
            RecommenderConfig config,
            StreamsLifecycle lifecycle,
            ServingRecsModel models,
            ExecutorService loads) {
        this.config = config;
        this.lifecycle = lifecycle;
        this.models = models;
        this.loads = loads;
        List<String> items = config.items();
        for (int i = 0; i < items.size(); i++) {
            index.put(items.get(i), i);
        }
    }

    /** Builds the topology with wire-format serdes on {@code registry} and starts it. */
    public static RecommenderApp start(
            RecommenderConfig config,
            SchemaRegistryClient registry,
            UpdateVerifier verifier,
            ModelLoader loader) {
        return start(config, registry, verifier, loader, KafkaClientSecurity.PLAINTEXT);
    }

    /** As {@link #start(RecommenderConfig, SchemaRegistryClient, UpdateVerifier, ModelLoader)}. */
    public static RecommenderApp start(
            RecommenderConfig config,
            SchemaRegistryClient registry,
            UpdateVerifier verifier,
            ModelLoader loader,
            KafkaClientSecurity security) {
        ExecutorService loads =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "recs-model-loader");
                            t.setDaemon(true);
                            return t;
                        });
        ServingRecsModel models =
                Recommender.servingModel(config, registry, verifier, loader, loads);
        StreamsLifecycle lifecycle =
                StreamsLifecycle.start(
                        "recommender",
                        config.applicationId(),
                        Recommender.buildTopology(config, registry, models),
                        security.applyTo(streamsProperties(config)));
        return new RecommenderApp(config, lifecycle, models, loads);
    }

    /** The Kafka Streams settings of {@code config}. */
    public static Properties streamsProperties(RecommenderConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                StreamsLifecycle.guarantee(config.exactlyOnce()));
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitIntervalMillis());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads());
        // each interaction's recommendation is sent at once rather than batched for throughput
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        // model updates are megabytes
        p.put(
                StreamsConfig.globalConsumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
                32 << 20);
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

    /** The version of the recommendation model serving now, if any. */
    public Optional<Long> servingVersion() {
        return Optional.ofNullable(models.serving()).map(m -> m.version());
    }

    /**
     * A user's current recommendation from the local store: the one written after their last
     * interaction; for a user never seen, the most popular items of this instance's users, with
     * basis {@code popular}, model version 0 and this call's time.
     *
     * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the stores are not
     *     queryable (before {@link #awaitRunning}, during a rebalance, after {@link #close()})
     */
    public Recommendation recommendations(String userId) {
        ReadOnlyKeyValueStore<String, UserProfile> profiles =
                lifecycle
                        .streams()
                        .store(
                                StoreQueryParameters.fromNameAndType(
                                        Recommender.PROFILES, QueryableStoreTypes.keyValueStore()));
        UserProfile p = profiles.get(userId);
        if (p != null) {
            return Recommender.recommendation(userId, p, config.items(), 0);
        }
        ReadOnlyKeyValueStore<String, Long> popularity =
                lifecycle
                        .streams()
                        .store(
                                StoreQueryParameters.fromNameAndType(
                                        Recommender.POPULARITY,
                                        QueryableStoreTypes.keyValueStore()));
        long[] counts = new long[config.items().size()];
        try (KeyValueIterator<String, Long> all = popularity.all()) {
            while (all.hasNext()) {
                KeyValue<String, Long> next = all.next();
                Integer i = index.get(next.key);
                if (i != null && next.value != null) {
                    counts[i] += next.value;
                }
            }
        }
        BitSet candidates = new BitSet();
        candidates.set(0, counts.length);
        UserProfile cold = new UserProfile(1);
        Recommender.popular(counts, candidates, null, config.topK()).into(cold);
        cold.lastBasis = UserProfile.POPULAR;
        cold.lastTs = System.currentTimeMillis();
        return Recommender.recommendation(userId, cold, config.items(), 0);
    }

    public RecommenderConfig config() {
        return config;
    }

    /**
     * Stops the app and leaves its consumer group, so that a restarted instance gets the tasks at
     * once; then closes the model sessions.
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
        loads.shutdownNow();
        models.close();
    }
}
