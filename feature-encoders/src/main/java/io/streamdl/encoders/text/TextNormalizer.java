package io.streamdl.encoders.text;

import java.io.Serializable;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Normalises text and splits it into words, the same way for training a vocabulary and for
 * encoding.
 *
 * <p>Normalisation: Unicode NFKC (full-width forms, ligatures and compatibility characters become
 * their plain forms), then optionally lower case (locale-independent). Splitting: whitespace
 * separates words; each punctuation character is a word of its own (Unicode punctuation categories
 * and every ASCII character that is neither a letter, a digit nor whitespace, as BERT does);
 * control, format, private-use, unassigned and unpaired surrogate code points are dropped. Words
 * are at most {@value #MAX_WORD_CHARS} code points; longer runs are kept whole and left to the
 * tokenizer, which maps them to {@code [UNK]}. Immutable.
 */
public final class TextNormalizer implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Words longer than this (in code points) become {@code [UNK]}. */
    public static final int MAX_WORD_CHARS = 100;

    private final boolean lowercase;

    public TextNormalizer(boolean lowercase) {
        this.lowercase = lowercase;
    }

    public boolean lowercase() {
        return lowercase;
    }

    /** NFKC, then lower case if configured. */
    public String normalize(String text) {
        String normalized = Normalizer.normalize(text, Normalizer.Form.NFKC);
        return lowercase ? normalized.toLowerCase(Locale.ROOT) : normalized;
    }

    /** The words of {@code text} after {@link #normalize}, in order. */
    public List<String> words(String text) {
        String normalized = normalize(text);
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        int i = 0;
        while (i < normalized.length()) {
            int cp = normalized.codePointAt(i);
            i += Character.charCount(cp);
            if (isSeparator(cp)) {
                flush(word, words);
            } else if (isPunctuation(cp)) {
                flush(word, words);
                words.add(new String(Character.toChars(cp)));
            } else if (!isDropped(cp)) {
                word.appendCodePoint(cp);
            }
        }
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (word.length() > 0) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    private static boolean isSeparator(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    static boolean isPunctuation(int cp) {
        if (cp < 128) {
            return cp > 32 && cp < 127 && !Character.isLetterOrDigit(cp);
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION,
                    Character.DASH_PUNCTUATION,
                    Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION ->
                    true;
            default -> false;
        };
    }

    private static boolean isDropped(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL,
                    Character.FORMAT,
                    Character.PRIVATE_USE,
                    Character.UNASSIGNED,
                    Character.SURROGATE ->
                    true;
            default -> false;
        };
    }
}
