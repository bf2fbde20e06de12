package io.streamdl.scoring.anomaly;

/** The standard normal distribution's tail and its inverse, for the likelihood rule. */
public final class Gaussian {
    /** Numerical Recipes' coefficients of erfc's Chebyshev fit, highest order first. */
    private static final double[] ERFC = {
        0.17087277,
        -0.82215223,
        1.48851587,
        -1.13520398,
        0.27886807,
        -0.18628806,
        0.09678418,
        0.37409196,
        1.00002368,
        -1.26551223
    };

    private Gaussian() {}

    /** The complementary error function (fractional error below 1.2e-7). */
    public static double erfc(double x) {
        double t = 1 / (1 + 0.5 * Math.abs(x));
        double poly = 0;
        for (double c : ERFC) {
            poly = poly * t + c;
        }
        double y = t * Math.exp(-x * x + poly);
        return x >= 0 ? y : 2 - y;
    }

    /** P(Z &le; z) for a standard normal Z. */
    public static double cdf(double z) {
        return 0.5 * erfc(-z / Math.sqrt(2));
    }

    /** The z with {@link #cdf}(z) = {@code p}, by bisection to 1e-9, for p in (0, 1). */
    public static double quantile(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("probability must be in (0, 1): " + p);
        }
        double lo = -40;
        double hi = 40;
        while (hi - lo > 1e-9) {
            double mid = (lo + hi) / 2;
            if (cdf(mid) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }
}
