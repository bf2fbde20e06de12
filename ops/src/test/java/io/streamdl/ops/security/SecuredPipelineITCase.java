package io.streamdl.ops.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.jobs.JobRunner;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.web.LivePage;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RegistryClientSettings;
import io.streamdl.schemas.registry.RegistryException;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.scoring.dashboard.DashboardAggregates;
import io.streamdl.scoring.dashboard.DashboardAggregatesApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline's own jobs on a broker with {@code kafka.security=sasl_ssl}, started the way {@code
 * ./pipeline up} starts them: the EncodeJob (with its fused scorer) as {@code encoder}, the
 * TrainJob as {@code trainer}, the dashboard aggregates as {@code streams}, HTTP-free ingest as
 * {@code ingest}. Labelled events go in; the trainer publishes a signed model, the scorer serves
 * it, scores and dashboard metrics come out, read by the read-only {@code dashboard} principal. The
 * embedded schema registry is served over TLS behind basic auth, and every client of it (the jobs'
 * serdes inside Flink, the Streams app, ingest) reaches it with the platform's settings.
 */
class SecuredPipelineITCase {
    private static final String CATALOGUE =
            """
            {"models": [{
              "name": "image", "encoder": "image", "family": "cnn", "labels": "fashion-mnist",
              "params": {"conv1Channels": 4, "conv2Channels": 8, "kernelSize": 3,
                         "denseUnits": 16, "batchNorm": false, "dropout": 0.0},
              "trainer": {"trainer.publish.every-examples": "16",
                          "trainer.publish.every-seconds": "600"}
            }]}
            """;

    @TempDir Path dataDir;

    @Test
    void eventsAreScoredThroughTheSecuredBrokerByEachComponentsOwnPrincipal() throws Exception {
        Path catalogue = dataDir.resolve("catalogue.json");
        Files.writeString(catalogue, CATALOGUE);
        Map<String, String> settings = new HashMap<>();
        settings.put("kafka.security", "sasl_ssl");
        settings.put("models.catalogue", catalogue.toString());
        settings.put("models.hmac.key", "a-test-hmac-key-of-32-bytes-long");
        settings.put("flink.checkpoint.interval-ms", "500");
        settings.put("dashboard.windows-ms", "1000");
        settings.put("dashboard.grace-ms", "0");
        settings.put("web.port", "0");
        try (Platform platform = Platform.start(PlatformConfig.ephemeral(dataDir, 4, settings))) {
            assertThat(platform.addresses().get("Kafka")).contains("SASL_SSL");
            assertRegistryIsGuarded(platform);
            PipelineJobs jobs = new PipelineJobs(platform);
            JobRunner runner = new JobRunner(platform);
            List<String> names = new ArrayList<>(jobs.submitEncodeAndScore(runner));
            names.addAll(jobs.submitTrainers(runner));
            assertThat(names).containsExactly("EncodeJob (scoring image)", "TrainJob-image");
            DashboardAggregatesApp dashboard = jobs.startDashboardAggregates();
            assertHttpEndpointsAreGuarded(platform, dashboard);
            FashionMnist images = FashionMnist.sample(FashionMnist.Split.TRAIN);
            try (EventSender sender =
                    new EventSender(
                            platform.bootstrapServers(),
                            platform.registryUrl(),
                            platform.registrySettings(),
                            Duration.ofMillis(200),
                            platform.kafkaSecurity(Principal.INGEST))) {
                AtomicInteger sent = new AtomicInteger();
                Runnable sendOne = () -> send(sender, images, sent.getAndIncrement());
                for (int i = 0; i < 48; i++) {
                    sendOne.run();
                }
                sender.flush();
                try (RestSchemaRegistryClient registry = platform.registryClient()) {
                    AvroWireDeserializer<Score> scores =
                            AvroWireDeserializer.specific(registry, Score.class);
                    ConsumerRecord<byte[], byte[]> scored =
                            readAsDashboard(
                                    platform,
                                    "scores.image",
                                    r -> true,
                                    Duration.ofSeconds(180),
                                    () -> {});
                    Score first = scores.deserialize("scores.image", scored.value());
                    assertThat(first.getModel()).isEqualTo("image");
                    assertThat(first.getModelVersion())
                            .as("a trained, verified model")
                            .isPositive();
                    AvroWireDeserializer<DashboardMetric> metrics =
                            AvroWireDeserializer.specific(registry, DashboardMetric.class);
                    // throughput comes from the aggregates app alone (the trainer writes others)
                    readAsDashboard(
                            platform,
                            "dashboard.metrics",
                            r ->
                                    metrics.deserialize("dashboard.metrics", r.value())
                                            .getMetric()
                                            .equals(DashboardAggregates.THROUGHPUT),
                            Duration.ofSeconds(60),
                            // later scores move stream time past the end of a window
                            sendOne);
                    assertThat(dashboard.state()).isEqualTo(KafkaStreams.State.RUNNING);
                    // written by the sender, the scorer in Flink and the Streams app, each
                    // through the TLS registry with the platform's credentials
                    assertThat(registry.subjects())
                            .contains(
                                    "events.raw-value",
                                    "scores.image-value",
                                    "dashboard.metrics-value");
                }
            } finally {
                dashboard.close();
            }
        }
    }

