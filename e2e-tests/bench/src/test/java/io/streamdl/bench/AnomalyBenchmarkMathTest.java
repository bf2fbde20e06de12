package io.streamdl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnomalyBenchmarkMathTest {
    @Test
    void aurocIsTheProbabilityThatAnAnomalyScoresAboveANormalExample() {
        assertThat(AnomalyImagesBenchmark.auroc(List.of(1.0, 2.0), List.of(3.0, 4.0)))
                .isEqualTo(1.0);
        assertThat(AnomalyImagesBenchmark.auroc(List.of(3.0, 4.0), List.of(1.0, 2.0)))
                .isEqualTo(0.0);
        assertThat(AnomalyImagesBenchmark.auroc(List.of(1.0, 1.0), List.of(1.0))).isEqualTo(0.5);
        // 3 beats 1 and 2, ties 3 (half), loses to 5: (2 + 0.5) / 4
        assertThat(AnomalyImagesBenchmark.auroc(List.of(1.0, 2.0, 3.0, 5.0), List.of(3.0)))
                .isCloseTo(2.5 / 4, within(1e-12));
    }

    @Test
    void theRocCurveRunsFromTheOriginToTheCornerAndItsAreaIsTheAuroc() {
        List<Double> normals = List.of(0.1, 0.4, 0.35, 0.8);
        List<Double> anomalies = List.of(0.9, 0.3, 0.7);
        double[][] roc = AnomalyImagesBenchmark.roc(normals, anomalies);
        assertThat(roc[0]).containsExactly(0, 0);
        assertThat(roc[roc.length - 1]).containsExactly(1, 1);
        double area = 0;
        for (int i = 1; i < roc.length; i++) {
            area += (roc[i][0] - roc[i - 1][0]) * (roc[i][1] + roc[i - 1][1]) / 2;
        }
        assertThat(area).isCloseTo(AnomalyImagesBenchmark.auroc(normals, anomalies), within(1e-12));
    }

    @Test
    void percentileRanksLookOnlyAtEarlierScoresOfTheSeries() {
        double[] raw = {5, 1, 2, 3, 10, Double.NEGATIVE_INFINITY, 2};
        double[] ranks = NabScoreTransforms.percentileRanks(raw, 1000);
        assertThat(ranks[0]).isZero();
        assertThat(ranks[1]).isZero();
        assertThat(ranks[2]).isEqualTo(0.5);
        assertThat(ranks[4]).isEqualTo(1.0);
        assertThat(ranks[5]).isZero();
        // 2 against 5, 1, 2, 3, 10 and the dead letter counted as 0: two below, one tie
        assertThat(ranks[6]).isEqualTo(2.5 / 6);
        double[] changedLater = Arrays.copyOf(raw, raw.length);
        changedLater[6] = 100;
        assertThat(Arrays.copyOf(NabScoreTransforms.percentileRanks(changedLater, 1000), 6))
                .containsExactly(Arrays.copyOf(ranks, 6));
    }

    @Test
    void theLikelihoodAndTheMaxRatioRiseOnAnOutlierAndIgnoreTheFuture() {
        double[] raw = new double[200];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = 1 + 0.1 * Math.sin(i);
        }
        raw[150] = 5;
        double[] likelihood = NabScoreTransforms.likelihood(raw, 1, 100);
        double[] ratio = NabScoreTransforms.maxRatio(raw, 100);
        assertThat(likelihood[150]).isGreaterThan(0.999);
        assertThat(likelihood[149]).isLessThan(0.99);
        assertThat(ratio[150]).isGreaterThan(0.8);
        assertThat(ratio[149]).isLessThan(0.51);
        double[] changed = Arrays.copyOf(raw, raw.length);
        changed[199] = 100;
        assertThat(NabScoreTransforms.likelihood(changed, 1, 100)[198]).isEqualTo(likelihood[198]);
        assertThat(NabScoreTransforms.maxRatio(changed, 100)[198]).isEqualTo(ratio[198]);
        assertThat(io.streamdl.scoring.anomaly.Gaussian.erfc(1))
                .isCloseTo(0.157299207, within(1e-7));
        assertThat(io.streamdl.scoring.anomaly.Gaussian.erfc(-1))
                .isCloseTo(2 - 0.157299207, within(1e-7));
    }

    @Test
    void theRocPlotIsAPngOfItsSize(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        double[][] roc =
                AnomalyImagesBenchmark.roc(List.of(0.1, 0.2, 0.3), List.of(0.25, 0.4, 0.5));
        java.nio.file.Path file =
                RocPlot.write(List.of(roc, roc), List.of("a", "b"), "t", dir.resolve("roc.png"));
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(730);
        assertThat(image.getHeight()).isEqualTo(560);
    }
}
