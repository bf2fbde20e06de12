package io.streamdl.trainer;

/**
 * Decides whether a candidate model may be published: never with a NaN or infinite weight, and not
 * when its recent prequential accuracy is below the last published model's by more than {@code
 * margin}. Without a reference accuracy (nothing published yet, or reset after drift) only the
 * weights are checked.
 */
public final class PublishGuard {
    /** The guard's decision; the names appear in logs and metrics. */
    public enum Verdict {
        PUBLISH,
        /** A weight is NaN or infinite. */
        HOLD_NON_FINITE,
        /** Accuracy fell by more than the margin. */
        HOLD_REGRESSION
    }

    private final double margin;

    public PublishGuard(double margin) {
        if (!(margin >= 0 && margin <= 1)) {
            throw new IllegalArgumentException("guard margin must be in [0, 1]: " + margin);
        }
        this.margin = margin;
    }

    /**
     * @param params the candidate's parameters
     * @param accuracy the candidate's recent prequential accuracy
     * @param reference the last published model's, or NaN if there is none to compare with
     */
    public Verdict judge(float[] params, double accuracy, double reference) {
        for (float p : params) {
            if (!Float.isFinite(p)) {
                return Verdict.HOLD_NON_FINITE;
            }
        }
        if (!Double.isNaN(reference) && !(accuracy >= reference - margin)) {
            return Verdict.HOLD_REGRESSION;
        }
        return Verdict.PUBLISH;
    }

    public double margin() {
        return margin;
    }
}
