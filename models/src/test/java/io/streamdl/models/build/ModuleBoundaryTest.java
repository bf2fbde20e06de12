package io.streamdl.models.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The build keeps Flink and Kafka Streams out of {@code schemas} and {@code models}: Maven's
 * enforcer refuses the build when a dependency on either is added (here through the {@code
 * engine-ban-selftest} profile, which adds flink-core to this module), and passes without it.
 */
class ModuleBoundaryTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void enforcerRefusesFlinkInModelsAndPassesWithoutIt() throws Exception {
        Result banned = validate("-Pengine-ban-selftest");
        assertThat(banned.exit()).as(banned.log()).isNotZero();
        assertThat(banned.log())
                .contains("org.apache.flink:flink-core")
                .contains("streamdl-models must not depend on Flink or Kafka Streams");

        Result clean = validate();
        assertThat(clean.exit()).as(clean.log()).isZero();
    }

    private record Result(int exit, String log) {}

    private static Result validate(String... extra) throws IOException, InterruptedException {
        List<String> command =
                new java.util.ArrayList<>(
                        List.of("mvn", "-B", "-ntp", "-f", ROOT.resolve("pom.xml").toString()));
        command.addAll(List.of("-pl", "schemas,models", "validate"));
        command.addAll(List.of(extra));
        Path log = Files.createTempFile("enforcer", ".log");
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("mvn validate did not finish in 5 minutes");
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
