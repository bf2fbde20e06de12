package io.streamdl.ops.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.ops.registry.SchemaRegistryServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema registry served over TLS (the certificate made in the data folder) behind basic
 * authentication, really started on a free port: a request without or with wrong credentials is
 * answered 401, with the right ones 200; plain HTTP gets no answer.
 */
class RegistryHttpSecurityTest {
    @TempDir static Path dataDir;
    private static SecurityMaterial material;
    private static SchemaRegistryServer registry;
    private static HttpClient https;

    @BeforeAll
    static void start() throws Exception {
        material = SecurityMaterial.prepare(dataDir.resolve("security"), "127.0.0.1");
        registry = SchemaRegistryServer.startInMemory("127.0.0.1", 0, HttpSecurity.of(material));
        https =
                HttpClient.newBuilder()
                        .sslContext(material.clientTls())
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void theRegistryIsServedOverTls() {
        assertThat(registry.url()).startsWith("https://127.0.0.1:");
    }

    @Test
    void aRequestWithoutCredentialsIsRefused() throws Exception {
        assertThat(get(null).statusCode()).isEqualTo(401);
    }

    @Test
    void aWrongPasswordIsRefused() throws Exception {
        assertThat(get(SecurityMaterial.HTTP_USER + ":not-the-password").statusCode())
                .isEqualTo(401);
        assertThat(get("someone-else:" + material.httpPassword()).statusCode()).isEqualTo(401);
    }

    @Test
    void theRightCredentialsAreServed() throws Exception {
        HttpResponse<String> ok = get(SecurityMaterial.HTTP_USER + ":" + material.httpPassword());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("[]");
    }

    @Test
    void plainHttpGetsNoAnswer() {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create(registry.url().replace("https://", "http://") + "/subjects");
        assertThatThrownBy(
                        () ->
                                plain.send(
                                        HttpRequest.newBuilder(uri)
                                                .timeout(Duration.ofSeconds(5))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    private static HttpResponse<String> get(String userColonPassword) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(registry.url() + "/subjects"))
                        .timeout(Duration.ofSeconds(10));
        if (userColonPassword != null) {
            request.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(
                                            userColonPassword.getBytes(StandardCharsets.UTF_8)));
        }
        return https.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
