package io.streamdl.scoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Copies of Kafka Streams state directories for restart tests: {@code TopologyTestDriver#close()}
 * deletes its state directory (a real KafkaStreams keeps it), so a test sets the committed state
 * aside before closing and puts it back, as a restarted instance would find it.
 */
public final class StateDirectories {
    private StateDirectories() {}

    /**
     * Copies a live RocksDB directory: a background compaction may delete a file during the walk,
     * so the copy is repeated until the directory's listing stays the same across a whole copy.
     */
    public static void copySettled(Path from, Path to) throws IOException {
        for (int attempt = 0; ; attempt++) {
            List<Path> before = listing(from);
            try {
                copyTree(from, to);
                if (listing(from).equals(before)) {
                    return;
                }
            } catch (UncheckedIOException e) {
                if (attempt >= 20) {
                    throw e;
                }
            }
            deleteTree(to);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    public static List<Path> listing(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.map(dir::relativize).sorted().toList();
        } catch (UncheckedIOException e) {
            return List.of();
        }
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            paths.forEach(
                    p -> {
                        Path target = to.resolve(from.relativize(p).toString());
                        try {
                            if (Files.isDirectory(p)) {
                                Files.createDirectories(target);
                            } else if (!p.getFileName().toString().equals("LOCK")) {
                                Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
    }
}
