package io.streamdl.encoders.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.encoders.EncoderRegistry;
import io.streamdl.encoders.testing.TestWavs;
import io.streamdl.encoders.text.WordPieceTrainer;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.jobs.JobRunner;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The EncodeJob on the embedded broker, registry and MiniCluster: real Fashion-MNIST images, audio
 * clips and texts mixed with many kinds of malformed input. Every valid event comes out once on its
 * features topic, every bad one once on dlq with the expected reason: in = out + dead letters.
 */
class EncodeJobITCase {
    @TempDir Path dataDir;

    private static final List<String> TEXTS =
            List.of(
                    "a small text editor for the console with syntax highlighting",
                    "arcade game where you steer a ship through an asteroid field",
                    "command line tool to record and convert sound files",
                    "library for reading and writing raster graphics formats",
                    "mail transfer agent with a simple configuration",
                    "numerical library for linear algebra and statistics");

    @Test
    void validEventsBecomeFeaturesAndEveryBadOneADeadLetterWithItsReason() throws Exception {
        Path vocab = dataDir.resolve("vocab.txt");
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            corpus.addAll(TEXTS);
        }
        new WordPieceTrainer(new WordPieceTrainer.Config(300, 1, true)).train(corpus).write(vocab);
        EncoderRegistry encoders =
                EncoderRegistry.fromSettings(
                        Map.of(
                                "text.vocab.path", vocab.toString(),
                                "text.max.chars", "2000",
                                "image.max.payload.bytes", "65536",
                                "audio.max.clip.seconds", "2"));

