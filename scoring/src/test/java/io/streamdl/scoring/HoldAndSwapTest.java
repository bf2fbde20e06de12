package io.streamdl.scoring;

import static io.streamdl.scoring.TestingModels.model;
import static io.streamdl.scoring.TestingModels.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.models.inference.FeatureTensors;
import io.streamdl.schemas.avro.ModelUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The scorer's rules without Flink or threads: builds are futures the test completes, events are
 * strings (those starting with "bad" fit no model), and the output is a log of what was decided.
 */
class HoldAndSwapTest {
    private final Map<Long, CompletableFuture<LoadedModel>> builds = new HashMap<>();
    private final List<Long> started = new ArrayList<>();
    private final List<Long> closed = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private final Output out = new Output();

    /** Records decisions as "score a,b @1", "misfit bad", "noModel x", "swap -1>1", "failed 2". */
    private final class Output implements HoldAndSwap.Output<String> {
        @Override
        public void score(List<String> batch, LoadedModel model, long now) {
            log.add("score " + String.join(",", batch) + " @" + model.version());
        }

        @Override
        public void endedWithoutModel(String event, long now) {
            log.add("ended " + event);
        }

        @Override
        public void misfit(String event, FeatureTensors.Refusal why, long now) {
            log.add("misfit " + event);
        }

        @Override
        public void noModel(String event, int maxHeld, long now) {
            log.add("noModel " + event);
        }

        @Override
        public void swapped(long previousVersion, LoadedModel next) {
            log.add("swap " + previousVersion + ">" + next.version());
        }

        @Override
        public void buildFailed(ModelUpdate update, Exception cause) {
            log.add("failed " + update.getVersion() + ": " + cause.getMessage());
        }
    }

    private HoldAndSwap<String> core(int maxBatch, long maxWait, int maxHeld) {
        return new HoldAndSwap<>(
                maxBatch,
                maxWait,
                maxHeld,
                10,
                this::start,
                (event, model) ->
                        event.startsWith("bad")
                                ? new FeatureTensors.Refusal(
                                        FeatureTensors.Reason.SHAPE_MISMATCH, "does not fit")
                                : null);
    }

    private CompletableFuture<LoadedModel> start(ModelUpdate update) {
        started.add(update.getVersion());
        return build(update.getVersion());
    }

    private CompletableFuture<LoadedModel> build(long version) {
        return builds.computeIfAbsent(version, v -> new CompletableFuture<>());
    }

    private void built(long version) {
        build(version).complete(model(version, closed));
    }

    @Test
    void eventsWaitForTheFirstBuiltModelUpToTheHoldBound() {
        HoldAndSwap<String> core = core(10, 100, 2);
        core.receive("a", 0, out);
        core.update(update(1), 1, out);
        core.receive("b", 2, out);
        core.receive("c", 3, out);
        assertThat(log).containsExactly("noModel c");
        assertThat(core.waiting()).containsExactly("a", "b");
        built(1);
        core.onTime(4, out);
        assertThat(log).containsExactly("noModel c", "swap -1>1");
        assertThat(core.waiting()).as("released into the open batch").containsExactly("a", "b");
        core.onTime(104, out);
        assertThat(log).endsWith("score a,b @1");
        assertThat(core.waiting()).isEmpty();
    }

    @Test
    void heldEventsAreRefusedWhenTheInputEndsWithoutAnyModel() {
        HoldAndSwap<String> core = core(10, 100, 5);
        core.receive("a", 0, out);
        core.receive("b", 1, out);
        core.finish(2, out);
        assertThat(log).containsExactly("ended a", "ended b");
        assertThat(core.waiting()).isEmpty();
    }

    @Test
    void heldEventsAreCheckedAgainstTheFirstModel() {
        HoldAndSwap<String> core = core(10, 100, 5);
        core.receive("a", 0, out);
        core.receive("bad", 0, out);
        core.update(update(1), 0, out);
        built(1);
        core.receive("b", 5, out);
        assertThat(log).containsExactly("swap -1>1", "misfit bad");
        assertThat(core.waiting()).containsExactly("a", "b");
    }

    @Test
    void aBatchClosesAtItsSizeOrAtItsDeadline() {
        HoldAndSwap<String> core = core(3, 100, 5);
        core.restore(update(1), model(1, closed));
        core.receive("a", 0, out);
        core.receive("b", 10, out);
        core.receive("c", 20, out);
        assertThat(log).containsExactly("score a,b,c @1");
        core.receive("d", 30, out);
        assertThat(core.wakeUpAt(31))
                .as("the deadline, from the batch's first event")
                .isEqualTo(130);
        core.onTime(129, out);
        assertThat(log).hasSize(1);
        core.onTime(130, out);
        assertThat(log).containsExactly("score a,b,c @1", "score d @1");
        assertThat(core.wakeUpAt(131)).as("nothing to wait for").isEqualTo(-1);
    }

