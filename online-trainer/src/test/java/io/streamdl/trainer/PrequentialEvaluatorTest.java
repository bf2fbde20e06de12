package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrequentialEvaluatorTest {
    private static AcceptedExample example(int label, long arrivedAt) {
        return new AcceptedExample("e" + arrivedAt, label, arrivedAt, null);
    }

    @Test
    void eachPredictionIsScoredByItsMostProbableClassAndTheLabelsProbability() {
        PrequentialEvaluator e = new PrequentialEvaluator(3, new PrequentialWindow(10), null);
        e.evaluate(
                List.of(example(2, 10), example(0, 20), example(1, 30)),
                new float[] {
                    0.1f, 0.2f, 0.7f, // right
                    0.3f, 0.6f, 0.1f, // wrong
                    0.4f, 0.4f, 0.2f // a tie goes to the first class: wrong
                },
                statistic -> {
                    throw new AssertionError("no detector, no alarm");
                });
        PrequentialWindow w = e.window();
        assertThat(w.count()).isEqualTo(3);
        assertThat(w.accuracy()).isCloseTo(1.0 / 3, within(1e-12));
        double expectedLoss = (-Math.log(0.7f) - Math.log(0.3f) - Math.log(0.4f)) / 3;
        assertThat(w.meanLoss()).isCloseTo(expectedLoss, within(1e-6));
        assertThat(w.oldestTime(0)).isEqualTo(10);
    }

    @Test
    void aZeroOrNanProbabilityCostsAFiniteLoss() {
        PrequentialEvaluator e = new PrequentialEvaluator(2, new PrequentialWindow(10), null);
        e.evaluate(
                List.of(example(0, 1), example(1, 2)),
                new float[] {0f, 1f, Float.NaN, Float.NaN},
                statistic -> {});
        double floor = -Math.log(PrequentialEvaluator.MIN_PROBABILITY);
        assertThat(e.window().meanLoss()).isCloseTo(floor, within(1e-3));
        assertThat(e.window().accuracy()).isZero();
    }

    @Test
    void anAlarmIsReportedAtTheExampleThatRaisedItWithThatExampleInTheWindow() {
        PageHinkley detector = new PageHinkley(0, 2.5, 1);
        PrequentialEvaluator e = new PrequentialEvaluator(2, new PrequentialWindow(100), detector);
        List<AcceptedExample> batch = new ArrayList<>();
        List<Float> probabilities = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            boolean right = i < 20;
            batch.add(example(0, i));
            probabilities.add(right ? 0.9f : 0.1f);
            probabilities.add(right ? 0.1f : 0.9f);
        }
        float[] p = new float[probabilities.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = probabilities.get(i);
        }
        List<Integer> windowAtAlarm = new ArrayList<>();
        List<Double> statistics = new ArrayList<>();
        e.evaluate(
                batch,
                p,
                statistic -> {
                    windowAtAlarm.add(e.window().count());
                    statistics.add(statistic);
                });
        assertThat(windowAtAlarm).as("alarms mid-batch, after the errors began").isNotEmpty();
        assertThat(windowAtAlarm.get(0)).isGreaterThan(20).isLessThan(40);
        assertThat(statistics.get(0)).isGreaterThan(2.5);
        assertThat(e.window().count()).as("the whole batch is scored").isEqualTo(40);
    }

    @Test
    void probabilitiesThatDoNotMatchTheBatchAreRefused() {
        PrequentialEvaluator e = new PrequentialEvaluator(2, new PrequentialWindow(10), null);
        assertThatThrownBy(() -> e.evaluate(List.of(example(0, 1)), new float[3], statistic -> {}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(e.window().count()).isZero();
    }

    @Test
    void aRestoredWindowIsTheOneScoredInto() {
        PrequentialEvaluator e = new PrequentialEvaluator(2, new PrequentialWindow(10), null);
        PrequentialWindow restored = new PrequentialWindow(5);
        restored.add(true, 0.1f, 7);
        e.restoreWindow(restored);
        e.evaluate(List.of(example(1, 8)), new float[] {0.9f, 0.1f}, statistic -> {});
        assertThat(e.window()).isSameAs(restored);
        assertThat(restored.count()).isEqualTo(2);
        assertThat(restored.accuracy()).isEqualTo(0.5);
    }
}