        try (Platform platform = Platform.start(PlatformConfig.ephemeral(dataDir, 2));
                RestSchemaRegistryClient registry =
                        new RestSchemaRegistryClient(platform.registryUrl())) {
            KafkaSettings kafka =
                    KafkaSettings.of(
                            platform.bootstrapServers(), platform.registryUrl(), "encode-it");
            new JobRunner(platform, Duration.ofMillis(500))
                    .submit(EncodeJob.onKafka(kafka, encoders), 2);

            AvroWireSerializer<Object> avro =
                    new AvroWireSerializer<>(
                            registry, SerdeConfig.forValues(platform.registryUrl()));
            Map<String, String> expectedEncoder = new LinkedHashMap<>();
            Map<String, String> expectedReason = new LinkedHashMap<>(); // by key
            long now = System.currentTimeMillis();
            try (KafkaProducer<byte[], byte[]> producer =
                    TestingKafka.producer(platform.bootstrapServers())) {
                FashionMnist images = FashionMnist.sample(FashionMnist.Split.TEST);
                for (int i = 0; i < 60; i++) {
                    String id = "img-" + i;
                    byte[] png = ImageCodecs.png(images.image(i), 28, 28);
                    send(
                            producer,
                            avro,
                            Events.image(id, now, "it", "image/png", png, 28, 28, Map.of()));
                    expectedEncoder.put(id, "image");
                }
                byte[] idx = ImageCodecs.idx(images.image(60), 28, 28);
                send(
                        producer,
                        avro,
                        Events.image(
                                "img-idx",
                                now,
                                "it",
                                "application/x-idx",
                                idx,
                                null,
                                null,
                                Map.of()));
                expectedEncoder.put("img-idx", "image");
                for (int i = 0; i < 12; i++) {
                    String id = "aud-" + i;
                    int rate = i % 3 == 0 ? 8000 : i % 3 == 1 ? 16000 : 44100;
                    send(
                            producer,
                            avro,
                            Events.audio(
                                    id,
                                    now,
                                    "it",
                                    TestWavs.sine16(200 + 150 * i, rate, 1.0),
                                    Map.of()));
                    expectedEncoder.put(id, "audio");
                }
                for (int i = 0; i < TEXTS.size(); i++) {
                    String id = "txt-" + i;
                    send(
                            producer,
                            avro,
                            Events.text(id, now, "it", TEXTS.get(i) + " and more", Map.of()));
                    expectedEncoder.put(id, "text");
                }

                // Malformed input, one kind per key; the key names the reason expected on dlq.
                byte[] goodPng = ImageCodecs.png(images.image(0), 28, 28);
                byte[] goodEvent =
                        avro.serialize(
                                "events.raw",
                                Events.image(
                                        "x", now, "it", "image/png", goodPng, 28, 28, Map.of()));
                Random random = new Random(3);
                byte[] noise = new byte[400];
                random.nextBytes(noise);
                raw(producer, expectedReason, "NO_MAGIC_BYTE", "{\"id\":\"json\"}".getBytes());
                raw(producer, expectedReason, "EMPTY_VALUE", null);
                byte[] unknownId = goodEvent.clone();
                unknownId[1] = 0x7f;
                raw(producer, expectedReason, "UNKNOWN_SCHEMA_ID", unknownId);
                raw(
                        producer,
                        expectedReason,
                        "TRUNCATED",
                        Arrays.copyOf(goodEvent, goodEvent.length / 2));
                raw(
                        producer,
                        expectedReason,
                        "TRAILING_BYTES",
                        Arrays.copyOf(goodEvent, goodEvent.length + 7));
                raw(
                        producer,
                        expectedReason,
                        "INCOMPATIBLE_SCHEMA",
                        avro.serialize("events.labels", new Label("e", "Bag", now)));
                bad(
                        producer,
                        avro,
                        expectedReason,
                        "CORRUPT_IMAGE",
                        Events.image(
                                "b1",
                                now,
                                "it",
                                "image/png",
                                Arrays.copyOf(goodPng, goodPng.length - 40),
                                null,
                                null,
                                Map.of()));
                bad(
                        producer,
                        avro,
                        expectedReason,
                        "IMAGE_TOO_LARGE",
                        Events.image(
                                "b2",
                                now,
                                "it",
                                "image/png",
                                pngHeader(100_000, 100_000),
                                null,
                                null,
                                Map.of()));
                bad(
                        producer,
                        avro,
                        expectedReason,
                        "UNSUPPORTED_IMAGE_FORMAT",
                        Events.image(
                                "b3",
                                now,
                                "it",
                                "image/gif",
                                "GIF89a....".getBytes(),
                                null,
                                null,
                                Map.of()));
                bad(
                        producer,
                        avro,
                        expectedReason,
                        "PAYLOAD_TOO_LARGE",
                        Events.image(
                                "b4",
                                now,
                                "it",
                                "image/png",
                                new byte[70_000],
                                null,
                                null,
                                Map.of()));
                bad(
                        producer,
                        avro,
                        expectedReason,
                        "IMAGE_DIMENSION_MISMATCH",
                        Events.image("b5", now, "it", "image/png", goodPng, 32, 32, Map.of()));
                bad(
                        producer,
                        avro,
                        expectedReason,
                        "NOT_WAV",
                        Events.audio("b6", now, "it", noise, Map.of()));
                bad(
                        producer,
                        avro,
                        expectedReason,
                        "UNSUPPORTED_AUDIO_FORMAT",
                        Events.audio(
                                "b7",
                                now,
                                "it",
                                TestWavs.raw(2, 1, 16000, 4, new byte[8000]),
                                Map.of()));
                byte[] wav = TestWavs.sine16(440, 16000, 1.0);
                bad(
                        producer,
                        avro,
                        expectedReason,
                        "CORRUPT_AUDIO",
                        Events.audio("b8", now, "it", Arrays.copyOf(wav, 30), Map.of()));
                bad(
                        producer,
                        avro,
                        expectedReason,
                        "AUDIO_TOO_LONG",
                        Events.audio("b9", now, "it", TestWavs.sine16(440, 16000, 3.0), Map.of()));
                bad(
                        producer,
                        avro,
                        expectedReason,
                        "EMPTY_AUDIO",
                        Events.audio(
                                "b10",
                                now,
                                "it",
                                TestWavs.raw(1, 1, 16000, 16, new byte[0]),
                                Map.of()));
                bad(
                        producer,
                        avro,
                        expectedReason,
                        "EMPTY_TEXT",
                        Events.text("b11", now, "it", "  \n\t ", Map.of()));
                bad(
                        producer,
                        avro,
                        expectedReason,
                        "TEXT_TOO_LONG",
                        Events.text("b12", now, "it", "word ".repeat(1000), Map.of()));
                producer.flush();
            }
            int valid = expectedEncoder.size();
            int invalid = expectedReason.size();
            assertThat(invalid).isGreaterThanOrEqualTo(15);

            Map<String, List<String>> seen = new HashMap<>();
            for (String encoder : List.of("image", "audio", "text")) {
                long want = expectedEncoder.values().stream().filter(encoder::equals).count();
                var records =
                        TestingKafka.readCommitted(
                                platform.bootstrapServers(),
                                "features." + encoder,
                                r -> r.size() >= want,
                                Duration.ofSeconds(90),
                                Duration.ofSeconds(1));
                AvroWireDeserializer<Features> features =
                        AvroWireDeserializer.specific(registry, Features.class);
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    Features f = features.deserialize(r.topic(), r.value());
                    assertThat(f.getEncodedBy()).startsWith(encoder + "@");
                    seen.computeIfAbsent(f.getEventId(), k -> new ArrayList<>()).add(encoder);
                }
            }
            Map<String, String> outByEvent = new HashMap<>();
            seen.forEach(
                    (id, encs) -> {
                        assertThat(encs).as("event %s came out once", id).hasSize(1);
                        outByEvent.put(id, encs.get(0));
                    });
            assertThat(outByEvent).isEqualTo(expectedEncoder);

