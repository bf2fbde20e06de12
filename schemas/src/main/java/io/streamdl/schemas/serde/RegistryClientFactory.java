package io.streamdl.schemas.serde;

import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.registry.SchemaRegistryClient;
import java.io.Serializable;

/** Makes a registry client where one cannot be passed in, e.g. inside a Flink task. */
@FunctionalInterface
public interface RegistryClientFactory extends Serializable {
    SchemaRegistryClient create(SerdeConfig config);

    /** Talks REST to {@link SerdeConfig#registryUrl()}. */
    static RegistryClientFactory rest() {
        return config -> new RestSchemaRegistryClient(config.registryUrl());
    }
}
