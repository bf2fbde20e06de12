package io.streamdl.encoders;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Short content hashes that go into encoder versions, so that two encoders whose outputs differ
 * (another configuration, another vocabulary) never share an {@code encodedBy}.
 */
public final class Fingerprints {
    private Fingerprints() {}

    /** The SHA-256 of {@code bytes}, as 64 lower-case hex digits. */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            // every Java platform must provide SHA-256, so this is a broken runtime
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The first 8 hex digits of the SHA-256 of {@code canonical}'s UTF-8 bytes. */
    public static String shortHash(String canonical) {
        return sha256Hex(canonical.getBytes(StandardCharsets.UTF_8)).substring(0, 8);
    }
}
