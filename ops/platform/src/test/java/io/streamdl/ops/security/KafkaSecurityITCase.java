package io.streamdl.ops.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.ops.platform.EmbeddedKafka;
import io.streamdl.ops.platform.TopicAdmin;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.topics.TopicSpec;
import io.streamdl.schemas.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker with {@code kafka.security=sasl_ssl}, really started: certificates and
 * passwords made in its data folder, SCRAM-SHA-512 over TLS, {@code StandardAuthorizer} with the
 * pipeline's ACLs. Clients without the right credentials are refused; a component's principal can
 * do what its ACLs grant and nothing else.
 */
class KafkaSecurityITCase {
    @TempDir static Path dataDir;
    private static SecurityMaterial material;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startSecuredBroker() {
        material = SecurityMaterial.prepare(dataDir.resolve("security"), "127.0.0.1");
        kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), "127.0.0.1", 0, 0, 1, material);
        BrokerSecurity.install(kafka.bootstrapServers(), material);
        // as every later start does: the same users and ACLs again change nothing
        BrokerSecurity.install(kafka.bootstrapServers(), material);
        List<TopicSpec<?>> topics =
                List.of(
                        Topics.EVENTS_RAW,
                        Topics.DLQ,
                        Topics.models("image"),
                        Topics.scores("image"),
                        Topics.features("image"));
        try (TopicAdmin admin =
                new TopicAdmin(kafka.bootstrapServers(), material.client(Principal.ADMIN))) {
            admin.ensure(topics, 1);
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theMaterialIsMadeInTheDataFolderWithPasswordsForTheOwnerOnly() throws Exception {
        Path dir = dataDir.resolve("security");
        assertThat(dir.resolve(SecurityMaterial.KEYSTORE)).exists();
        assertThat(dir.resolve(SecurityMaterial.TRUSTSTORE)).exists();
        assertThat(
                        PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(
                                        dir.resolve(SecurityMaterial.CREDENTIALS))))
                .isEqualTo("rw-------");
        // a second start reuses the passwords the broker already knows
        assertThat(SecurityMaterial.prepare(dir, "127.0.0.1").password(Principal.SCORER))
                .isEqualTo(material.password(Principal.SCORER));
    }

    @Test
    void aClientWithoutCredentialsIsRefused() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000);
        // plaintext on the TLS listener: the broker never answers a request
        try (Admin admin = Admin.create(p)) {
            assertThatThrownBy(() -> admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
        }
        // TLS and SCRAM, but as a user the broker does not know
        KafkaClientSecurity stranger =
                material.client(Principal.SCORER).as("stranger", "any-password");
        assertThatThrownBy(() -> clusterId(stranger))
                .hasCauseInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void aWrongPasswordIsRefused() throws Exception {
        KafkaClientSecurity wrong =
                material.client(Principal.SCORER).as(Principal.SCORER.user(), "not-the-password");
        assertThatThrownBy(() -> clusterId(wrong))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SaslAuthenticationException.class)
                .cause()
                .hasMessageContaining("Authentication failed");
        // the right one gets in, so the refusal above is the password's
        assertThat(clusterId(material.client(Principal.SCORER))).isNotBlank();
    }

    @Test
    void theScorerWritesScoresAndDeadLettersButNoModelUpdate() throws Exception {
        try (KafkaProducer<byte[], byte[]> scorer = producer(Principal.SCORER)) {
            assertThat(send(scorer, "scores.image").offset()).isNotNegative();
            assertThat(send(scorer, "dlq").offset()).isNotNegative();
            assertThatThrownBy(() -> send(scorer, "models.image"))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TopicAuthorizationException.class)
                    .cause()
                    .hasMessageContaining("models.image");
        }
        // the trainer may: the refusal is the scorer's principal's, not the topic's
        try (KafkaProducer<byte[], byte[]> trainer = producer(Principal.TRAINER)) {
            assertThat(send(trainer, "models.image").offset()).isNotNegative();
        }
    }

    @Test
    void ingestWritesEventsOnly() throws Exception {
        try (KafkaProducer<byte[], byte[]> ingest = producer(Principal.INGEST)) {
            assertThat(send(ingest, "events.raw").offset()).isNotNegative();
            assertThatThrownBy(() -> send(ingest, "scores.image"))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    private static String clusterId(KafkaClientSecurity security) throws Exception {
        return TestingKafka.clusterId(kafka.bootstrapServers(), security);
    }

    private static KafkaProducer<byte[], byte[]> producer(Principal principal) {
        return TestingKafka.producer(kafka.bootstrapServers(), material.client(principal));
    }

    private static RecordMetadata send(KafkaProducer<byte[], byte[]> producer, String topic)
            throws Exception {
        return TestingKafka.sendOne(producer, topic);
    }
}
