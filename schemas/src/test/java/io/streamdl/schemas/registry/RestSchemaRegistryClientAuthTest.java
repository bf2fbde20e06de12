package io.streamdl.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The basic-auth header of {@link RestSchemaRegistryClient}, against a plain-HTTP stand-in that
 * answers {@code /subjects} to {@code alice:secret} only (TLS is tested with the real registry in
 * ops/platform).
 */
class RestSchemaRegistryClientAuthTest {
    private static final String RIGHT = "Basic YWxpY2U6c2VjcmV0"; // alice:secret

    private HttpServer server;
    private String url;
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/subjects", this::answer);
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        seen.add(auth == null ? "" : auth);
        boolean ok = RIGHT.equals(auth);
        byte[] body = (ok ? "[\"s-value\"]" : "").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(ok ? 200 : 401, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Test
    void everyRequestCarriesTheUserInfo() {
        try (RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(
                        url, RegistryClientSettings.NONE.withBasicAuth("alice", "secret"))) {
            assertThat(client.subjects()).containsExactly("s-value");
            assertThat(client.subjects()).containsExactly("s-value");
        }
        assertThat(seen).containsExactly(RIGHT, RIGHT);
    }

    @Test
    void userInfoInTheUrlIsUsedAndNeverShown() {
        String withUser = url.replace("http://", "http://alice:secret@");
        try (RestSchemaRegistryClient client = new RestSchemaRegistryClient(withUser)) {
            assertThat(client.subjects()).containsExactly("s-value");
            assertThat(client.baseUrl()).isEqualTo(url);
            assertThat(client.toString()).doesNotContain("secret");
        }
    }

    @Test
    void aWrongPasswordIsAClear401() {
        try (RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(
                        url, RegistryClientSettings.NONE.withBasicAuth("alice", "wrong-one"))) {
            assertThatThrownBy(client::subjects)
                    .isInstanceOfSatisfying(
                            RegistryException.class,
                            e -> {
                                assertThat(e.httpStatus()).isEqualTo(401);
                                assertThat(e.errorCode()).isEqualTo(RegistryException.UNAUTHORIZED);
                            })
                    .hasMessageContaining("refused the credentials of alice")
                    .hasMessageNotContaining("wrong-one");
        }
    }

    @Test
    void noCredentialsSaysWhichKeysToSet() {
        try (RestSchemaRegistryClient client = new RestSchemaRegistryClient(url)) {
            assertThatThrownBy(client::subjects)
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("HTTP 401")
                    .hasMessageContaining("basic.auth.user.info");
        }
        assertThat(seen).containsExactly("");
    }
}
