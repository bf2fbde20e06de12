package io.streamdl.schemas.flink;

import io.streamdl.schemas.registry.SchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * A Flink {@link SerializationSchema} writing Avro records to one topic in the Confluent wire
 * format. The registry client is made when the task opens, so the schema itself stays small.
 */
public final class WireSerializationSchema<T> implements SerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final SerdeConfig config;
    private final RegistryClientFactory clients;
    private transient AvroWireSerializer<T> delegate;

    public WireSerializationSchema(
            String topic, SerdeConfig config, RegistryClientFactory clients) {
        this.topic = topic;
        this.config = config;
        this.clients = clients;
    }

    @Override
    public void open(InitializationContext context) {
        ensureOpen();
    }

    private AvroWireSerializer<T> ensureOpen() {
        if (delegate == null) {
            SchemaRegistryClient client = clients.create(config);
            delegate = new AvroWireSerializer<>(client, config);
        }
        return delegate;
    }

    @Override
    public byte[] serialize(T element) {
        return ensureOpen().serialize(topic, element);
    }
}
