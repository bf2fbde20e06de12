package io.streamdl.scoring.lifecycle;

import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.flink.KafkaConnectors;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.topics.Topic;
import io.streamdl.schemas.topics.Topics;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes what an operator command or the lifecycle controller decides: model updates to {@code
 * models.<model>}, events to {@code models.events}, refusals to {@code dlq}. Each send waits for
 * the broker's acknowledgement from all in-sync replicas, so a command that returns has published.
 */
public final class LifecyclePublisher implements AutoCloseable {
    private static final long ACK_TIMEOUT_SECONDS = 30;

    private final RestSchemaRegistryClient registry;
    private final String registryUrl;
    private final KafkaProducer<String, byte[]> producer;

    public LifecyclePublisher(String bootstrap, String registryUrl, String clientId) {
        this(bootstrap, registryUrl, clientId, KafkaClientSecurity.PLAINTEXT);
    }

    /** As {@link #LifecyclePublisher(String, String, String)}, as {@code security}'s principal. */
    public LifecyclePublisher(
            String bootstrap, String registryUrl, String clientId, KafkaClientSecurity security) {
        this(bootstrap, registryUrl, RegistryClientSettings.NONE, clientId, security);
    }

    /**
     * As {@link #LifecyclePublisher(String, String, String, KafkaClientSecurity)}, reaching the
     * registry with {@code registrySettings} (a secured registry's trust store and credentials).
     */
    public LifecyclePublisher(
            String bootstrap,
            String registryUrl,
            RegistryClientSettings registrySettings,
            String clientId,
            KafkaClientSecurity security) {
        this.registry = new RestSchemaRegistryClient(registryUrl, registrySettings);
        this.registryUrl = registryUrl;
        Properties p = security.applyTo(new Properties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-" + ProcessHandle.current().pid());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KafkaConnectors.MAX_REQUEST_BYTES);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    public void publish(ModelUpdate update) {
        Topic<String, ModelUpdate> topic =
                Topics.models(update.getModel()).bind(registry, registryUrl);
        send(
                topic.name(),
                update.getModel(),
                topic.valueSerde().serializer().serialize(topic.name(), update));
    }

    public void publish(ModelEvent event) {
        Topic<String, ModelEvent> topic = Topics.MODEL_EVENTS.bind(registry, registryUrl);
        send(
                topic.name(),
                event.getModel(),
                topic.valueSerde().serializer().serialize(topic.name(), event));
    }

    public void publish(DeadLetter letter) {
        Topic<String, DeadLetter> topic = Topics.DLQ.bind(registry, registryUrl);
        send(topic.name(), null, topic.valueSerde().serializer().serialize(topic.name(), letter));
    }

    private void send(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value))
                    .get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException(
                    "publishing to " + topic + " failed: " + cause.getMessage(), cause);
        }
    }

    @Override
    public void close() {
        producer.close();
        registry.close();
    }
}
