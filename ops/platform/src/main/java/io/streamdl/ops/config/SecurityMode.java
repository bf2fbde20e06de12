package io.streamdl.ops.config;

/** {@code kafka.security}: how clients reach Kafka. */
public enum SecurityMode {
    /** No authentication, no TLS, no ACLs: the default. */
    PLAINTEXT,
    /** SCRAM-SHA-512 over TLS, one principal per component, ACLs by {@code StandardAuthorizer}. */
    SASL_SSL
}
