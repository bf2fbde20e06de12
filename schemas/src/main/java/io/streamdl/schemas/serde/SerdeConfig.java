package io.streamdl.schemas.serde;

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
 */
public record SerdeConfig(String registryUrl, boolean autoRegister, boolean key)
        implements Serializable {
    public static final String REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER = "auto.register.schemas";

    public SerdeConfig {
        Objects.requireNonNull(registryUrl, REGISTRY_URL + " is required");
        if (registryUrl.isBlank()) {
            throw new IllegalArgumentException(REGISTRY_URL + " must not be blank");
        }
    }

    public static SerdeConfig forValues(String registryUrl) {
        return new SerdeConfig(registryUrl, true, false);
    }

    /** Reads {@value #REGISTRY_URL} and {@value #AUTO_REGISTER} from Kafka-style configs. */
    public static SerdeConfig from(Map<String, ?> configs, boolean isKey) {
        Object url = configs.get(REGISTRY_URL);
        if (url == null) {
            throw new IllegalArgumentException(
                    "missing config '" + REGISTRY_URL + "' (e.g. http://127.0.0.1:8081)");
        }
        Object auto = configs.get(AUTO_REGISTER);
        boolean autoRegister = auto == null || Boolean.parseBoolean(auto.toString());
        return new SerdeConfig(url.toString(), autoRegister, isKey);
    }

    /** Confluent's TopicNameStrategy. */
    public String subject(String topic) {
        return topic + (key ? "-key" : "-value");
    }
}
