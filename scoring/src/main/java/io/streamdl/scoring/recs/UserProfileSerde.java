package io.streamdl.scoring.recs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The store format of a {@link UserProfile} (format 1, big-endian): {@code format:byte,
 * interactions:long, recent:int, (item:int, weight:float, ts:long) x recent, excluded:int, item:int
 * x excluded, last:int, (item:int, score:float) x last, lastModelVersion:long,
 * lastEmbeddingVersion:long, lastBasis:byte (0 model, 1 popular, 2 content), lastTs:long}. Not Java
 * serialization.
 */
final class UserProfileSerde implements Serde<UserProfile> {
    static final byte FORMAT = 1;

    @Override
    public Serializer<UserProfile> serializer() {
        return (topic, p) -> p == null ? null : write(p);
    }

    @Override
    public Deserializer<UserProfile> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    static byte[] write(UserProfile p) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 16 * p.recent);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(p.interactions);
            out.writeInt(p.recent);
            for (int k = 0; k < p.recent; k++) {
                out.writeInt(p.items[k]);
                out.writeFloat(p.weights[k]);
                out.writeLong(p.times[k]);
            }
            out.writeInt(p.excludedCount);
            for (int k = 0; k < p.excludedCount; k++) {
                out.writeInt(p.excluded[k]);
            }
            out.writeInt(p.lastItems.length);
            for (int k = 0; k < p.lastItems.length; k++) {
                out.writeInt(p.lastItems[k]);
                out.writeFloat(p.lastScores[k]);
            }
            out.writeLong(p.lastModelVersion);
            out.writeLong(p.lastEmbeddingVersion);
            out.writeByte(p.lastBasis);
            out.writeLong(p.lastTs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static UserProfile read(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new SerializationException("unknown user profile format " + format);
            }
            long interactions = in.readLong();
            int recent = count(in.readInt(), bytes.length);
            UserProfile p = new UserProfile(Math.max(1, recent));
            for (int k = 0; k < recent; k++) {
                p.items[k] = in.readInt();
                p.weights[k] = in.readFloat();
                p.times[k] = in.readLong();
            }
            p.recent = recent;
            p.interactions = interactions;
            int excluded = count(in.readInt(), bytes.length);
            p.excluded = new int[excluded];
            for (int k = 0; k < excluded; k++) {
                p.excluded[k] = in.readInt();
            }
            p.excludedCount = excluded;
            int last = count(in.readInt(), bytes.length);
            p.lastItems = new int[last];
            p.lastScores = new float[last];
            for (int k = 0; k < last; k++) {
                p.lastItems[k] = in.readInt();
                p.lastScores[k] = in.readFloat();
            }
            p.lastModelVersion = in.readLong();
            p.lastEmbeddingVersion = in.readLong();
            p.lastBasis = in.readByte();
            if (p.lastBasis < UserProfile.MODEL || p.lastBasis > UserProfile.CONTENT) {
                throw new SerializationException("corrupt user profile: basis " + p.lastBasis);
            }
            p.lastTs = in.readLong();
            return p;
        } catch (IOException e) {
            throw new SerializationException("truncated user profile", e);
        }
    }

    private static int count(int n, int limit) {
        if (n < 0 || n > limit) {
            throw new SerializationException("corrupt user profile: count " + n);
        }
        return n;
    }
}
