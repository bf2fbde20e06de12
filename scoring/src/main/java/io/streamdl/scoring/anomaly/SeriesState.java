package io.streamdl.scoring.anomaly;

import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.Score;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What the detector remembers of one series, and the rule that turns its next score into an anomaly
 * or not. Plain Java: the Streams processor only loads it from and stores it back to the state
 * store.
 *
 * <p>Memory is bounded per series: a ring of the last {@code window} scores (8 bytes each), three
 * counters, the time of the last alert and the last {@code recentCapacity} anomalies. The threshold
 * is the nearest-rank {@code quantile} of the ring, taken before the new score joins it, so a score
 * is compared only with the ones before it; a level shift becomes the new normal within {@code
 * window} scores.
 *
 * <p>Mutable and not thread-safe: one instance serves one record, read from the store and written
 * back.
 */
public final class SeriesState {
    private final double[] ring;
    private int size;
    private int next;
    private long seen;
    private long alerts;
    private long suppressed;
    private boolean alerted;
    private long lastAlertTs;
    private final int recentCapacity;
    private final ArrayDeque<Anomaly> recent;
    private long lastSeenMillis = NEVER_SEEN;

    /** {@link #lastSeenMillis} of a state written before it was recorded. */
    public static final long NEVER_SEEN = Long.MIN_VALUE;

    private SeriesState(int window, int recentCapacity) {
        if (window < 1 || recentCapacity < 0) {
            throw new IllegalArgumentException(
                    "window " + window + " and recent " + recentCapacity);
        }
        this.ring = new double[window];
        this.recentCapacity = recentCapacity;
        this.recent = new ArrayDeque<>();
    }

    /** A series that has seen nothing. */
    public static SeriesState empty(int window, int recentCapacity) {
        return new SeriesState(window, recentCapacity);
    }

    /**
     * Rebuilds a state from its parts (the codec's way in); {@code scores} oldest first, at most
     * {@code window} of them kept (the newest).
     */
    static SeriesState of(
            int window,
            int recentCapacity,
            double[] scores,
            long seen,
            long alerts,
            long suppressed,
            boolean alerted,
            long lastAlertTs,
            long lastSeenMillis,
            List<Anomaly> recentAnomalies) {
        SeriesState state = new SeriesState(window, recentCapacity);
        for (int i = Math.max(0, scores.length - window); i < scores.length; i++) {
            state.add(scores[i]);
        }
        state.seen = seen;
        state.alerts = alerts;
        state.suppressed = suppressed;
        state.alerted = alerted;
        state.lastAlertTs = lastAlertTs;
        state.lastSeenMillis = lastSeenMillis;
        for (int i = Math.max(0, recentAnomalies.size() - recentCapacity);
                i < recentAnomalies.size();
                i++) {
            state.recent.addLast(recentAnomalies.get(i));
        }
        return state;
    }

    /**
     * This state sized for {@code window} and {@code recentCapacity} (after a config change): the
     * newest scores and anomalies that fit are kept. Returns this state when it already fits.
     */
    public SeriesState fitTo(int window, int recentCapacity) {
        if (window == ring.length && recentCapacity == this.recentCapacity) {
            return this;
        }
        return of(
                window,
                recentCapacity,
                scores(),
                seen,
                alerts,
                suppressed,
                alerted,
                lastAlertTs,
                lastSeenMillis,
                recentAnomalies());
    }

