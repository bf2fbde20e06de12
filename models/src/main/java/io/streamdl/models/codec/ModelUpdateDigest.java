package io.streamdl.models.codec;

import io.streamdl.schemas.avro.ModelUpdate;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The checksum of a {@code ModelUpdate}: the lowercase hex SHA-256 of a canonical encoding of its
 * content. The encoding starts with the domain tag {@code streamdl.ModelUpdate.v1}, then holds
 * model name, version, parent version, architecture, format, parameters and ONNX bytes in that
 * order; every byte string is prefixed with its length as a big-endian 64-bit integer and each
 * optional field with a presence byte, so no two different contents encode alike and a hash made
 * for another purpose cannot pass for this one.
 *
 * <p>This encoding is the wire format: changing it makes every published update fail its checksum.
 * Thread-safe (stateless).
 */
public final class ModelUpdateDigest {
    private static final byte[] DOMAIN = "streamdl.ModelUpdate.v1".getBytes(StandardCharsets.UTF_8);
    private static final HexFormat HEX = HexFormat.of();

    private ModelUpdateDigest() {}

    /**
     * The checksum of the given content.
     *
     * @param parentVersion null for a model trained from scratch
     * @param onnx null if the update carries no ONNX model
     */
    public static String sha256Hex(
            String model,
            long version,
            Long parentVersion,
            String architecture,
            String format,
            byte[] params,
            byte[] onnx) {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
        putBytes(d, DOMAIN);
        putBytes(d, model.getBytes(StandardCharsets.UTF_8));
        putLong(d, version);
        d.update((byte) (parentVersion == null ? 0 : 1));
        if (parentVersion != null) {
            putLong(d, parentVersion);
        }
        putBytes(d, architecture.getBytes(StandardCharsets.UTF_8));
        putBytes(d, format.getBytes(StandardCharsets.UTF_8));
        putBytes(d, params);
        d.update((byte) (onnx == null ? 0 : 1));
        if (onnx != null) {
            putBytes(d, onnx);
        }
        return HEX.formatHex(d.digest());
    }

    /** The checksum of {@code update}'s content, ignoring the checksum and signature it carries. */
    public static String sha256Hex(ModelUpdate update) {
        return sha256Hex(
                update.getModel(),
                update.getVersion(),
                update.getParentVersion(),
                update.getArchitecture(),
                update.getFormat(),
                bytes(update.getParams()),
                update.getOnnx() == null ? null : bytes(update.getOnnx()));
    }

    /**
     * Whether {@code givenHex} (any case, may be null) spells the checksum {@code computedHex}, in
     * time that does not depend on where they differ.
     */
    public static boolean matches(String computedHex, String givenHex) {
        if (givenHex == null) {
            return false;
        }
        return MessageDigest.isEqual(
                computedHex.getBytes(StandardCharsets.US_ASCII),
                givenHex.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    /** The remaining bytes of {@code buffer}, without moving its position. */
    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static void putBytes(MessageDigest d, byte[] bytes) {
        putLong(d, bytes.length);
        d.update(bytes);
    }

    private static void putLong(MessageDigest d, long v) {
        for (int i = 7; i >= 0; i--) {
            d.update((byte) (v >>> (8 * i)));
        }
    }
}
