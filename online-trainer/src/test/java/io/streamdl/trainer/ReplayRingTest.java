package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayRingTest {
    /** Examples e{from}..e{to - 1}; only their identity matters to the ring. */
    private static List<AcceptedExample> examples(int from, int to) {
        List<AcceptedExample> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(new AcceptedExample("e" + i, i % 2, i, null));
        }
        return out;
    }

    private static List<String> ids(List<AcceptedExample> examples) {
        return examples.stream().map(AcceptedExample::eventId).toList();
    }

    @Test
    void aFullRingOverwritesItsOldestEntryInPlace() {
        ReplayRing ring = new ReplayRing(4);
        ring.addAll(examples(0, 3));
        assertThat(ids(ring.entries())).containsExactly("e0", "e1", "e2");
        assertThat(ring.next()).isZero();

        ring.addAll(examples(3, 6));
        assertThat(ring.size()).isEqualTo(4);
        assertThat(ids(ring.entries())).containsExactly("e4", "e5", "e2", "e3");
        assertThat(ring.next()).as("e2 is the oldest").isEqualTo(2);
    }

    @Test
    void drawsAreSeededFromTheModelSeedAndTheStep() {
        ReplayRing ring = new ReplayRing(10);
        ring.addAll(examples(0, 10));
        List<List<AcceptedExample>> drawn = ring.draw(7, 3, 2, 4);
        assertThat(drawn).hasSize(2);
        // pinned: a restored trainer from an older build must draw what that build drew
        assertThat(ids(drawn.get(0))).containsExactly("e7", "e5", "e6", "e5");
        assertThat(ids(drawn.get(1))).containsExactly("e5", "e2", "e4", "e7");
        assertThat(ring.draw(7, 3, 2, 4)).isEqualTo(drawn);
        assertThat(ring.draw(7, 4, 2, 4)).as("another step").isNotEqualTo(drawn);
        assertThat(ring.draw(8, 3, 2, 4)).as("another model seed").isNotEqualTo(drawn);
    }

    @Test
    void nothingIsDrawnWhileTheRingHoldsLessThanABatch() {
        ReplayRing ring = new ReplayRing(10);
        ring.addAll(examples(0, 3));
        assertThat(ring.draw(7, 0, 2, 4)).isEmpty();
        ring.addAll(examples(3, 4));
        assertThat(ring.draw(7, 0, 2, 4)).hasSize(2);
    }

    @Test
    void clearingEmptiesTheRingAndStartsFillingAtSlot0() {
        ReplayRing ring = new ReplayRing(3);
        ring.addAll(examples(0, 5));
        ring.clear();
        assertThat(ring.size()).isZero();
        assertThat(ring.next()).isZero();
        ring.addAll(examples(5, 9));
        assertThat(ids(ring.entries())).containsExactly("e8", "e6", "e7");
        assertThat(ring.next()).isEqualTo(1);
    }

    @Test
    void aRestoredWrappedRingOverwritesWhereTheSavedOneWould() {
        ReplayRing saved = new ReplayRing(4);
        saved.addAll(examples(0, 6));
        ReplayRing restored = new ReplayRing(4);
        restored.addAll(examples(100, 102));
        restored.restore(saved.entries(), saved.next());
        assertThat(ids(restored.entries())).isEqualTo(ids(saved.entries()));
        assertThat(restored.next()).isEqualTo(2);

        saved.addAll(examples(6, 7));
        restored.addAll(examples(6, 7));
        assertThat(ids(restored.entries())).containsExactly("e4", "e5", "e6", "e3");
        assertThat(ids(restored.entries())).isEqualTo(ids(saved.entries()));
    }

    @Test
    void aRingShrunkByConfigKeepsItsNewestExamplesOldestFirst() {
        ReplayRing saved = new ReplayRing(5);
        saved.addAll(examples(0, 7)); // e5 e6 e2 e3 e4, oldest at slot 2
        ReplayRing shrunk = new ReplayRing(3);
        shrunk.restore(saved.entries(), saved.next());
        assertThat(ids(shrunk.entries())).containsExactly("e4", "e5", "e6");
        assertThat(shrunk.next()).isZero();
        shrunk.addAll(examples(7, 8));
        assertThat(ids(shrunk.entries())).as("e4 was the oldest").containsExactly("e7", "e5", "e6");
    }

    @Test
    void aRingGrownByConfigKeepsEveryExampleAndFillsUpBeforeOverwriting() {
        ReplayRing saved = new ReplayRing(3);
        saved.addAll(examples(0, 4)); // e3 e1 e2
        ReplayRing grown = new ReplayRing(5);
        grown.restore(saved.entries(), saved.next());
        assertThat(ids(grown.entries())).containsExactly("e3", "e1", "e2");
        assertThat(grown.next()).isZero();
        grown.addAll(examples(4, 6));
        assertThat(grown.size()).isEqualTo(5);
    }
}
