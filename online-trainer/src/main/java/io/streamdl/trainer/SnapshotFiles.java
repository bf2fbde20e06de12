package io.streamdl.trainer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trainer snapshots kept as files beside the checkpoints, so that a checkpoint carries a reference
 * of a few hundred bytes instead of the weights, and weights that did not change since the last
 * checkpoint are not written again. A model of 10 MB checkpointed every 100 ms would otherwise
 * write 100 MB/s while the pipeline is idle (the trainers' snapshots were three fifths of the idle
 * CPU of {@code ./pipeline up}, measured with Java Flight Recorder).
 *
 * <p>A reference is magic {@code "SDLR"}, format {@value #FORMAT}, the file's absolute path, its
 * length and its last eight bytes (the snapshot's own CRC, see {@link SnapshotCodec}); resolving it
 * checks both. Files are named {@code <checkpoint id>-<random>.snap}, so runs and attempts never
 * collide. After checkpoint {@code n} completes, every file that neither it nor a later snapshot
 * references is deleted; a restore deletes every file but the one it restored. A savepoint holds
 * the snapshot inline (the operator decides), so it stays valid whatever happens to these files; an
 * old retained checkpoint restored by hand after newer ones completed finds its file deleted and
 * fails with a message that says so.
 */
final class SnapshotFiles {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotFiles.class);
    static final int MAGIC = 0x53444c52; // "SDLR"
    static final int FORMAT = 1;
    private static final String SUFFIX = ".snap";

    private final Path dir;

    /** The file each snapshot not yet subsumed references, by checkpoint id. */
    private final TreeMap<Long, Path> taken = new TreeMap<>();

    /** Files this instance knows of that may still be referenced. */
    private final Set<Path> files = new HashSet<>();

    private byte[] lastSnapshot;
    private byte[] lastReference;
    private Path lastFile;

    SnapshotFiles(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /** Whether {@code state} is a reference rather than a snapshot. */
    static boolean isReference(byte[] state) {
        return state.length >= 8
                && ((state[0] & 0xff) << 24
                                | (state[1] & 0xff) << 16
                                | (state[2] & 0xff) << 8
                                | (state[3] & 0xff))
                        == MAGIC;
    }

    /**
     * The reference to put in checkpoint {@code checkpointId}: to the file of the previous
     * reference when {@code snapshot} is the very array given then (the trainer returns the same
     * array while nothing changed), else to a new file holding it.
     */
    byte[] reference(long checkpointId, byte[] snapshot) {
        if (snapshot != lastSnapshot) {
            Path file = dir.resolve(checkpointId + "-" + UUID.randomUUID() + SUFFIX);
            write(file, snapshot);
            files.add(file);
            lastSnapshot = snapshot;
            lastFile = file;
            lastReference = encode(file, snapshot);
        }
        taken.put(checkpointId, lastFile);
        return lastReference;
    }

    /**
     * Checkpoint {@code checkpointId} completed: deletes the files that neither it nor a later
     * snapshot references.
     */
    void completed(long checkpointId) {
        Map.Entry<Long, Path> floor = taken.floorEntry(checkpointId);
        if (floor == null) {
            return;
        }
        Set<Path> keep = new HashSet<>(taken.tailMap(floor.getKey(), true).values());
        taken.headMap(floor.getKey(), false).clear();
        for (Path file : Set.copyOf(files)) {
            if (!keep.contains(file)) {
                delete(file);
                files.remove(file);
            }
        }
    }

    /**
     * Reads the snapshot {@code reference} points to, then deletes every other snapshot file of
     * this directory (left by the run or attempt that failed).
     *
     * @throws IllegalStateException if the file is missing or not the one referenced
     */
    byte[] restore(byte[] reference) {
        Path file;
        long length;
        byte[] tail = new byte[8];
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(reference))) {
            in.readInt();
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IllegalStateException(
                        "trainer snapshot reference of format "
                                + format
                                + ", this build reads "
                                + FORMAT);
            }
            file = Path.of(in.readUTF());
            length = in.readLong();
            in.readFully(tail);
        } catch (IOException e) {
            throw new IllegalStateException("corrupt trainer snapshot reference: " + e, e);
        }
        byte[] snapshot;
        try {
            snapshot = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(
                    "the checkpoint refers to trainer snapshot "
                            + file
                            + ", which no longer exists: only the latest checkpoint and savepoints"
                            + " (which hold the snapshot itself) can be restored",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read trainer snapshot " + file, e);
        }
        if (snapshot.length != length
                || !Arrays.equals(
                        tail, Arrays.copyOfRange(snapshot, snapshot.length - 8, snapshot.length))) {
            throw new IllegalStateException(
                    "trainer snapshot "
                            + file
                            + " is not the one the checkpoint refers to ("
                            + snapshot.length
                            + " bytes, expected "
                            + length
                            + ")");
        }
        deleteAllBut(file);
        files.add(file);
        return snapshot;
    }

    /** A start without state: every snapshot file of this directory is from an earlier run. */
    void clear() {
        deleteAllBut(null);
    }

    private void deleteAllBut(Path kept) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(p -> p.getFileName().toString().endsWith(SUFFIX))
                    .filter(p -> !p.equals(kept))
                    .forEach(SnapshotFiles::delete);
        } catch (IOException e) {
            LOG.warn("cannot list trainer snapshots in {}: {}", dir, e.toString());
        }
    }

    private static byte[] encode(Path file, byte[] snapshot) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeUTF(file.toString());
            out.writeLong(snapshot.length);
            out.write(snapshot, snapshot.length - 8, 8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private void write(Path file, byte[] snapshot) {
        if (snapshot.length < 8) {
            throw new IllegalArgumentException("not a trainer snapshot: " + snapshot.length + " B");
        }
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try {
            Files.createDirectories(dir);
            Files.write(partial, snapshot);
            try {
                Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write trainer snapshot " + file, e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete trainer snapshot {}: {}", file, e.toString());
        }
    }
}
