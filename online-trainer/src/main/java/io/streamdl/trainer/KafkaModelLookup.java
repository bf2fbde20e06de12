package io.streamdl.trainer;

import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.flink.KafkaConnectors;
import io.streamdl.schemas.registry.SchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.SerdeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the newest committed update of a model from its compacted {@code models.<model>} topic
 * ({@code read_committed}, so updates of aborted transactions are never seen). Only the tail of
 * each partition is read: the last {@value #FIRST_TAIL} offsets, then a growing tail until a data
 * record turns up, since a single trainer writes versions in increasing order. Records that do not
 * decode, or are for another model, are logged and skipped.
 */
public final class KafkaModelLookup implements ModelUpdateLookup {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaModelLookup.class);
    private static final int FIRST_TAIL = 16;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String bootstrapServers;
    private final SerdeConfig serde;
    private final RegistryClientFactory registries;
    private final String topic;
    private final String model;
    private final KafkaClientSecurity security;

    public KafkaModelLookup(
            String bootstrapServers,
            SerdeConfig serde,
            RegistryClientFactory registries,
            String topic,
            String model) {
        this(bootstrapServers, serde, registries, topic, model, KafkaClientSecurity.PLAINTEXT);
    }

    /** As the other constructor, reading as {@code security}'s principal. */
    public KafkaModelLookup(
            String bootstrapServers,
            SerdeConfig serde,
            RegistryClientFactory registries,
            String topic,
            String model,
            KafkaClientSecurity security) {
        this.security = security;
        this.bootstrapServers = bootstrapServers;
        this.serde = serde;
        this.registries = registries;
        this.topic = topic;
        this.model = model;
    }

    @Override
    public ModelUpdate newest() {
        // never create the model topic with broker defaults (not compacted)
        Properties props = KafkaConnectors.modelTopicReader(bootstrapServers, security);
        ModelUpdate newest = null;
        try (SchemaRegistryClient registry = registries.create(serde);
                KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(
                                props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            AvroWireDeserializer<ModelUpdate> reader =
                    AvroWireDeserializer.specific(registry, ModelUpdate.class);
            List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                return null;
            }
            List<TopicPartition> partitions = new ArrayList<>();
            infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, TIMEOUT);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            for (TopicPartition tp : partitions) {
                ModelUpdate found = newestIn(consumer, reader, tp, begin.get(tp), end.get(tp));
                if (found != null && (newest == null || found.getVersion() > newest.getVersion())) {
                    newest = found;
                }
            }
        }
        return newest;
    }

    private ModelUpdate newestIn(
            KafkaConsumer<byte[], byte[]> consumer,
            AvroWireDeserializer<ModelUpdate> reader,
            TopicPartition tp,
            long begin,
            long end) {
        consumer.assign(List.of(tp));
        long tail = FIRST_TAIL;
        long from = end;
        while (from > begin) {
            from = Math.max(begin, end - tail);
            ModelUpdate found = read(consumer, reader, tp, from, end);
            if (found != null) {
                return found;
            }
            tail *= 8;
        }
        return null;
    }

    /** The highest-version update of the model in offsets [from, end) of {@code tp}. */
    private ModelUpdate read(
            KafkaConsumer<byte[], byte[]> consumer,
            AvroWireDeserializer<ModelUpdate> reader,
            TopicPartition tp,
            long from,
            long end) {
        consumer.seek(tp, from);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        ModelUpdate newest = null;
        while (consumer.position(tp) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "reading "
                                + tp
                                + " up to offset "
                                + end
                                + " took longer than "
                                + TIMEOUT
                                + "; stuck at "
                                + consumer.position(tp));
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                if (r.offset() >= end || r.value() == null) {
                    continue;
                }
                ModelUpdate update;
                try {
                    update = reader.deserialize(r.topic(), r.partition(), r.offset(), r.value());
                } catch (SerdeException e) {
                    LOG.warn(
                            "skipping undecodable record {}-{}@{} while looking for the newest"
                                    + " update: {}",
                            r.topic(),
                            r.partition(),
                            r.offset(),
                            e.getMessage());
                    continue;
                }
                if (!model.equals(update.getModel())) {
                    LOG.warn(
                            "skipping an update for model '{}' on {} at offset {}",
                            update.getModel(),
                            topic,
                            r.offset());
                    continue;
                }
                if (newest == null || update.getVersion() > newest.getVersion()) {
                    newest = update;
                }
            }
        }
        return newest;
    }
}
