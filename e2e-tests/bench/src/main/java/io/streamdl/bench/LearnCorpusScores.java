package io.streamdl.bench;

import io.streamdl.schemas.avro.Score;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scores of a test split as {@link LearnCorpusBenchmark} counts them: each test event once (a
 * repeated score is ignored), over all versions and over the last published one.
 */
final class LearnCorpusScores {
    private final List<String> truth;
    private final long lastVersion;
    private final Set<Integer> seen = new HashSet<>();
    private final Map<Long, Integer> byVersion = new LinkedHashMap<>();
    private final Map<String, Integer> predicted;
    private int right;
    private int lastRight;
    private int lastSeen;

    /**
     * @param truth the label of test event {@code i} at index {@code i}
     * @param classes the model's labels, listed first (with zero counts) in {@link #predicted()}
     * @param lastVersion the version whose scores are also counted apart
     */
    LearnCorpusScores(List<String> truth, List<String> classes, long lastVersion) {
        this.truth = truth;
        this.lastVersion = lastVersion;
        this.predicted = LearnStats.counts(List.of(), classes);
    }

    /** Counts the score {@code s} of test event {@code i}, unless that event was already scored. */
    void add(Score s, int i) {
        if (!seen.add(i)) {
            return;
        }
        boolean correct = truth.get(i).equals(s.getLabel());
        byVersion.merge(s.getModelVersion(), 1, Integer::sum);
        predicted.merge(s.getLabel(), 1, Integer::sum);
        right += correct ? 1 : 0;
        if (s.getModelVersion() == lastVersion) {
            lastSeen++;
            lastRight += correct ? 1 : 0;
        }
    }

    /** Test events scored (each once). */
    int scored() {
        return seen.size();
    }

    /** Test events scored by the last version. */
    int scoredByLastVersion() {
        return lastSeen;
    }

    /** Accuracy over every scored test event, whichever version scored it; NaN if none. */
    double accuracyAllScores() {
        return seen.isEmpty() ? Double.NaN : (double) right / seen.size();
    }

    /** Accuracy of the last version over the test events it scored; NaN if none. */
    double lastVersionAccuracy() {
        return lastSeen == 0 ? Double.NaN : (double) lastRight / lastSeen;
    }

    /**
     * Accuracy of the last version over the whole test split: refused or unscored test events count
     * as wrong. NaN for an empty split.
     */
    double lastVersionAccuracyOverAll() {
        return truth.isEmpty() ? Double.NaN : (double) lastRight / truth.size();
    }

    /** Scores per version, in order of first score. */
    Map<Long, Integer> byVersion() {
        return byVersion;
    }

    /** Scores per predicted label. */
    Map<String, Integer> predicted() {
        return predicted;
    }
}
