package io.streamdl.scoring.lifecycle;

import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.flink.KafkaConnectors;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.registry.SchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.SerdeException;
import io.streamdl.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads what is on {@code models.<model>} and {@code models.events} now: every committed record
 * from the start of each partition up to its end when the call began ({@code read_committed}, no
 * consumer group). Records that do not decode, or are for another model, are skipped and counted. A
 * compacted models topic keeps at least the newest version; older ones stay until the broker
 * compacts their segment.
 */
public final class ModelTopicReader implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String bootstrap;
    private final KafkaClientSecurity security;
    private final SchemaRegistryClient registry;
    private int skipped;

    public ModelTopicReader(String bootstrap, String registryUrl) {
        this(bootstrap, registryUrl, KafkaClientSecurity.PLAINTEXT);
    }

    /** As {@link #ModelTopicReader(String, String)}, reading as {@code security}'s principal. */
    public ModelTopicReader(String bootstrap, String registryUrl, KafkaClientSecurity security) {
        this(bootstrap, registryUrl, RegistryClientSettings.NONE, security);
    }

    /**
     * As {@link #ModelTopicReader(String, String, KafkaClientSecurity)}, reaching the registry with
     * {@code registrySettings} (a secured registry's trust store and credentials).
     */
    public ModelTopicReader(
            String bootstrap,
            String registryUrl,
            RegistryClientSettings registrySettings,
            KafkaClientSecurity security) {
        this(bootstrap, new RestSchemaRegistryClient(registryUrl, registrySettings), security);
    }

    /** Reads with {@code registry}, which it closes when it is closed. */
    public ModelTopicReader(
            String bootstrap, SchemaRegistryClient registry, KafkaClientSecurity security) {
        this.security = security;
        this.bootstrap = bootstrap;
        this.registry = registry;
    }

    /** An update on the topic and where it is. */
    public record Found(ModelUpdate update, int partition, long offset) {}

    /** Every decodable update of {@code model} on its topic, in offset order per partition. */
    public List<Found> updates(String model) {
        return updates(model, u -> true);
    }

    /** The updates of {@code model} that {@code keep} accepts (to spare the memory of others). */
    public List<Found> updates(String model, Predicate<ModelUpdate> keep) {
        List<Found> out = new ArrayList<>();
        read(
                Topics.models(model).name(),
                ModelUpdate.class,
                (r, u) -> {
                    if (!model.equals(u.getModel())) {
                        skipped++;
                    } else if (keep.test(u)) {
                        out.add(new Found(u, r.partition(), r.offset()));
                    }
                });
        return out;
    }

    /** The update of {@code model} with {@code version}, or null if the topic no longer has it. */
    public ModelUpdate find(String model, long version) {
        List<Found> found = updates(model, u -> u.getVersion() == version);
        return found.isEmpty() ? null : found.get(found.size() - 1).update();
    }

    /** The highest version on the topic, or null if it has none. */
    public ModelUpdate newest(String model) {
        ModelUpdate[] best = {null};
        updates(
                model,
                u -> {
                    if (best[0] == null || u.getVersion() > best[0].getVersion()) {
                        best[0] = u;
                    }
                    return false;
                });
        return best[0];
    }

    /** Every lifecycle event of {@code model} (all models if null), oldest first per partition. */
    public List<ModelEvent> events(String model) {
        List<ModelEvent> out = new ArrayList<>();
        read(
                Topics.MODEL_EVENTS.name(),
                ModelEvent.class,
                (r, e) -> {
                    if (model == null || model.equals(e.getModel())) {
                        out.add(e);
                    }
                });
        out.sort((a, b) -> Long.compare(a.getTs(), b.getTs()));
        return out;
    }

    /** How many records did not decode or named another model, over every call so far. */
    public int skipped() {
        return skipped;
    }

    private interface Sink<T> {
        void accept(ConsumerRecord<byte[], byte[]> record, T value);
    }

    private <T extends SpecificRecord> void read(String topic, Class<T> type, Sink<T> sink) {
        Properties props = KafkaConnectors.modelTopicReader(bootstrap, security);
        AvroWireDeserializer<T> reader = AvroWireDeserializer.specific(registry, type);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Map<String, List<PartitionInfo>> topics = consumer.listTopics(TIMEOUT);
            if (!topics.containsKey(topic)) {
                throw new IllegalStateException(
                        "topic " + topic + " does not exist on " + bootstrap);
            }
            List<TopicPartition> partitions = new ArrayList<>();
            topics.get(topic)
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!reachedEnd(consumer, partitions, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "reading " + topic + " to its end took longer than " + TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null
                            || r.offset() >= end.get(new TopicPartition(topic, r.partition()))) {
                        continue;
                    }
                    T value;
                    try {
                        value = reader.deserialize(r.topic(), r.partition(), r.offset(), r.value());
                    } catch (SerdeException e) {
                        skipped++;
                        continue;
                    }
                    sink.accept(r, value);
                }
            }
        }
    }

    private static boolean reachedEnd(
            KafkaConsumer<?, ?> consumer,
            List<TopicPartition> partitions,
            Map<TopicPartition, Long> end) {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        registry.close();
    }
}
