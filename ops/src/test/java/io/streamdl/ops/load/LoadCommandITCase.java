package io.streamdl.ops.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.ops.cli.TestingCli;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./pipeline load} against the embedded broker and registry, with a scorer the test plays
 * itself so that what comes back is known exactly: every event is answered with a score, except one
 * never answered and one answered twice. The command must count them as one lost and one duplicate,
 * the rest as scored, and exit non-zero.
 */
class LoadCommandITCase {
    @TempDir Path dataDir;

    @Test
    void countsScoredLostAndDuplicateEventsAndMeasuresFromTheSchedule() throws Exception {
        try (Platform platform = Platform.start(PlatformConfig.ephemeral(dataDir, 1))) {
            AtomicBoolean running = new AtomicBoolean(true);
            Thread scorer = scorer(platform, running);
            Path report = dataDir.resolve("load.json");
            TestingCli.Run run;
            try {
                run =
                        TestingCli.run(
                                "load",
                                "--rate",
                                "200",
                                "--duration",
                                "1s",
                                "--drain",
                                "5s",
                                "--no-labels",
                                "--report",
                                report.toString(),
                                "-c",
                                "kafka.bootstrap.servers=" + platform.bootstrapServers(),
                                "-c",
                                "schema.registry.url=" + platform.registryUrl());
            } finally {
                running.set(false);
                scorer.join(10_000);
            }
            assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(3);
            assertThat(run.out()).contains("sent 200, scored 199, lost 1, duplicates 1");
            String json = Files.readString(report);
            assertThat(json).contains("\"lost\" : 1").contains("\"duplicates\" : 1");
            assertThat(json).contains("\"versions\" : {\n    \"7\" : 199");
        }
    }

    /**
     * Answers each load event on events.raw with a score of version 7, but -3 never and -5 twice.
     */
    private static Thread scorer(Platform platform, AtomicBoolean running) {
        Thread t =
                new Thread(
                        () -> {
                            Properties p = new Properties();
                            p.put(
                                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    platform.bootstrapServers());
                            p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-scorer");
                            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                            try (RestSchemaRegistryClient registry =
                                            new RestSchemaRegistryClient(platform.registryUrl());
                                    KafkaConsumer<byte[], byte[]> in =
                                            new KafkaConsumer<>(
                                                    p,
                                                    new ByteArrayDeserializer(),
                                                    new ByteArrayDeserializer());
                                    KafkaProducer<byte[], byte[]> out =
                                            TestingKafka.producer(platform.bootstrapServers())) {
                                AvroWireDeserializer<RawEvent> events =
                                        AvroWireDeserializer.specific(registry, RawEvent.class);
                                AvroWireSerializer<Object> writer =
                                        new AvroWireSerializer<>(
                                                registry,
                                                SerdeConfig.forValues(platform.registryUrl()));
                                in.subscribe(List.of("events.raw"));
                                while (running.get()) {
                                    for (ConsumerRecord<byte[], byte[]> r :
                                            in.poll(Duration.ofMillis(50))) {
                                        RawEvent e = events.deserialize(r.topic(), r.value());
                                        if (e.getId().endsWith("-3")) {
                                            continue;
                                        }
                                        int copies = e.getId().endsWith("-5") ? 2 : 1;
                                        for (int c = 0; c < copies; c++) {
                                            Score s =
                                                    Score.newBuilder()
                                                            .setEventId(e.getId())
                                                            .setModel("image")
                                                            .setModelVersion(7L)
                                                            .setLabel("Bag")
                                                            .setScore(0.5)
                                                            .setEventTs(e.getTs())
                                                            .setScoredTs(System.currentTimeMillis())
                                                            .build();
                                            out.send(
                                                    new ProducerRecord<>(
                                                            "scores.image",
                                                            e.getId()
                                                                    .getBytes(
                                                                            StandardCharsets.UTF_8),
                                                            writer.serialize("scores.image", s)));
                                        }
                                        out.flush();
                                    }
                                }
                            }
                        },
                        "test-scorer");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
