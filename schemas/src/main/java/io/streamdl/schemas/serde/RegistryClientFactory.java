package io.streamdl.schemas.serde;

import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.registry.SchemaRegistryClient;
import java.io.Serializable;

/** Makes a registry client where one cannot be passed in, e.g. inside a Flink task. */
@FunctionalInterface
public interface RegistryClientFactory extends Serializable {
    SchemaRegistryClient create(SerdeConfig config);

    /** Talks REST to {@link SerdeConfig#registryUrl()}, with the config's own client settings. */
    static RegistryClientFactory rest() {
        return config -> new RestSchemaRegistryClient(config.registryUrl(), config.client());
    }

    /**
     * Talks REST to {@link SerdeConfig#registryUrl()} with {@code settings} (a secured registry's
     * trust store and credentials) unless the config brings settings of its own: the operators of a
     * job build their configs from the registry URL alone.
     */
    static RegistryClientFactory rest(RegistryClientSettings settings) {
        return config ->
                new RestSchemaRegistryClient(
                        config.registryUrl(),
                        config.client().equals(RegistryClientSettings.NONE)
                                ? settings
                                : config.client());
    }
}
