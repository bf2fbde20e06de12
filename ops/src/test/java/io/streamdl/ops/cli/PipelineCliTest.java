package io.streamdl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.ops.config.PipelineOptions;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PipelineCliTest {
    private static TestingCli.Run run(String... args) {
        return TestingCli.run(args);
    }

    @Test
    void helpExplainsEveryCommand() {
        TestingCli.Run help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("up", "topics", "config");
    }

    @Test
    void configListsEveryKeyWithItsValue() {
        TestingCli.Run config =
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
                .containsPattern("trainer\\.replay\\.batches +\\*3 ")
                .containsPattern("trainer\\.learning-rate +0\\.001 ");
        for (String key : PipelineOptions.SCHEMA.keys()) {
            assertThat(config.out()).as(key).containsPattern("(?m)^  " + Pattern.quote(key) + " ");
        }
        // every component is there, encoders, scorers and signing included
        assertThat(config.out())
                .contains(
                        "image.width",
                        "audio.n.mels",
                        "text.max.length",
                        "encode.parallelism",
                        "scoring.batch.max-size",
                        "scoring.onnx.intra-op-threads",
                        "scoring.device",
                        "models.hmac.key",
                        "models.allow-unsigned",
                        "flink.checkpoint.interval-ms");
    }

    @Test
    void secretsAreNeverPrinted() {
        TestingCli.Run config =
                run("config", "-c", "models.hmac.key=a-very-secret-key-of-32-bytes!!");
        assertThat(config.exit()).isZero();
        assertThat(config.out()).doesNotContain("a-very-secret-key").contains("<set>");
    }

    @Test
    void confluentsRegistryClientKeysAreKnownAndTheirSecretsNeverPrinted() {
        TestingCli.Run config =
                run(
                        "config",
                        "-c",
                        "schema.registry.ssl.truststore.location=/etc/ca.p12",
                        "-c",
                        "schema.registry.ssl.truststore.password=store-secret",
                        "-c",
                        "basic.auth.credentials.source=USER_INFO",
                        "-c",
                        "basic.auth.user.info=alice:alice-secret");
        assertThat(config.exit()).as(config.err()).isZero();
        assertThat(config.out())
                .contains("/etc/ca.p12", "basic.auth.credentials.source")
                .doesNotContain("store-secret", "alice-secret");
        TestingCli.Run bad = run("config", "-c", "basic.auth.credentials.source=SASL_INHERIT");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("basic.auth.credentials.source");
    }

    @Test
    void badConfigFailsWithOneLineNamingTheKey() {
        TestingCli.Run bad = run("config", "-c", "kafka.port=99999");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("kafka.port").contains("99999");
        TestingCli.Run unknown = run("up", "-c", "kafka.prot=1");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("kafka.prot").contains("unknown config key");
    }

    @Test
    void aMisspeltKeyIsRefusedBeforeAnythingStartsWithTheNearestKeySuggested() {
        TestingCli.Run typo = run("up", "-c", "scoring.max-batch=abc");
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err().strip())
                .startsWith(
                        "error: unknown config key 'scoring.max-batch'; did you mean"
                                + " 'scoring.batch.max-size'?")
                .doesNotContain("\n");
        assertThat(typo.out()).doesNotContain("Starting");
        TestingCli.Run trainer = run("up", "-c", "trainer.batchsize=8");
        assertThat(trainer.exit()).isEqualTo(2);
        assertThat(trainer.err()).contains("did you mean 'trainer.batch-size'?");
        assertThat(trainer.out()).doesNotContain("Starting");
        TestingCli.Run unsigned = run("demo", "-c", "models.allow-unsigned=yes");
        assertThat(unsigned.exit()).isEqualTo(2);
        assertThat(unsigned.err())
                .contains("invalid value 'yes' for config key 'models.allow-unsigned'");
        TestingCli.Run slots = run("up", "-c", "flink.slots=4");
        assertThat(slots.exit()).isEqualTo(2);
        assertThat(slots.err())
                .contains("flink.slots")
                .contains("need 12 task slots, the embedded Flink has 4");
        assertThat(slots.out()).doesNotContain("Starting");
    }

    @Test
    void upWithoutASigningKeyExitsWithOneLineUnlessTheDevelopmentFlagIsGiven() {
        TestingCli.Run noKey = run("up", "-c", "kafka.port=0");
        assertThat(noKey.exit()).isEqualTo(2);
        assertThat(noKey.err().strip())
                .startsWith("error: models.hmac.key is not set")
                .contains("--dev-insecure-key")
                .doesNotContain("\n");
        assertThat(noKey.out()).doesNotContain("Starting");
        // the flag is an option of up; a bad value is still refused before anything starts
        TestingCli.Run flagged = run("up", "--dev-insecure-key", "-c", "flink.slots=4");
        assertThat(flagged.exit()).isEqualTo(2);
        assertThat(flagged.err()).contains("flink.slots").doesNotContain("models.hmac.key");
        TestingCli.Run keyed =
                run("up", "-c", "models.hmac.key=a-key-of-sixteen-bytes", "-c", "flink.slots=4");
        assertThat(keyed.err()).contains("flink.slots").doesNotContain("models.hmac.key");
    }

    @Test
    void valuesThatOnlyAJobsConfigCanJudgeAreRefusedBeforeAnythingStarts() {
        TestingCli.Run never =
                run(
                        "up",
                        "-c",
                        "trainer.publish.every-examples=0",
                        "-c",
                        "trainer.publish.every-seconds=0");
        assertThat(never.exit()).isEqualTo(2);
        assertThat(never.err()).contains("never publish");
        assertThat(never.out()).doesNotContain("Starting");
        TestingCli.Run text = run("up", "-c", "text.max.length=2");
        assertThat(text.exit()).isEqualTo(2);
        assertThat(text.err()).contains("text.max.length");
        assertThat(text.out()).doesNotContain("Starting");
    }

    @Test
    void benchListsEveryBenchmarkIncludingTheCorpusLearners() {
        TestingCli.Run help = run("bench", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out())
                .contains(
                        "serde",
                        "encode",
                        "score",
                        "learn",
                        "learn-audio",
                        "learn-text",
                        "train",
                        "--data");
        // The benchmarks themselves are in e2e-tests/bench, which is not on ops' class path: the
        // CLI says so in one line. BenchMainTest there runs this with the module present and a bad
        // --data path.
        TestingCli.Run missing = run("bench", "learn-text", "--data", "/nonexistent/corpus.jsonl");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err().strip())
                .startsWith("error: the benchmarks (" + BenchRunner.IMPLEMENTATION)
                .contains("e2e-tests/bench")
                .doesNotContain("\n");
    }

    @Test
    void badInteractionOptionsAreRefusedBeforeConnectingAnywhere() {
        // kafka.port 1 and registry.port 1: nothing listens there, so any attempt would fail
        // differently (and slowly)
        String[] nowhere = {"-c", "kafka.port=1", "-c", "registry.port=1"};
        TestingCli.Run users = run(with(nowhere, "ingest", "interactions", "--users", "0"));
        assertThat(users.exit()).isEqualTo(2);
        assertThat(users.err().strip())
                .startsWith("error: invalid value '0' for config key 'users'")
                .doesNotContain("\n");
        assertThat(users.out()).doesNotContain("Simulating");
        TestingCli.Run rate = run(with(nowhere, "ingest", "interactions", "--rate", "0"));
        assertThat(rate.exit()).isEqualTo(2);
        assertThat(rate.err()).contains("'rate'");
        TestingCli.Run count = run(with(nowhere, "ingest", "interactions", "--count", "0"));
        assertThat(count.exit()).isEqualTo(2);
        assertThat(count.err()).contains("--count must be at least 1");
        TestingCli.Run drift = run(with(nowhere, "ingest", "interactions", "--drift-at", "-5"));
        assertThat(drift.exit()).isEqualTo(2);
        assertThat(drift.err()).contains("'drift-at'");
        TestingCli.Run help = run("ingest", "--help");
        assertThat(help.out()).contains("interactions", "--users", "--drift-at", "--seed");
    }

    private static String[] with(String[] settings, String... args) {
        String[] all = new String[args.length + settings.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(settings, 0, all, args.length, settings.length);
        return all;
    }
}
