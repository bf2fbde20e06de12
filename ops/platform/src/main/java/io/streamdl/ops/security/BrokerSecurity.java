package io.streamdl.ops.security;

import io.streamdl.ops.platform.PlatformException;
import io.streamdl.schemas.security.KafkaClientSecurity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

/**
 * A secured broker's settings and set-up. Clients connect on a {@code SASL_SSL} listener with
 * SCRAM-SHA-512; the brokers talk to each other there as {@link Principal#ADMIN}. The KRaft
 * controller listener is TLS with client certificates: only a holder of the broker's key (the
 * brokers themselves, principal {@value #BROKER_PRINCIPAL}) gets in. {@code StandardAuthorizer}
 * allows only what {@link PipelineAcls} grants; the admin and the brokers are super users.
 */
public final class BrokerSecurity {
    public static final String LISTENER = "SASL_SSL";
    public static final String BROKER_PRINCIPAL = "User:CN=streamdl-broker";
    private static final long TIMEOUT_MS = 30_000;

    private BrokerSecurity() {}

    /**
     * The broker settings of the listeners ({@code SASL_SSL://host:port} for clients and brokers,
     * {@code CONTROLLER://host:controllerPort} with mutual TLS), TLS, SCRAM and the authorizer,
     * which replace a plaintext broker's listener settings.
     */
    public static Map<String, String> brokerProperties(
            SecurityMaterial material, String host, int port, int controllerPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(
                "listeners",
                LISTENER
                        + "://"
                        + host
                        + ":"
                        + port
                        + ",CONTROLLER://"
                        + host
                        + ":"
                        + controllerPort);
        p.put("advertised.listeners", LISTENER + "://" + host + ":" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", LISTENER);
        p.put("listener.security.protocol.map", LISTENER + ":SASL_SSL,CONTROLLER:SSL");
        p.put("sasl.enabled.mechanisms", KafkaClientSecurity.MECHANISM);
        p.put("sasl.mechanism.inter.broker.protocol", KafkaClientSecurity.MECHANISM);
        p.put(
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                KafkaClientSecurity.jaasConfig(
                        Principal.ADMIN.user(), material.password(Principal.ADMIN)));
        p.put("listener.name.controller.ssl.client.auth", "required");
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.location", material.keystore().toAbsolutePath().toString());
        p.put("ssl.keystore.password", material.storePassword());
        p.put("ssl.key.password", material.storePassword());
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.location", material.truststore().toAbsolutePath().toString());
        p.put("ssl.truststore.password", material.storePassword());
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", Principal.ADMIN.kafkaPrincipal() + ";" + BROKER_PRINCIPAL);
        p.put("allow.everyone.if.no.acl.found", "false");
        return p;
    }

    /**
     * The {@code --add-scram} argument that puts the admin's credential into the storage at format
     * time, before the broker can authenticate anyone (the brokers log in to each other with it).
     */
    public static String adminScramArgument(SecurityMaterial material) {
        return KafkaClientSecurity.MECHANISM
                + "=[name="
                + Principal.ADMIN.user()
                + ",password="
                + material.password(Principal.ADMIN)
                + "]";
    }

    /**
     * Creates (or updates) every component's SCRAM credential and the ACLs of {@link PipelineAcls},
     * as the admin; repeating it changes nothing.
     */
    public static void install(String bootstrap, SecurityMaterial material) {
        Properties props = material.client(Principal.ADMIN).applyTo(new Properties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
        try (Admin admin = Admin.create(props)) {
            List<UserScramCredentialAlteration> users = new ArrayList<>();
            for (Principal p : Principal.values()) {
                if (p != Principal.ADMIN) {
                    users.add(
                            new UserScramCredentialUpsertion(
                                    p.user(),
                                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                                    material.password(p)));
                }
            }
            admin.alterUserScramCredentials(users).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            admin.createAcls(PipelineAcls.all()).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new PlatformException(
                    "cannot set up the credentials and ACLs of the pipeline's principals on "
                            + bootstrap
                            + ": "
                            + cause,
                    cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlatformException("interrupted setting up Kafka's ACLs", e);
        }
    }
}
