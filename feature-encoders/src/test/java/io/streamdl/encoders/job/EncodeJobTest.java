package io.streamdl.encoders.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.encoders.Encoder;
import io.streamdl.encoders.EncoderRegistry;
import io.streamdl.encoders.metric.MetricEncoderConfig;
import io.streamdl.encoders.testing.TestImages;
import io.streamdl.encoders.testing.TestWavs;
import io.streamdl.schemas.avro.AudioPayload;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ImagePayload;
import io.streamdl.schemas.avro.MetricPayload;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.avro.TextPayload;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.schemas.flink.RawRecord;
import io.streamdl.schemas.flink.testing.TestingGraphs;
import io.streamdl.schemas.flink.testing.TestingRecords;
import io.streamdl.schemas.flink.testing.TestingSink;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.RegistryClientFactory;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.schemas.testing.TestingSchemaRegistryClient;
import io.streamdl.schemas.topics.Topics;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The EncodeJob on a local MiniCluster (parallelism 2): a bounded source of raw events in the wire
 * format of the in-memory registry, real images, clips and a text through the real encoders, and
 * collecting sinks. Every input ends either as features on its encoder's sink or as one dead
 * letter.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EncodeJobTest {
    /** Never contacted: every operator gets {@link #REGISTRY} from {@link #IN_MEMORY}. */
    private static final String REGISTRY_URL = "http://registry.invalid";

    private static final String TOPIC = Topics.EVENTS_RAW.name();

    /** Shared by the test, which writes with it, and by the tasks, which run in this JVM. */
    private static final TestingSchemaRegistryClient REGISTRY = new TestingSchemaRegistryClient();

    private static final RegistryClientFactory IN_MEMORY = config -> REGISTRY;

    private static final AvroWireSerializer<RawEvent> WRITER =
            new AvroWireSerializer<>(REGISTRY, SerdeConfig.forValues(REGISTRY_URL));

    @TempDir Path dir;

    private final String run = UUID.randomUUID().toString();
    private final List<RawRecord> inputs = new ArrayList<>();
    private final Map<Long, Expected> expected = new LinkedHashMap<>();

    @AfterEach
    void dropCollected() {
        TestingSink.drop(run);
    }

    /**
     * What one input must become: the features of {@code encoder} with {@code shape}, or a dead
     * letter of {@code stage} and {@code reason}.
     */
    private record Expected(
            String eventId, String encoder, List<Integer> shape, String stage, String reason) {
        static Expected features(String eventId, String encoder, Integer... shape) {
            return new Expected(eventId, encoder, List.of(shape), null, null);
        }

        static Expected dead(String stage, String reason) {
            return new Expected(null, null, null, stage, reason);
        }
    }

    private void add(byte[] value, Expected outcome) {
        long offset = inputs.size();
        inputs.add(
                new RawRecord(
                        TOPIC,
                        0,
                        offset,
                        1_000L + offset,
                        ("key-" + offset).getBytes(StandardCharsets.UTF_8),
                        value));
        expected.put(offset, outcome);
    }

    private static byte[] event(String id, long ts, Object payload) {
        return WRITER.serialize(
                TOPIC,
                RawEvent.newBuilder()
                        .setId(id)
                        .setTs(ts)
                        .setSource("EncodeJobTest")
                        .setPayload(payload)
                        .setAttributes(Map.of())
                        .build());
    }

    private static ImagePayload png(BufferedImage image) {
        return new ImagePayload("image/png", null, null, ByteBuffer.wrap(TestImages.png(image)));
    }

    private static AudioPayload wav(int rate, double seconds) {
        return new AudioPayload(
                "audio/wav",
                ByteBuffer.wrap(TestWavs.pcm16(rate, TestWavs.sine(440, 0.5, rate, seconds))));
    }

    /** The bundled vocabulary, copied out of the classpath to a file as the text encoder reads. */
    private Path vocabulary() throws IOException {
        Path file = dir.resolve("debian-wordpiece.txt");
        try (InputStream in =
                EncodeJobTest.class.getResourceAsStream("/vocab/debian-wordpiece.txt")) {
            assertThat(in).as("the bundled vocabulary").isNotNull();
            Files.copy(in, file);
        }
        return file;
    }

    private EncoderRegistry encoders() throws IOException {
        return EncodeJobConfig.of(
                        Map.of("text.vocab.path", vocabulary().toString(), "text.max.length", "32"))
                .encoders();
    }

    @Test
    void everyEventBecomesFeaturesOfItsEncoderOrOneDeadLetter() throws Exception {
        add(
                event("img-rgb", 11L, png(TestImages.pattern(40, 30, BufferedImage.TYPE_INT_RGB))),
                Expected.features("img-rgb", "image", 1, 1, 28, 28));
        add(
                event(
                        "img-gray",
                        12L,
                        png(TestImages.pattern(28, 28, BufferedImage.TYPE_BYTE_GRAY))),
                Expected.features("img-gray", "image", 1, 1, 28, 28));
        add(
                event("img-small", 13L, png(TestImages.pattern(9, 7, BufferedImage.TYPE_INT_RGB))),
                Expected.features("img-small", "image", 1, 1, 28, 28));
        add(
                event("clip-16k", 21L, wav(16000, 1.0)),
                Expected.features("clip-16k", "audio", 98, 40));
        add(event("clip-8k", 22L, wav(8000, 0.5)), Expected.features("clip-8k", "audio", 98, 40));
        add(
                event(
                        "text-1",
                        31L,
                        new TextPayload("The editor saves files as plain text.", "en")),
                Expected.features("text-1", "text", 32));

        add(
                event("m-cpu", 51L, new MetricPayload("cpu", 0.5, List.of())),
                Expected.features("m-cpu", "metric", 32, 1));
        add(
                event("m-io", 52L, new MetricPayload("io", 3.0, List.of(4.0))),
                Expected.features("m-io", "metric", 32, 2));
        add(
                event("m-nan", 53L, new MetricPayload("disk", Double.NaN, List.of())),
                Expected.dead(EventEncoder.STAGE_ENCODE + ".metric", "NON_FINITE_METRIC"));
        add(
                event("m-noseries", 54L, new MetricPayload("", 1.0, List.of())),
                Expected.dead(EventEncoder.STAGE_ENCODE + ".metric", "MISSING_SERIES"));

        add(null, Expected.dead(EventEncoder.STAGE_DECODE, "EMPTY_VALUE"));
        add(
                "plain text, no wire-format header".getBytes(StandardCharsets.UTF_8),
                Expected.dead(EventEncoder.STAGE_DECODE, "NO_MAGIC_BYTE"));
        add(
                event("", 41L, png(TestImages.pattern(28, 28, BufferedImage.TYPE_BYTE_GRAY))),
                Expected.dead(EventEncoder.STAGE_DECODE, "MISSING_EVENT_ID"));
        byte[] whole = TestImages.png(TestImages.pattern(28, 28, BufferedImage.TYPE_INT_RGB));
        add(
                event(
                        "img-corrupt",
                        42L,
                        new ImagePayload(
                                "image/png",
                                null,
                                null,
                                ByteBuffer.wrap(Arrays.copyOf(whole, whole.length / 2)))),
                Expected.dead(EventEncoder.STAGE_ENCODE + ".image", "CORRUPT_IMAGE"));

        EncoderRegistry encoders = encoders();
        Map<String, TestingSink<Features>> featureSinks = new LinkedHashMap<>();
        for (Encoder<?> encoder : encoders.encoders()) {
            featureSinks.put(encoder.name(), new TestingSink<>(run, "features." + encoder.name()));
        }
        featureSinks.put("metric", new TestingSink<>(run, "features.metric"));
        assertThat(featureSinks).containsOnlyKeys("image", "audio", "text", "metric");
        TestingSink<DeadLetter> deadLetterSink = new TestingSink<>(run, "dlq");
        EncodeJob job =
                new EncodeJob(
                        TestingRecords.source(inputs),
                        Map.copyOf(featureSinks),
                        deadLetterSink,
                        REGISTRY_URL,
                        IN_MEMORY,
                        encoders,
                        MetricEncoderConfig.defaults());

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
        job.build(env);
        env.execute(job.name()); // returns once the bounded job has finished

        int featuresOut = 0;
        for (Map.Entry<String, TestingSink<Features>> sink : featureSinks.entrySet()) {
            String encoder = sink.getKey();
            List<Features> received = sink.getValue().received();
            List<Expected> mine =
                    expected.values().stream().filter(e -> encoder.equals(e.encoder())).toList();
            assertThat(received)
                    .as("features." + encoder + ": each of its events once, no other")
                    .extracting(Features::getEventId)
                    .containsExactlyInAnyOrderElementsOf(
                            mine.stream().map(Expected::eventId).toList());
            for (Expected e : mine) {
                Features f =
                        received.stream()
                                .filter(r -> r.getEventId().equals(e.eventId()))
                                .findFirst()
                                .orElseThrow();
                assertThat(f.getShape()).as(e.eventId()).isEqualTo(e.shape());
                assertThat(f.getEncodedBy()).as(e.eventId()).startsWith(encoder + "@");
                assertThat(f.getDtype())
                        .as(e.eventId())
                        .isEqualTo(encoder.equals("text") ? "int32" : "float32");
                int elements = e.shape().stream().reduce(1, (a, b) -> a * b);
                assertThat(f.getData().remaining()).as(e.eventId()).isEqualTo(elements * 4);
            }
            featuresOut += received.size();
        }

        List<DeadLetter> dead = deadLetterSink.received();
        List<Long> badOffsets =
                expected.entrySet().stream()
                        .filter(e -> e.getValue().reason() != null)
                        .map(Map.Entry::getKey)
                        .toList();
        assertThat(dead)
                .as("one dead letter per bad input")
                .extracting(DeadLetter::getOffset)
                .containsExactlyInAnyOrderElementsOf(badOffsets);
        for (DeadLetter d : dead) {
            Expected e = expected.get(d.getOffset());
            RawRecord input = inputs.get((int) d.getOffset());
            assertThat(d.getError()).as("reason at offset " + d.getOffset()).isEqualTo(e.reason());
            assertThat(d.getStage()).as("stage at offset " + d.getOffset()).isEqualTo(e.stage());
            assertThat(d.getSourceTopic()).isEqualTo(TOPIC);
            assertThat(d.getPartition()).isZero();
            assertThat(d.getKey()).isEqualTo(ByteBuffer.wrap(input.key));
            assertThat(d.getValue())
                    .as("the input's bytes, for a replay")
                    .isEqualTo(input.value == null ? null : ByteBuffer.wrap(input.value));
        }

        assertThat(featuresOut + dead.size())
                .as("in = out + dead letters")
                .isEqualTo(inputs.size());
    }

    @Test
    void everyOperatorHasANameAndAUid() throws Exception {
        EncoderRegistry encoders = encoders();
        StreamExecutionEnvironment onKafka = StreamExecutionEnvironment.getExecutionEnvironment();
        EncodeJob.onKafka(KafkaSettings.of("127.0.0.1:1", "http://127.0.0.1:1", "encode"), encoders)
                .build(onKafka);
        TestingGraphs.assertNamedWithUids(
                onKafka.getStreamGraph(),
                "Source: events.raw",
                "decode and encode",
                "features.image: Writer",
                "features.audio: Writer",
                "features.text: Writer",
                "window metric series",
                "features.metric: Writer",
                "dlq: Writer");

        Map<String, Sink<Features>> sinks = new LinkedHashMap<>();
        encoders.encoders()
                .forEach(e -> sinks.put(e.name(), new TestingSink<>(run, "features." + e.name())));
        StreamExecutionEnvironment inTests = StreamExecutionEnvironment.getExecutionEnvironment();
        new EncodeJob(
                        TestingRecords.source(List.of()),
                        sinks,
                        new TestingSink<>(run, "dlq"),
                        REGISTRY_URL,
                        IN_MEMORY,
                        encoders,
                        null)
                .build(inTests);
        TestingGraphs.assertNamedWithUids(
                inTests.getStreamGraph(),
                "Source: events.raw",
                "decode and encode",
                "features.image: Writer",
                "features.audio: Writer",
                "features.text: Writer",
                "dlq: Writer");
    }
}
