package io.streamdl.encoders.text;

import io.streamdl.schemas.config.ConfigException;
import io.streamdl.schemas.config.ConfigOption;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What {@link TextEncoder} emits and what it accepts. Immutable; built from settings keys listed in
 * {@link #OPTIONS} or directly, and validated either way with errors that name the key.
 *
 * @param vocabPath the vocabulary file written by {@link WordPieceTrainer}; empty when the
 *     vocabulary is given in code
 * @param maxLength output length in tokens, special tokens included; longer texts are truncated
 *     (their first tokens kept), shorter ones padded with {@code [PAD]}
 * @param maxChars longer texts (in UTF-16 chars, before normalisation) are refused
 * @param lowercase lower-case before tokenising; must match how the vocabulary was trained
 * @param addSpecialTokens wrap the tokens in {@code [CLS]} ... {@code [SEP]}
 */
public record TextEncoderConfig(
        String vocabPath, int maxLength, int maxChars, boolean lowercase, boolean addSpecialTokens)
        implements Serializable {

    public static final ConfigOption<String> VOCAB_PATH =
            ConfigOption.string(
                    "text.vocab.path",
                    "",
                    "vocabulary file from WordPieceTrainer (empty: no text encoder)");
    public static final ConfigOption<Integer> MAX_LENGTH =
            ConfigOption.intRange(
                    "text.max.length",
                    128,
                    1,
                    1 << 16,
                    "tokens per output, special tokens included (truncated or padded)");
    public static final ConfigOption<Integer> MAX_CHARS =
            ConfigOption.intRange(
                    "text.max.chars",
                    10_000,
                    1,
                    1 << 26,
                    "longer texts are refused (TEXT_TOO_LONG)");
    public static final ConfigOption<Boolean> LOWERCASE =
            ConfigOption.bool(
                    "text.lowercase", true, "lower-case before tokenising (as when trained)");
    public static final ConfigOption<Boolean> ADD_SPECIAL_TOKENS =
            ConfigOption.bool(
                    "text.add.special.tokens", true, "wrap the tokens in [CLS] ... [SEP]");

    public static final List<ConfigOption<?>> OPTIONS =
            List.of(VOCAB_PATH, MAX_LENGTH, MAX_CHARS, LOWERCASE, ADD_SPECIAL_TOKENS);

    public TextEncoderConfig {
        VOCAB_PATH.check(vocabPath);
        MAX_LENGTH.check(maxLength);
        MAX_CHARS.check(maxChars);
        if (addSpecialTokens && maxLength < 3) {
            throw ConfigException.refused(
                    MAX_LENGTH.key(),
                    maxLength + " leaves no room for a token between [CLS] and [SEP]");
        }
    }

    /** No vocabulary path, 128 tokens, 10000 chars, lower-casing, [CLS]/[SEP]. */
    public static TextEncoderConfig defaults() {
        return from(Map.of());
    }

    /**
     * Reads the {@code text.*} keys of {@code settings}; absent keys take their defaults, other
     * keys are ignored, and unknown {@code text.*} keys are refused.
     */
    public static TextEncoderConfig from(Map<String, String> settings) {
        io.streamdl.schemas.config.ConfigSchema.refuseUnknown(settings, "text.", OPTIONS);
        return new TextEncoderConfig(
                VOCAB_PATH.read(settings),
                MAX_LENGTH.read(settings),
                MAX_CHARS.read(settings),
                LOWERCASE.read(settings),
                ADD_SPECIAL_TOKENS.read(settings));
    }

    public TextEncoderConfig withMaxLength(int newMaxLength) {
        return new TextEncoderConfig(
                vocabPath, newMaxLength, maxChars, lowercase, addSpecialTokens);
    }

    public TextEncoderConfig withMaxChars(int newMaxChars) {
        return new TextEncoderConfig(
                vocabPath, maxLength, newMaxChars, lowercase, addSpecialTokens);
    }

    public TextEncoderConfig withSpecialTokens(boolean newAddSpecialTokens) {
        return new TextEncoderConfig(
                vocabPath, maxLength, maxChars, lowercase, newAddSpecialTokens);
    }
}
