package io.streamdl.schemas.registry;

import io.streamdl.schemas.config.ConfigOption;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a client reaches a secured schema registry: the trust store holding its CA (for HTTPS with a
 * private CA) and the basic-auth user info sent with every request. Read from Confluent's own
 * client property names ({@link #from}), so one properties file configures ours and Confluent's
 * clients. Serializable, so it travels inside a Flink job; the passwords are never printed ({@link
 * #toString()}).
 *
 * @param truststoreLocation a trust store file; empty: the JVM's default trust
 * @param truststorePassword its password (empty for PEM)
 * @param truststoreType {@code JKS}, {@code PKCS12} or {@code PEM} (a file of X.509 certificates)
 * @param userInfo {@code user:password} for basic authentication; empty: none
 */
public record RegistryClientSettings(
        String truststoreLocation,
        String truststorePassword,
        String truststoreType,
        String userInfo)
        implements Serializable {
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String USER_INFO = "basic.auth.user.info";

    /** Confluent's default trust store type. */
    public static final String DEFAULT_TYPE = "JKS";

    private static final Set<String> TYPES = Set.of("JKS", "PKCS12", "PEM");

    public static final ConfigOption<String> TRUSTSTORE_TYPE_OPTION =
            new ConfigOption<>(
                    TRUSTSTORE_TYPE,
                    DEFAULT_TYPE,
                    "type of " + TRUSTSTORE_LOCATION + ": JKS, PKCS12 or PEM (X.509 certificates)",
                    t -> t.toUpperCase(Locale.ROOT),
                    t -> t.equals("JKS") || t.equals("PKCS12") || t.equals("PEM"),
                    "JKS, PKCS12 or PEM");
    public static final ConfigOption<String> CREDENTIALS_SOURCE_OPTION =
            new ConfigOption<>(
                    CREDENTIALS_SOURCE,
                    "URL",
                    "where the registry's basic-auth user info comes from: URL (the user info of"
                            + " schema.registry.url, https://user:password@host:port) or USER_INFO"
                            + " ("
                            + USER_INFO
                            + ")",
                    t -> t.toUpperCase(Locale.ROOT),
                    t -> t.equals("URL") || t.equals("USER_INFO"),
                    "URL or USER_INFO");

    /**
     * Confluent's registry client keys, for an external secured registry (the embedded one of a
     * secured platform needs none: the platform hands its clients what they need).
     */
    public static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    ConfigOption.string(
                            TRUSTSTORE_LOCATION,
                            "",
                            "a trust store holding the CA of an external schema registry served"
                                    + " over TLS; empty: the JVM's default trust"),
                    ConfigOption.secret(TRUSTSTORE_PASSWORD, "the password of that trust store"),
                    TRUSTSTORE_TYPE_OPTION,
                    CREDENTIALS_SOURCE_OPTION,
                    ConfigOption.secret(
                            USER_INFO,
                            "user:password of the schema registry's basic authentication, with "
                                    + CREDENTIALS_SOURCE
                                    + "=USER_INFO"));

    /**
     * The JVM's default trust, no authentication: a registry served in plain HTTP or public TLS.
     */
    public static final RegistryClientSettings NONE =
            new RegistryClientSettings("", "", DEFAULT_TYPE, "");

    public RegistryClientSettings {
        Objects.requireNonNull(truststoreLocation, TRUSTSTORE_LOCATION);
        Objects.requireNonNull(truststorePassword, TRUSTSTORE_PASSWORD);
        Objects.requireNonNull(userInfo, USER_INFO);
        truststoreType =
                truststoreType == null || truststoreType.isBlank()
                        ? DEFAULT_TYPE
                        : truststoreType.strip().toUpperCase(Locale.ROOT);
        if (!TYPES.contains(truststoreType)) {
            throw new IllegalArgumentException(
                    TRUSTSTORE_TYPE + " must be one of JKS, PKCS12 or PEM, not " + truststoreType);
        }
        if (!userInfo.isEmpty() && userInfo.indexOf(':') < 1) {
            throw new IllegalArgumentException(USER_INFO + " must be user:password");
        }
    }

    /** Trusts the certificates of {@code location} (a {@code PKCS12}, {@code JKS} or PEM file). */
    public static RegistryClientSettings trusting(Path location, String password, String type) {
        return new RegistryClientSettings(
                location.toAbsolutePath().toString(), password == null ? "" : password, type, "");
    }

    /** These settings, sending {@code user} and {@code password} with every request. */
    public RegistryClientSettings withBasicAuth(String user, String password) {
        if (user.isBlank() || user.contains(":")) {
            throw new IllegalArgumentException("a basic-auth user must be non-blank, without ':'");
        }
        return new RegistryClientSettings(
                truststoreLocation, truststorePassword, truststoreType, user + ":" + password);
    }

    /**
     * The settings Confluent's client would take from {@code configs}: {@value
     * #TRUSTSTORE_LOCATION}, {@value #TRUSTSTORE_PASSWORD}, {@value #TRUSTSTORE_TYPE} (default
     * JKS), and the user info of {@value #CREDENTIALS_SOURCE}: {@code USER_INFO} reads {@value
     * #USER_INFO}, {@code URL} (the default) the user info of {@code schema.registry.url} ({@code
     * https://user:password@host:port}).
     *
     * @throws IllegalArgumentException naming the key of a bad value
     */
    public static RegistryClientSettings from(Map<String, ?> configs) {
        String source = optional(configs, CREDENTIALS_SOURCE_OPTION);
        String userInfo =
                source.equals("USER_INFO")
                        ? string(configs, USER_INFO)
                        : urlUserInfo(string(configs, "schema.registry.url"));
        return new RegistryClientSettings(
                string(configs, TRUSTSTORE_LOCATION),
                string(configs, TRUSTSTORE_PASSWORD),
                optional(configs, TRUSTSTORE_TYPE_OPTION),
                userInfo);
    }

    private static String optional(Map<String, ?> configs, ConfigOption<String> option) {
        String raw = string(configs, option.key());
        return option.parse(raw.isEmpty() ? option.defaultText() : raw);
    }

    private static String string(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        return value == null ? "" : value.toString().strip();
    }

    /** The decoded {@code user:password} of a URL, or empty when it has none or is no URI. */
    static String urlUserInfo(String url) {
        if (url.isBlank()) {
            return "";
        }
        try {
            String info = URI.create(url.strip()).getUserInfo();
            return info == null ? "" : info;
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** {@code url} without its user info: safe to print, and what requests are sent to. */
    public static String withoutUserInfo(String url) {
        int scheme = url.indexOf("://");
        int at = url.indexOf('@', scheme + 3);
        int slash = url.indexOf('/', scheme + 3);
        if (scheme < 0 || at < 0 || (slash >= 0 && slash < at)) {
            return url;
        }
        return url.substring(0, scheme + 3) + url.substring(at + 1);
    }

    public boolean hasTruststore() {
        return !truststoreLocation.isEmpty();
    }

    public boolean hasBasicAuth() {
        return !userInfo.isEmpty();
    }

    /** The user of the basic authentication; empty without. */
    public String user() {
        return hasBasicAuth() ? userInfo.substring(0, userInfo.indexOf(':')) : "";
    }

    /** The {@code Authorization} header's value, when these settings authenticate. */
    public Optional<String> authorization() {
        if (!hasBasicAuth()) {
            return Optional.empty();
        }
        return Optional.of(
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A TLS context trusting the trust store's certificates only, or empty to use the JVM's.
     *
     * @throws IllegalArgumentException naming {@value #TRUSTSTORE_LOCATION} when it cannot be read
     */
    public Optional<SSLContext> sslContext() {
        if (!hasTruststore()) {
            return Optional.empty();
        }
        Path file = Path.of(truststoreLocation);
        try {
            TrustManagerFactory trust =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(loadTruststore(file));
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            return Optional.of(tls);
        } catch (IOException | GeneralSecurityException e) {
            // the message of a wrong password names no password: "keystore password was incorrect"
            throw new IllegalArgumentException(
                    TRUSTSTORE_LOCATION
                            + ": cannot load "
                            + truststoreType
                            + " trust store "
                            + file
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private KeyStore loadTruststore(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            if (truststoreType.equals("PEM")) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int n = 0;
                for (Certificate c :
                        CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca-" + n++, c);
                }
                if (n == 0) {
                    throw new GeneralSecurityException("no certificate in the PEM file");
                }
                return store;
            }
            KeyStore store = KeyStore.getInstance(truststoreType);
            store.load(in, truststorePassword.isEmpty() ? null : truststorePassword.toCharArray());
            return store;
        }
    }

    /**
     * These settings under Confluent's property names (with {@code basic.auth.credentials.source=
     * USER_INFO} when they authenticate), to hand to a Confluent client or to {@link #from}. Holds
     * the passwords: never log it.
     */
    public Map<String, String> toConfigs() {
        Map<String, String> p = new LinkedHashMap<>();
        if (hasTruststore()) {
            p.put(TRUSTSTORE_LOCATION, truststoreLocation);
            p.put(TRUSTSTORE_TYPE, truststoreType);
            if (!truststorePassword.isEmpty()) {
                p.put(TRUSTSTORE_PASSWORD, truststorePassword);
            }
        }
        if (hasBasicAuth()) {
            p.put(CREDENTIALS_SOURCE, "USER_INFO");
            p.put(USER_INFO, userInfo);
        }
        return p;
    }

    @Override
    public String toString() {
        if (!hasTruststore() && !hasBasicAuth()) {
            return "default trust, no authentication";
        }
        return (hasTruststore()
                        ? "trusting " + truststoreType + " " + truststoreLocation
                        : "default trust")
                + (hasBasicAuth() ? ", basic auth as " + user() : ", no authentication");
    }
}
