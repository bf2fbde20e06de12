package io.streamdl.ops.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.SerdeException;
import io.streamdl.schemas.serde.WireDeserializer;
import io.streamdl.schemas.testing.SampleRecords;
import io.streamdl.schemas.topics.Topic;
import io.streamdl.schemas.topics.Topics;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded platform, really started: broker, registry on the _schemas topic, Flink. */
class PlatformITCase {
    @TempDir Path dataDir;

    private PlatformConfig config(Map<String, String> extra) {
        Map<String, String> settings =
                new HashMap<>(
                        Map.of(
                                "data.dir",
                                dataDir.toString(),
                                "kafka.port",
                                "0",
                                "kafka.controller.port",
                                "0",
                                "registry.port",
                                "0",
                                "flink.rest.port",
                                "0",
                                "ingest.port",
                                "0",
                                "flink.slots",
                                "1"));
        settings.putAll(extra);
        return PlatformConfig.from(settings);
    }

    @Test
    void plainClientsProduceAndConsumeAndIdsSurviveARestart() throws Exception {
        Map<String, Integer> idsBefore = new HashMap<>();
        RawEvent event = SampleRecords.imageEvent("evt-1", 3000);
        try (Platform platform = Platform.start(config(Map.of()))) {
            HttpResponse<String> subjects =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            platform.registryUrl() + "/subjects"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            assertThat(subjects.statusCode()).isEqualTo(200);
            assertThat(subjects.body()).isEqualTo("[]");
            assertThat(
                            HttpClient.newHttpClient()
                                    .send(
                                            HttpRequest.newBuilder(
                                                            platform.flinkRestAddress()
                                                                    .resolve("/overview"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.ofString())
                                    .body())
                    .contains("taskmanagers");

            HttpResponse<String> ingested =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            platform.ingestUrl() + "/ingest/text"))
                                            .header("X-Event-Id", "http-1")
                                            .POST(
                                                    HttpRequest.BodyPublishers.ofString(
                                                            "a text sent over HTTP"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            assertThat(ingested.statusCode()).as(ingested.body()).isEqualTo(200);
            assertThat(ingested.body()).contains("\"id\":\"http-1\"").contains("events.raw");

            try (RestSchemaRegistryClient registry =
                            new RestSchemaRegistryClient(platform.registryUrl());
                    TopicAdmin admin = new TopicAdmin(platform.bootstrapServers())) {
                assertThat(admin.describe())
                        .extracting(TopicAdmin.TopicInfo::name)
                        .containsAll(Topics.all().stream().map(t -> t.name()).toList());
                // stream topics stamp records on arrival, so old event times cannot expire them;
                // a topic that existed without that setting gets it
                try (org.apache.kafka.clients.admin.Admin plain =
                        org.apache.kafka.clients.admin.Admin.create(
                                Map.of("bootstrap.servers", platform.bootstrapServers()))) {
                    plain.createTopics(
                                    List.of(
                                            new org.apache.kafka.clients.admin.NewTopic(
                                                    "features.legacy", 1, (short) 1)))
                            .all()
                            .get();
                    admin.ensure(List.of(Topics.features("legacy")), 1);
                    for (String topic : List.of("events.raw", "features.legacy")) {
                        var resource =
                                new org.apache.kafka.common.config.ConfigResource(
                                        org.apache.kafka.common.config.ConfigResource.Type.TOPIC,
                                        topic);
                        assertThat(
                                        plain.describeConfigs(List.of(resource))
                                                .all()
                                                .get()
                                                .get(resource)
                                                .get("message.timestamp.type")
                                                .value())
                                .as(topic)
                                .isEqualTo("LogAppendTime");
                    }
                }

                Topic<String, RawEvent> raw =
                        Topics.EVENTS_RAW.bind(registry, platform.registryUrl());
                try (KafkaProducer<String, RawEvent> producer =
                        new KafkaProducer<>(
                                producerProps(platform),
                                raw.keySerde().serializer(),
                                raw.valueSerde().serializer())) {
                    for (int i = 0; i < 49; i++) {
                        producer.send(new ProducerRecord<>(raw.name(), "evt-" + i, event)).get();
                    }
                    // A 20 MiB model update fits the model topic.
                    Topic<String, ModelUpdate> models =
                            Topics.models("image").bind(registry, platform.registryUrl());
                    try (KafkaProducer<String, ModelUpdate> big =
                            new KafkaProducer<>(
                                    producerProps(platform),
                                    models.keySerde().serializer(),
                                    models.valueSerde().serializer())) {
                        ModelUpdate update =
                                ModelUpdate.newBuilder(
                                                (ModelUpdate)
                                                        SampleRecords.all().stream()
                                                                .filter(
                                                                        r ->
                                                                                r
                                                                                        instanceof
                                                                                        ModelUpdate)
                                                                .findFirst()
                                                                .orElseThrow())
                                        .setParams(ByteBuffer.wrap(new byte[20 << 20]))
                                        .build();
                        big.send(new ProducerRecord<>(models.name(), "image", update)).get();
                    }
                }
                long warm = registry.requestCount();
                List<RawEvent> read =
                        consume(
                                platform,
                                raw.name(),
                                50,
                                WireDeserializer.specific(registry, RawEvent.class));
                assertThat(read).hasSize(50);
                assertThat(read.stream().filter(event::equals)).hasSize(49);
                assertThat(read).anyMatch(e -> e.getId().equals("http-1"));
                assertThat(registry.requestCount())
                        .as("ids were cached by the serializer's registration")
                        .isEqualTo(warm);

                assertThat(admin.describe())
                        .filteredOn(t -> t.name().equals("events.raw"))
                        .singleElement()
                        .satisfies(t -> assertThat(t.messages()).isEqualTo(50));
                for (String subject : registry.subjects()) {
                    idsBefore.put(subject, registry.latest(subject).id());
                }
            }
        }
        assertThat(idsBefore).containsKeys("events.raw-value", "models.image-value");

        // Same data dir, new ports: every subject, version and id is back.
        try (Platform again = Platform.start(config(Map.of()));
                RestSchemaRegistryClient registry =
                        new RestSchemaRegistryClient(again.registryUrl())) {
            Map<String, Integer> idsAfter = new HashMap<>();
            for (String subject : registry.subjects()) {
                idsAfter.put(subject, registry.latest(subject).id());
            }
            assertThat(idsAfter).isEqualTo(idsBefore);
            assertThat(registry.register("events.raw-value", RawEvent.getClassSchema()))
                    .isEqualTo(idsBefore.get("events.raw-value"));
            List<RawEvent> read =
                    consume(
                            again,
                            "events.raw",
                            50,
                            WireDeserializer.specific(registry, RawEvent.class));
            assertThat(read).hasSize(50);

            // A value that is not in the wire format is refused with where and why.
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(
                            producerProps(again), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("events.labels", "k", "{\"label\":1}")).get();
            }
            WireDeserializer<RawEvent> strict = WireDeserializer.specific(registry, RawEvent.class);
            List<ConsumerRecord<String, byte[]>> bad = consumeRaw(again, "events.labels", 1);
            assertThatThrownBy(() -> strict.deserialize(bad.get(0)))
                    .isInstanceOfSatisfying(
                            SerdeException.class,
                            e -> {
                                assertThat(e.reason())
                                        .isEqualTo(SerdeException.Reason.NO_MAGIC_BYTE);
                                assertThat(e.getMessage())
                                        .contains("events.labels")
                                        .contains("offset 0")
                                        .contains("partition " + bad.get(0).partition());
                            });
        }
    }

    @Test
    void aTakenPortIsNamedInOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(
                            () ->
                                    Platform.start(
                                            config(Map.of("kafka.port", Integer.toString(port)))))
                    .isInstanceOf(PlatformException.class)
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("kafka.port")
                    .hasMessageContaining("already in use");
        }
    }

    @Test
    void anUnreachableExternalKafkaIsNamed() {
        int nobody = Ports.free("127.0.0.1");
        assertThatThrownBy(
                        () ->
                                Platform.start(
                                        config(
                                                Map.of(
                                                        "kafka.bootstrap.servers",
                                                        "127.0.0.1:" + nobody))))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("127.0.0.1:" + nobody)
                .hasMessageContaining("kafka.bootstrap.servers")
                .hasMessageContaining("unreachable");
    }

    private static Properties producerProps(Platform platform) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 34 << 20);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 96L << 20);
        return props;
    }

    private static <V> List<V> consume(
            Platform platform, String topic, int n, WireDeserializer<V> deserializer) {
        List<V> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : consumeRaw(platform, topic, n)) {
            out.add(deserializer.deserialize(record));
        }
        return out;
    }

    private static List<ConsumerRecord<String, byte[]>> consumeRaw(
            Platform platform, String topic, int n) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
