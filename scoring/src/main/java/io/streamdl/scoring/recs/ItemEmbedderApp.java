package io.streamdl.scoring.recs;

import io.streamdl.schemas.registry.SchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.topics.Topics;
import io.streamdl.scoring.StreamsLifecycle;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running item embedder: {@link ItemEmbedder}'s topology in a {@link KafkaStreams} with {@code
 * processing.guarantee=exactly_once_v2}, so a version's embeddings are committed together with the
 * record of that version being embedded, and a restart neither loses nor repeats a re-embedding.
 * {@link #close()} stops it; the registry client stays the caller's.
 */
public final class ItemEmbedderApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ItemEmbedderApp.class);

    /** A model update (read, or kept in the pending store's changelog) plus framing. */
    static final int MAX_REQUEST_BYTES = Topics.MODEL_MAX_MESSAGE_BYTES + (2 << 20);

    /**
     * Long enough for the largest catalogue's embeddings to be sent in one transaction on a busy
     * machine, which the Streams default of 10 s is not.
     */
    static final int TRANSACTION_TIMEOUT_MS = 120_000;

    private final ItemEmbedderConfig config;
    private final StreamsLifecycle lifecycle;

    private ItemEmbedderApp(ItemEmbedderConfig config, StreamsLifecycle lifecycle) {
        this.config = config;
        this.lifecycle = lifecycle;
    }

    /**
     * Builds the topology over the Fashion-MNIST test images (encoded with the config's image
     * encoder settings) with wire-format serdes on {@code registry}, and starts it.
     */
    public static ItemEmbedderApp start(ItemEmbedderConfig config, SchemaRegistryClient registry) {
        return start(config, registry, KafkaClientSecurity.PLAINTEXT);
    }

    /** As {@link #start(ItemEmbedderConfig, SchemaRegistryClient)}, as {@code security}. */
    public static ItemEmbedderApp start(
            ItemEmbedderConfig config,
            SchemaRegistryClient registry,
            KafkaClientSecurity security) {
        return start(config, registry, CatalogueImages.fashionMnistTest(config.image()), security);
    }

    /** Builds the topology over {@code images} with wire-format serdes on {@code registry}. */
    public static ItemEmbedderApp start(
            ItemEmbedderConfig config, SchemaRegistryClient registry, CatalogueImages images) {
        return start(config, registry, images, KafkaClientSecurity.PLAINTEXT);
    }

    /** Builds the topology over {@code images} with wire-format serdes on {@code registry}. */
    private static ItemEmbedderApp start(
            ItemEmbedderConfig config,
            SchemaRegistryClient registry,
            CatalogueImages images,
            KafkaClientSecurity security) {
        LOG.info(
                "item embedder {}: embedding {} items of {} with {}",
                config.applicationId(),
                images.size(),
                images.origin(),
                config.modelTopic());
        return new ItemEmbedderApp(
                config,
                StreamsLifecycle.start(
                        "item embedder",
                        config.applicationId(),
                        ItemEmbedder.buildTopology(config, registry, images),
                        security.applyTo(streamsProperties(config))));
    }

    /** The Kafka Streams settings of {@code config}. */
    public static Properties streamsProperties(ItemEmbedderConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                StreamsLifecycle.guarantee(config.exactlyOnce()));
        if (!config.stateDir().isEmpty()) {
            p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
        }
        // Each record is a whole model: take them one at a time, and allow them (and the pending
        // store's changelog records, which hold one) in the producer.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 1);
        p.put(
                StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
                MAX_REQUEST_BYTES);
        p.put(
                StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG),
                MAX_REQUEST_BYTES);
        p.put(
                StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                MAX_REQUEST_BYTES);
        p.put(
                StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                TRANSACTION_TIMEOUT_MS);
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
     * The version the catalogue was last embedded with, from this instance's local store (the image
     * model's updates are keyed by model name, so one task holds it).
     *
     * @return empty before the first embedding
     * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the store is not
     *     queryable (before {@link #awaitRunning}, during a rebalance, after {@link #close()})
     */
    public Optional<Long> lastEmbeddedVersion() {
        ReadOnlyKeyValueStore<String, ItemEmbedderState.Embedded> store =
                lifecycle
                        .streams()
                        .store(
                                StoreQueryParameters.fromNameAndType(
                                        ItemEmbedder.EMBEDDED_STORE,
                                        QueryableStoreTypes.keyValueStore()));
        return Optional.ofNullable(store.get(config.imageModel()))
                .map(ItemEmbedderState.Embedded::version);
    }

    public ItemEmbedderConfig config() {
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
