package io.streamdl.encoders.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncodeException.Reason;
import io.streamdl.encoders.Tensors;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.TextPayload;
import io.streamdl.schemas.config.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextEncoderTest {
    private static final WordPieceVocabulary VOCABULARY =
            new WordPieceTrainer(new WordPieceTrainer.Config(150, 2, true))
                    .train(WordPieceTrainerTest.CORPUS);

    @TempDir Path dir;

    private static TextEncoder encoder(TextEncoderConfig config) {
        return new TextEncoder(config, VOCABULARY);
    }

    private static void assertRefused(Runnable call, Reason reason) {
        assertThatThrownBy(call::run)
                .isInstanceOf(EncodeException.class)
                .satisfies(e -> assertThat(((EncodeException) e).reason()).isEqualTo(reason));
    }

    @Test
    void encodesIdsBetweenClsAndSepAndPadsWithAMask() {
        TextEncoder encoder = encoder(TextEncoderConfig.defaults().withMaxLength(16));
        Features features = encoder.encode("t-1", 5L, new TextPayload("The lazy dog.", "en"));

        assertThat(features.getDtype()).isEqualTo("int32");
        assertThat(features.getShape()).containsExactly(16);
        assertThat(features.getEncodedBy())
                .isEqualTo(encoder.encodedBy())
                .startsWith("text@1-" + VOCABULARY.version() + "-");
        int[] ids = Tensors.ints(features);
        byte[] mask = Tensors.mask(features);
        List<String> tokens = encoder.tokenizer().tokenize("The lazy dog.");
        int n = tokens.size() + 2;
        assertThat(ids[0]).isEqualTo(WordPieceVocabulary.CLS_ID);
        for (int i = 0; i < tokens.size(); i++) {
            assertThat(ids[i + 1]).isEqualTo(VOCABULARY.id(tokens.get(i)));
        }
        assertThat(ids[n - 1]).isEqualTo(WordPieceVocabulary.SEP_ID);
        assertThat(Arrays.copyOfRange(ids, n, 16)).containsOnly(WordPieceVocabulary.PAD_ID);
        for (int i = 0; i < 16; i++) {
            assertThat(mask[i]).isEqualTo((byte) (i < n ? 1 : 0));
        }
        assertThat(encoder.tokenizer().decode(ids)).isEqualTo("the lazy dog .");
    }

    @Test
    void tokenizerRoundTripsThroughTheEncoder() {
        TextEncoder encoder = encoder(TextEncoderConfig.defaults());
        String text = "Quickly, the brown FOX jumped over the lazy dogs!";
        TextEncoder.Encoded encoded = encoder.encode(text);
        assertThat(encoded.ids()).doesNotContain(WordPieceVocabulary.UNK_ID);
        assertThat(encoder.tokenizer().decode(encoded.ids()))
                .isEqualTo("quickly , the brown fox jumped over the lazy dogs !");
    }

    @Test
    void unknownWordsBecomeUnk() {
        TextEncoder encoder = encoder(TextEncoderConfig.defaults().withSpecialTokens(false));
        WordPieceTokenizer tokenizer = encoder.tokenizer();
        // no character of "жук" is in the vocabulary, nor "§" (a punctuation word of its own)
        List<String> expected = new ArrayList<>(tokenizer.tokenize("the"));
        expected.addAll(List.of("[UNK]", "[UNK]"));
        expected.addAll(tokenizer.tokenize("dog"));
        assertThat(tokenizer.tokenize("the жук § dog")).isEqualTo(expected);

        TextEncoder.Encoded encoded = encoder.encode("the жук § dog");
        int n = expected.size();
        for (int i = 0; i < n; i++) {
            assertThat(encoded.ids()[i]).isEqualTo(VOCABULARY.id(expected.get(i)));
            assertThat(encoded.mask()[i]).isEqualTo((byte) 1);
        }
        assertThat(encoded.mask()[n]).isEqualTo((byte) 0);
        String overlong = "a".repeat(TextNormalizer.MAX_WORD_CHARS + 1);
        assertThat(tokenizer.tokenize(overlong)).containsExactly("[UNK]");
    }

    @Test
    void longTextsAreTruncatedKeepingTheirStart() {
        TextEncoder encoder = encoder(TextEncoderConfig.defaults().withMaxLength(8));
        String text = "the fox and the dog and the fox and the dog and the fox";
        List<String> tokens = encoder.tokenizer().tokenize(text);
        TextEncoder.Encoded encoded = encoder.encode(text);
        assertThat(encoded.tokens()).isEqualTo(tokens.size()).isGreaterThanOrEqualTo(13);
        assertThat(encoded.ids()).hasSize(8);
        assertThat(encoded.mask()).containsOnly(1);
        assertThat(encoded.ids()[0]).isEqualTo(WordPieceVocabulary.CLS_ID);
        for (int i = 0; i < 6; i++) {
            assertThat(encoded.ids()[i + 1]).isEqualTo(VOCABULARY.id(tokens.get(i)));
        }
        assertThat(encoded.ids()[7]).isEqualTo(WordPieceVocabulary.SEP_ID);

        TextEncoder plain =
                encoder(TextEncoderConfig.defaults().withMaxLength(3).withSpecialTokens(false));
        int[] ids = plain.encode(text).ids();
        for (int i = 0; i < 3; i++) {
            assertThat(ids[i]).isEqualTo(VOCABULARY.id(tokens.get(i)));
        }
    }

    @Test
    void emptyAndOversizedTextsAreRefused() {
        TextEncoder encoder = encoder(TextEncoderConfig.defaults().withMaxChars(100));
        for (String empty : new String[] {"", "   \n\t", "\u200B\u0000"}) {
            assertRefused(() -> encoder.encode(empty), Reason.EMPTY_TEXT);
        }
        assertRefused(() -> encoder.encode((String) null), Reason.EMPTY_TEXT);
        assertRefused(() -> encoder.encode("x".repeat(101)), Reason.TEXT_TOO_LONG);
        assertThat(encoder.encode("x".repeat(100)).ids()).isNotEmpty();
        assertRefused(() -> encoder.encode("e", 0, null), Reason.NO_ENCODER);
    }

    @Test
    void versionNamesTheVocabularyAndTheConfiguration() {
        TextEncoder base = encoder(TextEncoderConfig.defaults());
        assertThat(base.version()).matches("1-" + VOCABULARY.version() + "-[0-9a-f]{8}");
        WordPieceVocabulary other =
                new WordPieceTrainer(new WordPieceTrainer.Config(150, 2, true))
                        .train(WordPieceTrainerTest.CORPUS.subList(0, 4));
        assertThat(new TextEncoder(TextEncoderConfig.defaults(), other).encodedBy())
                .isNotEqualTo(base.encodedBy());
        assertThat(encoder(TextEncoderConfig.defaults().withMaxLength(64)).version())
                .isNotEqualTo(base.version());
        assertThat(encoder(TextEncoderConfig.defaults().withMaxChars(5)).version())
                .isEqualTo(base.version());
    }

    @Test
    void vocabularyIsLoadedFromTheConfiguredPath() throws Exception {
        Path file = dir.resolve("vocab.txt");
        VOCABULARY.write(file);
        TextEncoder loaded =
                TextEncoder.fromConfig(
                        TextEncoderConfig.from(Map.of("text.vocab.path", file.toString())));
        assertThat(loaded.encodedBy()).isEqualTo(encoder(TextEncoderConfig.defaults()).encodedBy());

        assertThatThrownBy(() -> TextEncoder.fromConfig(TextEncoderConfig.defaults()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("text.vocab.path");
        assertThatThrownBy(
                        () ->
                                TextEncoder.fromConfig(
                                        TextEncoderConfig.from(
                                                Map.of(
                                                        "text.vocab.path",
                                                        dir.resolve("none").toString()))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("text.vocab.path");
        assertThatThrownBy(() -> TextEncoderConfig.from(Map.of("text.max.length", "2")))
                .hasMessageContaining("text.max.length");
    }
}
