package io.streamdl.ingest.interactions;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

/**
 * One user's latent tastes over a catalogue, and the distribution of their next item under them.
 *
 * <p>A user has a preference {@code pi[c]} for each class {@code c} (summing to 1) and a unit
 * direction {@code d} in the items' content space. The affinity of item {@code i} is {@code a(i) =
 * <d, v(i)>}, in [-1, 1], with {@code v(i)} the item's content vector. The user picks a class with
 * probability {@code pi[c]}, then an item of that class with probability proportional to {@code
 * exp(beta * a(i))}, {@code beta} = {@link #SHARPNESS}. The item's <em>true utility</em> is the log
 * of the probability of picking it:
 *
 * <pre>
 * u(i) = log pi[c(i)] + beta * a(i) - log Z(c(i)),   Z(c) = sum over j in c of exp(beta * a(j))
 * </pre>
 *
 * so that drawing an item is exactly sampling from the softmax of the utilities over the whole
 * catalogue, and the true top-K are the K items of highest utility. Per-class normalisers are
 * computed the first time a class is needed. Not thread-safe.
 */
public final class UserTastes {
    /** How strongly affinity concentrates a user's picks within a class ({@code beta}). */
    public static final double SHARPNESS = 12;

    /** The total preference of a user's favourite classes; the others share the rest equally. */
    public static final double FAVOURITE_MASS = 0.9;

    private final ItemCatalogue items;
    private final int[] favourites;
    private final double[] preference;
    private final double[] cumulative;
    private final double[] direction;
    private final double[] maxAffinity;
    private final double[] logNormaliser;
    private int[] topK = new int[0];

    private UserTastes(ItemCatalogue items, int[] favourites, double[] preference, double[] d) {
        this.items = items;
        this.favourites = favourites;
        this.preference = preference;
        this.direction = d;
        this.cumulative = new double[preference.length];
        double sum = 0;
        for (int c = 0; c < preference.length; c++) {
            sum += preference[c];
            cumulative[c] = sum;
        }
        this.maxAffinity = new double[preference.length];
        this.logNormaliser = new double[preference.length];
        Arrays.fill(logNormaliser, Double.NaN);
    }

    /**
     * Draws tastes: 2 or 3 favourite classes (equally likely) chosen uniformly among the classes
     * {@code allowed} (null = all), sharing {@link #FAVOURITE_MASS} with weights uniform in [1, 2]
     * normalised; the other classes share the rest equally. The direction is an isotropic Gaussian
     * vector, normalised.
     */
    static UserTastes draw(ItemCatalogue items, SplittableRandom random, boolean[] allowed) {
        int classes = items.classCount();
        int[] pool = new int[classes];
        int n = 0;
        for (int c = 0; c < classes; c++) {
            if (allowed == null || allowed[c]) {
                pool[n++] = c;
            }
        }
        int count = Math.min(n, 2 + random.nextInt(2));
        int[] favourites = new int[count];
        for (int k = 0; k < count; k++) {
            int pick = k + random.nextInt(n - k);
            int chosen = pool[pick];
            pool[pick] = pool[k];
            pool[k] = chosen;
            favourites[k] = chosen;
        }
        double[] weights = new double[count];
        double total = 0;
        for (int k = 0; k < count; k++) {
            weights[k] = 1 + random.nextDouble();
            total += weights[k];
        }
        double[] preference = new double[classes];
        Arrays.fill(preference, (1 - FAVOURITE_MASS) / (classes - count));
        for (int k = 0; k < count; k++) {
            preference[favourites[k]] = FAVOURITE_MASS * weights[k] / total;
        }
        double[] d = new double[ItemCatalogue.DIMS];
        double norm = 0;
        for (int k = 0; k < d.length; k++) {
            d[k] = random.nextGaussian();
            norm += d[k] * d[k];
        }
        norm = Math.sqrt(norm);
        for (int k = 0; k < d.length; k++) {
            d[k] /= norm;
        }
        return new UserTastes(items, favourites, preference, d);
    }

    /** The favourite classes, in the order they were drawn. A copy. */
    public int[] favourites() {
        return favourites.clone();
    }

    /** Whether class {@code c} is one of the favourites. */
    public boolean isFavourite(int c) {
        for (int f : favourites) {
            if (f == c) {
                return true;
            }
        }
        return false;
    }

    /** {@code pi[c]}: the probability that the next item is of class {@code c}. */
    public double classPreference(int c) {
        return preference[c];
    }

    /** The direction in content space (unit norm). A copy. */
    public double[] direction() {
        return direction.clone();
    }

    /** {@code a(i)}: the cosine of item {@code i}'s content vector with the direction. */
    public double affinity(int item) {
        return items.dot(item, direction);
    }

    /** {@code u(i)}, the true utility: the log-probability that the next item is {@code i}. */
    public double utility(int item) {
        int c = items.classOf(item);
        return Math.log(preference[c]) + SHARPNESS * affinity(item) - logNormaliser(c);
    }

    /** The probability that the next item is {@code item}: {@code exp(u(i))}. */
    public double probability(int item) {
        return Math.exp(utility(item));
    }

    /**
     * The {@code k} items of highest true utility, best first (ties by index); nothing is excluded,
     * items already interacted with included.
     */
    public int[] topK(int k) {
        int n = Math.min(k, items.size());
        if (n > topK.length) {
            double[] u = new double[items.size()];
            Integer[] order = new Integer[items.size()];
            for (int i = 0; i < u.length; i++) {
                u[i] = utility(i);
                order[i] = i;
            }
            Arrays.sort(
                    order,
                    Comparator.comparingDouble((Integer i) -> -u[i]).thenComparingInt(i -> i));
            topK = new int[n];
            for (int i = 0; i < n; i++) {
                topK[i] = order[i];
            }
        }
        return Arrays.copyOf(topK, n);
    }

    /** Draws the next item: a class by preference, then an item of it by rejection sampling. */
    int sample(SplittableRandom random) {
        double r = random.nextDouble() * cumulative[cumulative.length - 1];
        int c = 0;
        while (c < cumulative.length - 1 && r >= cumulative[c]) {
            c++;
        }
        int[] pool = items.itemsOfShared(c);
        double max = maxAffinity(c);
        // proposals uniform over the class, accepted with exp(beta * (a - max)) <= 1: exactly the
        // softmax within the class, without a table of a thousand weights per user and class
        while (true) {
            int item = pool[random.nextInt(pool.length)];
            double a = items.dot(item, direction);
            if (random.nextDouble() < StrictMath.exp(SHARPNESS * (a - max))) {
                return item;
            }
        }
    }

    private double maxAffinity(int c) {
        logNormaliser(c);
        return maxAffinity[c];
    }

    private double logNormaliser(int c) {
        if (Double.isNaN(logNormaliser[c])) {
            int[] pool = items.itemsOfShared(c);
            double max = Double.NEGATIVE_INFINITY;
            for (int item : pool) {
                max = Math.max(max, items.dot(item, direction));
            }
            double sum = 0;
            for (int item : pool) {
                sum += StrictMath.exp(SHARPNESS * (items.dot(item, direction) - max));
            }
            maxAffinity[c] = max;
            logNormaliser[c] = SHARPNESS * max + Math.log(sum);
        }
        return logNormaliser[c];
    }
}
