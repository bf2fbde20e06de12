package io.streamdl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.scoring.lifecycle.LifecycleController;
import io.streamdl.scoring.lifecycle.LifecycleSettings;
import io.streamdl.scoring.lifecycle.ModelEvents;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Canary trials on a running pipeline ({@code scoring.trials=image}, {@code
 * scoring.trials.canary-fraction=0.3}, the lifecycle controller, real Fashion-MNIST PNGs at about
 * 100 a second). The labels are version 1's classes: a candidate whose classes are rotated is wrong
 * on its share of the events. It serves about 30% of the event keys until it is refused, then none;
 * a good candidate is promoted and serves all of them. Every event is scored once, by one of the
 * two.
 */
class LifecycleCanaryITCase {
    @TempDir Path dataDir;

    @Test
    void aWorseCanaryServesItsShareUntilRefusedAndAGoodOneIsPromoted() throws Exception {
        Map<String, String> scoring =
                Map.of("scoring.trials", "image", "scoring.trials.canary-fraction", "0.3");
        try (LifecycleRig rig = new LifecycleRig(dataDir, scoring);
                LifecycleController controller =
                        new LifecycleController(
                                        rig.platform.bootstrapServers(),
                                        rig.platform.registryUrl(),
                                        List.of("image"),
                                        new LifecycleSettings(40, 0.05, 0.3, 40),
                                        new ModelUpdateCodec(
                                                ModelUpdateCodec.Config.signed(LifecycleRig.KEY)))
                                .start()) {
            ComputationGraph network = LifecycleRig.network();
            rig.publish(rig.codec.encode(LifecycleRig.SPEC, network, 1, null, Map.of()));
            rig.awaitVersion(1, Duration.ofSeconds(90));
            List<String> classes = LifecycleRig.SPEC.labels();
            // the truth is what version 1 predicts; version 2 predicts the next class
            rig.labels.set(
                    s ->
                            s.getModelVersion() == 2
                                    ? classes.get(
                                            (classes.indexOf(s.getLabel()) + classes.size() - 1)
                                                    % classes.size())
                                    : s.getLabel());

            ModelUpdate v2 =
                    rig.codec.encode(
                            LifecycleRig.SPEC, LifecycleRig.damaged(network), 2, 1L, Map.of());
            rig.publish(v2);
            ModelEvent canary = rig.awaitEvent(ModelEvents.CANARY, 2, Duration.ofSeconds(30));
            ModelEvent refused = rig.awaitEvent(ModelEvents.REFUSED, 2, Duration.ofSeconds(60));
            assertThat(refused.getMetrics()).containsEntry("servingAccuracy", 1.0);
            assertThat(refused.getMetrics().get("candidateAccuracy")).isLessThan(0.2);
            assertThat(refused.getMetrics().get("pairs")).isGreaterThanOrEqualTo(40.0);
            List<LifecycleRig.Received> during =
                    rig.scores.stream()
                            .filter(r -> r.receivedAt() > canary.getTs() + 1000)
                            .filter(r -> r.receivedAt() < refused.getTs())
                            .toList();
            double share =
                    during.stream().filter(r -> r.score().getModelVersion() == 2).count()
                            / (double) during.size();
            assertThat(during).hasSizeGreaterThan(30);
            assertThat(share).as("the canary's share of served scores").isBetween(0.15, 0.45);
            Thread.sleep(2000);
            long after = System.currentTimeMillis();
            Thread.sleep(2000);
            assertThat(rig.scores)
                    .filteredOn(r -> r.receivedAt() > after)
                    .isNotEmpty()
                    .allSatisfy(r -> assertThat(r.score().getModelVersion()).isEqualTo(1L));

            network.params().muli(1.0001);
            ModelUpdate v3 = rig.codec.encode(LifecycleRig.SPEC, network, 3, 1L, Map.of());
            rig.publish(v3);
            ModelEvent promoted = rig.awaitEvent(ModelEvents.PROMOTED, 3, Duration.ofSeconds(60));
            assertThat(promoted.getMetrics().get("candidateAccuracy")).isGreaterThan(0.95);
            Thread.sleep(2000);
            long promotedAfter = System.currentTimeMillis();
            Thread.sleep(1500);
            assertThat(rig.scores)
                    .filteredOn(r -> r.receivedAt() > promotedAfter)
                    .isNotEmpty()
                    .allSatisfy(r -> assertThat(r.score().getModelVersion()).isEqualTo(3L));

            Set<String> ids = new HashSet<>();
            assertThat(rig.scores)
                    .as("every event scored once, by the serving scorer or the canary")
                    .allSatisfy(r -> assertThat(ids.add(r.score().getEventId())).isTrue());
            System.out.printf(
                    "canary trials (30%% of keys): damaged v2 served %.0f%% of scores and was"
                            + " refused %d ms after publication; good v3 promoted %d ms after"
                            + " publication%n",
                    share * 100,
                    refused.getTs() - v2.getCreatedTs(),
                    promoted.getTs() - v3.getCreatedTs());
        }
    }
}
