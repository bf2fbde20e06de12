package io.streamdl.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.schemas.serde.SerdeConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Confluent's client property names read into {@link RegistryClientSettings} and back. */
class RegistryClientSettingsTest {

    @Test
    void readsConfluentsTrustStoreAndUserInfoKeys() {
        RegistryClientSettings s =
                RegistryClientSettings.from(
                        Map.of(
                                "schema.registry.url", "https://registry:8081",
                                "schema.registry.ssl.truststore.location", "/etc/ca.p12",
                                "schema.registry.ssl.truststore.password", "store-secret",
                                "schema.registry.ssl.truststore.type", "pkcs12",
                                "basic.auth.credentials.source", "USER_INFO",
                                "basic.auth.user.info", "alice:alice-secret"));
        assertThat(s.truststoreLocation()).isEqualTo("/etc/ca.p12");
        assertThat(s.truststorePassword()).isEqualTo("store-secret");
        assertThat(s.truststoreType()).isEqualTo("PKCS12");
        assertThat(s.user()).isEqualTo("alice");
        assertThat(s.authorization()).contains("Basic YWxpY2U6YWxpY2Utc2VjcmV0");
    }

    @Test
    void nothingSetIsThePlainDefault() {
        RegistryClientSettings s =
                RegistryClientSettings.from(Map.of("schema.registry.url", "http://r:8081"));
        assertThat(s).isEqualTo(RegistryClientSettings.NONE);
        assertThat(s.truststoreType()).isEqualTo("JKS");
        assertThat(s.authorization()).isEmpty();
        assertThat(s.sslContext()).isEmpty();
        assertThat(s.toConfigs()).isEmpty();
    }

    @Test
    void theUrlSourceTakesTheUserInfoOfTheRegistryUrl() {
        Map<String, String> configs =
                Map.of(
                        "schema.registry.url", "https://bob:b%40d@registry:8081",
                        "basic.auth.credentials.source", "URL",
                        "basic.auth.user.info", "ignored:ignored");
        assertThat(RegistryClientSettings.from(configs).userInfo()).isEqualTo("bob:b@d");
        // URL is Confluent's default source
        assertThat(
                        RegistryClientSettings.from(
                                        Map.of(
                                                "schema.registry.url",
                                                "https://bob:pw@registry:8081"))
                                .userInfo())
                .isEqualTo("bob:pw");
    }

    @Test
    void theUserInfoSourceIgnoresTheUrlsUserInfo() {
        RegistryClientSettings s =
                RegistryClientSettings.from(
                        Map.of(
                                "schema.registry.url", "https://bob:pw@registry:8081",
                                "basic.auth.credentials.source", "user_info"));
        assertThat(s.hasBasicAuth()).isFalse();
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(
                        () ->
                                RegistryClientSettings.from(
                                        Map.of("basic.auth.credentials.source", "SASL_INHERIT")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("basic.auth.credentials.source");
        assertThatThrownBy(
                        () ->
                                RegistryClientSettings.from(
                                        Map.of("schema.registry.ssl.truststore.type", "BKS")))
                .hasMessageContaining("schema.registry.ssl.truststore.type");
        assertThatThrownBy(
                        () ->
                                RegistryClientSettings.from(
                                        Map.of(
                                                "basic.auth.credentials.source", "USER_INFO",
                                                "basic.auth.user.info", "no-colon")))
                .hasMessageContaining("basic.auth.user.info")
                .hasMessageNotContaining("no-colon");
    }

    @Test
    void anUnreadableTrustStoreNamesItsKeyButNoPassword() {
        RegistryClientSettings s =
                RegistryClientSettings.trusting(
                        Path.of("/nonexistent/ca.p12"), "store-secret", "PKCS12");
        assertThatThrownBy(s::sslContext)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema.registry.ssl.truststore.location")
                .hasMessageContaining("/nonexistent/ca.p12")
                .hasMessageNotContaining("store-secret");
    }

    @Test
    void passwordsAreNeverPrinted() {
        RegistryClientSettings s =
                RegistryClientSettings.trusting(Path.of("/etc/ca.p12"), "store-secret", "PKCS12")
                        .withBasicAuth("alice", "alice-secret");
        assertThat(s.toString())
                .contains("alice", "/etc/ca.p12")
                .doesNotContain("store-secret", "alice-secret");
        SerdeConfig config = SerdeConfig.forValues("https://bob:url-secret@registry:8081", s);
        assertThat(config.toString())
                .contains("https://registry:8081")
                .doesNotContain("url-secret", "store-secret", "alice-secret");
    }

    @Test
    void toConfigsReadsBackToTheSameSettings() {
        RegistryClientSettings s =
                RegistryClientSettings.trusting(Path.of("/etc/ca.pem"), "", "PEM")
                        .withBasicAuth("alice", "pw:with:colons");
        assertThat(s.toConfigs())
                .containsEntry("basic.auth.credentials.source", "USER_INFO")
                .containsEntry("schema.registry.ssl.truststore.type", "PEM")
                .doesNotContainKey("schema.registry.ssl.truststore.password");
        assertThat(RegistryClientSettings.from(s.toConfigs())).isEqualTo(s);
    }

    @Test
    void serdeConfigFromReadsTheClientKeys() {
        SerdeConfig config =
                SerdeConfig.from(
                        Map.of(
                                "schema.registry.url", "https://registry:8081",
                                "auto.register.schemas", "false",
                                "schema.registry.ssl.truststore.location", "/etc/ca.p12",
                                "schema.registry.ssl.truststore.password", "pw",
                                "basic.auth.credentials.source", "USER_INFO",
                                "basic.auth.user.info", "alice:secret"),
                        true);
        assertThat(config.autoRegister()).isFalse();
        assertThat(config.key()).isTrue();
        assertThat(config.client().truststoreLocation()).isEqualTo("/etc/ca.p12");
        assertThat(config.client().user()).isEqualTo("alice");
        assertThat(SerdeConfig.forValues("http://r:8081").client())
                .isEqualTo(RegistryClientSettings.NONE);
        assertThat(new SerdeConfig("http://r:8081", true, false))
                .isEqualTo(SerdeConfig.forValues("http://r:8081"));
    }

    @Test
    void serdeConfigSurvivesJavaSerializationWithItsSettings() throws Exception {
        SerdeConfig config =
                SerdeConfig.forValues(
                        "https://registry:8081",
                        RegistryClientSettings.trusting(Path.of("/etc/ca.p12"), "pw", "PKCS12")
                                .withBasicAuth("alice", "secret"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(config);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(config);
        }
    }

    @Test
    void userInfoIsCutFromAPrintedUrl() {
        assertThat(RegistryClientSettings.withoutUserInfo("https://u:p@host:8081/x"))
                .isEqualTo("https://host:8081/x");
        assertThat(RegistryClientSettings.withoutUserInfo("http://host:8081/a@b"))
                .isEqualTo("http://host:8081/a@b");
        assertThat(RegistryClientSettings.withoutUserInfo("http://host:8081"))
                .isEqualTo("http://host:8081");
    }
}
