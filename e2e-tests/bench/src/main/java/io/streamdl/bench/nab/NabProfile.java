package io.streamdl.bench.nab;

/**
 * One NAB application profile: the weights of its cost matrix. A detection inside a window earns up
 * to {@code tpWeight}, a window without a detection costs {@code fnWeight}, and a detection outside
 * every window costs up to {@code fpWeight}. (NAB's matrices also carry a {@code tnWeight}, which
 * no rule uses.)
 *
 * @param name the profile's name in {@code config/profiles.json}, e.g. {@code standard}
 * @param tpWeight the most a window's detection earns; also the perfect score per window
 * @param fpWeight the most a detection outside every window costs
 * @param fnWeight what a window without a detection costs
 */
public record NabProfile(String name, double tpWeight, double fpWeight, double fnWeight) {
    /** NAB's standard profile. */
    public static final NabProfile STANDARD = new NabProfile("standard", 1.0, 0.11, 1.0);

    public NabProfile {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a profile needs a name");
        }
        check(name, "tpWeight", tpWeight);
        check(name, "fpWeight", fpWeight);
        check(name, "fnWeight", fnWeight);
    }

    private static void check(String profile, String key, double weight) {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException(
                    "profile " + profile + ": " + key + " must be finite and >= 0, was " + weight);
        }
    }
}
