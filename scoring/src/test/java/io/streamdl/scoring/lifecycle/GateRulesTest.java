package io.streamdl.scoring.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.ModelUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GateRulesTest {
    /** Records what the gate decides. */
    static final class Seen implements GateRules.Output {
        final List<Long> served = new ArrayList<>();
        final List<Long> shadowed = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        final List<Long> lookups = new ArrayList<>();
        final List<Long> trials = new ArrayList<>();

        @Override
        public void trial(long candidate) {
            trials.add(candidate);
        }

        @Override
        public void serve(ModelUpdate update) {
            served.add(update.getVersion());
        }

        @Override
        public void shadow(ModelUpdate update) {
            shadowed.add(update.getVersion());
        }

        @Override
        public void event(String kind, long version, Long fromVersion, String reason) {
            events.add(kind + " " + version + " from " + fromVersion);
        }

        @Override
        public void lookUp(long version) {
            lookups.add(version);
        }
    }

    static ModelUpdate update(long version, Map<String, Double> metrics) {
        return ModelUpdate.newBuilder()
                .setModel("image")
                .setVersion(version)
                .setArchitecture("{}")
                .setFormat("test")
                .setParams(java.nio.ByteBuffer.allocate(0))
                .setSha256("00")
                .setMetrics(new HashMap<>(metrics))
                .setCreatedTs(0)
                .build();
    }

    static ModelUpdate update(long version) {
        return update(version, Map.of());
    }

    static ModelEvent event(String kind, Long version) {
        return ModelEvents.of("image", kind, version, null, "test", Map.of(), "test", 0);
    }

    @Test
    void withoutShadowTrialsEveryNewerUpdateServesAndStaleOnesDoNot() {
        GateRules gate = new GateRules(false);
        Seen out = new Seen();
        gate.onUpdate(update(1), out);
        gate.onUpdate(update(3), out);
        gate.onUpdate(update(2), out);
        assertThat(out.served).containsExactly(1L, 3L);
        assertThat(out.shadowed).isEmpty();
    }

    @Test
    void aPinHoldsOtherVersionsAndUnpinLetsTheNewestThrough() {
        GateRules gate = new GateRules(false);
        Seen out = new Seen();
        gate.onUpdate(update(1), out);
        gate.onEvent(event(ModelEvents.PINNED, 1L), out);
        gate.onUpdate(update(2), out);
        gate.onUpdate(update(3), out);
        assertThat(out.served).containsExactly(1L);
        assertThat(gate.heldByPin()).isEqualTo(2);
        gate.onEvent(event(ModelEvents.UNPINNED, 1L), out);
        assertThat(out.served).containsExactly(1L, 3L);
        assertThat(out.lookups).isEmpty();
    }

    @Test
    void aPinOfAVersionNotYetSeenServesItWhenItArrivesOrLooksItUp() {
        GateRules gate = new GateRules(false);
        Seen out = new Seen();
        gate.onUpdate(update(1), out);
        gate.onEvent(event(ModelEvents.PINNED, 5L), out);
        assertThat(out.lookups).containsExactly(5L);
        gate.onUpdate(update(4), out);
        assertThat(out.served).containsExactly(1L);
        gate.onUpdate(update(5), out);
        assertThat(out.served).containsExactly(1L, 5L);
        assertThat(gate.state().wanted()).isNull();
    }

    @Test
    void aRollbackCopyArrivingBeforeItsPinServesOnceThePinNamesIt() {
        GateRules gate = new GateRules(false);
        Seen out = new Seen();
        gate.onUpdate(update(3), out);
        gate.onEvent(event(ModelEvents.PINNED, 3L), out);
        gate.onUpdate(update(4, Map.of(ModelEvents.ROLLBACK_OF, 1.0)), out);
        assertThat(out.served).containsExactly(3L);
        gate.onEvent(event(ModelEvents.PINNED, 4L), out);
        assertThat(out.served).containsExactly(3L, 4L);
    }

    @Test
    void unpinWithNothingNewerInMemoryLooksUpTheNewest() {
        GateRules gate = new GateRules(false);
        gate.restore(new GateRules.State(2L, 2, null, null));
        Seen out = new Seen();
        gate.onEvent(event(ModelEvents.UNPINNED, 2L), out);
        assertThat(out.lookups).containsExactly(GateRules.NEWEST);
        gate.onUpdate(update(7), out);
        assertThat(out.served).containsExactly(7L);
    }

    @Test
    void withShadowTrialsTheFirstServesAndLaterOnesWaitForTheVerdict() {
        GateRules gate = new GateRules(true);
        Seen out = new Seen();
        gate.onUpdate(update(1), out);
        gate.onUpdate(update(2), out);
        assertThat(out.served).containsExactly(1L);
        assertThat(out.shadowed).containsExactly(2L);
        assertThat(out.events).containsExactly("SHADOW 2 from 1");
        // one candidate at a time: 3 and 4 wait, and the newest of them is tried next
        gate.onUpdate(update(3), out);
        gate.onUpdate(update(4), out);
        assertThat(out.shadowed).containsExactly(2L);
        gate.onEvent(event(ModelEvents.REFUSED, 2L), out);
        assertThat(out.served).containsExactly(1L);
        assertThat(out.shadowed).containsExactly(2L, 4L);
        // a refused version is not tried again, even when it is the newest
        gate.onEvent(event(ModelEvents.REFUSED, 4L), out);
        assertThat(out.shadowed).containsExactly(2L, 4L);
        assertThat(gate.candidate()).isNull();
        gate.onUpdate(update(4), out);
        assertThat(out.shadowed).containsExactly(2L, 4L);
        gate.onUpdate(update(5), out);
        assertThat(out.shadowed).containsExactly(2L, 4L, 5L);
        gate.onEvent(event(ModelEvents.PROMOTED, 5L), out);
        assertThat(out.served).containsExactly(1L, 5L);
        assertThat(gate.candidate()).isNull();
    }

    @Test
    void asACanaryTheCandidateIsReportedForTheRouterUntilItIsJudged() {
        GateRules gate = new GateRules(true, true);
        Seen out = new Seen();
        gate.onUpdate(update(1), out);
        assertThat(out.trials).isEmpty();
        gate.onUpdate(update(2), out);
        assertThat(out.shadowed).containsExactly(2L);
        assertThat(out.events).containsExactly("CANARY 2 from 1");
        assertThat(out.trials).containsExactly(2L);
        gate.onEvent(event(ModelEvents.REFUSED, 2L), out);
        assertThat(out.trials).containsExactly(2L, -1L);
        gate.onUpdate(update(3), out);
        gate.onEvent(event(ModelEvents.PROMOTED, 3L), out);
        assertThat(out.served).containsExactly(1L, 3L);
        assertThat(out.trials).containsExactly(2L, -1L, 3L, -1L);
        // a restored gate knows its candidate and does not report it again
        GateRules restored = new GateRules(true, true);
        restored.restore(new GateRules.State(null, 3, 4L, null, 2));
        Seen again = new Seen();
        restored.onEvent(event(ModelEvents.SERVING, 3L), again);
        assertThat(again.trials).isEmpty();
    }

    @Test
    void withShadowTrialsARollbackCopyOrAnImportServesAtOnce() {
        GateRules gate = new GateRules(true);
        Seen out = new Seen();
        gate.onUpdate(update(1), out);
        gate.onUpdate(update(2, Map.of(ModelEvents.ROLLBACK_OF, 1.0)), out);
        gate.onUpdate(update(3, Map.of(ModelEvents.IMPORTED_METRIC, 1.0)), out);
        assertThat(out.served).containsExactly(1L, 2L, 3L);
        assertThat(out.shadowed).isEmpty();
    }

    @Test
    void aPromotionOfACandidateNotInMemoryIsLookedUpAndAStalePromotionIgnored() {
        GateRules gate = new GateRules(true);
        gate.restore(new GateRules.State(null, 3, 5L, null));
        Seen out = new Seen();
        gate.onEvent(event(ModelEvents.PROMOTED, 2L), out);
        assertThat(out.lookups).isEmpty();
        gate.onEvent(event(ModelEvents.PROMOTED, 5L), out);
        assertThat(out.lookups).containsExactly(5L);
        gate.onUpdate(update(5), out);
        assertThat(out.served).containsExactly(5L);
        assertThat(gate.state()).isEqualTo(new GateRules.State(null, 5, null, null));
    }
}
