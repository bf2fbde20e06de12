package io.streamdl.schemas.flink;

import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import java.io.Serializable;
import java.util.Objects;

/**
 * Where a Flink job reads and writes: the Kafka cluster, the schema registry (its URL and the
 * factory every operator and serializer makes its client with, so no operator builds one of its
 * own), and how outputs are committed. With {@code exactlyOnce}, sinks write in Kafka transactions
 * committed on checkpoints, so downstream {@code read_committed} consumers see every record once.
 */
public record KafkaSettings(
        String bootstrapServers,
        String registryUrl,
        String groupId,
        boolean exactlyOnce,
        String transactionalIdPrefix,
        RegistryClientFactory registries,
        KafkaClientSecurity security)
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
        Objects.requireNonNull(registries, "registries");
        Objects.requireNonNull(security, "security");
        if (transactionalIdPrefix == null || transactionalIdPrefix.isBlank()) {
            transactionalIdPrefix = groupId;
        }
    }

    /** As the canonical constructor, in plaintext. */
    public KafkaSettings(
            String bootstrapServers,
            String registryUrl,
            String groupId,
            boolean exactlyOnce,
            String transactionalIdPrefix,
            RegistryClientFactory registries) {
        this(
                bootstrapServers,
                registryUrl,
                groupId,
                exactlyOnce,
                transactionalIdPrefix,
                registries,
                KafkaClientSecurity.PLAINTEXT);
    }

    public static KafkaSettings of(String bootstrapServers, String registryUrl, String groupId) {
        return new KafkaSettings(
                bootstrapServers,
                registryUrl,
                groupId,
                true,
                groupId,
                RegistryClientFactory.rest());
    }

    /** The registry client the jobs' operators and serializers make, as REST by default. */
    public SerdeConfig serde() {
        return SerdeConfig.forValues(registryUrl);
    }
}
