package io.streamdl.bench.nab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The NAB copy shipped in the repository, which the corpus tests read. */
final class NabTestData {
    /** {@code ingest/data/nab}, from this module's base directory. */
    static final Path ROOT =
            Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                    .resolve("../../ingest/data/nab")
                    .normalize();

    private static NabCorpus corpus;

    private NabTestData() {}

    /** Loaded once per test JVM: the tests only read it. */
    static synchronized NabCorpus corpus() {
        if (corpus == null) {
            try {
                corpus = NabCorpus.load(ROOT);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the shipped NAB corpus at " + ROOT, e);
            }
        }
        return corpus;
    }
}
