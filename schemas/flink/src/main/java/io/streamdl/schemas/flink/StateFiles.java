package io.streamdl.schemas.flink;

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
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Large operator state kept as files beside the checkpoints, so that a checkpoint carries a
 * reference of about a hundred bytes instead of the state, and state that did not change since the
 * last checkpoint is not written again. Flink writes operator list state through a stream that
 * takes one byte per call; a scorer's serving model (megabytes) or a trainer's weights written so
 * at every checkpoint were most of the idle CPU of {@code ./pipeline up}, and made short checkpoint
 * intervals impossible.
 *
 * <p>A reference is magic {@code "SDLR"}, format {@value #FORMAT}, the file's absolute path, its
 * length and the CRC-32 of its bytes; resolving it checks both. Files are named {@code <checkpoint
 * id>-<random>.state}, so runs and attempts never collide. After checkpoint {@code n} completes,
 * every file that neither it nor a later snapshot references is deleted; a restore deletes every
 * file but the one it restored. A savepoint should hold the state itself (the operator decides), so
 * that it stays valid whatever happens to these files; an old retained checkpoint restored by hand
 * after newer ones completed finds its file deleted and fails with a message that says so. One
 * instance per operator instance and directory; not thread-safe.
 */
public final class StateFiles {
    private static final Logger LOG = LoggerFactory.getLogger(StateFiles.class);
    static final int MAGIC = 0x53444c52; // "SDLR"
    static final int FORMAT = 1;
    private static final String SUFFIX = ".state";

    private final Path dir;

    /** The file each snapshot not yet subsumed references, by checkpoint id. */
    private final TreeMap<Long, Path> taken = new TreeMap<>();

    /** Files this instance knows of that may still be referenced. */
    private final Set<Path> files = new HashSet<>();

    private byte[] lastSnapshot;
    private byte[] lastReference;
    private Path lastFile;

    public StateFiles(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /** Whether {@code state} is a reference rather than a snapshot. */
    public static boolean isReference(byte[] state) {
        return state.length >= 8
                && ((state[0] & 0xff) << 24
                                | (state[1] & 0xff) << 16
                                | (state[2] & 0xff) << 8
                                | (state[3] & 0xff))
                        == MAGIC;
    }

    /**
     * The reference to put in checkpoint {@code checkpointId}: to the file of the previous
     * reference when {@code snapshot} is the very array given then (callers hand the same array
     * while nothing changed), else to a new file holding it.
     */
    public byte[] reference(long checkpointId, byte[] snapshot) {
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
    public void completed(long checkpointId) {
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
    public byte[] restore(byte[] reference) {
        Path file;
        long length;
        long crc;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(reference))) {
            in.readInt();
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IllegalStateException(
                        "state file reference of format "
                                + format
                                + ", this build reads "
                                + FORMAT);
            }
            file = Path.of(in.readUTF());
            length = in.readLong();
            crc = in.readLong();
        } catch (IOException e) {
            throw new IllegalStateException("corrupt state file reference: " + e, e);
        }
        byte[] snapshot;
        try {
            snapshot = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(
                    "the checkpoint refers to state file "
                            + file
                            + ", which no longer exists: only the latest checkpoint and savepoints"
                            + " (which hold the state itself) can be restored",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read state file " + file, e);
        }
        if (snapshot.length != length || crc(snapshot) != crc) {
            throw new IllegalStateException(
                    "state file "
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
    public void clear() {
        deleteAllBut(null);
    }

    private void deleteAllBut(Path kept) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(p -> p.getFileName().toString().endsWith(SUFFIX))
                    .filter(p -> !p.equals(kept))
                    .forEach(StateFiles::delete);
        } catch (IOException e) {
            LOG.warn("cannot list state files in {}: {}", dir, e.toString());
        }
    }

    private static byte[] encode(Path file, byte[] snapshot) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeUTF(file.toString());
            out.writeLong(snapshot.length);
            out.writeLong(crc(snapshot));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static long crc(byte[] bytes) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    private void write(Path file, byte[] snapshot) {
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
            throw new UncheckedIOException("cannot write state file " + file, e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete state file {}: {}", file, e.toString());
        }
    }
}
