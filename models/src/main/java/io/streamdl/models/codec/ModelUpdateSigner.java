package io.streamdl.models.codec;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks {@code ModelUpdate} checksums: a signature is the lowercase hex HMAC-SHA256,
 * under a shared key, of the US-ASCII bytes of the checksum's lowercase hex text (see {@link
 * ModelUpdateDigest}).
 *
 * <p>{@link #verify} compares in constant time. The key is copied on construction and never
 * printed: not by {@link #toString}, not in an exception message. Key length policy (at least
 * {@value ModelUpdateCodec.Config#MIN_KEY_BYTES} bytes) is {@link ModelUpdateCodec.Config}'s; this
 * class only refuses an empty key, which HMAC cannot use.
 *
 * <p>Thread-safe.
 */
public final class ModelUpdateSigner {
    private static final String ALGORITHM = "HmacSHA256";
    private static final HexFormat HEX = HexFormat.of();

    private final SecretKeySpec key;
    private final String keyId;

    /**
     * @param key the shared secret; copied
     * @throws IllegalArgumentException if it is null or empty
     */
    public ModelUpdateSigner(byte[] key) {
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException("an HMAC-SHA256 key must not be null or empty");
        }
        this.key = new SecretKeySpec(key, ALGORITHM);
        this.keyId = keyId(key);
    }

    /**
     * A public name for a key: the first 16 hex digits of the SHA-256 of the key's bytes. It tells
     * which key signed an update without revealing the key.
     */
    public static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HEX.formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM cannot compute SHA-256", e);
        }
    }

    /** This signer's {@link #keyId(byte[])}. */
    public String keyId() {
        return keyId;
    }

    /**
     * The signature of {@code checksumHex}: 64 lowercase hex digits.
     *
     * @throws IllegalArgumentException if {@code checksumHex} is not US-ASCII text
     */
    public String sign(String checksumHex) {
        return HEX.formatHex(hmac(checksumHex));
    }

    /**
     * Whether {@code signatureHex} (hex digits of any case) is the signature of {@code checksumHex}
     * under this key, compared in constant time.
     *
     * @throws IllegalArgumentException if {@code signatureHex} is not an even number of hex digits,
     *     so that a caller can report a malformed signature apart from a wrong one
     */
    public boolean verify(String checksumHex, String signatureHex) {
        byte[] given = HEX.parseHex(signatureHex.toLowerCase(Locale.ROOT));
        return MessageDigest.isEqual(given, hmac(checksumHex));
    }

    private byte[] hmac(String text) {
        // a non-ASCII character would silently become '?' and collide with other texts
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(text)) {
            throw new IllegalArgumentException("only US-ASCII text is signed");
        }
        try {
            // Mac instances are not thread-safe, and cheap next to the SHA-256 of an update
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM cannot compute HMAC-SHA256", e);
        }
    }

    @Override
    public String toString() {
        return "ModelUpdateSigner[HMAC-SHA256, key <set>]";
    }
}
