package io.streamdl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.ops.cli.TestingCli;
import org.junit.jupiter.api.Test;

/** {@code ./pipeline bench} through the CLI in ops, with this module on the class path. */
class BenchMainTest {
    private static TestingCli.Run run(String... args) {
        return TestingCli.run(args);
    }

    @Test
    void aMissingDataSetFailsWithOneLineNamingThePathBeforeAnythingStarts() {
        TestingCli.Run missing = run("bench", "learn-text", "--data", "/nonexistent/corpus.jsonl");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err().strip())
                .isEqualTo("error: no data set at /nonexistent/corpus.jsonl");
        TestingCli.Run audio = run("bench", "learn-audio", "--data", "/nonexistent/keywords");
        assertThat(audio.exit()).isEqualTo(2);
        assertThat(audio.err()).contains("/nonexistent/keywords");
    }

    @Test
    void badOptionsAreRefusedNamingTheOption() {
        TestingCli.Run passes = run("bench", "learn-text", "--passes", "0");
        assertThat(passes.exit()).isEqualTo(2);
        assertThat(passes.err()).contains("--passes");
    }

    @Test
    void harnessOptionsAreRefusedWithABenchmarkNameAndUnknownScenariosNamed() {
        TestingCli.Run quick = run("bench", "score", "--quick");
        assertThat(quick.exit()).isEqualTo(2);
        assertThat(quick.err()).contains("--quick").contains("'score'");
        TestingCli.Run unknown = run("bench", "--scenario", "kafka,nope");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("--scenario").contains("'nope'");
        TestingCli.Run runs = run("bench", "all", "--runs", "-1");
        assertThat(runs.exit()).isEqualTo(2);
        assertThat(runs.err()).contains("--runs");
    }
}
