package io.streamdl.ops.cli;

import java.nio.file.Path;

/**
 * Where the files shipped in the repository are found: under the directory the {@code pipeline}
 * script runs from (system property {@value #PROPERTY}), else under the working directory.
 */
final class Home {
    static final String PROPERTY = "streamdl.home";

    private Home() {}

    /** {@code relative}, a path inside the repository, resolved against the home directory. */
    static Path path(String relative) {
        String home = System.getProperty(PROPERTY);
        return (home == null || home.isBlank() ? Path.of("") : Path.of(home)).resolve(relative);
    }
}
