package io.streamdl.bench.nab;

import java.util.Map;

/**
 * A detector's NAB score over a corpus for one profile, at one threshold.
 *
 * @param profile the profile's name
 * @param threshold the anomaly threshold: a row scoring at least this is a detection ({@link
 *     ThresholdOptimizer#NO_DETECTION} for none)
 * @param rawScore the sum of the files' raw scores
 * @param nullScore the raw score of the null detector, which detects nothing: minus the FN weight
 *     for every window that has a row after the probationary period
 * @param perfectScore the raw score of the perfect detector: the TP weight for every window
 * @param normalizedScore {@code 100 * (rawScore - nullScore) / (perfectScore - nullScore)}: 0 for
 *     the null detector, 100 for the perfect one; the number NAB publishes
 * @param files each file's raw score and counts, by path relative to the corpus's {@code data/}
 */
public record NabResult(
        String profile,
        double threshold,
        double rawScore,
        double nullScore,
        double perfectScore,
        double normalizedScore,
        Map<String, FileScore> files) {
    public NabResult {
        files = Map.copyOf(files);
    }
}
