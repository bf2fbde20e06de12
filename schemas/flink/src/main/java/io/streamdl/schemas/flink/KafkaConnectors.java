package io.streamdl.schemas.flink;

import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.topics.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
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
     * The settings of a plain consumer that reads a model topic (or another lifecycle topic) to its
     * end: {@code read_committed} (no update of an aborted transaction), no offsets committed, no
     * topic created with broker defaults, and fetches large enough for a whole model update.
     */
    public static Properties modelTopicReader(String bootstrap) {
        return modelTopicReader(bootstrap, KafkaClientSecurity.PLAINTEXT);
    }

    /** As {@link #modelTopicReader(String)}, authenticating with {@code security}. */
    public static Properties modelTopicReader(String bootstrap, KafkaClientSecurity security) {
        Properties props = security.applyTo(new Properties());
        props.setProperty("bootstrap.servers", bootstrap);
        props.setProperty("isolation.level", "read_committed");
        props.setProperty("enable.auto.commit", "false");
        props.setProperty("allow.auto.create.topics", "false");
        props.setProperty("max.partition.fetch.bytes", Integer.toString(MAX_REQUEST_BYTES));
        props.setProperty("fetch.max.bytes", Integer.toString(MAX_REQUEST_BYTES));
        return props;
    }

    /**
     * Undecoded records of {@code topics}, from the committed offsets of the job's group (the
     * earliest when there are none), read_committed so aborted transactions never reach a job.
     */
    public static KafkaSource<RawRecord> rawSource(KafkaSettings settings, List<String> topics) {
        return rawSource(
                settings,
                topics,
                new RawRecordSchema(),
                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
    }

    /**
     * Undecoded records of {@code topics} from their start whenever the job starts without state (a
     * restored job goes on from its checkpoint): for a model topic, whose newest version a new
     * scorer must see even if its group committed offsets past it in an earlier run, and for {@code
     * models.events}, whose pins a new gate must know.
     */
    public static KafkaSource<RawRecord> rawSourceFromStart(
            KafkaSettings settings, List<String> topics) {
        return rawSource(settings, topics, new RawRecordSchema(), OffsetsInitializer.earliest());
    }

    /**
     * {@link #rawSource} without the records already scored by {@code model} where they were
     * written ({@link RawRecordSchema#SCORED_BY}).
     */
    public static KafkaSource<RawRecord> rawSourceNotScoredBy(
            KafkaSettings settings, List<String> topics, String model) {
        return rawSource(
                settings,
                topics,
                new RawRecordSchema(model),
                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
    }

    private static KafkaSource<RawRecord> rawSource(
            KafkaSettings settings,
            List<String> topics,
            RawRecordSchema schema,
            OffsetsInitializer start) {
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setTopics(topics)
                .setGroupId(settings.groupId())
                .setStartingOffsets(start)
                .setDeserializer(schema)
                .setProperties(settings.security().applyTo(new Properties()))
                .setProperty("isolation.level", "read_committed")
                .setProperty("max.partition.fetch.bytes", Integer.toString(MAX_REQUEST_BYTES))
                .setProperty("fetch.max.bytes", Integer.toString(MAX_REQUEST_BYTES))
                .setProperty("partition.discovery.interval.ms", "10000")
                .build();
    }

    /** The topic a sink writes, which the POOLING strategy lists transactions of. */
    private static Optional<KafkaDatasetFacet> facet(String topic) {
        return Optional.of(
                new DefaultKafkaDatasetFacet(
                        DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }

    private static DeliveryGuarantee guarantee(KafkaSettings settings) {
        return settings.exactlyOnce()
                ? DeliveryGuarantee.EXACTLY_ONCE
                : DeliveryGuarantee.AT_LEAST_ONCE;
    }

    private static Properties producerConfig(KafkaSettings settings) {
        Properties producer = settings.security().applyTo(new Properties());
        producer.setProperty("max.request.size", Integer.toString(MAX_REQUEST_BYTES));
        producer.setProperty("linger.ms", "5");
        // Features are kilobytes each; the default 16 KiB batch would send a request per few
        // records.
        producer.setProperty("batch.size", Integer.toString(1 << 20));
        // Must exceed the checkpoint interval and stay within the broker's
        // transaction.max.timeout.ms.
        producer.setProperty("transaction.timeout.ms", "900000");
        return producer;
    }

    /** A sink writing {@code spec}'s records in the wire format, keyed by {@code key}. */
    public static <T extends SpecificRecord> KafkaSink<T> avroSink(
            KafkaSettings settings,
            TopicSpec<T> spec,
            SerializableFunction<T, String> key,
            String sinkName) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setKafkaProducerConfig(producerConfig(settings))
                .setDeliveryGuarantee(guarantee(settings))
                .setTransactionalIdPrefix(settings.transactionalIdPrefix() + "-" + sinkName)
                // Reuses a few transactional ids rather than opening a new producer, with its
                // InitProducerId round to the broker's transaction log, at every checkpoint: an
                // idle pipeline spent a twelfth of its CPU on those.
                .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
                .setRecordSerializer(
                        new AvroRecordSerializer<>(
                                spec.name(), settings.serde(), settings.registries(), key))
                .build();
    }

    /**
     * A sink writing records already in the wire format to {@code topic} as they are (key, value
     * and timestamp), with the same producer settings and guarantee as {@link #avroSink}; {@code
     * scoredBy}, when not empty, goes in every record's {@link RawRecordSchema#SCORED_BY} header.
     */
    public static KafkaSink<RawRecord> rawSink(
            KafkaSettings settings, String topic, String sinkName, List<String> scoredBy) {
        return KafkaSink.<RawRecord>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setKafkaProducerConfig(producerConfig(settings))
                .setDeliveryGuarantee(guarantee(settings))
                .setTransactionalIdPrefix(settings.transactionalIdPrefix() + "-" + sinkName)
                .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
                .setRecordSerializer(
                        new RawRecordSerializer(
                                topic, scoredBy.isEmpty() ? null : String.join(",", scoredBy)))
                .build();
    }

    /** Writes a raw record's bytes to one topic. */
    static final class RawRecordSerializer
            implements KafkaRecordSerializationSchema<RawRecord>, KafkaDatasetFacetProvider {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private final String scoredBy;

        RawRecordSerializer(String topic, String scoredBy) {
            this.topic = topic;
            this.scoredBy = scoredBy;
        }

        @Override
        public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
            return facet(topic);
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                RawRecord record, KafkaSinkContext context, Long timestamp) {
            ProducerRecord<byte[], byte[]> out =
                    new ProducerRecord<>(topic, null, record.timestamp, record.key, record.value);
            if (scoredBy != null) {
                out.headers()
                        .add(RawRecordSchema.SCORED_BY, scoredBy.getBytes(StandardCharsets.UTF_8));
            }
            return out;
        }
    }

    /** Writes a record's key as UTF-8 and its value in the Confluent wire format. */
    static final class AvroRecordSerializer<T extends SpecificRecord>
            implements KafkaRecordSerializationSchema<T>, KafkaDatasetFacetProvider {
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
        public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
            return facet(topic);
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
