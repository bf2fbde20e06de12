package io.streamdl.encoders.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextNormalizerTest {
    private final TextNormalizer normalizer = new TextNormalizer(true);

    @Test
    void nfkcFoldsCompatibilityFormsAndLowerCases() {
        assertThat(normalizer.normalize("ﬁne ＡＢＣ１２３ Ⅻ")).isEqualTo("fine abc123 xii");
        assertThat(normalizer.words("Ｈｅｌｌｏ，　Ｗｏｒｌｄ！")).containsExactly("hello", ",", "world", "!");
        assertThat(new TextNormalizer(false).words("Hello World"))
                .containsExactly("Hello", "World");
    }

    @Test
    void punctuationCharactersAreWordsOfTheirOwn() {
        assertThat(normalizer.words("Don't stop—now! (e.g. #1) «quoted» a_b"))
                .containsExactly(
                        "don", "'", "t", "stop", "—", "now", "!", "(", "e", ".", "g", ".", "#", "1",
                        ")", "«", "quoted", "»", "a", "_", "b");
    }

    @Test
    void whitespaceSeparatesAndInvisibleCharactersAreDropped() {
        assertThat(normalizer.words("  a\tb\nc\u00A0d\u2003e  "))
                .containsExactly("a", "b", "c", "d", "e");
        assertThat(normalizer.words("a\u0000b\u200Bc\uD800d\uE000e")).containsExactly("abcde");
        assertThat(normalizer.words("\u200B\u0007 \n")).isEmpty();
    }

    @Test
    void symbolsLettersOfAnyScriptAndEmojiStayInWords() {
        assertThat(normalizer.words("naïve 日本語 hi😀 x+y"))
                .containsExactly("naïve", "日本語", "hi😀", "x", "+", "y");
    }
}