    /**
     * The embedded schema registry: over TLS with the platform's certificate, 401 without or with
     * wrong credentials, served with the right ones, no answer in plain HTTP; a client without the
     * platform's settings is refused with a clear message.
     */
    private static void assertRegistryIsGuarded(Platform platform) throws Exception {
        SecurityMaterial material = platform.securityMaterial();
        URI subjects = URI.create(platform.registryUrl() + "/subjects");
        assertThat(subjects.getScheme()).isEqualTo("https");
        assertThat(platform.addresses().get("Schema registry"))
                .startsWith("https://")
                .contains("basic auth as " + SecurityMaterial.HTTP_USER)
                .doesNotContain(material.httpPassword());
        HttpClient https =
                HttpClient.newBuilder()
                        .sslContext(material.clientTls())
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
        String right = SecurityMaterial.HTTP_USER + ":" + material.httpPassword();
        assertThat(send(https, subjects, null, null).statusCode()).isEqualTo(401);
        assertThat(send(https, subjects, SecurityMaterial.HTTP_USER + ":wrong", null).statusCode())
                .isEqualTo(401);
        assertThat(send(https, subjects, right, null).statusCode()).isEqualTo(200);
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI clear = URI.create(subjects.toString().replace("https://", "http://"));
        assertThatThrownBy(() -> send(plain, clear, right, null))
                .isInstanceOf(java.io.IOException.class);
        RegistryClientSettings noCredentials =
                RegistryClientSettings.trusting(
                        material.truststore(), material.storePassword(), "PKCS12");
        try (RestSchemaRegistryClient anonymous =
                new RestSchemaRegistryClient(platform.registryUrl(), noCredentials)) {
            assertThatThrownBy(anonymous::subjects)
                    .isInstanceOfSatisfying(
                            RegistryException.class,
                            e -> assertThat(e.httpStatus()).isEqualTo(401));
        }
    }

    /**
     * The HTTP ingest endpoint and the live page with its {@code /metrics}: over TLS with the
     * platform's certificate, 401 without or with wrong credentials, served with the right ones,
     * and no answer in plain HTTP.
     */
    private static void assertHttpEndpointsAreGuarded(
            Platform platform, DashboardAggregatesApp dashboard) throws Exception {
        SecurityMaterial material = platform.securityMaterial();
        HttpClient https =
                HttpClient.newBuilder()
                        .sslContext(material.clientTls())
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
        String right = SecurityMaterial.HTTP_USER + ":" + material.httpPassword();
        String wrong = SecurityMaterial.HTTP_USER + ":not-the-password";
        URI ingest = URI.create(platform.ingestUrl() + "/ingest/text");
        assertThat(ingest.getScheme()).isEqualTo("https");
        assertThat(send(https, ingest, null, "hello").statusCode()).isEqualTo(401);
        assertThat(send(https, ingest, wrong, "hello").statusCode()).isEqualTo(401);
        HttpResponse<String> accepted = send(https, ingest, right, "hello");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
        assertThat(accepted.body()).contains("\"offset\"");
        try (LivePage page = LivePage.start(platform, dashboard.config())) {
            URI metrics = URI.create(page.url() + "metrics");
            assertThat(metrics.getScheme()).isEqualTo("https");
            assertThat(send(https, metrics, null, null).statusCode()).isEqualTo(401);
            assertThat(send(https, metrics, wrong, null).statusCode()).isEqualTo(401);
            HttpResponse<String> scraped = send(https, metrics, right, null);
            assertThat(scraped.statusCode()).isEqualTo(200);
            assertThat(scraped.body()).contains("# TYPE");
            HttpClient plain =
                    HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI clear = URI.create(metrics.toString().replace("https://", "http://"));
            assertThatThrownBy(() -> send(plain, clear, right, null))
                    .isInstanceOf(java.io.IOException.class);
        }
    }

    /** A GET, or a POST of {@code body} when given, with basic auth when {@code user} is given. */
    private static HttpResponse<String> send(
            HttpClient client, URI uri, String userColonPassword, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (body != null) {
            request.header("Content-Type", "text/plain; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
        }
        if (userColonPassword != null) {
            request.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(
                                            userColonPassword.getBytes(StandardCharsets.UTF_8)));
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void send(EventSender sender, FashionMnist images, int i) {
        int n = i % images.size();
        sender.send(
                Events.image(
                        "sec-" + i,
                        System.currentTimeMillis(),
                        "security-it",
                        "image/png",
                        ImageCodecs.png(images.image(n), 28, 28),
                        28,
                        28,
                        Map.of()),
                images.className(n));
    }

    /**
     * The first committed record of {@code topic} that {@code wanted} accepts, read as {@code
     * dashboard} without a group.
     */
    private static ConsumerRecord<byte[], byte[]> readAsDashboard(
            Platform platform,
            String topic,
            Predicate<ConsumerRecord<byte[], byte[]>> wanted,
            Duration timeout,
            Runnable meanwhile) {
        Properties p = platform.kafkaSecurity(Principal.DASHBOARD).applyTo(new Properties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                meanwhile.run();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (wanted.test(r)) {
                        return r;
                    }
                }
            }
        }
        throw new AssertionError("no such record on " + topic + " within " + timeout);
    }
}
