package io.streamdl.schemas.flink;

import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * A Flink {@link DeserializationSchema} reading specific records of one class from the Confluent
 * wire format. Jobs that must send bad records to the dead-letter topic read raw bytes and call
 * {@link AvroWireDeserializer} themselves, with the record's partition and offset.
 */
public final class WireDeserializationSchema<T extends SpecificRecord>
        implements DeserializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final Class<T> type;
    private final SerdeConfig config;
    private final RegistryClientFactory clients;
    private transient AvroWireDeserializer<T> delegate;

    public WireDeserializationSchema(
            String topic, Class<T> type, SerdeConfig config, RegistryClientFactory clients) {
        this.topic = topic;
        this.type = type;
        this.config = config;
        this.clients = clients;
    }

    @Override
    public void open(InitializationContext context) {
        ensureOpen();
    }

    private AvroWireDeserializer<T> ensureOpen() {
        if (delegate == null) {
            delegate = AvroWireDeserializer.specific(clients.create(config), type);
        }
        return delegate;
    }

    @Override
    public T deserialize(byte[] message) {
        return ensureOpen().deserialize(topic, message);
    }

    @Override
    public boolean isEndOfStream(T nextElement) {
        return false;
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }
}
