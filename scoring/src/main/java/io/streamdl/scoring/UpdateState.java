package io.streamdl.scoring;

import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.flink.StateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * One model update in a scorer's operator state (the serving one, or the newest pending): an entry
 * is the update's version, then either the update (Avro single-object encoding) or a {@link
 * StateFiles} reference to a file of it. The update is encoded once per update, and with a state
 * directory written once per update, whatever the number of checkpoints. Restoring takes the newest
 * version among the entries of every instance (union state).
 */
final class UpdateState {
    private final StateFiles files;
    private ModelUpdate encodedOf;
    private byte[] encoded;

    /**
     * @param dir the model's state directory, or null to keep updates inline
     * @param subtask this instance
     * @param name which update (a folder of its own per update kind)
     */
    UpdateState(String dir, int subtask, String name) {
        this.files =
                dir == null ? null : new StateFiles(Path.of(dir, Integer.toString(subtask), name));
    }

    /** The list state entries for checkpoint {@code checkpointId}: none without an update. */
    List<byte[]> snapshot(long checkpointId, ModelUpdate update, boolean savepoint) {
        if (update == null) {
            return List.of();
        }
        if (update != encodedOf) {
            encoded = bytes(update);
            encodedOf = update;
        }
        byte[] body = files == null || savepoint ? encoded : files.reference(checkpointId, encoded);
        return List.of(
                ByteBuffer.allocate(8 + body.length)
                        .putLong(update.getVersion())
                        .put(body)
                        .array());
    }

    void completed(long checkpointId) {
        if (files != null) {
            files.completed(checkpointId);
        }
    }

    /**
     * The newest update among {@code entries}, or null for none (then, with a directory, its files
     * are from an earlier run and deleted).
     *
     * @throws IllegalStateException if an entry is corrupt or refers to a missing file
     */
    ModelUpdate restore(Iterable<byte[]> entries) {
        byte[] newest = null;
        long newestVersion = Long.MIN_VALUE;
        for (byte[] entry : entries) {
            if (entry.length < 8) {
                throw new IllegalStateException(
                        "corrupt scorer state: an entry of " + entry.length + " B");
            }
            long version = ByteBuffer.wrap(entry).getLong();
            if (newest == null || version > newestVersion) {
                newest = entry;
                newestVersion = version;
            }
        }
        if (newest == null) {
            if (files != null) {
                files.clear();
            }
            return null;
        }
        byte[] body = java.util.Arrays.copyOfRange(newest, 8, newest.length);
        if (StateFiles.isReference(body)) {
            if (files == null) {
                throw new IllegalStateException(
                        "the checkpoint refers to a scorer state file but the job has no"
                                + " scoring.state-dir");
            }
            body = files.restore(body);
        }
        try {
            return ModelUpdate.fromByteBuffer(ByteBuffer.wrap(body));
        } catch (IOException e) {
            throw new IllegalStateException("corrupt model update in scorer state: " + e, e);
        }
    }

    private static byte[] bytes(ModelUpdate update) {
        try {
            ByteBuffer b = update.toByteBuffer();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode model update " + update.getVersion(), e);
        }
    }
}
