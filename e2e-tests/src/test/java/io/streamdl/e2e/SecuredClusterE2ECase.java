package io.streamdl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.Events;
import io.streamdl.ops.cluster.ClusterLayout;
import io.streamdl.ops.cluster.LocalCluster;
import io.streamdl.ops.security.Principal;
import io.streamdl.ops.security.SecurityMaterial;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.registry.RegistryException;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local multi-process cluster set up with {@code --security sasl_ssl}, its three brokers and
 * its registry process really started as child JVMs (Flink is left out: the jobs' principals are
 * {@code SecuredPipelineITCase}'s): a client without credentials or with a wrong password is
 * refused, the scorer's principal cannot write {@code models.image}, and the registry process
 * serves only HTTPS with basic auth, reached through nothing but the Confluent keys of the {@code
 * pipeline.properties} that {@code cluster up} writes; its schemas survive a {@code kill -9}.
 */
class SecuredClusterE2ECase {
    private static final int EVENTS = 50;

    @TempDir Path dir;

    @Test
    void securedClusterRefusesStrangersAndServesTheRegistryOverTls() throws Exception {
        LocalCluster cluster =
                LocalCluster.create(
                        ClusterLayout.allocate(dir.resolve("cluster"), "127.0.0.1", 0, 2, 2, true));
        try {
            cluster.startKafkaAndRegistry();
            ClusterLayout layout = cluster.layout();
            SecurityMaterial material = SecurityMaterial.existing(layout.securityDir());
            Map<String, String> settings = layout.pipelineSettings();
            assertThat(settings)
                    .containsEntry("kafka.security", "sasl_ssl")
                    .containsEntry("schema.registry.url", layout.registryUrl())
                    .containsKey(RegistryClientSettings.TRUSTSTORE_LOCATION)
                    .containsEntry(RegistryClientSettings.CREDENTIALS_SOURCE, "USER_INFO");
            assertThat(layout.registryUrl()).startsWith("https://");

            assertBrokersRefuseStrangers(layout, material);
            assertRegistryServesOnlyTlsWithBasicAuth(layout);

            // an outside client configured by the file's keys alone: Avro events through the
            // TLS registry, written as the ingest principal, all readable by the dashboard's
            RegistryClientSettings fromFile = RegistryClientSettings.from(settings);
            try (EventSender sender =
                    new EventSender(
                            layout.bootstrapServers(),
                            layout.registryUrl(),
                            fromFile,
                            Duration.ofMillis(100),
                            material.client(Principal.INGEST))) {
                long now = System.currentTimeMillis();
                for (int i = 0; i < EVENTS; i++) {
                    sender.send(
                            Events.metric("sec-" + i, now + i, "secured", "host-0", i, Map.of()));
                }
                sender.flush();
            }
            assertThat(
                            readAll(
                                    layout,
                                    material.client(Principal.DASHBOARD),
                                    Topics.EVENTS_RAW.name()))
                    .isEqualTo(EVENTS);
            List<String> subjects;
            try (RestSchemaRegistryClient registry =
                    new RestSchemaRegistryClient(layout.registryUrl(), fromFile)) {
                subjects = registry.subjects();
            }
            assertThat(subjects).isNotEmpty();

            // the registry keeps its schemas in _schemas, written as its own principal over
            // SASL_SSL: a kill -9 and a restart lose none of them
            cluster.registry().kill();
            long killed = System.nanoTime();
            cluster.registry().start();
            List<String> after = awaitSubjects(layout, fromFile, Duration.ofSeconds(60));
            System.out.printf(
                    "secured cluster: %d events through the TLS registry as User:ingest;"
                            + " registry back after kill -9 in %.1f s with %d of %d subjects%n",
                    EVENTS, (System.nanoTime() - killed) / 1e9, after.size(), subjects.size());
            assertThat(after).containsExactlyInAnyOrderElementsOf(subjects);
        } finally {
            cluster.stop();
        }
    }

    private static void assertBrokersRefuseStrangers(
            ClusterLayout layout, SecurityMaterial material) throws Exception {
        // TLS and SCRAM, but a wrong password
        KafkaClientSecurity wrong =
                material.client(Principal.SCORER).as(Principal.SCORER.user(), "not-the-password");
        assertThatThrownBy(() -> clusterId(layout, wrong))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SaslAuthenticationException.class);
        // a user the brokers do not know
        KafkaClientSecurity stranger =
                material.client(Principal.SCORER).as("stranger", "any-password");
        assertThatThrownBy(() -> clusterId(layout, stranger))
                .hasCauseInstanceOf(SaslAuthenticationException.class);
        // the right password gets in, so the refusals above are the credentials'
        assertThat(clusterId(layout, material.client(Principal.SCORER))).isNotBlank();
        try (KafkaProducer<byte[], byte[]> scorer =
                producer(layout, material.client(Principal.SCORER))) {
            assertThat(send(scorer, "scores.image")).isNotNegative();
            assertThatThrownBy(() -> send(scorer, "models.image"))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        // every broker holds the ACLs: the trainer may write the model topic through any leader
        try (KafkaProducer<byte[], byte[]> trainer =
                producer(layout, material.client(Principal.TRAINER))) {
            assertThat(send(trainer, "models.image")).isNotNegative();
        }
        Path file = layout.securityDir().resolve(SecurityMaterial.CREDENTIALS);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
    }

    private static void assertRegistryServesOnlyTlsWithBasicAuth(ClusterLayout layout) {
        RegistryClientSettings right = layout.registrySettings();
        RegistryClientSettings trustOnly =
                RegistryClientSettings.from(
                        Map.of(
                                RegistryClientSettings.TRUSTSTORE_LOCATION,
                                layout.securityDir().resolve(SecurityMaterial.TRUSTSTORE),
                                RegistryClientSettings.TRUSTSTORE_PASSWORD,
                                SecurityMaterial.existing(layout.securityDir()).storePassword(),
                                RegistryClientSettings.TRUSTSTORE_TYPE,
                                "PKCS12"));
        // no credentials, then a wrong password: 401
        assertThat(registryStatus(layout.registryUrl(), trustOnly)).isEqualTo(401);
        assertThat(
                        registryStatus(
                                layout.registryUrl(),
                                trustOnly.withBasicAuth(SecurityMaterial.HTTP_USER, "wrong")))
                .isEqualTo(401);
        // the JVM's default trust does not know the cluster's CA
        assertThat(registryStatus(layout.registryUrl(), RegistryClientSettings.NONE)).isZero();
        // plain HTTP on the same port gets no answer
        assertThat(registryStatus(layout.registryUrl().replace("https://", "http://"), right))
                .isZero();
        assertThat(registryStatus(layout.registryUrl(), right)).isEqualTo(200);
    }

    /** 200 if the registry lists its subjects, else its HTTP status (0: no HTTP answer). */
    private static int registryStatus(String url, RegistryClientSettings settings) {
        try (RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(url, Duration.ofSeconds(5), settings)) {
            client.subjects();
            return 200;
        } catch (RegistryException e) {
            return e.httpStatus();
        }
    }

    private static List<String> awaitSubjects(
            ClusterLayout layout, RegistryClientSettings settings, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (RestSchemaRegistryClient client =
                    new RestSchemaRegistryClient(
                            layout.registryUrl(), Duration.ofSeconds(3), settings)) {
                return client.subjects();
            } catch (RegistryException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private static String clusterId(ClusterLayout layout, KafkaClientSecurity security)
            throws Exception {
        return TestingKafka.clusterId(layout.bootstrapServers(), security);
    }

    private static KafkaProducer<byte[], byte[]> producer(
            ClusterLayout layout, KafkaClientSecurity security) {
        return TestingKafka.producer(layout.bootstrapServers(), security);
    }

    private static long send(KafkaProducer<byte[], byte[]> producer, String topic)
            throws Exception {
        return TestingKafka.sendOne(producer, topic).offset();
    }

    /** The records of {@code topic} a read_committed reader sees within 30 s. */
    private static int readAll(ClusterLayout layout, KafkaClientSecurity security, String topic) {
        Properties p = security.applyTo(new Properties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, layout.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        int seen = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(15))) {
                parts.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen < EVENTS && System.nanoTime() < deadline) {
                seen += consumer.poll(Duration.ofMillis(500)).count();
            }
        }
        return seen;
    }
}
