package io.streamdl.trainer;

/**
 * Decides whether a candidate model may be published: never with a NaN or infinite weight, and not
 * when its recent prequential figure is worse than the last published model's: an accuracy lower by
 * more than {@code margin} (absolute), or a mean error higher by more than the fraction {@code
 * margin} of the reference (relative, since errors have the scale of their data). Without a
 * reference (nothing published yet, or reset after drift) only the weights are checked.
 */
public final class PublishGuard {
    /** The guard's decision; the names appear in logs and metrics. */
    public enum Verdict {
        PUBLISH,
        /** A weight is NaN or infinite. */
        HOLD_NON_FINITE,
        /** The figure got worse by more than the margin. */
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
     * Judges a classifier's candidate.
     *
     * @param params the candidate's parameters
     * @param accuracy the candidate's recent prequential accuracy
     * @param reference the last published model's, or NaN if there is none to compare with
     */
    public Verdict judge(float[] params, double accuracy, double reference) {
        return judge(params, accuracy, reference, true);
    }

    /**
     * Judges a candidate by a figure that is better when higher (accuracy) or lower (mean error).
     *
     * @param params the candidate's parameters
     * @param figure the candidate's recent prequential figure (NaN is never good enough)
     * @param reference the last published model's, or NaN if there is none to compare with
     */
    public Verdict judge(float[] params, double figure, double reference, boolean higherIsBetter) {
        for (float p : params) {
            if (!Float.isFinite(p)) {
                return Verdict.HOLD_NON_FINITE;
            }
        }
        boolean goodEnough =
                higherIsBetter ? figure >= reference - margin : figure <= reference * (1 + margin);
        if (!Double.isNaN(reference) && !goodEnough) {
            return Verdict.HOLD_REGRESSION;
        }
        return Verdict.PUBLISH;
    }

    public double margin() {
        return margin;
    }
}
