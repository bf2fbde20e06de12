package io.streamdl.encoders.text;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into WordPiece tokens: {@link TextNormalizer#words} first, then each word greedily
 * into the longest vocabulary tokens from its start ({@code ##}-prefixed after the first piece). A
 * word that cannot be covered completely, or is longer than {@link TextNormalizer#MAX_WORD_CHARS}
 * code points, becomes a single {@code [UNK]}, as in BERT. Immutable.
 */
public final class WordPieceTokenizer implements Serializable {
    private static final long serialVersionUID = 1L;

    private final WordPieceVocabulary vocabulary;
    private final TextNormalizer normalizer;

    public WordPieceTokenizer(WordPieceVocabulary vocabulary, TextNormalizer normalizer) {
        this.vocabulary = vocabulary;
        this.normalizer = normalizer;
    }

    public WordPieceVocabulary vocabulary() {
        return vocabulary;
    }

    public TextNormalizer normalizer() {
        return normalizer;
    }

    /** The tokens of {@code text}. */
    public List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        for (String word : normalizer.words(text)) {
            tokens.addAll(pieces(word));
        }
        return tokens;
    }

    /** The token ids of {@code text}, without special tokens, padding or truncation. */
    public int[] ids(String text) {
        List<String> tokens = tokenize(text);
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = vocabulary.id(tokens.get(i));
        }
        return ids;
    }

    /** The pieces of one normalised word (no whitespace, no punctuation inside). */
    public List<String> pieces(String word) {
        if (word.codePointCount(0, word.length()) > TextNormalizer.MAX_WORD_CHARS) {
            return List.of(WordPieceVocabulary.UNK);
        }
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < word.length()) {
            String prefix = start == 0 ? "" : WordPieceVocabulary.CONTINUATION;
            int end =
                    Math.min(word.length(), start + vocabulary.maxTokenLength() - prefix.length());
            String match = null;
            while (end > start) {
                // never split a surrogate pair
                if (end < word.length() && Character.isLowSurrogate(word.charAt(end))) {
                    end--;
                    continue;
                }
                String candidate = prefix + word.substring(start, end);
                if (vocabulary.contains(candidate)) {
                    match = candidate;
                    break;
                }
                end--;
            }
            if (match == null) {
                return List.of(WordPieceVocabulary.UNK);
            }
            pieces.add(match);
            start = end;
        }
        return pieces;
    }

    /**
     * Joins token ids back into text: continuation pieces are glued to the piece before, other
     * tokens separated by one space; {@code [PAD]}, {@code [CLS]} and {@code [SEP]} are skipped.
     * For text whose every character is in the vocabulary this gives the normalised words joined by
     * single spaces.
     */
    public String decode(int[] ids) {
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            if (id == WordPieceVocabulary.PAD_ID
                    || id == WordPieceVocabulary.CLS_ID
                    || id == WordPieceVocabulary.SEP_ID) {
                continue;
            }
            String token = vocabulary.token(id);
            if (token.startsWith(WordPieceVocabulary.CONTINUATION) && text.length() > 0) {
                text.append(token, WordPieceVocabulary.CONTINUATION.length(), token.length());
            } else {
                if (text.length() > 0) {
                    text.append(' ');
                }
                text.append(token);
            }
        }
        return text.toString();
    }
}
