package io.streamdl.scoring.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeriesStateSelectTest {
    @Test
    void selectsWhatASortPutsAtEachRank() {
        Random r = new Random(3);
        for (int trial = 0; trial < 500; trial++) {
            int n = 1 + r.nextInt(300);
            double[] a = new double[n];
            for (int i = 0; i < n; i++) {
                // many ties, signed zeros and extremes
                a[i] =
                        switch (r.nextInt(6)) {
                            case 0 -> r.nextInt(4);
                            case 1 -> -0.0;
                            case 2 -> 0.0;
                            case 3 -> Double.MAX_VALUE;
                            default -> r.nextGaussian() * 1e3;
                        };
            }
            double[] sorted = a.clone();
            Arrays.sort(sorted);
            int k = r.nextInt(n);
            assertThat(Double.compare(SeriesState.select(a.clone(), k), sorted[k]))
                    .as("rank %d of %s", k, Arrays.toString(a))
                    .isZero();
        }
    }
}
