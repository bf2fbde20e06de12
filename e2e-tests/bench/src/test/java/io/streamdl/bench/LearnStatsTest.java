package io.streamdl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LearnStatsTest {
    private static final List<String> ORDER = List.of("a", "b", "c");

    @Test
    void countsListEveryKnownLabelInOrderThenUnknownOnes() {
        assertThat(LearnStats.counts(List.of("c", "x", "c", "a"), ORDER))
                .containsExactly(
                        Map.entry("a", 1), Map.entry("b", 0), Map.entry("c", 2), Map.entry("x", 1));
    }

    @Test
    void majorityIsTheMostFrequentLabel() {
        assertThat(LearnStats.majorityLabel(List.of("b", "c", "c", "a", "c", "b"), ORDER))
                .isEqualTo("c");
    }

    @Test
    void majorityTieGoesToTheLabelFirstInTheOrder() {
        assertThat(LearnStats.majorityLabel(List.of("c", "b", "c", "b"), ORDER)).isEqualTo("b");
        assertThat(LearnStats.majorityLabel(List.of("y", "x", "x", "y"), ORDER)).isEqualTo("y");
    }

    @Test
    void majorityOfNothingIsRefused() {
        assertThatThrownBy(() -> LearnStats.majorityLabel(List.of(), ORDER))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void baselineIsTheShareOfTheConstantAnswerInTheTruth() {
        assertThat(LearnStats.constantAccuracy("a", List.of("a", "b", "a", "c"))).isEqualTo(0.5);
        assertThat(LearnStats.constantAccuracy("z", List.of("a"))).isZero();
        assertThat(LearnStats.constantAccuracy("a", List.of())).isNaN();
    }

    @Test
    void runsCountChangesOfLabel() {
        assertThat(LearnStats.runs(List.of())).isZero();
        assertThat(LearnStats.runs(List.of("a"))).isEqualTo(1);
        assertThat(LearnStats.runs(List.of("a", "a", "b", "a"))).isEqualTo(3);
    }

    @Test
    void classSortedStreamsAreDetected() {
        assertThat(LearnStats.groupedByClass(List.of("a", "a", "b", "b", "c", "c"))).isTrue();
        // two runs per class still counts as grouped (e.g. train and test interleaved per class)
        assertThat(LearnStats.groupedByClass(List.of("a", "b", "a", "b"))).isTrue();
        assertThat(LearnStats.groupedByClass(List.of("a", "b", "c", "a", "b", "c", "a"))).isFalse();
        assertThat(LearnStats.groupedByClass(List.of("a", "a", "a"))).isFalse();
        assertThat(LearnStats.groupedByClass(List.of("a"))).isFalse();
    }

    @Test
    void shuffleIsAReproduciblePermutation() {
        int[] order = LearnStats.shuffledOrder(100, 1);
        assertThat(LearnStats.shuffledOrder(100, 1)).isEqualTo(order);
        assertThat(order).isNotEqualTo(LearnStats.identity(100));
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        assertThat(sorted).isEqualTo(IntStream.range(0, 100).toArray());
        assertThat(LearnStats.shuffledOrder(0, 1)).isEmpty();
    }

    @Test
    void roundUpToAMultiple() {
        assertThat(LearnStats.roundUp(1, 32)).isEqualTo(32);
        assertThat(LearnStats.roundUp(64, 32)).isEqualTo(64);
        assertThat(LearnStats.roundUp(65, 32)).isEqualTo(96);
        assertThatThrownBy(() -> LearnStats.roundUp(0, 32))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tailMeanAveragesTheSamplesCoveringTheTail() {
        List<Double> curve = List.of(0.1, 0.2, 0.4, 0.6);
        // 100 examples per sample: the last 150 examples are covered by the last 2 samples
        assertThat(LearnStats.tailMean(curve, 100, 150)).isCloseTo(0.5, within(1e-12));
        assertThat(LearnStats.tailMean(curve, 100, 1)).isCloseTo(0.6, within(1e-12));
        assertThat(LearnStats.tailMean(curve, 100, 10_000)).isCloseTo(0.325, within(1e-12));
        assertThat(LearnStats.tailMean(List.of(), 100, 100)).isNaN();
        assertThat(LearnStats.tailSamples(4, 100, 150)).isEqualTo(2);
        assertThat(LearnStats.tailSamples(4, 100, 10_000)).isEqualTo(4);
        assertThat(LearnStats.tailSamples(4, 100, 0)).isEqualTo(1);
    }
}
