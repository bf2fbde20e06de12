package io.streamdl.encoders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.encoders.EncodeException.Reason;
import io.streamdl.encoders.audio.AudioEncoder;
import io.streamdl.encoders.audio.AudioEncoderConfig;
import io.streamdl.encoders.image.ImageEncoder;
import io.streamdl.encoders.image.ImageEncoderConfig;
import io.streamdl.encoders.testing.TestImages;
import io.streamdl.encoders.testing.TestWavs;
import io.streamdl.encoders.text.TextEncoder;
import io.streamdl.encoders.text.TextEncoderConfig;
import io.streamdl.encoders.text.WordPieceTrainer;
import io.streamdl.encoders.text.WordPieceVocabulary;
import io.streamdl.schemas.avro.AudioPayload;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ImagePayload;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.avro.TextPayload;
import io.streamdl.schemas.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncoderRegistryTest {
    private static final WordPieceVocabulary VOCABULARY =
            new WordPieceTrainer(new WordPieceTrainer.Config(60, 1, true))
                    .train(List.of("a small corpus of words", "words of a corpus"));

    @TempDir Path dir;

    private static RawEvent event(Object payload) {
        return RawEvent.newBuilder()
                .setId("id-" + (payload == null ? "none" : payload.getClass().getSimpleName()))
                .setTs(42L)
                .setSource("test")
                .setPayload(payload)
                .setAttributes(Map.of())
                .build();
    }

    private static List<RawEvent> events() {
        return List.of(
                event(
                        new ImagePayload(
                                ImageEncoder.PNG,
                                null,
                                null,
                                ByteBuffer.wrap(
                                        TestImages.png(TestImages.gray(2, 2, 1, 2, 3, 4))))),
                event(
                        new AudioPayload(
                                "audio/wav",
                                ByteBuffer.wrap(
                                        TestWavs.pcm16(
                                                16000, TestWavs.sine(440, 0.5, 16000, 0.2))))),
                event(new TextPayload("a corpus of small words", null)));
    }

    private static EncoderRegistry registry() {
        return EncoderRegistry.of(
                new ImageEncoder(ImageEncoderConfig.defaults()),
                new AudioEncoder(AudioEncoderConfig.defaults()),
                new TextEncoder(TextEncoderConfig.defaults(), VOCABULARY));
    }

    @Test
    void routesEachPayloadTypeToItsEncoder() {
        EncoderRegistry registry = registry();
        List<String> names = List.of("image", "audio", "text");
        List<List<Integer>> shapes = List.of(List.of(1, 1, 28, 28), List.of(98, 40), List.of(128));
        for (int i = 0; i < 3; i++) {
            RawEvent event = events().get(i);
            EncoderRegistry.Encoded encoded = registry.encode(event);
            assertThat(encoded.encoderName()).isEqualTo(names.get(i));
            assertThat(encoded.features().getEventId()).isEqualTo(event.getId());
            assertThat(encoded.features().getTs()).isEqualTo(42L);
            assertThat(encoded.features().getShape()).isEqualTo(shapes.get(i));
            assertThat(encoded.features().getEncodedBy())
                    .isEqualTo(registry.encoderNamed(names.get(i)).orElseThrow().encodedBy())
                    .startsWith(names.get(i) + "@");
        }
    }

    @Test
    void missingEncodersAndPayloadsAreTypedErrors() {
        EncoderRegistry imagesOnly =
                EncoderRegistry.of(new ImageEncoder(ImageEncoderConfig.defaults()));
        assertThatThrownBy(() -> imagesOnly.encode(events().get(2)))
                .isInstanceOf(EncodeException.class)
                .hasMessageContaining("TextPayload")
                .satisfies(
                        e ->
                                assertThat(((EncodeException) e).reason())
                                        .isEqualTo(Reason.NO_ENCODER));
        RawEvent noPayload = event(new TextPayload("x", null));
        noPayload.setPayload(null);
        assertThatThrownBy(() -> registry().encode(noPayload))
                .satisfies(
                        e ->
                                assertThat(((EncodeException) e).reason())
                                        .isEqualTo(Reason.NO_ENCODER));
        assertThatThrownBy(
                        () ->
                                EncoderRegistry.of(
                                        new ImageEncoder(ImageEncoderConfig.defaults()),
                                        new ImageEncoder(
                                                ImageEncoderConfig.defaults().withSize(8, 8))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void buildsFromSettingsWithTextOnlyWhenAVocabularyIsGiven() throws Exception {
        assertThat(EncoderRegistry.fromSettings(Map.of()).encoders())
                .extracting(Encoder::name)
                .containsExactly("image", "audio");
        Path vocab = dir.resolve("vocab.txt");
        VOCABULARY.write(vocab);
        EncoderRegistry all =
                EncoderRegistry.fromSettings(
                        Map.of("text.vocab.path", vocab.toString(), "image.width", "32"));
        assertThat(all.encoders())
                .extracting(Encoder::name)
                .containsExactly("image", "audio", "text");
        assertThat(all.encode(events().get(0)).features().getShape()).containsExactly(1, 1, 28, 32);
        assertThatThrownBy(() -> EncoderRegistry.fromSettings(Map.of("audio.n.mels", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("audio.n.mels");
    }

    @Test
    void survivesJavaSerializationAsAFlinkFunctionFieldWould() throws Exception {
        EncoderRegistry registry = registry();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(registry);
        }
        EncoderRegistry copy;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (EncoderRegistry) in.readObject();
        }
        for (RawEvent event : events()) {
            assertThat(copy.encode(event).features()).isEqualTo(registry.encode(event).features());
        }
    }

    @Test
    void encodersGiveTheSameResultsFromConcurrentThreads() throws Exception {
        EncoderRegistry registry = registry();
        List<RawEvent> events = events();
        List<Features> expected = new ArrayList<>();
        for (RawEvent event : events) {
            expected.add(registry.encode(event).features());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(
                        pool.submit(
                                () -> {
                                    for (int round = 0; round < 25; round++) {
                                        for (int i = 0; i < events.size(); i++) {
                                            Features features =
                                                    registry.encode(events.get(i)).features();
                                            if (!features.equals(expected.get(i))) {
                                                return false;
                                            }
                                        }
                                    }
                                    return true;
                                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
