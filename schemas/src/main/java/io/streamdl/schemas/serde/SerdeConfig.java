package io.streamdl.schemas.serde;

import io.streamdl.schemas.registry.RegistryClientSettings;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * How a wire-format serde talks to its registry. Built from Confluent's property names, so the same
 * properties configure ours and Confluent's clients.
 *
 * @param registryUrl base URL of the schema registry
 * @param autoRegister register the writer schema on first use (else it must exist)
 * @param key whether this serde is for record keys (subject {@code <topic>-key})
 * @param client the registry's trust store and basic-auth user info ({@link
 *     RegistryClientSettings#NONE} for a plain one)
 */
public record SerdeConfig(
        String registryUrl, boolean autoRegister, boolean key, RegistryClientSettings client)
        implements Serializable {
    public static final String REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER = "auto.register.schemas";

    public SerdeConfig {
        Objects.requireNonNull(registryUrl, REGISTRY_URL + " is required");
        if (registryUrl.isBlank()) {
            throw new IllegalArgumentException(REGISTRY_URL + " must not be blank");
        }
        client = client == null ? RegistryClientSettings.NONE : client;
    }

    /** As the canonical constructor, with the JVM's trust and no authentication. */
    public SerdeConfig(String registryUrl, boolean autoRegister, boolean key) {
        this(registryUrl, autoRegister, key, RegistryClientSettings.NONE);
    }

    public static SerdeConfig forValues(String registryUrl) {
        return new SerdeConfig(registryUrl, true, false);
    }

    public static SerdeConfig forValues(String registryUrl, RegistryClientSettings client) {
        return new SerdeConfig(registryUrl, true, false, client);
    }

    /**
     * Reads {@value #REGISTRY_URL}, {@value #AUTO_REGISTER} and the trust store and basic-auth keys
     * of {@link RegistryClientSettings#from} from Kafka-style configs.
     */
    public static SerdeConfig from(Map<String, ?> configs, boolean isKey) {
        Object url = configs.get(REGISTRY_URL);
        if (url == null) {
            throw new IllegalArgumentException(
                    "missing config '" + REGISTRY_URL + "' (e.g. http://127.0.0.1:8081)");
        }
        Object auto = configs.get(AUTO_REGISTER);
        boolean autoRegister = auto == null || Boolean.parseBoolean(auto.toString());
        return new SerdeConfig(
                url.toString(), autoRegister, isKey, RegistryClientSettings.from(configs));
    }

    /** Confluent's TopicNameStrategy. */
    public String subject(String topic) {
        return topic + (key ? "-key" : "-value");
    }

    @Override
    public String toString() {
        return "SerdeConfig[registryUrl="
                + RegistryClientSettings.withoutUserInfo(registryUrl)
                + ", autoRegister="
                + autoRegister
                + ", key="
                + key
                + ", client="
                + client
                + "]";
    }
}
