package io.streamdl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.testing.TestingForeignOnnx;
import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.scoring.lifecycle.ModelEvents;
import io.streamdl.scoring.lifecycle.ModelTopicReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./pipeline models} against a running pipeline (the embedded platform, the EncodeJob with
 * the image scorer fused in, exactly-once with 200 ms checkpoints, real Fashion-MNIST PNGs at about
 * 100 a second): list, show, export, rollback, pin and unpin, each seen in the scores' {@code
 * modelVersion} by a separate reading client; and the bad inputs, each one line, a non-zero exit
 * and nothing published.
 */
class ModelsCommandITCase {
    @TempDir Path dataDir;

    @Test
    void rollbackPinAndUnpinShowInTheScoresAndBadCommandsPublishNothing() throws Exception {
        try (LifecycleRig rig = new LifecycleRig(dataDir, Map.of())) {
            ComputationGraph network = LifecycleRig.network();
            ModelUpdate v1 =
                    rig.codec.encode(LifecycleRig.SPEC, network, 1, null, Map.of("accuracy", 0.5));
            network.params().muli(1.5);
            ModelUpdate v2 = rig.codec.encode(LifecycleRig.SPEC, network, 2, 1L, Map.of());
            network.params().muli(1.5);
            ModelUpdate v3 = rig.codec.encode(LifecycleRig.SPEC, network, 3, 2L, Map.of());
            rig.publish(v1);
            rig.publish(v2);
            rig.publish(v3);
            rig.awaitVersion(3, Duration.ofSeconds(90));

            TestingCli.Run list = rig.run("models", "list", "image");
            assertThat(list.exit()).as(list.err()).isZero();
            assertThat(list.out())
                    .contains("image (models.image): 3 version(s) on the topic")
                    .contains("accuracy=0.5")
                    .containsPattern("serving: version 3 on .*score")
                    .contains(v1.getSignerKeyId());

            // rollback: a signed copy of version 1 as version 4, served within a second
            long before = System.currentTimeMillis();
            TestingCli.Run rollback = rig.run("models", "rollback", "image", "1");
            assertThat(rollback.exit()).as(rollback.out() + rollback.err()).isZero();
            assertThat(rollback.out())
                    .contains("version 4 published, a signed copy of version 1 (parent 1)")
                    .contains("serve version 4");
            ModelUpdate v4 = find(rig, 4);
            assertThat(v4.getParentVersion()).isEqualTo(1L);
            assertThat(v4.getParams()).isEqualTo(v1.getParams());
            assertThat(v4.getOnnx()).isEqualTo(v1.getOnnx());
            assertThat(v4.getSignature()).isNotEqualTo(v1.getSignature());
            assertThat(v4.getMetrics()).containsEntry(ModelEvents.ROLLBACK_OF, 1.0);
            LifecycleRig.Received firstV4 = rig.awaitVersion(4, Duration.ofSeconds(10));
            long rollbackMillis = firstV4.receivedAt() - v4.getCreatedTs();
            // no score of an older version is read after the first of the copy... for events sent
            // after it was served: every event sent 2 s after the copy is scored by it
            assertThat(rollbackMillis).as("published to first score of the copy").isLessThan(1000);

            // pin the newest (4): a new trainer version (5) does not serve
            TestingCli.Run pin = rig.run("models", "pin", "image", "4");
            assertThat(pin.exit()).as(pin.out() + pin.err()).isZero();
            assertThat(pin.out()).contains("pinned at version 4");
            network.params().muli(0.5);
            ModelUpdate v5 = rig.codec.encode(LifecycleRig.SPEC, network, 5, 3L, Map.of());
            rig.publish(v5);
            long v5Published = System.currentTimeMillis();
            Thread.sleep(3000);
            assertThat(rig.scores)
                    .filteredOn(r -> r.receivedAt() > v5Published)
                    .isNotEmpty()
                    .allSatisfy(r -> assertThat(r.score().getModelVersion()).isEqualTo(4L));
            TestingCli.Run pinnedList = rig.run("models", "list", "image");
            assertThat(pinnedList.out()).contains("pinned:  version 4").contains("5 version(s)");

            // unpin: the newest (5) serves within a second
            TestingCli.Run unpin = rig.run("models", "unpin", "image");
            assertThat(unpin.exit()).as(unpin.out() + unpin.err()).isZero();
            long unpinnedAt =
                    rig.events().stream()
                            .filter(e -> e.getKind().equals(ModelEvents.UNPINNED))
                            .findFirst()
                            .orElseThrow()
                            .getTs();
            long unpinMillis =
                    rig.awaitVersion(5, Duration.ofSeconds(10)).receivedAt() - unpinnedAt;
            assertThat(unpinMillis)
                    .as("UNPINNED published to first score of version 5")
                    .isLessThan(1000);

            // pin an older version: republished as a copy (6) and pinned
            TestingCli.Run pinOld = rig.run("models", "pin", "image", "2");
            assertThat(pinOld.exit()).as(pinOld.out() + pinOld.err()).isZero();
            assertThat(pinOld.out()).contains("version 6 published, a signed copy of version 2");
            long pinOldMillis =
                    rig.awaitVersion(6, Duration.ofSeconds(10)).receivedAt()
                            - find(rig, 6).getCreatedTs();
            assertThat(pinOldMillis).isLessThan(1000);

            TestingCli.Run show = rig.run("models", "show", "image", "4");
            assertThat(show.exit()).as(show.err()).isZero();
            assertThat(show.out())
                    .contains("model image, version 4")
                    .contains("parent       1")
                    .contains("opset 13 (ai.onnx)")
                    .contains("verified with this pipeline's key")
                    .contains("rollbackOf=1")
                    .contains("ROLLED_BACK");
            Path exported = dataDir.resolve("v4.onnx");
            TestingCli.Run export =
                    rig.run("models", "export", "image", "4", "--onnx", exported.toString());
            assertThat(export.exit()).as(export.err()).isZero();
            assertThat(ByteBuffer.wrap(Files.readAllBytes(exported))).isEqualTo(v1.getOnnx());

            // a model written by Debian's python3-onnx (onnx.helper), imported and pinned: it
            // scores the real images from then on
            TestingForeignOnnx.Classifier foreign =
                    TestingForeignOnnx.make(Files.createDirectories(dataDir.resolve("py")));
            Path foreignFile = dataDir.resolve("foreign.onnx");
            Files.write(foreignFile, foreign.onnx());
            TestingCli.Run imported =
                    rig.run(
                            "models",
                            "import",
                            "--name",
                            "image",
                            "--onnx",
                            foreignFile.toString(),
                            "--encoder",
                            "image",
                            "--pin");
            assertThat(imported.exit()).as(imported.out() + imported.err()).isZero();
            assertThat(imported.out()).contains("imported as version 7").contains("pinned");
            ModelUpdate v7 = find(rig, 7);
            assertThat(v7.getFormat()).isEqualTo(ModelUpdateCodec.FORMAT_ONNX);
            assertThat(v7.getParams().remaining()).isZero();
            long importMillis =
                    rig.awaitVersion(7, Duration.ofSeconds(10)).receivedAt() - v7.getCreatedTs();
            Thread.sleep(1000);
            List<LifecycleRig.Received> byImport =
                    rig.scores.stream().filter(r -> r.score().getModelVersion() == 7).toList();
            assertThat(byImport).hasSizeGreaterThan(20);
            for (LifecycleRig.Received r : byImport) {
                List<Float> p = r.score().getProbabilities();
                assertThat(p).hasSize(10);
                assertThat(p.stream().mapToDouble(Float::doubleValue).sum())
                        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
                int best = 0;
                for (int i = 1; i < p.size(); i++) {
                    best = p.get(i) > p.get(best) ? i : best;
                }
                assertThat(r.score().getLabel()).isEqualTo(LifecycleRig.SPEC.labels().get(best));
            }
            TestingCli.Run showImported = rig.run("models", "show", "image", "7");
            assertThat(showImported.out())
                    .contains("format       onnx")
                    .contains("input        " + TestingForeignOnnx.INPUT + " float[-1,1,28,28]")
                    .contains("IMPORTED");

            // bad input: one line, a non-zero exit, nothing published
            int updates = rig.updatesOnTopic("image");
            int events = rig.events().size();
            assertRefused(rig.run("models", "rollback", "image", "99"), "has no version 99");
            assertRefused(rig.run("models", "pin", "image", "99"), "has no version 99");
            assertRefused(rig.run("models", "pin", "nosuch", "1"), "unknown model 'nosuch'");
            assertRefused(rig.run("models", "rollback", "nosuch", "1"), "unknown model 'nosuch'");
            assertRefused(rig.run("models", "show", "image", "42"), "has no version 42");
            assertRefused(
                    rig.run("models", "export", "image", "42", "--onnx", exported.toString()),
                    "has no version 42");
            Path small =
                    Files.write(
                            dataDir.resolve("small.onnx"),
                            TestingForeignOnnx.make(
                                            Files.createDirectories(dataDir.resolve("py32")),
                                            32,
                                            10,
                                            null)
                                    .onnx());
            assertRefused(
                    rig.run("models", "import", "--name", "image", "--onnx", small.toString()),
                    "input '" + TestingForeignOnnx.INPUT + "' is float[N,1,32,32]");
            byte[] corrupt = java.util.Arrays.copyOf(foreign.onnx(), foreign.onnx().length / 3);
            Path corruptFile = Files.write(dataDir.resolve("corrupt.onnx"), corrupt);
            assertRefused(
                    rig.run(
                            "models",
                            "import",
                            "--name",
                            "image",
                            "--onnx",
                            corruptFile.toString()),
                    "is refused, nothing published");
            assertRefused(
                    rig.run(
                            "models",
                            "import",
                            "--name",
                            "image",
                            "--onnx",
                            foreignFile.toString(),
                            "--labels",
                            "a,b,c"),
                    "is refused, nothing published");
            assertRefused(
                    rig.run(
                            "models",
                            "import",
                            "--name",
                            "image",
                            "--onnx",
                            foreignFile.toString(),
                            "--encoder",
                            "audio"),
                    "not features.audio");
            assertRefused(
                    rig.run(
                            "models",
                            "import",
                            "--name",
                            "nosuch",
                            "--onnx",
                            foreignFile.toString()),
                    "unknown model 'nosuch'");
            assertThat(rig.updatesOnTopic("image")).isEqualTo(updates);
            assertThat(rig.events()).hasSize(events);
            System.out.printf(
                    "lifecycle CLI: rollback published-to-first-score %d ms, unpin %d ms, pin of an"
                            + " old version %d ms, import %d ms%n",
                    rollbackMillis, unpinMillis, pinOldMillis, importMillis);
            for (ModelEvent e : rig.events()) {
                System.out.println(
                        "  " + e.getKind() + " v" + e.getVersion() + ": " + e.getReason());
            }
        }
    }

    private static void assertRefused(TestingCli.Run run, String message) {
        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.err().strip()).startsWith("error: ").contains(message);
        assertThat(run.err().strip().lines()).hasSize(1);
    }

    private static ModelUpdate find(LifecycleRig rig, long version) {
        try (ModelTopicReader r =
                new ModelTopicReader(rig.platform.bootstrapServers(), rig.platform.registryUrl())) {
            ModelUpdate u = r.find("image", version);
            assertThat(u).as("version " + version + " on models.image").isNotNull();
            return u;
        }
    }
}
