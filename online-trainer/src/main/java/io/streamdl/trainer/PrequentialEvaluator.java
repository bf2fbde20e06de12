package io.streamdl.trainer;

import java.util.List;
import java.util.function.DoubleConsumer;

/**
 * Test-then-train evaluation of a mini-batch: each example's prediction, made before the batch is
 * learned, is scored against its label (correct if the label has the highest probability, the first
 * of equal ones; cross-entropy loss with the probability floored at {@link #MIN_PROBABILITY}) into
 * the {@link PrequentialWindow}, and its 0/1 error feeds the drift detector, if there is one. Not
 * thread-safe.
 */
final class PrequentialEvaluator {
    /** The probability a loss is computed from at least, so a confident mistake stays finite. */
    static final float MIN_PROBABILITY = 1e-7f;

    /** The error a non-finite one is counted as: large, but summable over a window. */
    static final float WORST_ERROR = 1e12f;

    private final int classes;
    private final PageHinkley detector;
    private PrequentialWindow window;

    /**
     * @param classes the model's number of classes
     * @param detector the drift detector on the error stream, or null for none
     */
    PrequentialEvaluator(int classes, PrequentialWindow window, PageHinkley detector) {
        this.classes = classes;
        this.window = window;
        this.detector = detector;
    }

    /**
     * Scores {@code batch} in order against {@code probabilities}, one row of {@code classes} per
     * example. A drift alarm calls {@code onAlarm} with the alarm's statistic as soon as the
     * example that raised it is in the window, before the rest of the batch is scored.
     */
    void evaluate(List<AcceptedExample> batch, float[] probabilities, DoubleConsumer onAlarm) {
        if (probabilities.length != batch.size() * classes) {
            throw new IllegalArgumentException(
                    probabilities.length
                            + " probabilities for "
                            + batch.size()
                            + " examples of "
                            + classes
                            + " classes");
        }
        for (int i = 0; i < batch.size(); i++) {
            AcceptedExample example = batch.get(i);
            int row = i * classes;
            int best = 0;
            for (int j = 1; j < classes; j++) {
                if (probabilities[row + j] > probabilities[row + best]) {
                    best = j;
                }
            }
            boolean correct = best == example.label();
            float p = probabilities[row + example.label()];
            float loss = (float) -Math.log(Math.max(Float.isNaN(p) ? 0f : p, MIN_PROBABILITY));
            window.add(correct, loss, example.arrivedAt());
            if (detector != null && detector.add(correct ? 0 : 1)) {
                onAlarm.accept(detector.lastAlarmStatistic());
            }
        }
    }

    /**
     * Scores {@code batch} in order by an anomaly model's own per-example errors (made before the
     * batch is learned) into the window as losses; a NaN or infinite error (diverged weights)
     * counts as {@link #WORST_ERROR}, so the window's mean stays finite and the guard holds the
     * weights back. Anomaly models feed no drift detector: their error stream is what they score.
     */
    void evaluateErrors(List<AcceptedExample> batch, float[] errors) {
        if (errors.length != batch.size()) {
            throw new IllegalArgumentException(
                    errors.length + " errors for " + batch.size() + " examples");
        }
        for (int i = 0; i < batch.size(); i++) {
            float e = errors[i];
            window.add(false, Float.isFinite(e) ? e : WORST_ERROR, batch.get(i).arrivedAt());
        }
    }

    PrequentialWindow window() {
        return window;
    }

    /** The drift detector, or null for none. */
    PageHinkley detector() {
        return detector;
    }

    /**
     * Forgets every prediction so far: an empty window of the same capacity, and the drift detector
     * (if any) started afresh.
     */
    void restart() {
        window = new PrequentialWindow(window.capacity());
        if (detector != null) {
            detector.reset();
        }
    }

    /** Continues from a snapshot's window. */
    void restoreWindow(PrequentialWindow restored) {
        this.window = restored;
    }
}
