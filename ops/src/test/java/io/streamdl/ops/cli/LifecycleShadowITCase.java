package io.streamdl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.avro.DeadLetter;
import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.scoring.lifecycle.LifecycleController;
import io.streamdl.scoring.lifecycle.LifecycleSettings;
import io.streamdl.scoring.lifecycle.ModelEvents;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shadow trials on a running pipeline (the image scorer with {@code scoring.trials=image}, the
 * lifecycle controller, real Fashion-MNIST PNGs at about 100 a second, each score answered with a
 * label by a client). The labels agree with the served version, so a candidate that predicts the
 * same is as good and one whose classes are rotated is always wrong:
 *
 * <ol>
 *   <li>a damaged but valid and signed candidate is refused (event, dead letter) and never serves;
 *   <li>a good one is promoted and serves;
 *   <li>the labels then turn against it: its live accuracy drops and it is rolled back by itself to
 *       a signed copy of the version before.
 * </ol>
 *
 * Each step's time is printed.
 */
class LifecycleShadowITCase {
    @TempDir Path dataDir;

    @Test
    void refusesAWorseCandidatePromotesAGoodOneAndRollsBackOnADrop() throws Exception {
        try (LifecycleRig rig = new LifecycleRig(dataDir, Map.of("scoring.trials", "image"));
                LifecycleController controller =
                        new LifecycleController(
                                        rig.platform.bootstrapServers(),
                                        rig.platform.registryUrl(),
                                        List.of("image"),
                                        new LifecycleSettings(60, 0.05, 0.3, 60),
                                        new ModelUpdateCodec(
                                                ModelUpdateCodec.Config.signed(LifecycleRig.KEY)))
                                .start()) {
            ComputationGraph network = LifecycleRig.network();
            ModelUpdate v1 = rig.codec.encode(LifecycleRig.SPEC, network, 1, null, Map.of());
            rig.publish(v1);
            rig.awaitVersion(1, Duration.ofSeconds(90));
            // labels agree with whatever serves
            rig.labels.set(s -> s.getLabel());

            ComputationGraph damaged = LifecycleRig.damaged(network);
            ModelUpdate v2 = rig.codec.encode(LifecycleRig.SPEC, damaged, 2, 1L, Map.of());
            rig.publish(v2);
            long v2At = v2.getCreatedTs();
            ModelEvent shadow2 = rig.awaitEvent(ModelEvents.SHADOW, 2, Duration.ofSeconds(30));
            ModelEvent refused = rig.awaitEvent(ModelEvents.REFUSED, 2, Duration.ofSeconds(60));
            assertThat(refused.getFromVersion()).isEqualTo(1L);
            assertThat(refused.getMetrics())
                    .containsEntry("pairs", 60.0)
                    .containsEntry("servingAccuracy", 1.0);
            assertThat(refused.getMetrics().get("candidateAccuracy")).isLessThan(0.2);
            assertThat(rig.scores).noneMatch(r -> r.score().getModelVersion() == 2);
            assertThat(deadLetters(rig))
                    .anySatisfy(
                            d -> {
                                assertThat(d.getStage()).isEqualTo("lifecycle");
                                assertThat(d.getError()).isEqualTo("CANDIDATE_WORSE");
                                assertThat(d.getMessage()).contains("version 2 is worse");
                            });

            network.params().muli(1.0001);
            ModelUpdate v3 = rig.codec.encode(LifecycleRig.SPEC, network, 3, 1L, Map.of());
            rig.publish(v3);
            long v3At = v3.getCreatedTs();
            ModelEvent promoted = rig.awaitEvent(ModelEvents.PROMOTED, 3, Duration.ofSeconds(60));
            assertThat(promoted.getMetrics().get("candidateAccuracy")).isGreaterThan(0.95);
            LifecycleRig.Received firstV3 = rig.awaitVersion(3, Duration.ofSeconds(10));

            // the labels turn against version 3
            long dropAt = System.currentTimeMillis();
            List<String> classes = io.streamdl.ingest.FashionMnist.CLASSES;
            rig.labels.set(
                    s -> s.getLabel().equals(classes.get(0)) ? classes.get(1) : classes.get(0));
            ModelEvent rolledBack =
                    awaitKind(rig, ModelEvents.AUTO_ROLLED_BACK, Duration.ofSeconds(60));
            long copy = rolledBack.getVersion();
            assertThat(copy).isEqualTo(4);
            assertThat(rolledBack.getFromVersion()).isEqualTo(3L);
            assertThat(rolledBack.getMetrics().get("liveAccuracy")).isLessThan(0.7);
            LifecycleRig.Received firstCopy = rig.awaitVersion(copy, Duration.ofSeconds(10));
            try (var reader =
                    new io.streamdl.scoring.lifecycle.ModelTopicReader(
                            rig.platform.bootstrapServers(), rig.platform.registryUrl())) {
                ModelUpdate v4 = reader.find("image", copy);
                assertThat(v4.getParentVersion()).isEqualTo(1L);
                assertThat(v4.getParams()).isEqualTo(v1.getParams());
                assertThat(v4.getMetrics()).containsEntry(ModelEvents.ROLLBACK_OF, 1.0);
                assertThat(rig.codec.verify(v4)).isNotNull();
            }
            assertThat(controller.decisions()).isEqualTo(3);

            // anyone can write to models.events: a record that is no ModelEvent is a dead letter
            // of the controller, and the gate and the scorer go on
            rig.sendRaw("models.events", "image", "not an event".getBytes());
            long garbageAt = System.currentTimeMillis();
            long deadline = garbageAt + 20_000;
            List<DeadLetter> ofEvents = List.of();
            while (ofEvents.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(300);
                ofEvents =
                        deadLetters(rig).stream()
                                .filter(d -> d.getSourceTopic().equals("models.events"))
                                .toList();
            }
            assertThat(ofEvents).hasSize(1);
            assertThat(ofEvents.get(0).getStage()).isEqualTo("lifecycle");
            assertThat(ofEvents.get(0).getError()).isEqualTo("NO_MAGIC_BYTE");
            assertThat(ofEvents.get(0).getMessage()).contains("models.events record");
            rig.await(r -> r.receivedAt() > garbageAt + 1000, Duration.ofSeconds(10));
            System.out.printf(
                    "shadow trials: damaged v2 in shadow %d ms after publication, refused after %d"
                            + " ms; good v3 promoted after %d ms, first v3 score %d ms; after the"
                            + " labels turned, rolled back after %d ms, first score of the copy"
                            + " after %d ms%n",
                    shadow2.getTs() - v2At,
                    refused.getTs() - v2At,
                    promoted.getTs() - v3At,
                    firstV3.receivedAt() - v3At,
                    rolledBack.getTs() - dropAt,
                    firstCopy.receivedAt() - dropAt);
            for (ModelEvent e : rig.events()) {
                System.out.println(
                        "  " + e.getKind() + " v" + e.getVersion() + ": " + e.getReason());
            }
        }
    }

    private static ModelEvent awaitKind(LifecycleRig rig, String kind, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ModelEvent e : rig.events()) {
                if (e.getKind().equals(kind)) {
                    return e;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + kind + " event: " + rig.events());
    }

    private static List<DeadLetter> deadLetters(LifecycleRig rig) {
        try (RestSchemaRegistryClient registry =
                new RestSchemaRegistryClient(rig.platform.registryUrl())) {
            AvroWireDeserializer<DeadLetter> d =
                    AvroWireDeserializer.specific(registry, DeadLetter.class);
            return TestingKafka.readCommitted(
                            rig.platform.bootstrapServers(),
                            "dlq",
                            r -> !r.isEmpty(),
                            Duration.ofSeconds(10),
                            Duration.ofSeconds(1))
                    .stream()
                    .map(r -> d.deserialize(r.topic(), r.value()))
                    .toList();
        }
    }
}
