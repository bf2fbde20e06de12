package io.streamdl.ingest;

import io.streamdl.schemas.avro.Interaction;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.topics.Topic;
import io.streamdl.schemas.topics.Topics;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends interactions to {@code interactions} in the Confluent wire format, keyed by user id, so the
 * interactions of one user share a partition and are read in the order they were sent. A send never
 * waits for the broker's acknowledgement (a paced sender stays on schedule); acknowledgements are
 * counted, and the first failure is kept: the next {@link #send} or {@link #flush()} throws it.
 */
public final class InteractionSender implements AutoCloseable {
    private final RestSchemaRegistryClient registry;
    private final KafkaProducer<String, Interaction> producer;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    public InteractionSender(String bootstrapServers, String registryUrl) {
        this(bootstrapServers, registryUrl, KafkaClientSecurity.PLAINTEXT);
    }

    /** As {@link #InteractionSender(String, String)}, authenticating with {@code security}. */
    public InteractionSender(
            String bootstrapServers, String registryUrl, KafkaClientSecurity security) {
        this(bootstrapServers, registryUrl, RegistryClientSettings.NONE, security);
    }

    /**
     * As {@link #InteractionSender(String, String, KafkaClientSecurity)}, reaching the registry
     * with {@code registrySettings} (a secured registry's trust store and credentials).
     */
    public InteractionSender(
            String bootstrapServers,
            String registryUrl,
            RegistryClientSettings registrySettings,
            KafkaClientSecurity security) {
        this.registry = new RestSchemaRegistryClient(registryUrl, registrySettings);
        Topic<String, Interaction> topic = Topics.INTERACTIONS.bind(registry, registryUrl);
        this.producer =
                new KafkaProducer<>(
                        security.applyTo(
                                EventSender.props(bootstrapServers, "ingest-interactions")),
                        topic.keySerde().serializer(),
                        topic.valueSerde().serializer());
    }

    /** Sends one interaction, keyed by its user id, stamped with its own time. */
    public Future<RecordMetadata> send(Interaction interaction) {
        rethrowFailure();
        return producer.send(
                new ProducerRecord<>(
                        Topics.INTERACTIONS.name(),
                        null,
                        interaction.getTs(),
                        interaction.getUserId(),
                        interaction),
                (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        acknowledged.incrementAndGet();
                    }
                });
    }

    /** How many interactions the broker has acknowledged. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Waits for every interaction sent; rethrows the first failure. */
    public void flush() {
        producer.flush();
        rethrowFailure();
    }

    private void rethrowFailure() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("sending to Kafka failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
        registry.close();
    }
}
