package io.streamdl.schemas.flink;

import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.topics.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Kafka sources and sinks for the pipeline's topics, configured the same way in every job. */
public final class KafkaConnectors {
    /** Producer limit: a model update of up to 32 MiB plus framing. */
    public static final int MAX_REQUEST_BYTES = 34 * 1024 * 1024;

    private KafkaConnectors() {}

    /**
     * Undecoded records of {@code topics}, from the committed offsets of the job's group (the
     * earliest when there are none), read_committed so aborted transactions never reach a job.
     */
    public static KafkaSource<RawRecord> rawSource(KafkaSettings settings, List<String> topics) {
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setTopics(topics)
                .setGroupId(settings.groupId())
                .setStartingOffsets(
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawRecordSchema())
                .setProperty("isolation.level", "read_committed")
                .setProperty("max.partition.fetch.bytes", Integer.toString(MAX_REQUEST_BYTES))
                .setProperty("fetch.max.bytes", Integer.toString(MAX_REQUEST_BYTES))
                .setProperty("partition.discovery.interval.ms", "10000")
                .build();
    }

    /** A sink writing {@code spec}'s records in the wire format, keyed by {@code key}. */
    public static <T extends SpecificRecord> KafkaSink<T> avroSink(
            KafkaSettings settings,
            TopicSpec<T> spec,
            SerializableFunction<T, String> key,
            String sinkName) {
        Properties producer = new Properties();
        producer.setProperty("max.request.size", Integer.toString(MAX_REQUEST_BYTES));
        producer.setProperty("linger.ms", "5");
        // Features are kilobytes each; the default 16 KiB batch would send a request per few
        // records.
        producer.setProperty("batch.size", Integer.toString(1 << 20));
        // Must exceed the checkpoint interval and stay within the broker's
        // transaction.max.timeout.ms.
        producer.setProperty("transaction.timeout.ms", "900000");
        return KafkaSink.<T>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setKafkaProducerConfig(producer)
                .setDeliveryGuarantee(
                        settings.exactlyOnce()
                                ? DeliveryGuarantee.EXACTLY_ONCE
                                : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(settings.transactionalIdPrefix() + "-" + sinkName)
                .setRecordSerializer(
                        new AvroRecordSerializer<>(
                                spec.name(), settings.serde(), settings.registries(), key))
                .build();
    }

    /** Writes a record's key as UTF-8 and its value in the Confluent wire format. */
    static final class AvroRecordSerializer<T extends SpecificRecord>
            implements KafkaRecordSerializationSchema<T> {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private final SerdeConfig serde;
        private final RegistryClientFactory registries;
        private final SerializableFunction<T, String> key;
        private transient AvroWireSerializer<T> values;

        AvroRecordSerializer(
                String topic,
                SerdeConfig serde,
                RegistryClientFactory registries,
                SerializableFunction<T, String> key) {
            this.topic = topic;
            this.serde = serde;
            this.registries = registries;
            this.key = key;
        }

        @Override
        public void open(
                SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
            values = new AvroWireSerializer<>(registries.create(serde), serde);
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                T element, KafkaSinkContext context, Long timestamp) {
            String k = key == null ? null : key.apply(element);
            return new ProducerRecord<>(
                    topic,
                    null,
                    timestamp,
                    k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                    values.serialize(topic, element));
        }
    }
}
