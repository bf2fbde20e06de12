package io.streamdl.scoring.anomaly;

import io.streamdl.schemas.config.ConfigOption;
import io.streamdl.schemas.config.ConfigSchema;
import io.streamdl.schemas.topics.Topics;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the anomaly detector watches and when it alerts. Immutable; {@link #of} reads the {@code
 * anomalies.*} keys of {@link #OPTIONS} (an unknown {@code anomalies.*} key is refused as a likely
 * typo), and the constructor checks every value with the same options.
 *
 * <p>The threshold of a series is the {@code quantile} of its last {@code window} usable scores
 * (nearest rank), computed before the new score joins them; a score strictly above it is an anomaly
 * once the series has seen {@code warmUp} scores, unless the series alerted less than {@code
 * minGapMillis} before (by the scores' event time).
 *
 * @param bootstrapServers the Kafka cluster
 * @param registryUrl the schema registry
 * @param models the models whose {@code scores.<model>} topics are read
 * @param applicationId the Kafka Streams application id: consumer group, prefix of the internal
 *     topics and of the state directory
 * @param quantile the quantile of the recent scores that is the threshold
 * @param window how many recent scores per series the quantile is taken over
 * @param warmUp scores a series must have seen before it can alert
 * @param minGapMillis least event time between two alerts of one series (0: no gap)
 * @param recentAnomalies anomalies kept per series for interactive queries
 * @param stateDir where the local state stores live; empty for Kafka Streams' default
 * @param threads stream threads of this instance
 * @param idleTtlHours a series without a score for this many hours (processing time) is dropped
 *     from the store (and its changelog); 0 keeps every series
 * @param rule how the threshold is set: the {@code quantile} of the recent scores, or an anomaly
 *     {@code likelihood} (see {@link SeriesState#threshold})
 * @param likelihood the likelihood rule's level: the mean of the last {@code shortWindow} scores
 *     alerts when the Gaussian fitted to the recent such means gives it a lower tail of at least
 *     this
 * @param shortWindow how many of the newest scores the likelihood rule averages
 */
public record AnomalyDetectorConfig(
        String bootstrapServers,
        String registryUrl,
        List<String> models,
        String applicationId,
        double quantile,
        int window,
        int warmUp,
        long minGapMillis,
        int recentAnomalies,
        String stateDir,
        int threads,
        long idleTtlHours,
        ThresholdRule rule,
        double likelihood,
        int shortWindow,
        boolean exactlyOnce) {
    /** How a series' threshold is set. */
    public enum ThresholdRule {
        /** The {@code quantile} of the recent scores (nearest rank). */
        QUANTILE,
        /**
         * The level above which the mean of the newest {@code shortWindow} scores has a Gaussian
         * likelihood of at least {@code likelihood} under the mean and deviation of the recent
         * scores' {@code shortWindow}-point moving averages (Numenta's anomaly likelihood).
         */
        LIKELIHOOD
    }

    private static final Pattern MODEL_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
    private static final Pattern APPLICATION_ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    public static final ConfigOption<List<String>> MODELS =
            new ConfigOption<>(
                    "anomalies.models",
                    "anomaly",
                    "comma-separated models whose scores.<model> topics the anomaly detector reads",
                    AnomalyDetectorConfig::parseNames,
                    AnomalyDetectorConfig::validModels,
                    "one or more distinct model names (lower-case letters, digits, '_' or '-'),"
                            + " comma-separated");
    public static final ConfigOption<String> APPLICATION =
            new ConfigOption<>(
                    "anomalies.application-id",
                    "streamdl-anomalies",
                    "Kafka Streams application id of the anomaly detector (its consumer group and"
                            + " the prefix of its internal topics)",
                    s -> s,
                    s -> APPLICATION_ID.matcher(s).matches(),
                    "1 to 200 letters, digits, '.', '_' or '-'");
    public static final ConfigOption<Double> QUANTILE =
            ConfigOption.doubleAbove(
                    "anomalies.threshold.quantile",
                    0.99,
                    0.0,
                    1.0,
                    "the threshold of a series is this quantile of its recent scores");
    public static final ConfigOption<Integer> WINDOW =
            ConfigOption.intRange(
                    "anomalies.threshold.window",
                    1000,
                    1,
                    10_000,
                    "how many recent scores per series the threshold quantile is taken over"
                            + " (kept in the state store: 8 bytes each)");
    public static final ConfigOption<Integer> WARM_UP =
            ConfigOption.intRange(
                    "anomalies.warm-up",
                    100,
                    1,
                    Integer.MAX_VALUE,
                    "scores a series must have seen before it can raise an anomaly");
    public static final ConfigOption<Long> MIN_GAP =
            ConfigOption.longRange(
                    "anomalies.min-gap-ms",
                    0,
                    0,
                    Long.MAX_VALUE,
                    "least event time in milliseconds between two anomalies of one series"
                            + " (0: every score above the threshold is one)");
    public static final ConfigOption<Integer> RECENT =
            ConfigOption.intRange(
                    "anomalies.query.recent",
                    20,
                    0,
                    1000,
                    "anomalies kept per series for interactive queries");
    public static final ConfigOption<String> STATE_DIR =
            ConfigOption.string(
                    "anomalies.state-dir",
                    "",
                    "directory of the anomaly detector's local state (empty: Kafka Streams'"
                            + " default under java.io.tmpdir)");
    public static final ConfigOption<Integer> THREADS =
            ConfigOption.intRange(
                    "anomalies.threads", 1, 1, 64, "stream threads of the anomaly detector");
    public static final ConfigOption<Long> IDLE_TTL_HOURS =
            ConfigOption.longRange(
                    "anomalies.idle-ttl-hours",
                    168,
                    0,
                    87_600,
                    "hours without a score after which a series' threshold state is deleted (its"
                            + " next score starts a new warm-up); 0 keeps every series forever");

    public static final ConfigOption<ThresholdRule> RULE =
            ConfigOption.oneOf(
                    "anomalies.threshold.rule",
                    ThresholdRule.QUANTILE,
                    ThresholdRule.class,
                    "quantile: the threshold.quantile of the recent scores; likelihood: the level"
                            + " at which the mean of the newest likelihood.short-window scores"
                            + " reaches likelihood.threshold under a Gaussian of the recent scores");
    public static final ConfigOption<Double> LIKELIHOOD =
            ConfigOption.doubleAbove(
                    "anomalies.likelihood.threshold",
                    0.9999,
                    0.5,
                    1.0,
                    "likelihood rule: alert when the newest scores' mean is at least this far into"
                            + " the recent scores' Gaussian (0.9999: about 3.7 standard deviations)");
    public static final ConfigOption<Integer> SHORT_WINDOW =
            ConfigOption.intRange(
                    "anomalies.likelihood.short-window",
                    1,
                    1,
                    1000,
                    "likelihood rule: how many of the newest scores are averaged (1: the score"
                            + " itself)");

    /** Every key the anomaly detector reads. */
    public static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    MODELS,
                    APPLICATION,
                    QUANTILE,
                    WINDOW,
                    WARM_UP,
                    MIN_GAP,
                    RECENT,
                    STATE_DIR,
                    THREADS,
                    IDLE_TTL_HOURS,
                    RULE,
                    LIKELIHOOD,
                    SHORT_WINDOW);

    public AnomalyDetectorConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(registryUrl, "registryUrl");
        models = List.copyOf(MODELS.check(models));
        APPLICATION.check(applicationId);
        QUANTILE.check(quantile);
        WINDOW.check(window);
        WARM_UP.check(warmUp);
        MIN_GAP.check(minGapMillis);
        RECENT.check(recentAnomalies);
        STATE_DIR.check(stateDir);
        THREADS.check(threads);
        IDLE_TTL_HOURS.check(idleTtlHours);
        Objects.requireNonNull(rule, "rule");
        LIKELIHOOD.check(likelihood);
        SHORT_WINDOW.check(shortWindow);
        if (shortWindow > window) {
            throw new io.streamdl.schemas.config.ConfigException(
                    SHORT_WINDOW.key(),
                    SHORT_WINDOW.key()
                            + " ("
                            + shortWindow
                            + ") cannot be longer than "
                            + WINDOW.key()
                            + " ("
                            + window
                            + ")");
        }
    }

    /**
     * Reads the {@code anomalies.*} keys of {@link #OPTIONS} from {@code settings}; absent keys
     * take their defaults: model {@code anomaly}, the 0.99 quantile of the last 1000 scores, 100
     * scores of warm-up, no gap between alerts.
     *
     * @throws io.streamdl.schemas.config.ConfigException naming the key of a bad or unknown value
     */
    public static AnomalyDetectorConfig of(
            String bootstrapServers, String registryUrl, Map<String, String> settings) {
        ConfigSchema.refuseUnknown(settings, "anomalies.", OPTIONS);
        return new AnomalyDetectorConfig(
                bootstrapServers,
                registryUrl,
                MODELS.read(settings),
                APPLICATION.read(settings),
                QUANTILE.read(settings),
                WINDOW.read(settings),
                WARM_UP.read(settings),
                MIN_GAP.read(settings),
                RECENT.read(settings),
                STATE_DIR.read(settings),
                THREADS.read(settings),
                IDLE_TTL_HOURS.read(settings),
                RULE.read(settings),
                LIKELIHOOD.read(settings),
                SHORT_WINDOW.read(settings),
                io.streamdl.schemas.config.Delivery.exactlyOnce(settings));
    }

    /** The topics read: {@code scores.<model>} for every watched model. */
    public List<String> scoreTopics() {
        return models.stream().map(m -> Topics.scores(m).name()).toList();
    }

    private static List<String> parseNames(String text) {
        List<String> names = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            names.add(part.trim());
        }
        return List.copyOf(names);
    }

    private static boolean validModels(List<String> names) {
        return !names.isEmpty()
                && names.stream().allMatch(n -> n != null && MODEL_NAME.matcher(n).matches())
                && new HashSet<>(names).size() == names.size();
    }
}
