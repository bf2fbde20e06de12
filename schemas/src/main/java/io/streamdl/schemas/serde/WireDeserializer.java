package io.streamdl.schemas.serde;

import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A Kafka {@link Deserializer} for the Confluent wire format, into specific records of one class or
 * into generic records. Created by Kafka from its class name, it reads {@code schema.registry.url}
 * (with the trust store and basic-auth keys of {@link
 * io.streamdl.schemas.registry.RegistryClientSettings#from} for a secured registry) and, for
 * specific records, {@value #VALUE_TYPE} (or {@value #KEY_TYPE}).
 */
public final class WireDeserializer<T> implements Deserializer<T> {
    public static final String VALUE_TYPE = "streamdl.avro.value.type";
    public static final String KEY_TYPE = "streamdl.avro.key.type";

    private AvroWireDeserializer<T> delegate;
    private SchemaRegistryClient ownedClient;

    public WireDeserializer() {}

    public WireDeserializer(AvroWireDeserializer<T> delegate) {
        this.delegate = delegate;
    }

    public static <T extends SpecificRecord> WireDeserializer<T> specific(
            SchemaRegistryClient registry, Class<T> type) {
        return new WireDeserializer<>(AvroWireDeserializer.specific(registry, type));
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (delegate != null) {
            return;
        }
        SerdeConfig config = SerdeConfig.from(configs, isKey);
        ownedClient = new RestSchemaRegistryClient(config.registryUrl(), config.client());
        Object type = configs.get(isKey ? KEY_TYPE : VALUE_TYPE);
        if (type == null) {
            delegate = AvroWireDeserializer.generic(ownedClient, null);
            return;
        }
        try {
            Class<?> cls = type instanceof Class<?> c ? c : Class.forName(type.toString());
            delegate =
                    (AvroWireDeserializer<T>)
                            AvroWireDeserializer.specific(ownedClient, (Class) cls);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(
                    "config '" + (isKey ? KEY_TYPE : VALUE_TYPE) + "': no class " + type, e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (delegate == null) {
            throw new IllegalStateException("WireDeserializer used before configure()");
        }
        return delegate.deserialize(topic, data);
    }

    /** Deserializes with the record's partition and offset in any error. */
    public T deserialize(ConsumerRecord<?, byte[]> record) {
        return delegate.deserialize(
                record.topic(), record.partition(), record.offset(), record.value());
    }

    @Override
    public void close() {
        if (ownedClient != null) {
            ownedClient.close();
        }
    }
}
