package io.streamdl.trainer;

/**
 * The learning rate over time and its response to drift: the base rate halves every {@code
 * learningRateHalfLife} examples learned since the start or the last drift event, down to {@code
 * learningRateFloor} of itself, and is multiplied by {@code driftLrBoost} for {@code
 * driftBoostSteps} steps after a drift event when the adaptation boosts. The schedule only
 * computes; the caller applies a changed rate to the network after {@link #refresh}. Not
 * thread-safe.
 */
final class LearningRateSchedule {
    private final TrainerSettings settings;
    private double rate;
    private int boostStepsLeft;
    private long examplesSinceDrift;

    LearningRateSchedule(TrainerSettings settings) {
        this.settings = settings;
        this.rate = settings.learningRate();
    }

    /** The schedule's fields as a snapshot holds them. */
    record State(double rate, int boostStepsLeft, long examplesSinceDrift) {}

    /** After a step on {@code learned} new examples: the decay advances, a boost counts down. */
    void afterStep(int learned) {
        examplesSinceDrift += learned;
        if (boostStepsLeft > 0) {
            boostStepsLeft--;
        }
    }

    /**
     * A drift event restarts the decay and, if the adaptation boosts, starts a boost.
     *
     * @return whether the adaptation also resets the optimizer
     */
    boolean onDrift() {
        examplesSinceDrift = 0;
        TrainerSettings.DriftAdaptation adaptation = settings.driftAdaptation();
        if (adaptation == TrainerSettings.DriftAdaptation.LR_BOOST
                || adaptation == TrainerSettings.DriftAdaptation.BOTH) {
            boostStepsLeft = settings.driftBoostSteps();
        }
        return adaptation == TrainerSettings.DriftAdaptation.RESET_OPTIMIZER
                || adaptation == TrainerSettings.DriftAdaptation.BOTH;
    }

    /**
     * Makes the scheduled rate the one in use.
     *
     * @return whether it changed, so the network must be given the new {@link #rate}
     */
    boolean refresh() {
        double scheduled = scheduled();
        if (scheduled == rate) {
            return false;
        }
        rate = scheduled;
        return true;
    }

    /** The rate in use. */
    double rate() {
        return rate;
    }

    State state() {
        return new State(rate, boostStepsLeft, examplesSinceDrift);
    }

    /**
     * Continues from a snapshot's boost and decay position. The rate in use then is not taken over:
     * the next {@link #refresh} recomputes it from the current settings and reports a change.
     */
    void restore(State state) {
        boostStepsLeft = state.boostStepsLeft();
        examplesSinceDrift = state.examplesSinceDrift();
        rate = Double.NaN;
    }

    private double scheduled() {
        double scheduled = settings.learningRate();
        if (settings.learningRateHalfLife() > 0) {
            double halvings = examplesSinceDrift / (double) settings.learningRateHalfLife();
            scheduled *= Math.max(settings.learningRateFloor(), Math.pow(0.5, halvings));
        }
        return boostStepsLeft > 0 ? scheduled * settings.driftLrBoost() : scheduled;
    }
}
