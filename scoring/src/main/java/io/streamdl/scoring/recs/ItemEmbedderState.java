package io.streamdl.scoring.recs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What the item embedder keeps per image model, and the explicit, versioned encodings of it in the
 * state stores and their changelogs (no schema registry, so a restore never depends on one). Both
 * formats are big-endian and start with a format byte ({@value #FORMAT}).
 */
public final class ItemEmbedderState {
    static final byte FORMAT = 1;
    private static final int MAX_BYTES = 1 << 30;

    private ItemEmbedderState() {}

    /**
     * The version the catalogue was last embedded with, and when. Encoded as the format byte, the
     * version and the wall-clock milliseconds.
     */
    public record Embedded(long version, long embeddedAtMillis) {}

    /**
     * A verified update that came before the minimum interval had passed, as it arrived: kept whole
     * (the raw wire-format value) so that a restart still embeds it, and with where it came from,
     * so that a failure to embed it can be dead-lettered like a refusal on arrival. Encoded as the
     * format byte, the version, the topic (length and UTF-8), partition and offset, then key and
     * value (length, -1 for null, and bytes).
     */
    public record Pending(
            long version, String topic, int partition, long offset, byte[] key, byte[] value) {}

    /** The serde of {@link Embedded} values. */
    public static Serde<Embedded> embeddedSerde() {
        return Serdes.serdeFrom(
                (topic, e) -> e == null ? null : encode(e),
                (topic, b) -> b == null ? null : decodeEmbedded(b));
    }

    /** The serde of {@link Pending} values. */
    public static Serde<Pending> pendingSerde() {
        return Serdes.serdeFrom(
                (topic, p) -> p == null ? null : encode(p),
                (topic, b) -> b == null ? null : decodePending(b));
    }

    static byte[] encode(Embedded e) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(17);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeByte(FORMAT);
            out.writeLong(e.version());
            out.writeLong(e.embeddedAtMillis());
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        return buffer.toByteArray();
    }

    static Embedded decodeEmbedded(byte[] bytes) {
        try (DataInputStream in = open(bytes, "embedded version")) {
            return new Embedded(in.readLong(), in.readLong());
        } catch (IOException e) {
            throw new SerializationException("truncated embedded version: " + e.getMessage(), e);
        }
    }

    static byte[] encode(Pending p) {
        int size = 64 + length(p.key()) + length(p.value());
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(size);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeByte(FORMAT);
            out.writeLong(p.version());
            writeBytes(out, p.topic().getBytes(StandardCharsets.UTF_8));
            out.writeInt(p.partition());
            out.writeLong(p.offset());
            writeBytes(out, p.key());
            writeBytes(out, p.value());
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        return buffer.toByteArray();
    }

    static Pending decodePending(byte[] bytes) {
        try (DataInputStream in = open(bytes, "pending update")) {
            long version = in.readLong();
            byte[] topic = readBytes(in);
            int partition = in.readInt();
            long offset = in.readLong();
            byte[] key = readBytes(in);
            byte[] value = readBytes(in);
            return new Pending(
                    version,
                    topic == null ? "" : new String(topic, StandardCharsets.UTF_8),
                    partition,
                    offset,
                    key,
                    value);
        } catch (IOException e) {
            throw new SerializationException("truncated pending update: " + e.getMessage(), e);
        }
    }

    private static DataInputStream open(byte[] bytes, String what) {
        if (bytes.length == 0 || bytes[0] != FORMAT) {
            throw new SerializationException(
                    what
                            + " of format "
                            + (bytes.length == 0 ? "(empty)" : bytes[0])
                            + "; this build reads format "
                            + FORMAT);
        }
        return new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1));
    }

    private static int length(byte[] b) {
        return b == null ? 0 : b.length;
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > MAX_BYTES) {
            throw new IOException("a field of " + n + " bytes");
        }
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException("a field of " + n + " bytes ends after " + b.length);
        }
        return b;
    }
}
