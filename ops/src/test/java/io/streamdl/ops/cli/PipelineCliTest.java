package io.streamdl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PipelineCliTest {
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
    void helpExplainsEveryCommand() {
        Run help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("up", "topics", "config");
    }

    @Test
    void configListsEveryKeyWithItsValue() {
        Run config =
                run(
                        "config",
                        "-c",
                        "kafka.port=19092",
                        "-c",
                        "trainer.replay.batches=3",
                        "--data-dir",
                        "/tmp/x");
        assertThat(config.exit()).isZero();
        assertThat(config.out())
                .contains(
                        "kafka.port", "19092", "schema.registry.url", "flink.jobmanager", "/tmp/x")
                .containsPattern("trainer\\.replay\\.batches +3 ")
                .containsPattern("trainer\\.learning-rate +0\\.001 ");
    }

    @Test
    void badConfigFailsWithOneLineNamingTheKey() {
        Run bad = run("config", "-c", "kafka.port=99999");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("kafka.port").contains("99999");
        Run unknown = run("up", "-c", "kafka.prot=1");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("kafka.prot").contains("unknown config key");
    }

    @Test
    void benchListsEveryBenchmarkIncludingTheCorpusLearners() {
        Run help = run("bench", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out())
                .contains(
                        "serde", "encode", "score", "learn", "learn-audio", "learn-text", "--data");
        Run missing = run("bench", "learn-text", "--data", "/nonexistent/corpus.jsonl");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("/nonexistent/corpus.jsonl");
    }
}
