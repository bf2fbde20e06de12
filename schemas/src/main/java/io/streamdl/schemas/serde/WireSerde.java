package io.streamdl.schemas.serde;

import io.streamdl.schemas.registry.SchemaRegistryClient;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** A Kafka Streams {@link Serde} for specific records in the Confluent wire format. */
public final class WireSerde<T> extends Serdes.WrapperSerde<T> {
    public WireSerde(WireSerializer<T> serializer, WireDeserializer<T> deserializer) {
        super(serializer, deserializer);
    }

    public static <T extends SpecificRecord> Serde<T> specific(
            SchemaRegistryClient registry, SerdeConfig config, Class<T> type) {
        return new WireSerde<>(
                new WireSerializer<>(registry, config), WireDeserializer.specific(registry, type));
    }
}
