package io.streamdl.schemas.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFilesTest {
    private static byte[] snapshot(int size, int seed) {
        byte[] b = new byte[size];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    private static long count(Path dir) throws Exception {
        try (Stream<Path> list = Files.list(dir)) {
            return list.count();
        }
    }

    @Test
    void filesLiveWhileACompletedOrLaterCheckpointRefersToThem(@TempDir Path dir) throws Exception {
        StateFiles files = new StateFiles(dir);
        byte[] a = snapshot(4096, 1);
        byte[] refA = files.reference(1, a);
        assertThat(StateFiles.isReference(refA)).isTrue();
        assertThat(StateFiles.isReference(a)).isFalse();
        assertThat(files.reference(2, a)).isSameAs(refA);
        byte[] refB = files.reference(3, snapshot(4096, 2));
        assertThat(count(dir)).isEqualTo(2);
        files.completed(2);
        assertThat(count(dir)).as("checkpoint 3 is still in flight").isEqualTo(2);
        files.completed(3);
        assertThat(count(dir)).isEqualTo(1);

        StateFiles afterFailure = new StateFiles(dir);
        assertThat(afterFailure.restore(refB)).isEqualTo(snapshot(4096, 2));
        assertThatThrownBy(() -> afterFailure.restore(refA))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no longer exists")
                .hasMessageContaining("savepoints");
    }

    @Test
    void aFileThatIsNotTheOneReferencedIsRefused(@TempDir Path dir) throws Exception {
        StateFiles files = new StateFiles(dir);
        byte[] ref = files.reference(1, snapshot(1000, 3));
        try (Stream<Path> list = Files.list(dir)) {
            Path file = list.findFirst().orElseThrow();
            Files.write(file, snapshot(1000, 4));
        }
        assertThatThrownBy(() -> new StateFiles(dir).restore(ref))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not the one the checkpoint refers to");
        new StateFiles(dir).clear();
        assertThat(count(dir)).isZero();
    }
}