    /**
     * Compares {@code score} with this series' threshold, then adds it to the recent scores.
     *
     * @param score a score with a finite value (the caller refuses the others)
     * @return the anomaly, when the score is above the threshold after warm-up and not within the
     *     minimum gap of the last alert
     */
    public Optional<Anomaly> observe(Score score, AnomalyDetectorConfig rule) {
        double value = score.getScore();
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("score " + value + " of " + score.getEventId());
        }
        OptionalDouble threshold = threshold(rule);
        Anomaly anomaly = null;
        if (threshold.isPresent() && value > threshold.getAsDouble()) {
            long ts = score.getEventTs();
            if (alerted && withinGap(ts, rule.minGapMillis())) {
                suppressed++;
            } else {
                anomaly =
                        Anomaly.newBuilder()
                                .setEventId(score.getEventId())
                                .setModel(score.getModel())
                                .setModelVersion(score.getModelVersion())
                                .setScore(value)
                                .setThreshold(threshold.getAsDouble())
                                .setSeries(score.getSeries())
                                .setTs(ts)
                                .build();
                alerts++;
                alerted = true;
                lastAlertTs = ts;
                if (recentCapacity > 0) {
                    if (recent.size() == recentCapacity) {
                        recent.removeFirst();
                    }
                    recent.addLast(anomaly);
                }
            }
        }
        add(value);
        seen++;
        return Optional.ofNullable(anomaly);
    }

    private boolean withinGap(long ts, long minGapMillis) {
        if (minGapMillis == 0) {
            return false;
        }
        // Unsigned: the difference of two event times may exceed Long.MAX_VALUE.
        return ts < lastAlertTs || Long.compareUnsigned(ts - lastAlertTs, minGapMillis) < 0;
    }

    /**
     * The threshold the next score is compared with, or empty while the series has seen fewer than
     * the rule's warm-up of scores. With the quantile rule, the nearest-rank quantile of the recent
     * scores. With the likelihood rule, the score at which the mean of the newest {@code
     * shortWindow} scores (this one and the {@code shortWindow - 1} before it) reaches {@code mu +
     * z * sigma}, where mu and sigma are the mean and standard deviation of the recent scores'
     * {@code shortWindow}-point moving averages and z the standard normal quantile of {@code
     * likelihood}: a score above the threshold is exactly one whose short-window mean has at least
     * that likelihood of being anomalous, and the threshold stays in the scores' own units.
     */
    public OptionalDouble threshold(AnomalyDetectorConfig rule) {
        if (seen < rule.warmUp() || size == 0) {
            return OptionalDouble.empty();
        }
        if (rule.rule() == AnomalyDetectorConfig.ThresholdRule.LIKELIHOOD) {
            return OptionalDouble.of(likelihoodThreshold(rule.likelihood(), rule.shortWindow()));
        }
        return OptionalDouble.of(quantile(rule.quantile()));
    }

    private double likelihoodThreshold(double likelihood, int shortWindow) {
        double[] recent = scores();
        int k = Math.min(shortWindow, recent.length);
        // the distribution of k-point moving averages of the recent scores
        int count = recent.length - k + 1;
        double[] averages = new double[count];
        double sum = 0;
        for (int i = 0; i < recent.length; i++) {
            sum += recent[i] - (i >= k ? recent[i - k] : 0);
            if (i >= k - 1) {
                averages[i - k + 1] = sum / k;
            }
        }
        double mean = 0;
        for (double a : averages) {
            mean += a;
        }
        mean /= count;
        double squares = 0;
        for (double a : averages) {
            squares += (a - mean) * (a - mean);
        }
        // a constant history still has a scale, so one step out of it is an anomaly, not NaN
        double sigma = Math.max(Math.sqrt(squares / count), 1e-9 * Math.max(1, Math.abs(mean)));
        double level = mean + Gaussian.quantile(likelihood) * sigma;
        // the score that brings the mean of itself and the k - 1 newest scores to that level
        double previous = 0;
        for (int i = recent.length - (k - 1); i < recent.length; i++) {
            previous += recent[i];
        }
        return k * level - previous;
    }

    private double quantile(double quantile) {
        // the ring in any order will do: only the rank matters
        double[] values = Arrays.copyOf(ring, size);
        int rank = (int) Math.ceil(quantile * values.length);
        return select(values, Math.min(Math.max(rank, 1), values.length) - 1);
    }

    /**
     * The {@code k}-th smallest of {@code a} (from 0), ordered as {@link Arrays#sort(double[])}
     * orders them, in expected linear time (a full sort per record was 7% of the detector's CPU
     * under load); reorders {@code a}.
     */
    static double select(double[] a, int k) {
        int lo = 0;
        int hi = a.length - 1;
        while (lo < hi) {
            double pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (Double.compare(a[i], pivot) < 0) {
                    i++;
                }
                while (Double.compare(a[j], pivot) > 0) {
                    j--;
                }
                if (i <= j) {
                    double t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    private void add(double value) {
        ring[next] = value;
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    /** The recent scores, oldest first. */
    public double[] scores() {
        double[] out = new double[size];
        int start = size < ring.length ? 0 : next;
        for (int i = 0; i < size; i++) {
            out[i] = ring[(start + i) % ring.length];
        }
        return out;
    }

    public int window() {
        return ring.length;
    }

    public int recentCapacity() {
        return recentCapacity;
    }

    /** Usable scores seen since the series began (not only those in the window). */
    public long seen() {
        return seen;
    }

    public long alerts() {
        return alerts;
    }

    /** Scores above the threshold that did not alert because they came within the minimum gap. */
    public long suppressed() {
        return suppressed;
    }

    public boolean alerted() {
        return alerted;
    }

    /** The event time of the last alert; meaningful only when {@link #alerted()}. */
    public long lastAlertTs() {
        return lastAlertTs;
    }

    /**
     * When (processing time, epoch milliseconds) the series last had a score, or {@link
     * #NEVER_SEEN} for a state written before this was recorded.
     */
    public long lastSeenMillis() {
        return lastSeenMillis;
    }

    /** Records that the series had a score at processing time {@code nowMillis}. */
    public void touch(long nowMillis) {
        lastSeenMillis = nowMillis;
    }

    /**
     * Whether the series has had no score for {@code ttlMillis} at {@code nowMillis}; a state that
     * never recorded when it was seen does not expire until its next score records it.
     */
    public boolean idleFor(long ttlMillis, long nowMillis) {
        return lastSeenMillis != NEVER_SEEN && nowMillis - lastSeenMillis >= ttlMillis;
    }

    /** The last anomalies, oldest first. */
    public List<Anomaly> recentAnomalies() {
        return List.copyOf(recent);
    }
}
