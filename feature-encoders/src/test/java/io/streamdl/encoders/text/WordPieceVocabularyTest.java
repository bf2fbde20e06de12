package io.streamdl.encoders.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordPieceVocabularyTest {
    private static final List<String> TOKENS =
            List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "##b", "ab", "日本");

    @TempDir Path dir;

    @Test
    void writesAHeaderThenOneTokenPerLineAndReadsItBack() throws Exception {
        WordPieceVocabulary vocabulary = WordPieceVocabulary.of(TOKENS);
        Path file = dir.resolve("vocab.txt");
        vocabulary.write(file);

        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String expectedHash =
                HexFormat.of()
                        .formatHex(
                                MessageDigest.getInstance("SHA-256")
                                        .digest(
                                                (String.join("\n", TOKENS) + "\n")
                                                        .getBytes(StandardCharsets.UTF_8)));
        assertThat(lines.get(0))
                .isEqualTo(
                        "#streamdl-wordpiece format=1 version="
                                + expectedHash.substring(0, 12)
                                + " size=10 sha256="
                                + expectedHash);
        assertThat(lines.subList(1, lines.size())).isEqualTo(TOKENS);
        assertThat(vocabulary.version()).isEqualTo(expectedHash.substring(0, 12));

        WordPieceVocabulary read = WordPieceVocabulary.read(file);
        assertThat(read.tokens()).isEqualTo(TOKENS);
        assertThat(read.version()).isEqualTo(vocabulary.version());
        assertThat(read.id("##b")).isEqualTo(7);
        assertThat(read.id("zzz")).isEqualTo(-1);
        assertThat(read.token(8)).isEqualTo("ab");
    }

    @Test
    void aChangedFileIsRefused() throws Exception {
        Path file = dir.resolve("vocab.txt");
        WordPieceVocabulary.of(TOKENS).write(file);
        String content = Files.readString(file);

        Files.writeString(file, content.replace("\nab\n", "\nac\n"));
        assertThatThrownBy(() -> WordPieceVocabulary.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("sha256");
        Files.writeString(file, content.substring(content.indexOf('\n') + 1));
        assertThatThrownBy(() -> WordPieceVocabulary.read(file)).hasMessageContaining("header");
        Files.writeString(file, content + "extra\n");
        assertThatThrownBy(() -> WordPieceVocabulary.read(file)).hasMessageContaining("tokens");
    }

    @Test
    void invalidTokenListsAreRefused() {
        List<String> duplicate = new ArrayList<>(TOKENS);
        duplicate.add("a");
        assertThatThrownBy(() -> WordPieceVocabulary.of(duplicate)).hasMessageContaining("twice");
        assertThatThrownBy(() -> WordPieceVocabulary.of(List.of("a", "[PAD]")))
                .hasMessageContaining("[PAD]");
        List<String> spaced = new ArrayList<>(TOKENS);
        spaced.add("a b");
        assertThatThrownBy(() -> WordPieceVocabulary.of(spaced)).hasMessageContaining("whitespace");
    }
}
