package io.streamdl.ops.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.registry.SchemaRegistryServer;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.registry.RegistryException;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.WireDeserializer;
import io.streamdl.schemas.serde.WireSerializer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our registry client against the real registry served over TLS with basic auth (as a secured
 * platform serves it): with the platform's CA (PKCS12 or PEM) and credentials it works, a wrong
 * password is a 401, a client that does not trust the CA fails the handshake, and a Kafka serde
 * configured with Confluent's keys alone gets through.
 */
class RegistryClientTlsTest {
    @TempDir static Path dataDir;
    private static SecurityMaterial material;
    private static SchemaRegistryServer registry;
    private static RegistryClientSettings settings;

    @BeforeAll
    static void start() throws Exception {
        material = SecurityMaterial.prepare(dataDir.resolve("security"), "127.0.0.1");
        registry = SchemaRegistryServer.startInMemory("127.0.0.1", 0, HttpSecurity.of(material));
        settings =
                Platform.registrySettings(
                        PlatformConfig.ephemeral(dataDir, 1, Map.of("kafka.security", "sasl_ssl")),
                        material);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void theSecuredPlatformsSettingsTrustItsCaAsItsHttpUser() {
        assertThat(settings.truststoreLocation())
                .isEqualTo(material.truststore().toAbsolutePath().toString());
        assertThat(settings.truststoreType()).isEqualTo("PKCS12");
        assertThat(settings.user()).isEqualTo(SecurityMaterial.HTTP_USER);
        assertThat(settings.toString())
                .doesNotContain(material.httpPassword())
                .doesNotContain(material.storePassword());
    }

    @Test
    void anExternalSecuredRegistryIsReachedWithConfluentsKeysOfThePipelineSettings() {
        String url =
                registry.url()
                        .replace(
                                "https://",
                                "https://"
                                        + SecurityMaterial.HTTP_USER
                                        + ":"
                                        + material.httpPassword()
                                        + "@");
        Map<String, String> pipeline = new HashMap<>();
        pipeline.put("schema.registry.url", url);
        pipeline.put("schema.registry.ssl.truststore.location", material.truststore().toString());
        pipeline.put("schema.registry.ssl.truststore.password", material.storePassword());
        pipeline.put("schema.registry.ssl.truststore.type", "PKCS12");
        RegistryClientSettings external =
                Platform.registrySettings(PlatformConfig.ephemeral(dataDir, 1, pipeline), null);
        assertThat(external.user()).isEqualTo(SecurityMaterial.HTTP_USER);
        try (RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(
                        RegistryClientSettings.withoutUserInfo(url), external)) {
            assertThat(client.subjects()).isNotNull();
        }
    }

    @Test
    void theRightCaAndCredentialsAreServed() {
        try (RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(registry.url(), settings)) {
            int id = client.register("tls-value", Label.getClassSchema());
            assertThat(client.getById(id)).isEqualTo(Label.getClassSchema());
            assertThat(client.subjects()).contains("tls-value");
        }
    }

    @Test
    void aPemFileOfTheCaIsTrustedToo() {
        RegistryClientSettings pem =
                RegistryClientSettings.trusting(material.dir().resolve("ca.crt"), "", "PEM")
                        .withBasicAuth(SecurityMaterial.HTTP_USER, material.httpPassword());
        try (RestSchemaRegistryClient client = new RestSchemaRegistryClient(registry.url(), pem)) {
            assertThat(client.subjects()).isNotNull();
        }
    }

    @Test
    void aWrongPasswordIsAClear401() {
        RegistryClientSettings wrong =
                RegistryClientSettings.trusting(
                                material.truststore(), material.storePassword(), "PKCS12")
                        .withBasicAuth(SecurityMaterial.HTTP_USER, "not-the-password");
        try (RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(registry.url(), wrong)) {
            assertThatThrownBy(client::subjects)
                    .isInstanceOfSatisfying(
                            RegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(401))
                    .hasMessageContaining("refused the credentials of streamdl")
                    .hasMessageNotContaining("not-the-password");
        }
    }

    @Test
    void noCredentialsIsA401NamingTheKeysToSet() {
        RegistryClientSettings anonymous =
                RegistryClientSettings.trusting(
                        material.truststore(), material.storePassword(), "PKCS12");
        try (RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(registry.url(), anonymous)) {
            assertThatThrownBy(client::subjects)
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("HTTP 401")
                    .hasMessageContaining("basic.auth.user.info");
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCaFailsTheHandshakeClearly() {
        RegistryClientSettings untrusting =
                RegistryClientSettings.NONE.withBasicAuth(
                        SecurityMaterial.HTTP_USER, material.httpPassword());
        try (RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(registry.url(), untrusting)) {
            assertThatThrownBy(client::subjects)
                    .isInstanceOfSatisfying(
                            RegistryException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(RegistryException.UNREACHABLE))
                    .hasMessageContaining("TLS handshake failed")
                    .hasMessageContaining("schema.registry.ssl.truststore.location")
                    .hasMessageNotContaining(material.httpPassword());
        }
    }

    @Test
    void aKafkaSerdeConfiguredWithConfluentsKeysAloneGetsThrough() {
        Map<String, Object> configs = new HashMap<>(settings.toConfigs());
        configs.put("schema.registry.url", registry.url());
        configs.put(WireDeserializer.VALUE_TYPE, Label.class.getName());
        Label label = Label.newBuilder().setEventId("e-1").setLabel("cat").setTs(1L).build();
        try (WireSerializer<Label> serializer = new WireSerializer<>();
                WireDeserializer<Label> deserializer = new WireDeserializer<>()) {
            serializer.configure(configs, false);
            deserializer.configure(configs, false);
            byte[] bytes = serializer.serialize("labels.tls", label);
            assertThat(deserializer.deserialize("labels.tls", bytes)).isEqualTo(label);
        }
    }
}