            var dead =
                    TestingKafka.readCommitted(
                            platform.bootstrapServers(),
                            Topics.DLQ.name(),
                            r -> r.size() >= invalid,
                            Duration.ofSeconds(60),
                            Duration.ofSeconds(1));
            AvroWireDeserializer<DeadLetter> letters =
                    AvroWireDeserializer.specific(registry, DeadLetter.class);
            Map<String, String> reasonByKey = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                DeadLetter letter = letters.deserialize(r.topic(), r.value());
                assertThat(letter.getSourceTopic()).isEqualTo("events.raw");
                assertThat(letter.getMessage()).isNotBlank();
                String key = new String(letter.getKey().array());
                assertThat(reasonByKey.put(key, letter.getError()))
                        .as("dead letter %s only once", key)
                        .isNull();
            }
            assertThat(reasonByKey).isEqualTo(expectedReason);
            assertThat(valid + invalid)
                    .as("in = out + dead letters")
                    .isEqualTo(outByEvent.size() + reasonByKey.size());
            System.out.printf(
                    "EncodeJobITCase: in %d = out %d + dead letters %d (%s)%n",
                    valid + invalid,
                    outByEvent.size(),
                    reasonByKey.size(),
                    reasonByKey.values().stream().sorted().collect(Collectors.joining(",")));
        }
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer,
            AvroWireSerializer<Object> avro,
            RawEvent event) {
        producer.send(
                new ProducerRecord<>(
                        "events.raw",
                        event.getId().getBytes(),
                        avro.serialize("events.raw", event)));
    }

    private static void bad(
            KafkaProducer<byte[], byte[]> producer,
            AvroWireSerializer<Object> avro,
            Map<String, String> expected,
            String reason,
            RawEvent event) {
        raw(producer, expected, reason, avro.serialize("events.raw", event));
    }

    private static void raw(
            KafkaProducer<byte[], byte[]> producer,
            Map<String, String> expected,
            String reason,
            byte[] value) {
        String key = "bad-" + reason;
        expected.put(key, reason);
        producer.send(new ProducerRecord<>("events.raw", key.getBytes(), value));
    }

    /**
     * A PNG signature and IHDR chunk declaring {@code width} x {@code height}, and nothing else.
     */
    private static byte[] pngHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        b.putInt(13)
                .put("IHDR".getBytes())
                .putInt(width)
                .putInt(height)
                .put((byte) 8)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b.array(), 12, 17);
        b.putInt((int) crc.getValue());
        return b.array();
    }
}
