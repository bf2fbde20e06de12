package io.streamdl.encoders.text;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncodeException.Reason;
import io.streamdl.encoders.Encoder;
import io.streamdl.encoders.Fingerprints;
import io.streamdl.encoders.Tensors;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.TextPayload;
import io.streamdl.schemas.config.ConfigException;
import java.io.IOException;
import java.io.ObjectStreamException;
import java.nio.file.Path;
import java.util.List;

/**
 * Encodes a {@link TextPayload} into int32 token ids of shape {@code [maxLength]} with a mask of
 * the same length (1 for real and special tokens, 0 for padding).
 *
 * <p>Steps: refuse a missing text or one longer than {@code maxChars}; normalise and tokenise
 * ({@link WordPieceTokenizer}; unknown words become {@code [UNK]}); refuse a text with no tokens;
 * keep the first tokens that fit, between {@code [CLS]} and {@code [SEP]} if configured; pad with
 * {@code [PAD]} (id 0).
 *
 * <p>The {@link #version()} is {@value #IMPLEMENTATION_VERSION}, the vocabulary's version (12 hex
 * digits of its SHA-256) and a hash of the output-affecting configuration, so another vocabulary
 * always gives another {@code encodedBy}. Thread-safe.
 */
public final class TextEncoder implements Encoder<TextPayload> {
    private static final long serialVersionUID = 1L;

    public static final String NAME = "text";

    /** Bumped whenever this class's output for the same input and configuration changes. */
    public static final String IMPLEMENTATION_VERSION = "1";

    private final TextEncoderConfig config;
    private final WordPieceVocabulary vocabulary;
    private final transient WordPieceTokenizer tokenizer;
    private final transient String version;

    /** An encoder with a vocabulary given in code ({@code config.vocabPath()} is not read). */
    public TextEncoder(TextEncoderConfig config, WordPieceVocabulary vocabulary) {
        this.config = config;
        this.vocabulary = vocabulary;
        this.tokenizer = new WordPieceTokenizer(vocabulary, new TextNormalizer(config.lowercase()));
        String canonical =
                "maxLength="
                        + config.maxLength()
                        + ";lowercase="
                        + config.lowercase()
                        + ";special="
                        + config.addSpecialTokens();
        this.version =
                IMPLEMENTATION_VERSION
                        + "-"
                        + vocabulary.version()
                        + "-"
                        + Fingerprints.shortHash(canonical);
    }

    /**
     * An encoder whose vocabulary is read from {@code config.vocabPath()}.
     *
     * @throws ConfigException naming {@code text.vocab.path} if the path is empty or the file is
     *     not a valid vocabulary
     */
    public static TextEncoder fromConfig(TextEncoderConfig config) {
        if (config.vocabPath().isBlank()) {
            throw ConfigException.refused(
                    TextEncoderConfig.VOCAB_PATH.key(), "is required for the text encoder");
        }
        try {
            return new TextEncoder(config, WordPieceVocabulary.read(Path.of(config.vocabPath())));
        } catch (IOException e) {
            ConfigException error =
                    ConfigException.refused(
                            TextEncoderConfig.VOCAB_PATH.key(),
                            "cannot read vocabulary '"
                                    + config.vocabPath()
                                    + "': "
                                    + e.getMessage());
            error.initCause(e);
            throw error;
        }
    }

    public TextEncoderConfig config() {
        return config;
    }

    public WordPieceVocabulary vocabulary() {
        return vocabulary;
    }

    public WordPieceTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public Class<TextPayload> payloadType() {
        return TextPayload.class;
    }

    @Override
    public Features encode(String eventId, long ts, TextPayload payload) {
        if (payload == null) {
            throw new EncodeException(Reason.NO_ENCODER, "the event has no text payload");
        }
        Encoded encoded = encode(payload.getText());
        return Tensors.intFeatures(
                eventId,
                ts,
                encodedBy(),
                new int[] {config.maxLength()},
                encoded.ids(),
                encoded.mask());
    }

    /**
     * Token ids and mask of one text.
     *
     * @param ids {@code maxLength} token ids
     * @param mask {@code maxLength} bytes, 1 for a real or special token, 0 for padding
     * @param tokens how many tokens the text had before truncation (special tokens excluded)
     */
    public record Encoded(int[] ids, byte[] mask, int tokens) {}

    /** The core of {@link #encode(String, long, TextPayload)}. */
    public Encoded encode(String text) {
        if (text == null) {
            throw new EncodeException(Reason.EMPTY_TEXT, "the text payload has no text");
        }
        if (text.length() > config.maxChars()) {
            throw new EncodeException(
                    Reason.TEXT_TOO_LONG,
                    "the text has "
                            + text.length()
                            + " characters, more than the limit of "
                            + config.maxChars());
        }
        List<String> tokens = tokenizer.tokenize(text);
        if (tokens.isEmpty()) {
            throw new EncodeException(
                    Reason.EMPTY_TEXT, "the text has no tokens after normalisation");
        }
        int[] ids = new int[config.maxLength()];
        byte[] mask = new byte[config.maxLength()];
        int n = 0;
        boolean special = config.addSpecialTokens();
        if (special) {
            ids[n] = WordPieceVocabulary.CLS_ID;
            mask[n++] = 1;
        }
        int room = config.maxLength() - (special ? 2 : 0);
        for (int i = 0; i < Math.min(room, tokens.size()); i++) {
            ids[n] = vocabulary.id(tokens.get(i));
            mask[n++] = 1;
        }
        if (special) {
            ids[n] = WordPieceVocabulary.SEP_ID;
            mask[n] = 1;
        }
        // the rest stays 0: [PAD] with mask 0
        return new Encoded(ids, mask, tokens.size());
    }

    /** Rebuilds the derived fields after deserialization. */
    private Object readResolve() throws ObjectStreamException {
        return new TextEncoder(config, vocabulary);
    }
}
