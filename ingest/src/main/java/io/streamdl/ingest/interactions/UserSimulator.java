package io.streamdl.ingest.interactions;

import java.util.SplittableRandom;

/**
 * Simulated users interacting with the items of a catalogue, with known ground truth: an unbounded,
 * deterministic stream of interactions (the same config, seed included, gives the same stream).
 *
 * <p>Each interaction {@code i}:
 *
 * <ol>
 *   <li>its user is drawn by activity: user {@code u} has weight {@code exp(sigma * z(u))}, {@code
 *       z(u)} standard normal, {@code sigma} = {@link #ACTIVITY_SIGMA} (log-normal: the most active
 *       users interact tens of times more often than the least active); {@link #activity(int)} is
 *       the probability;
 *   <li>its item is drawn from the softmax of the user's true utilities ({@link UserTastes}): a
 *       class by preference, then an item of the class. An item can be drawn again, by the same
 *       user as by others;
 *   <li>its kind is drawn by {@link InteractionKind#probability()}, independently of all else;
 *   <li>its event time is {@link SimulatorConfig#timestampOf(long)}: the start plus {@code i /
 *       rate}, never the wall clock, so it is part of the deterministic stream.
 * </ol>
 *
 * <p><b>Taste drift.</b> From interaction {@link SimulatorConfig#driftAt()} on (when it is not 0),
 * every user's tastes are redrawn: new favourite classes among the classes that were not their
 * favourites, and a new independent direction. Activity does not change.
 *
 * <p>Tastes are drawn from a generator of their own per user and period, so they do not depend on
 * the order in which users first appear, and are kept once drawn. Not thread-safe.
 */
public final class UserSimulator {
    /** The spread (log-normal sigma) of user activity. */
    public static final double ACTIVITY_SIGMA = 1.0;

    private static final String USER_PREFIX = "user-";
    private static final long STREAM = 1;
    private static final long ACTIVITY = 2;
    private static final long TASTES = 3;

    private final ItemCatalogue items;
    private final SimulatorConfig config;
    private final double[] activityCumulative;
    private final UserTastes[][] tastes;
    private final SplittableRandom random;
    private long next;

    public UserSimulator(ItemCatalogue items, SimulatorConfig config) {
        this.items = items;
        this.config = config;
        this.random = new SplittableRandom(mix(config.seed(), STREAM, 0));
        SplittableRandom activity = new SplittableRandom(mix(config.seed(), ACTIVITY, 0));
        this.activityCumulative = new double[config.users()];
        double sum = 0;
        for (int u = 0; u < config.users(); u++) {
            sum += Math.exp(ACTIVITY_SIGMA * activity.nextGaussian());
            activityCumulative[u] = sum;
        }
        this.tastes = new UserTastes[config.drifts() ? 2 : 1][config.users()];
    }

    /** The id of user {@code u}: {@code user-<u>}. */
    public static String userId(int user) {
        return USER_PREFIX + user;
    }

    public ItemCatalogue catalogue() {
        return items;
    }

    public SimulatorConfig config() {
        return config;
    }

    /** The index of the interaction {@link #next()} returns next. */
    public long nextIndex() {
        return next;
    }

    /** Generates the next interaction. */
    public SimulatedInteraction next() {
        long index = next++;
        double r = random.nextDouble() * activityCumulative[activityCumulative.length - 1];
        int user = firstAbove(activityCumulative, r);
        int item = tastesAt(user, index).sample(random);
        double k = random.nextDouble();
        InteractionKind kind = InteractionKind.PURCHASE;
        for (InteractionKind candidate : InteractionKind.values()) {
            if (k < candidate.probability()) {
                kind = candidate;
                break;
            }
            k -= candidate.probability();
        }
        return new SimulatedInteraction(index, user, item, kind, config.timestampOf(index));
    }

    /** The probability that an interaction is user {@code u}'s. */
    public double activity(int user) {
        double below = user == 0 ? 0 : activityCumulative[user - 1];
        return (activityCumulative[user] - below)
                / activityCumulative[activityCumulative.length - 1];
    }

    /** User {@code u}'s current tastes: those the next interaction is drawn under. */
    public UserTastes tastes(int user) {
        return tastesAt(user, next);
    }

    /** User {@code u}'s tastes at interaction {@code index}: before or after the drift. */
    public UserTastes tastesAt(int user, long index) {
        int period = config.drifts() && index >= config.driftAt() ? 1 : 0;
        UserTastes t = tastes[period][user];
        if (t == null) {
            boolean[] allowed = null;
            if (period == 1) {
                UserTastes before = tastesAt(user, 0);
                allowed = new boolean[items.classCount()];
                for (int c = 0; c < allowed.length; c++) {
                    allowed[c] = !before.isFavourite(c);
                }
            }
            t =
                    UserTastes.draw(
                            items,
                            new SplittableRandom(mix(config.seed(), TASTES + period, user)),
                            allowed);
            tastes[period][user] = t;
        }
        return t;
    }

    /** User {@code u}'s true top {@code k} items under the current tastes, best first. */
    public int[] trueTopK(int user, int k) {
        return tastes(user).topK(k);
    }

    private static int firstAbove(double[] cumulative, double r) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > r) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** A seed for one purpose and index, well apart from every other (murmur3's finaliser). */
    private static long mix(long seed, long purpose, long index) {
        long h = seed;
        for (long x : new long[] {purpose, index}) {
            h ^= x * 0x9E3779B97F4A7C15L;
            h ^= h >>> 33;
            h *= 0xFF51AFD7ED558CCDL;
            h ^= h >>> 33;
            h *= 0xC4CEB9FE1A85EC53L;
            h ^= h >>> 33;
        }
        return h;
    }
}
