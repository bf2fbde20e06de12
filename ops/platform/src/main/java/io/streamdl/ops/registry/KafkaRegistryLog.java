package io.streamdl.ops.registry;

import io.streamdl.schemas.security.KafkaClientSecurity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Keeps the registry's log in a single-partition compacted topic, as Confluent's registry keeps
 * {@code _schemas}. The topic is created on first use; replay reads it to its end offset. One
 * registry instance writes it (no leader election).
 */
final class KafkaRegistryLog implements RegistryLog {
    static final String DEFAULT_TOPIC = "_schemas";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrap;
    private final String topic;
    private final KafkaProducer<String, String> producer;
    private final KafkaClientSecurity security;

    KafkaRegistryLog(String bootstrap, String topic) {
        this(bootstrap, topic, KafkaClientSecurity.PLAINTEXT);
    }

    KafkaRegistryLog(String bootstrap, String topic, KafkaClientSecurity security) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.security = security;
        ensureTopic();
        Properties props = security.applyTo(new Properties());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "schema-registry-log");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private void ensureTopic() {
        Properties props = security.applyTo(new Properties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        try (Admin admin = Admin.create(props)) {
            NewTopic schemas =
                    // the broker's default replication (3 on the local cluster), so the
                    // registry survives a broker's loss
                    new NewTopic(topic, java.util.Optional.of(1), java.util.Optional.empty())
                            .configs(Map.of("cleanup.policy", "compact"));
            admin.createTopics(List.of(schemas))
                    .all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(
                        "cannot create the schema topic "
                                + topic
                                + " on "
                                + bootstrap
                                + ": "
                                + e.getCause().getMessage(),
                        e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka at " + bootstrap + " did not answer within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating " + topic, e);
        }
    }

    @Override
    public void replay(Consumer<RegistryRecord> sink) {
        Properties props = security.applyTo(new Properties());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(Set.of(tp));
            consumer.seekToBeginning(Set.of(tp));
            long end = consumer.endOffsets(Set.of(tp)).get(tp);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read " + topic + " to offset " + end + " within " + TIMEOUT);
                }
                for (ConsumerRecord<String, String> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    RegistryRecord parsed = RegistryRecord.parse(record.key(), record.value());
                    if (parsed != null) {
                        sink.accept(parsed);
                    }
                }
            }
        }
    }

    @Override
    public void append(RegistryRecord record) {
        try {
            producer.send(new ProducerRecord<>(topic, 0, record.key(), record.value()))
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "write to " + topic + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("write to " + topic + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted writing " + topic, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
