package io.streamdl.schemas.topics;

import io.streamdl.schemas.registry.SchemaRegistryClient;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.serde.WireSerde;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A topic of the pipeline: its name, its value record (keys are strings), the settings it is
 * created with and what it carries. Immutable.
 */
public record TopicSpec<V extends SpecificRecord>(
        String name, Class<V> valueType, Map<String, String> config, String doc) {

    public TopicSpec {
        config = Map.copyOf(config);
    }

    public boolean compacted() {
        return "compact".equals(config.get("cleanup.policy"));
    }

    /** Binds the topic to wire-format serdes backed by {@code registry}. */
    public Topic<String, V> bind(SchemaRegistryClient registry, String registryUrl) {
        return new Topic<>(
                name,
                Serdes.String(),
                WireSerde.specific(registry, SerdeConfig.forValues(registryUrl), valueType));
    }
}
