package io.streamdl.schemas.serde;

import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka {@link Serializer} for the Confluent wire format. Either constructed with a registry
 * client, or created by Kafka from its class name and configured with {@code schema.registry.url}
 * (and, for a secured registry, the trust store and basic-auth keys of {@link
 * io.streamdl.schemas.registry.RegistryClientSettings#from}).
 */
public final class WireSerializer<T> implements Serializer<T> {
    private AvroWireSerializer<T> delegate;
    private SchemaRegistryClient ownedClient;

    public WireSerializer() {}

    public WireSerializer(SchemaRegistryClient registry, SerdeConfig config) {
        this.delegate = new AvroWireSerializer<>(registry, config);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (delegate == null) {
            SerdeConfig config = SerdeConfig.from(configs, isKey);
            ownedClient = new RestSchemaRegistryClient(config.registryUrl(), config.client());
            delegate = new AvroWireSerializer<>(ownedClient, config);
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (delegate == null) {
            throw new IllegalStateException("WireSerializer used before configure()");
        }
        return delegate.serialize(topic, data);
    }

    @Override
    public void close() {
        if (ownedClient != null) {
            ownedClient.close();
        }
    }
}
