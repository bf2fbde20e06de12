package io.streamdl.encoders.audio;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Band-limited resampling to one target rate with a Kaiser-windowed sinc filter.
 *
 * <p>Output sample {@code n} sits at input position {@code t = n * inRate / outRate} and is {@code
 * sum_j x[j] h(t - j)}, with {@code h(x) = c sinc(c x) w(x)}: {@code c = rolloff * min(1, outRate /
 * inRate)} puts the cut-off just below the lower of the two Nyquist frequencies (so downsampling
 * does not alias), and {@code w} is a Kaiser window (beta {@value #BETA}) over {@value
 * #ZERO_CROSSINGS} zero crossings of the sinc on each side. Samples outside the input are zero. The
 * output has {@code ceil(n * outRate / inRate)} samples.
 *
 * <p>When the rate ratio in lowest terms {@code L / M} has {@code L <= 1024} (every common rate: 8,
 * 11.025, 22.05, 44.1, 48 kHz, ...) the filter's {@code L} phases are computed once per input rate
 * and cached; other ratios evaluate the filter per sample, which is exact but slower. Thread-safe.
 */
public final class Resampler {
    static final int ZERO_CROSSINGS = 16;
    static final double BETA = 8.6;
    static final double ROLLOFF = 0.9;
    private static final int MAX_PHASES = 1024;
    private static final int MAX_CACHED_RATES = 32;

    private final int outRate;
    private final Map<Integer, Phases> cache = new ConcurrentHashMap<>();

    public Resampler(int outRate) {
        if (outRate <= 0) {
            throw new IllegalArgumentException("output rate must be positive: " + outRate);
        }
        this.outRate = outRate;
    }

    public int outRate() {
        return outRate;
    }

    /** Returns {@code samples} at {@link #outRate()}; the same array if the rates are equal. */
    public float[] resample(float[] samples, int inRate) {
        if (inRate <= 0) {
            throw new IllegalArgumentException("input rate must be positive: " + inRate);
        }
        if (inRate == outRate) {
            return samples;
        }
        long gcd = gcd(inRate, outRate);
        int up = (int) (outRate / gcd);
        int down = (int) (inRate / gcd);
        double cutoff = ROLLOFF * Math.min(1.0, (double) outRate / inRate);
        double halfWidth = ZERO_CROSSINGS / cutoff;
        int reach = (int) Math.floor(halfWidth) + 1;
        int outLength = (int) (((long) samples.length * up + down - 1) / down);
        float[] out = new float[outLength];
        Phases phases = up <= MAX_PHASES ? phases(inRate, up, cutoff, halfWidth, reach) : null;
        double[] coefficients = phases == null ? new double[2 * reach + 1] : null;
        for (int n = 0; n < outLength; n++) {
            long position = (long) n * down;
            int base = (int) (position / up);
            int phase = (int) (position % up);
            double[] h;
            if (phases != null) {
                h = phases.taps[phase];
            } else {
                fill(coefficients, (double) phase / up, cutoff, halfWidth, reach);
                h = coefficients;
            }
            int from = Math.max(-reach, -base);
            int to = Math.min(reach, samples.length - 1 - base);
            double sum = 0;
            for (int k = from; k <= to; k++) {
                sum += samples[base + k] * h[k + reach];
            }
            out[n] = (float) sum;
        }
        return out;
    }

    private Phases phases(int inRate, int up, double cutoff, double halfWidth, int reach) {
        Phases cached = cache.get(inRate);
        if (cached != null) {
            return cached;
        }
        double[][] taps = new double[up][2 * reach + 1];
        for (int p = 0; p < up; p++) {
            fill(taps[p], (double) p / up, cutoff, halfWidth, reach);
        }
        Phases phases = new Phases(taps);
        // rates are few in practice; the bound only stops hostile input from growing the cache
        if (cache.size() < MAX_CACHED_RATES) {
            cache.putIfAbsent(inRate, phases);
        }
        return phases;
    }

    /** {@code h(fraction - k)} for {@code k = -reach..reach}. */
    private static void fill(
            double[] taps, double fraction, double cutoff, double halfWidth, int reach) {
        double norm = besselI0(BETA);
        for (int k = -reach; k <= reach; k++) {
            double x = fraction - k;
            double value = 0;
            if (Math.abs(x) < halfWidth) {
                double r = x / halfWidth;
                double window = besselI0(BETA * Math.sqrt(1 - r * r)) / norm;
                value = cutoff * sinc(cutoff * x) * window;
            }
            taps[k + reach] = value;
        }
    }

    private static double sinc(double x) {
        if (x == 0) {
            return 1;
        }
        double px = Math.PI * x;
        return Math.sin(px) / px;
    }

    /** The modified Bessel function of the first kind, order 0, by its power series. */
    static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double quarterSquare = x * x / 4;
        for (int k = 1; k < 200; k++) {
            term *= quarterSquare / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        return sum;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private record Phases(double[][] taps) {}
}
