package io.streamdl.schemas.security;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * How one component authenticates to Kafka: nothing ({@link #PLAINTEXT}), or SCRAM-SHA-512 over TLS
 * as one principal, trusting the certificates of a PKCS12 trust store. Every producer, consumer,
 * admin client, Flink source and sink and Streams app the pipeline builds takes its security
 * properties from here, so a component's principal is the one its ACLs name. The password is never
 * printed ({@link #toString()}).
 *
 * @param protocol {@code PLAINTEXT} or {@code SASL_SSL}
 * @param username the SCRAM user (the principal {@code User:<username>}); empty for plaintext
 * @param password its password; empty for plaintext
 * @param truststore the PKCS12 trust store holding the broker's CA; empty for plaintext
 * @param truststorePassword the trust store's password
 */
public record KafkaClientSecurity(
        String protocol,
        String username,
        String password,
        String truststore,
        String truststorePassword)
        implements Serializable {
    public static final String SASL_SSL = "SASL_SSL";
    public static final String MECHANISM = "SCRAM-SHA-512";

    /** No authentication, no encryption: the default, as before security existed. */
    public static final KafkaClientSecurity PLAINTEXT =
            new KafkaClientSecurity("PLAINTEXT", "", "", "", "");

    public KafkaClientSecurity {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(truststore, "truststore");
        Objects.requireNonNull(truststorePassword, "truststorePassword");
        if (!protocol.equals("PLAINTEXT") && !protocol.equals(SASL_SSL)) {
            throw new IllegalArgumentException(
                    "Kafka security protocol must be PLAINTEXT or SASL_SSL, not " + protocol);
        }
        if (protocol.equals(SASL_SSL) && (username.isBlank() || truststore.isBlank())) {
            throw new IllegalArgumentException("SASL_SSL needs a user name and a trust store");
        }
    }

    /** SCRAM-SHA-512 over TLS as {@code username}. */
    public static KafkaClientSecurity scram(
            String username, String password, String truststore, String truststorePassword) {
        return new KafkaClientSecurity(
                SASL_SSL, username, password, truststore, truststorePassword);
    }

    public boolean enabled() {
        return protocol.equals(SASL_SSL);
    }

    /** The same trust store, as another user. */
    public KafkaClientSecurity as(String otherUser, String otherPassword) {
        return enabled() ? scram(otherUser, otherPassword, truststore, truststorePassword) : this;
    }

    /** The client properties: empty for plaintext, so a plaintext client is built as before. */
    public Map<String, String> clientProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        if (!enabled()) {
            return p;
        }
        p.put("security.protocol", SASL_SSL);
        p.put("sasl.mechanism", MECHANISM);
        p.put("sasl.jaas.config", jaasConfig(username, password));
        p.put("ssl.truststore.location", truststore);
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.password", truststorePassword);
        return p;
    }

    /** Adds {@link #clientProperties()} to {@code props} and returns it. */
    public Properties applyTo(Properties props) {
        props.putAll(clientProperties());
        return props;
    }

    /** The JAAS line of Kafka's SCRAM login module for one user. */
    public static String jaasConfig(String username, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + quoted(username)
                + "\" password=\""
                + quoted(password)
                + "\";";
    }

    private static String quoted(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
        return enabled() ? "SASL_SSL/" + MECHANISM + " as User:" + username : "PLAINTEXT";
    }
}
