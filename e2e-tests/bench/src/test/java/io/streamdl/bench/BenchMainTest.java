package io.streamdl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.ops.cli.PipelineCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code ./pipeline bench} through the CLI in ops, with this module on the class path. */
class BenchMainTest {
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = PipelineCli.run(args);
            return new Run(
                    exit,
                    out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void aMissingDataSetFailsWithOneLineNamingThePathBeforeAnythingStarts() {
        Run missing = run("bench", "learn-text", "--data", "/nonexistent/corpus.jsonl");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err().strip())
                .isEqualTo("error: no data set at /nonexistent/corpus.jsonl");
        Run audio = run("bench", "learn-audio", "--data", "/nonexistent/keywords");
        assertThat(audio.exit()).isEqualTo(2);
        assertThat(audio.err()).contains("/nonexistent/keywords");
    }

    @Test
    void badOptionsAreRefusedNamingTheOption() {
        Run passes = run("bench", "learn-text", "--passes", "0");
        assertThat(passes.exit()).isEqualTo(2);
        assertThat(passes.err()).contains("--passes");
    }
}
