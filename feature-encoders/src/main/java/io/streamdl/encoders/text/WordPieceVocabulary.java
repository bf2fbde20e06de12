package io.streamdl.encoders.text;

import io.streamdl.encoders.Fingerprints;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WordPiece vocabulary: token strings and their ids, with a content hash as its version.
 *
 * <p>Ids 0 to 4 are the special tokens {@code [PAD]}, {@code [UNK]}, {@code [CLS]}, {@code [SEP]}
 * and {@code [MASK]}. A token that starts with {@value #CONTINUATION} continues a word; any other
 * token starts one. Tokens are non-empty, unique and contain no whitespace.
 *
 * <p>File format (UTF-8): a header line
 *
 * <pre>#streamdl-wordpiece format=1 version=&lt;12 hex&gt; size=&lt;n&gt; sha256=&lt;64 hex&gt;
 * </pre>
 *
 * then one token per line in id order. {@code sha256} is the SHA-256 of the token lines (each token
 * followed by {@code \n}), and {@code version} its first 12 hex digits; reading recomputes both and
 * refuses a file that was changed after it was written, so a version always names one exact
 * vocabulary. Immutable.
 */
public final class WordPieceVocabulary implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String PAD = "[PAD]";
    public static final String UNK = "[UNK]";
    public static final String CLS = "[CLS]";
    public static final String SEP = "[SEP]";
    public static final String MASK = "[MASK]";
    public static final List<String> SPECIAL_TOKENS = List.of(PAD, UNK, CLS, SEP, MASK);
    public static final String CONTINUATION = "##";

    public static final int PAD_ID = 0;
    public static final int UNK_ID = 1;
    public static final int CLS_ID = 2;
    public static final int SEP_ID = 3;
    public static final int MASK_ID = 4;

    static final String MAGIC = "#streamdl-wordpiece";
    private static final Pattern HEADER =
            Pattern.compile(
                    "#streamdl-wordpiece format=1 version=([0-9a-f]{12}) size=(\\d+)"
                            + " sha256=([0-9a-f]{64})");

    private final List<String> tokens;
    private final String sha256;
    private final transient Map<String, Integer> ids;
    private final transient int maxTokenLength;

    private WordPieceVocabulary(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        Map<String, Integer> index = new HashMap<>(tokens.size() * 2);
        int longest = 0;
        for (int i = 0; i < this.tokens.size(); i++) {
            String token = this.tokens.get(i);
            if (token.isEmpty() || token.codePoints().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(
                        "token " + i + " is empty or contains whitespace: '" + token + "'");
            }
            if (index.putIfAbsent(token, i) != null) {
                throw new IllegalArgumentException("token '" + token + "' appears twice");
            }
            longest = Math.max(longest, token.length());
        }
        for (int i = 0; i < SPECIAL_TOKENS.size(); i++) {
            if (i >= this.tokens.size() || !SPECIAL_TOKENS.get(i).equals(this.tokens.get(i))) {
                throw new IllegalArgumentException(
                        "the vocabulary must start with " + SPECIAL_TOKENS + " at ids 0 to 4");
            }
        }
        this.ids = index;
        this.maxTokenLength = longest;
        this.sha256 = Fingerprints.sha256Hex(tokenLines(this.tokens));
    }

    /**
     * A vocabulary of {@code tokens} in id order.
     *
     * @throws IllegalArgumentException if the special tokens are not first, or a token is empty,
     *     repeated or contains whitespace
     */
    public static WordPieceVocabulary of(List<String> tokens) {
        return new WordPieceVocabulary(tokens);
    }

    /**
     * Reads a vocabulary file and checks its header against its content.
     *
     * @throws IOException if the file cannot be read or is not a valid vocabulary file (the message
     *     says which)
     */
    public static WordPieceVocabulary read(Path path) throws IOException {
        String content = Files.readString(path, StandardCharsets.UTF_8);
        try {
            return parse(content);
        } catch (IllegalArgumentException e) {
            throw new IOException("invalid vocabulary file " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses the content of a vocabulary file.
     *
     * @throws IllegalArgumentException if the content is not a valid vocabulary file
     */
    public static WordPieceVocabulary parse(String content) {
        int newline = content.indexOf('\n');
        if (newline < 0) {
            throw new IllegalArgumentException("no header line");
        }
        Matcher header = HEADER.matcher(content.substring(0, newline).strip());
        if (!header.matches()) {
            throw new IllegalArgumentException(
                    "the first line is not a '" + MAGIC + " format=1 ...' header");
        }
        String[] lines = content.substring(newline + 1).split("\n", -1);
        // a final newline ends the last token rather than starting an empty one
        int count = lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
        List<String> tokens = Arrays.asList(lines).subList(0, count);
        WordPieceVocabulary vocabulary = new WordPieceVocabulary(tokens);
        if (Long.parseLong(header.group(2)) != vocabulary.size()) {
            throw new IllegalArgumentException(
                    "the header declares "
                            + header.group(2)
                            + " tokens but the file holds "
                            + vocabulary.size());
        }
        if (!header.group(3).equals(vocabulary.sha256)
                || !header.group(1).equals(vocabulary.version())) {
            throw new IllegalArgumentException(
                    "the tokens do not match the header's sha256 (the file was changed after it"
                            + " was written)");
        }
        return vocabulary;
    }

    /** Writes the vocabulary file, header first. */
    public void write(Path path) throws IOException {
        Files.writeString(path, fileContent(), StandardCharsets.UTF_8);
    }

    /** The full file content, as {@link #write} writes it. */
    public String fileContent() {
        return header() + "\n" + new String(tokenLines(tokens), StandardCharsets.UTF_8);
    }

    public String header() {
        return MAGIC
                + " format=1 version="
                + version()
                + " size="
                + tokens.size()
                + " sha256="
                + sha256;
    }

    /** The first 12 hex digits of {@link #sha256()}. */
    public String version() {
        return sha256.substring(0, 12);
    }

    /** The SHA-256 of the token lines, 64 hex digits. */
    public String sha256() {
        return sha256;
    }

    public int size() {
        return tokens.size();
    }

    /** The id of {@code token}, or -1 if it is not in the vocabulary. */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    public boolean contains(String token) {
        return ids.containsKey(token);
    }

    /** The token with id {@code id}. */
    public String token(int id) {
        return tokens.get(id);
    }

    /** All tokens in id order (unmodifiable). */
    public List<String> tokens() {
        return tokens;
    }

    /** The length in chars of the longest token, which bounds the tokenizer's search. */
    int maxTokenLength() {
        return maxTokenLength;
    }

    private static byte[] tokenLines(List<String> tokens) {
        StringBuilder lines = new StringBuilder();
        for (String token : tokens) {
            lines.append(token).append('\n');
        }
        return lines.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Rebuilds the index after deserialization. */
    private Object readResolve() {
        return new WordPieceVocabulary(tokens);
    }
}
