package io.streamdl.scoring.anomaly;

import io.streamdl.schemas.avro.Anomaly;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The explicit, versioned encoding of a {@link SeriesState} in the state store and its changelog.
 * It needs no schema registry, so a restore never depends on one. Format 1, big-endian: the format
 * byte, the window and recent capacities, the recent scores oldest first (count, then doubles), the
 * seen, alert and suppressed counters, whether and when the series last alerted, then the recent
 * anomalies (count, then each one's fields; strings as length and UTF-8 bytes, -1 for null). Format
 * 2 appends when the series last had a score (processing time), for idle expiry; format 1 still
 * reads, as "never seen".
 */
public final class SeriesStateSerde implements Serde<SeriesState> {
    static final byte FORMAT = 2;
    private static final byte FORMAT_WITHOUT_LAST_SEEN = 1;
    private static final int MAX_STRING_BYTES = 1 << 20;

    @Override
    public Serializer<SeriesState> serializer() {
        return (topic, state) -> state == null ? null : encode(state);
    }

    @Override
    public Deserializer<SeriesState> deserializer() {
        return (topic, bytes) -> bytes == null ? null : decode(bytes);
    }

    static byte[] encode(SeriesState state) {
        double[] scores = state.scores();
        List<Anomaly> recent = state.recentAnomalies();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 + 8 * scores.length);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeByte(FORMAT);
            out.writeInt(state.window());
            out.writeInt(state.recentCapacity());
            out.writeInt(scores.length);
            for (double s : scores) {
                out.writeDouble(s);
            }
            out.writeLong(state.seen());
            out.writeLong(state.alerts());
            out.writeLong(state.suppressed());
            out.writeBoolean(state.alerted());
            out.writeLong(state.lastAlertTs());
            out.writeInt(recent.size());
            for (Anomaly a : recent) {
                writeString(out, a.getEventId());
                writeString(out, a.getModel());
                out.writeLong(a.getModelVersion());
                out.writeDouble(a.getScore());
                out.writeDouble(a.getThreshold());
                writeString(out, a.getSeries());
                out.writeLong(a.getTs());
            }
            out.writeLong(state.lastSeenMillis());
        } catch (IOException e) {
            throw new SerializationException("cannot encode a series state", e);
        }
        return buffer.toByteArray();
    }

    static SeriesState decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte format = in.readByte();
            if (format != FORMAT && format != FORMAT_WITHOUT_LAST_SEEN) {
                throw new SerializationException(
                        "series state in format "
                                + format
                                + ", this version reads "
                                + FORMAT_WITHOUT_LAST_SEEN
                                + " and "
                                + FORMAT);
            }
            int window = in.readInt();
            int recentCapacity = in.readInt();
            int count = in.readInt();
            if (window < 1 || recentCapacity < 0 || count < 0 || count > window) {
                throw new SerializationException(
                        "corrupt series state: window " + window + ", " + count + " scores");
            }
            double[] scores = new double[count];
            for (int i = 0; i < count; i++) {
                scores[i] = in.readDouble();
            }
            long seen = in.readLong();
            long alerts = in.readLong();
            long suppressed = in.readLong();
            boolean alerted = in.readBoolean();
            long lastAlertTs = in.readLong();
            int anomalies = in.readInt();
            if (anomalies < 0 || anomalies > recentCapacity) {
                throw new SerializationException("corrupt series state: " + anomalies + " alerts");
            }
            List<Anomaly> recent = new ArrayList<>(anomalies);
            for (int i = 0; i < anomalies; i++) {
                recent.add(
                        Anomaly.newBuilder()
                                .setEventId(readString(in))
                                .setModel(readString(in))
                                .setModelVersion(in.readLong())
                                .setScore(in.readDouble())
                                .setThreshold(in.readDouble())
                                .setSeries(readString(in))
                                .setTs(in.readLong())
                                .build());
            }
            long lastSeen = format == FORMAT ? in.readLong() : SeriesState.NEVER_SEEN;
            if (in.available() > 0) {
                throw new SerializationException(
                        "corrupt series state: " + in.available() + " trailing bytes");
            }
            return SeriesState.of(
                    window,
                    recentCapacity,
                    scores,
                    seen,
                    alerts,
                    suppressed,
                    alerted,
                    lastAlertTs,
                    lastSeen,
                    recent);
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException se) {
                throw se;
            }
            throw new SerializationException(
                    "corrupt series state of " + bytes.length + " bytes", e);
        }
    }

    private static void writeString(DataOutputStream out, CharSequence s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = s.toString().getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > MAX_STRING_BYTES) {
            throw new SerializationException("corrupt series state: a string of " + length);
        }
        byte[] utf8 = in.readNBytes(length);
        if (utf8.length != length) {
            throw new SerializationException("corrupt series state: truncated string");
        }
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
