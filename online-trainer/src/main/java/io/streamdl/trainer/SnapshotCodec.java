package io.streamdl.trainer;

import io.streamdl.models.spec.ModelSpec;
import io.streamdl.schemas.avro.Features;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The trainer's snapshot format: magic {@code "SDLT"}, format number {@value #FORMAT}, then every
 * field in a fixed order ({@link java.io.DataOutput} big-endian, strings and byte arrays prefixed
 * by their length, float arrays as little-endian float32), then a CRC-32 of all of it as a long.
 * Decoding checks the CRC, magic, format and architecture before trusting the contents, and refuses
 * trailing bytes. Any change to the order or encoding is a new format number.
 */
final class SnapshotCodec {
    static final int MAGIC = 0x53444c54; // "SDLT"
    static final int FORMAT = 3;

    private SnapshotCodec() {}

    /** The network's training state. */
    record NetworkState(int iterations, int epochs, float[] params, float[] optimizerState) {}

    /**
     * Everything a snapshot holds.
     *
     * @param detector the drift detector, or null for none
     * @param replay the replay ring's entries in ring order
     * @param replayNext the ring's {@link ReplayRing#next} position
     */
    record State(
            ModelSpec spec,
            TrainerSettings.Optimizer optimizer,
            VersionLineage.State lineage,
            long lastAttemptMillis,
            LearningRateSchedule.State schedule,
            TrainerCounters counters,
            NetworkState network,
            PrequentialWindow window,
            PageHinkley detector,
            List<AcceptedExample> pending,
            List<AcceptedExample> replay,
            int replayNext) {}

