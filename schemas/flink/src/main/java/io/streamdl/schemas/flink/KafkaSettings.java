package io.streamdl.schemas.flink;

import java.io.Serializable;
import java.util.Objects;

/**
 * Where a Flink job reads and writes: the Kafka cluster, the schema registry, and how outputs are
 * committed. With {@code exactlyOnce}, sinks write in Kafka transactions committed on checkpoints,
 * so downstream {@code read_committed} consumers see every record once.
 */
public record KafkaSettings(
        String bootstrapServers,
        String registryUrl,
        String groupId,
        boolean exactlyOnce,
        String transactionalIdPrefix)
        implements Serializable {
    public KafkaSettings {
        Objects.requireNonNull(bootstrapServers, "kafka.bootstrap.servers");
        Objects.requireNonNull(registryUrl, "schema.registry.url");
        Objects.requireNonNull(groupId, "group id");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("kafka.bootstrap.servers must not be blank");
        }
        if (registryUrl.isBlank()) {
            throw new IllegalArgumentException("schema.registry.url must not be blank");
        }
        if (transactionalIdPrefix == null || transactionalIdPrefix.isBlank()) {
            transactionalIdPrefix = groupId;
        }
    }

    public static KafkaSettings of(String bootstrapServers, String registryUrl, String groupId) {
        return new KafkaSettings(bootstrapServers, registryUrl, groupId, true, groupId);
    }
}