    @Test
    void aBuildInProgressAsksToBePolled() {
        HoldAndSwap<String> core = core(3, 100, 5);
        core.update(update(1), 0, out);
        assertThat(core.wakeUpAt(0)).isEqualTo(10);
        built(1);
        core.receive("a", 5, out);
        assertThat(core.isBuilding()).isFalse();
        core.update(update(2), 50, out);
        assertThat(core.wakeUpAt(50)).as("the poll comes before the deadline").isEqualTo(60);
        assertThat(core.wakeUpAt(100)).as("the deadline comes before the poll").isEqualTo(105);
    }

    @Test
    void aNewModelTakesOverAtTheNextBoundaryAfterTheOpenBatchIsScored() {
        HoldAndSwap<String> core = core(10, 100, 5);
        core.restore(update(1), model(1, closed));
        core.receive("a", 0, out);
        core.update(update(2), 1, out);
        core.receive("b", 2, out);
        built(2);
        assertThat(core.servingVersion()).as("nothing is taken between boundaries").isEqualTo(1);
        core.receive("c", 3, out);
        assertThat(log).containsExactly("score a,b @1", "swap 1>2");
        assertThat(closed).containsExactly(1L);
        assertThat(core.servingVersion()).isEqualTo(2);
        assertThat(core.serving().getVersion()).isEqualTo(2);
        core.onTime(103, out);
        assertThat(log).endsWith("score c @2");
    }

    @Test
    void versionsNotNewerThanServedBuildingQueuedOrTriedAreStale() {
        HoldAndSwap<String> core = core(10, 100, 5);
        core.restore(update(3), model(3, closed));
        assertThat(core.isStale(3)).isTrue();
        assertThat(core.isStale(4)).isFalse();
        assertThat(core.update(update(2), 0, out)).isFalse();
        assertThat(core.update(update(5), 0, out)).isTrue();
        assertThat(core.isStale(4)).as("older than the build in progress").isTrue();
        assertThat(core.update(update(7), 0, out)).isTrue();
        assertThat(core.isStale(6)).as("older than the queued update").isTrue();
        build(5).completeExceptionally(new IllegalStateException("broken"));
        core.onTime(1, out);
        assertThat(core.isStale(5)).as("tried").isTrue();
        assertThat(started).containsExactly(5L, 7L);
    }

    @Test
    void ofTheUpdatesArrivingDuringABuildOnlyTheNewestIsBuiltNext() {
        HoldAndSwap<String> core = core(10, 100, 5);
        core.update(update(1), 0, out);
        core.update(update(2), 0, out);
        core.update(update(4), 0, out);
        core.update(update(3), 0, out);
        assertThat(core.newestPending().getVersion()).isEqualTo(4);
        built(1);
        core.onTime(1, out);
        assertThat(started).containsExactly(1L, 4L);
        assertThat(core.newestPending().getVersion()).isEqualTo(4);
        built(4);
        core.onTime(2, out);
        assertThat(log).containsExactly("swap -1>1", "swap 1>4");
        assertThat(core.newestPending()).isNull();
    }

    @Test
    void aFailedBuildIsReportedAndTheServingModelStays() {
        HoldAndSwap<String> core = core(10, 100, 5);
        core.restore(update(1), model(1, closed));
        core.receive("a", 0, out);
        core.update(update(2), 0, out);
        build(2).completeExceptionally(new IllegalStateException("no session"));
        core.receive("b", 1, out);
        core.onTime(100, out);
        assertThat(log).containsExactly("failed 2: no session", "score a,b @1");
        assertThat(core.serving().getVersion()).isEqualTo(1);
        assertThat(core.newestPending()).isNull();
        core.update(update(3), 101, out);
        built(3);
        core.onTime(102, out);
        assertThat(log).endsWith("swap 1>3");
    }

    @Test
    void anErrorDuringABuildIsRethrown() {
        HoldAndSwap<String> core = core(10, 100, 5);
        core.update(update(1), 0, out);
        build(1).completeExceptionally(new UnsatisfiedLinkError("no onnxruntime"));
        assertThatThrownBy(() -> core.onTime(1, out)).isInstanceOf(UnsatisfiedLinkError.class);
    }

    @Test
    void finishTakesTheBuildsInProgressAndQueuedThenScoresTheRest() {
        HoldAndSwap<String> core = core(10, 100, 5);
        core.receive("a", 0, out);
        core.update(update(1), 0, out);
        core.update(update(2), 0, out);
        built(1);
        built(2);
        core.finish(1, out);
        assertThat(log)
                .as("a joined version 1's batch, which closes before version 2 takes over")
                .containsExactly("swap -1>1", "score a @1", "swap 1>2");
        assertThat(core.waiting()).isEmpty();
    }

    @Test
    void closeClosesTheServingModelAndAnUnfinishedBuildWhenItEnds() {
        HoldAndSwap<String> core = core(10, 100, 5);
        core.restore(update(1), model(1, closed));
        core.update(update(2), 0, out);
        core.close();
        assertThat(closed).containsExactly(1L);
        built(2);
        assertThat(closed).containsExactly(1L, 2L);
        assertThat(core.servingVersion()).isEqualTo(HoldAndSwap.NO_VERSION);
    }
}