    static byte[] encode(State s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            writeString(out, s.spec().toJson());
            writeString(out, s.optimizer().name());
            VersionLineage.State lineage = s.lineage();
            out.writeLong(lineage.highestVersion());
            out.writeBoolean(lineage.parentVersion() != null);
            out.writeLong(lineage.parentVersion() == null ? 0 : lineage.parentVersion());
            out.writeDouble(lineage.referenceQuality());
            out.writeLong(s.lastAttemptMillis());
            out.writeDouble(s.schedule().rate());
            out.writeInt(s.schedule().boostStepsLeft());
            s.counters().writeTo(out);
            // the schedule's position is the last of format 3's counters
            out.writeLong(s.schedule().examplesSinceDrift());
            out.writeInt(s.network().iterations());
            out.writeInt(s.network().epochs());
            writeFloats(out, s.network().params());
            writeFloats(out, s.network().optimizerState());
            writeFloats(out, lineage.lastGoodParams());
            s.window().writeTo(out);
            out.writeBoolean(s.detector() != null);
            if (s.detector() != null) {
                s.detector().writeTo(out);
            }
            writeExamples(out, s.pending());
            writeExamples(out, s.replay());
            out.writeInt(s.replayNext());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write trainer snapshot", e);
        }
        byte[] body = bytes.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(body);
        return ByteBuffer.allocate(body.length + 8).put(body).putLong(crc.getValue()).array();
    }

    /**
     * Reads what {@link #encode} wrote, for a trainer of {@code expected}'s architecture. The
     * window is read into one of {@code windowCapacity}, keeping the newest entries that fit. A
     * saved detector state is read into {@code detector}, or read past if it is null; the returned
     * state holds {@code detector}. The schedule's rate is the one in use when the snapshot was
     * taken.
     *
     * @throws IOException if the snapshot is corrupt or of another format
     * @throws IllegalStateException if it holds another architecture
     */
    static State decode(
            byte[] snapshot, ModelSpec expected, int windowCapacity, PageHinkley detector)
            throws IOException {
        if (snapshot.length < 16) {
            throw new IOException("snapshot of " + snapshot.length + " bytes is too short");
        }
        CRC32 crc = new CRC32();
        crc.update(snapshot, 0, snapshot.length - 8);
        long stored = ByteBuffer.wrap(snapshot, snapshot.length - 8, 8).getLong();
        if (crc.getValue() != stored) {
            throw new IOException("CRC mismatch");
        }
        DataInputStream in =
                new DataInputStream(new ByteArrayInputStream(snapshot, 0, snapshot.length - 8));
        if (in.readInt() != MAGIC) {
            throw new IOException("not a trainer snapshot (bad magic number)");
        }
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException("snapshot format " + format + ", this build reads " + FORMAT);
        }
        ModelSpec saved = ModelSpec.fromJson(readString(in));
        if (!TrainableNetwork.sameArchitecture(expected, saved)) {
            throw new IllegalStateException(
                    "the checkpoint holds model '"
                            + saved.name()
                            + "' with architecture "
                            + saved.toJson()
                            + " but the job trains "
                            + expected.toJson()
                            + "; start the job without this checkpoint to change the"
                            + " architecture");
        }
        TrainerSettings.Optimizer optimizer = TrainerSettings.Optimizer.valueOf(readString(in));
        long highestVersion = in.readLong();
        boolean hasParent = in.readBoolean();
        long parent = in.readLong();
        double referenceQuality = in.readDouble();
        long lastAttemptMillis = in.readLong();
        double rate = in.readDouble();
        int boostStepsLeft = in.readInt();
        TrainerCounters counters = TrainerCounters.readFrom(in);
        long examplesSinceDrift = in.readLong();
        int iterations = in.readInt();
        int epochs = in.readInt();
        NetworkState network = new NetworkState(iterations, epochs, readFloats(in), readFloats(in));
        VersionLineage.State lineage =
                new VersionLineage.State(
                        highestVersion,
                        hasParent ? parent : null,
                        referenceQuality,
                        readFloats(in));
        PrequentialWindow window = PrequentialWindow.readFrom(in, windowCapacity);
        if (in.readBoolean()) {
            // a detector turned off since the checkpoint still has its state read past
            (detector != null ? detector : new PageHinkley(0, 1, 1)).readFrom(in);
        }
        List<AcceptedExample> pending = readExamples(in);
        List<AcceptedExample> replay = readExamples(in);
        int replayNext = in.readInt();
        if (replayNext < 0 || (replayNext > 0 && replayNext >= replay.size())) {
            throw new IOException(
                    "replay position " + replayNext + " in a ring of " + replay.size());
        }
        if (in.available() != 0) {
            throw new IOException(in.available() + " unread bytes at the end");
        }
        return new State(
                saved,
                optimizer,
                lineage,
                lastAttemptMillis,
                new LearningRateSchedule.State(rate, boostStepsLeft, examplesSinceDrift),
                counters,
                network,
                window,
                detector,
                pending,
                replay,
                replayNext);
    }

    private static void writeExamples(DataOutputStream out, List<AcceptedExample> examples)
            throws IOException {
        out.writeInt(examples.size());
        for (AcceptedExample p : examples) {
            writeString(out, p.eventId());
            out.writeInt(p.label());
            out.writeLong(p.arrivedAt());
            writeFeatures(out, p.features());
        }
    }

    private static List<AcceptedExample> readExamples(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("negative example count " + n);
        }
        List<AcceptedExample> examples = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String eventId = readString(in);
            int label = in.readInt();
            long arrivedAt = in.readLong();
            examples.add(new AcceptedExample(eventId, label, arrivedAt, readFeatures(in)));
        }
        return examples;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        writeBytes(out, b.array());
    }

    private static float[] readFloats(DataInputStream in) throws IOException {
        byte[] b = readBytes(in);
        if (b.length % 4 != 0) {
            throw new IOException(b.length + " bytes are not whole float32 values");
        }
        float[] values = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private static void writeFeatures(DataOutputStream out, Features f) throws IOException {
        writeString(out, f.getEventId());
        out.writeLong(f.getTs());
        writeString(out, f.getEncodedBy());
        writeString(out, f.getDtype());
        out.writeInt(f.getShape().size());
        for (int d : f.getShape()) {
            out.writeInt(d);
        }
        writeBytes(out, bytes(f.getData()));
        out.writeBoolean(f.getMask() != null);
        if (f.getMask() != null) {
            writeBytes(out, bytes(f.getMask()));
        }
    }

    private static Features readFeatures(DataInputStream in) throws IOException {
        String eventId = readString(in);
        long ts = in.readLong();
        String encodedBy = readString(in);
        String dtype = readString(in);
        int rank = in.readInt();
        if (rank < 0 || rank > 16) {
            throw new IOException("bad rank " + rank);
        }
        List<Integer> shape = new ArrayList<>(rank);
        for (int i = 0; i < rank; i++) {
            shape.add(in.readInt());
        }
        ByteBuffer data = ByteBuffer.wrap(readBytes(in));
        ByteBuffer mask = in.readBoolean() ? ByteBuffer.wrap(readBytes(in)) : null;
        return Features.newBuilder()
                .setEventId(eventId)
                .setTs(ts)
                .setEncodedBy(encodedBy)
                .setDtype(dtype)
                .setShape(shape)
                .setData(data)
                .setMask(mask)
                .build();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
