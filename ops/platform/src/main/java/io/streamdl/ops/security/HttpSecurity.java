package io.streamdl.ops.security;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.streamdl.ops.platform.PlatformException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * How an HTTP endpoint of the platform (the schema registry, the live page) is served: in the clear
 * and open ({@link #NONE}), or over TLS with the broker's certificate and behind HTTP basic
 * authentication of one user. Passwords are compared in constant time and never printed.
 */
public final class HttpSecurity implements io.streamdl.ingest.HttpServing {
    /** Plain HTTP, no authentication: the default. */
    public static final HttpSecurity NONE = new HttpSecurity(null, null, null);

    private final SSLContext tls;
    private final String user;
    private final byte[] password;

    private HttpSecurity(SSLContext tls, String user, String password) {
        this.tls = tls;
        this.user = user;
        this.password = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
    }

    /** TLS with the key in the PKCS12 {@code keystore} and basic authentication of {@code user}. */
    public static HttpSecurity tlsWithBasicAuth(
            Path keystore, String storePassword, String user, String password) {
        if (user.isBlank() || password.isBlank()) {
            throw new IllegalArgumentException("basic authentication needs a user and a password");
        }
        return new HttpSecurity(serverContext(keystore, storePassword), user, password);
    }

    /** TLS with the broker's certificate of {@code material}, basic auth of its HTTP user. */
    public static HttpSecurity of(SecurityMaterial material) {
        return tlsWithBasicAuth(
                material.keystore(),
                material.storePassword(),
                SecurityMaterial.HTTP_USER,
                material.httpPassword());
    }

    public boolean enabled() {
        return tls != null;
    }

    /** {@code https} or {@code http}. */
    @Override
    public String scheme() {
        return enabled() ? "https" : "http";
    }

    /** A server bound to {@code address}: HTTPS when enabled. Not started. */
    @Override
    public HttpServer create(InetSocketAddress address, int backlog) throws IOException {
        if (!enabled()) {
            return HttpServer.create(address, backlog);
        }
        HttpsServer https = HttpsServer.create(address, backlog);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        return https;
    }

    /** Requires basic authentication on {@code context} when enabled; returns it. */
    @Override
    public HttpContext protect(HttpContext context) {
        if (enabled()) {
            context.setAuthenticator(
                    new BasicAuthenticator("streamdl") {
                        @Override
                        public boolean checkCredentials(String name, String given) {
                            boolean userOk =
                                    MessageDigest.isEqual(
                                            user.getBytes(StandardCharsets.UTF_8),
                                            name.getBytes(StandardCharsets.UTF_8));
                            boolean passwordOk =
                                    MessageDigest.isEqual(
                                            password, given.getBytes(StandardCharsets.UTF_8));
                            return userOk & passwordOk;
                        }
                    });
        }
        return context;
    }

    private static SSLContext serverContext(Path keystore, String storePassword) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, storePassword.toCharArray());
            KeyManagerFactory keys =
                    KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, storePassword.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new PlatformException(
                    "cannot load the TLS key store " + keystore + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return enabled() ? "TLS with basic authentication of " + user : "plain HTTP";
    }
}
