package io.streamdl.scoring.recs;

import io.streamdl.models.spec.ArchitectureKind;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.NextItemParams;
import io.streamdl.schemas.config.ConfigException;
import io.streamdl.schemas.config.ConfigOption;
import io.streamdl.schemas.config.ConfigSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the {@code Recommender} serves and how it keeps profiles. Immutable; {@link #of} reads the
 * {@code recs.*} keys of {@link #OPTIONS} (an unknown {@code recs.*} key is refused as a likely
 * typo), and the constructor checks every value with the same options.
 *
 * <p>A user's profile is their last {@code profileSize} interactions. Interaction {@code j} weighs
 * {@code kindWeight(kind_j) * recencyDecay^r_j * 0.5^((t - t_j) / halfLife)}, with {@code r_j} the
 * number of the user's interactions since it and {@code t} the newest one's event time; the profile
 * vector is the weighted mean of those items' content embeddings.
 *
 * @param model the recommendation model (a {@code NEXT_ITEM} spec: its input is the profile, its
 *     labels the item ids)
 * @param features the {@code features.<features>} topic the training examples go to
 * @param bootstrapServers the Kafka cluster
 * @param registryUrl the schema registry
 * @param applicationId the Kafka Streams application id
 * @param topK items per recommendation
 * @param exclude which items a user is no longer recommended
 * @param excludeMax how many excluded items a profile remembers (oldest forgotten first)
 * @param profileSize recent interactions kept per user
 * @param recencyDecay weight factor per newer interaction of the same user
 * @param halfLifeMillis event-time half-life of an interaction's weight (0: no time decay)
 * @param kindWeights implicit-feedback weight of each interaction kind; other kinds are refused
 * @param maxFutureMillis an interaction stamped later than this after the wall clock is refused
 * @param stateDir where the local state stores live; empty for Kafka Streams' default
 * @param threads stream threads of this instance
 * @param exactlyOnce exactly-once (transactions committed every {@code commitIntervalMillis}) or
 *     at-least-once processing
 * @param commitIntervalMillis Kafka Streams' commit interval
 * @param contentWeight how much the cosine of the profile with an item's content embedding adds to
 *     the model's log-probability of the item when ranking
 */
public record RecommenderConfig(
        ModelSpec model,
        String features,
        String bootstrapServers,
        String registryUrl,
        String applicationId,
        int topK,
        Exclusion exclude,
        int excludeMax,
        int profileSize,
        double recencyDecay,
        long halfLifeMillis,
        Map<String, Double> kindWeights,
        long maxFutureMillis,
        String stateDir,
        int threads,
        boolean exactlyOnce,
        long commitIntervalMillis,
        double contentWeight,
        double neighbourWeight,
        int neighbours,
        double neighbourTemperature) {

    /** Which items are left out of a user's recommendations. */
    public enum Exclusion {
        /** Items the user bought (an interaction of kind {@code purchase}). */
        PURCHASED,
        /** Every item the user interacted with. */
        INTERACTED,
        /** Nothing: an item may be recommended again. */
        NONE
    }

    /** The processing guarantee of {@code recs.delivery}. */
    public enum Delivery {
        EXACTLY_ONCE,
        AT_LEAST_ONCE
    }

    private static final Pattern APPLICATION_ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    public static final ConfigOption<String> APPLICATION =
            new ConfigOption<>(
                    "recs.application-id",
                    "streamdl-recommender",
                    "Kafka Streams application id of the recommender (its consumer group and the"
                            + " prefix of its internal topics)",
                    s -> s,
                    s -> APPLICATION_ID.matcher(s).matches(),
                    "1 to 200 letters, digits, '.', '_' or '-'");
    public static final ConfigOption<Integer> TOP_K =
            ConfigOption.intRange("recs.top-k", 10, 1, 1000, "items per recommendation");
    public static final ConfigOption<Exclusion> EXCLUDE =
            ConfigOption.oneOf(
                    "recs.exclude",
                    Exclusion.PURCHASED,
                    Exclusion.class,
                    "items left out of a user's recommendations: purchased (bought), interacted"
                            + " (any interaction) or none");
    public static final ConfigOption<Integer> EXCLUDE_MAX =
            ConfigOption.intRange(
                    "recs.exclude.max-items",
                    500,
                    0,
                    100_000,
                    "excluded items remembered per user (the oldest are forgotten first)");
    public static final ConfigOption<Integer> PROFILE_SIZE =
            ConfigOption.intRange(
                    "recs.profile.size", 50, 1, 1000, "recent interactions kept per user profile");
    public static final ConfigOption<Double> RECENCY_DECAY =
            ConfigOption.doubleRange(
                    "recs.profile.recency-decay",
                    0.9,
                    0.0,
                    1.0,
                    "weight factor of an interaction per newer interaction of the same user");
    public static final ConfigOption<Long> HALF_LIFE =
            ConfigOption.longRange(
                    "recs.profile.half-life-ms",
                    86_400_000L,
                    0,
                    Long.MAX_VALUE / 4,
                    "event-time half-life of an interaction's weight in the profile (0: none)");
    public static final ConfigOption<Map<String, Double>> KIND_WEIGHTS =
            new ConfigOption<>(
                    "recs.kind-weights",
                    "view=1,click=2,purchase=5",
                    "implicit-feedback weight of each interaction kind; an interaction of any"
                            + " other kind is a dead letter (UNKNOWN_KIND)",
                    RecommenderConfig::parseWeights,
                    w -> !w.isEmpty(),
                    "kind=weight pairs, comma-separated, weights positive and finite");
    public static final ConfigOption<Long> MAX_FUTURE =
            ConfigOption.longRange(
                    "recs.max-future-ms",
                    60_000,
                    0,
                    Long.MAX_VALUE / 4,
                    "an interaction whose time is more than this past the wall clock is a dead"
                            + " letter (FUTURE_TIMESTAMP)");
    public static final ConfigOption<String> STATE_DIR =
            ConfigOption.string(
                    "recs.state-dir",
                    "",
                    "directory of the recommender's local state (empty: Kafka Streams' default"
                            + " under java.io.tmpdir)");
    public static final ConfigOption<Integer> THREADS =
            ConfigOption.intRange("recs.threads", 1, 1, 64, "stream threads of the recommender");
    public static final ConfigOption<Delivery> DELIVERY =
            ConfigOption.oneOf(
                    "recs.delivery",
                    Delivery.EXACTLY_ONCE,
                    Delivery.class,
                    "exactly-once: a recommendation, the profile change and the training example"
                            + " of an interaction commit together (readable after the commit"
                            + " interval); at-least-once: no transactions, lower latency, an"
                            + " interaction may be processed twice after a failure");
    public static final ConfigOption<Long> COMMIT_INTERVAL =
            ConfigOption.longRange(
                    "recs.commit-interval-ms",
                    100,
                    10,
                    3_600_000,
                    "Kafka Streams commit interval of the recommender (exactly-once: how long a"
                            + " recommendation waits to become readable)");

    public static final ConfigOption<Double> CONTENT_WEIGHT =
            ConfigOption.doubleRange(
                    "recs.ranking.content-weight",
                    1.0,
                    0.0,
                    1e6,
                    "an item's rank score is the model's log-probability of it plus this times the"
                            + " cosine of the user's profile with its content embedding (before"
                            + " any model serves: the cosine alone; 0: the model alone, and the"
                            + " popular items until it serves)");

    public static final ConfigOption<Double> NEIGHBOUR_WEIGHT =
            ConfigOption.doubleRange(
                    "recs.ranking.neighbour-weight",
                    1000.0,
                    0.0,
                    1e6,
                    "weight of the content kNN term of an item's rank score: the recency- and"
                            + " kind-weighted share of the user's recent items it is, or is among"
                            + " the nearest neighbours of (by content embedding, discounted by"
                            + " neighbour-temperature); 0: off");
    public static final ConfigOption<Integer> NEIGHBOURS =
            ConfigOption.intRange(
                    "recs.ranking.neighbours",
                    50,
                    1,
                    1000,
                    "nearest items kept per item for the kNN term (rebuilt after a re-embedding;"
                            + " 10,000 items: about 2 s of matrix products)");

    public static final ConfigOption<Double> NEIGHBOUR_TEMPERATURE =
            ConfigOption.doubleAbove(
                    "recs.ranking.neighbour-temperature",
                    0.02,
                    0,
                    100,
                    "a neighbour counts exp((cos - 1) / this) of the item it neighbours (cosine of"
                            + " the embeddings centred on the catalogue's mean; the item itself 1)");

    /** Every key the recommender reads. */
    public static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    APPLICATION,
                    TOP_K,
                    EXCLUDE,
                    EXCLUDE_MAX,
                    PROFILE_SIZE,
                    RECENCY_DECAY,
                    HALF_LIFE,
                    KIND_WEIGHTS,
                    MAX_FUTURE,
                    STATE_DIR,
                    THREADS,
                    DELIVERY,
                    COMMIT_INTERVAL,
                    CONTENT_WEIGHT,
                    NEIGHBOUR_WEIGHT,
                    NEIGHBOURS,
                    NEIGHBOUR_TEMPERATURE);

    public RecommenderConfig {
        Objects.requireNonNull(model, "model");
        if (model.kind() != ArchitectureKind.NEXT_ITEM) {
            throw new ConfigException(
                    "recs.model",
                    "the recommender serves a next-item model; '"
                            + model.name()
                            + "' is a "
                            + model.kind());
        }
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(registryUrl, "registryUrl");
        APPLICATION.check(applicationId);
        TOP_K.check(topK);
        Objects.requireNonNull(exclude, "exclude");
        EXCLUDE_MAX.check(excludeMax);
        PROFILE_SIZE.check(profileSize);
        RECENCY_DECAY.check(recencyDecay);
        HALF_LIFE.check(halfLifeMillis);
        kindWeights = Map.copyOf(KIND_WEIGHTS.check(kindWeights));
        MAX_FUTURE.check(maxFutureMillis);
        STATE_DIR.check(stateDir);
        THREADS.check(threads);
        COMMIT_INTERVAL.check(commitIntervalMillis);
        CONTENT_WEIGHT.check(contentWeight);
        NEIGHBOUR_WEIGHT.check(neighbourWeight);
        NEIGHBOURS.check(neighbours);
        NEIGHBOUR_TEMPERATURE.check(neighbourTemperature);
    }

    /**
     * Reads the {@code recs.*} keys of {@link #OPTIONS} from {@code settings}; absent keys take
     * their defaults.
     *
     * @param model the catalogue's recommendation model
     * @param features the name of its features topic's suffix (its catalogue entry's encoder)
     * @throws ConfigException naming the key of a bad or unknown value
     */
    public static RecommenderConfig of(
            ModelSpec model,
            String features,
            String bootstrapServers,
            String registryUrl,
            Map<String, String> settings) {
        ConfigSchema.refuseUnknown(settings, "recs.", OPTIONS);
        return new RecommenderConfig(
                model,
                features,
                bootstrapServers,
                registryUrl,
                APPLICATION.read(settings),
                TOP_K.read(settings),
                EXCLUDE.read(settings),
                EXCLUDE_MAX.read(settings),
                PROFILE_SIZE.read(settings),
                RECENCY_DECAY.read(settings),
                HALF_LIFE.read(settings),
                KIND_WEIGHTS.read(settings),
                MAX_FUTURE.read(settings),
                STATE_DIR.read(settings),
                THREADS.read(settings),
                (settings.containsKey(DELIVERY.key())
                        ? DELIVERY.read(settings) == Delivery.EXACTLY_ONCE
                        : io.streamdl.schemas.config.Delivery.exactlyOnce(settings)),
                COMMIT_INTERVAL.read(settings),
                CONTENT_WEIGHT.read(settings),
                NEIGHBOUR_WEIGHT.read(settings),
                NEIGHBOURS.read(settings),
                NEIGHBOUR_TEMPERATURE.read(settings));
    }

    /** The profile's dimension: the model's input size, the content embeddings' length. */
    public int profileDim() {
        return model.input(NextItemParams.INPUT).elementsPerEvent();
    }

    /** The catalogue's items: the model's labels, in output order. */
    public List<String> items() {
        return model.labels();
    }

    private static Map<String, Double> parseWeights(String text) {
        Map<String, Double> weights = new LinkedHashMap<>();
        for (String part : text.split(",", -1)) {
            String[] kv = part.split("=", -1);
            if (kv.length != 2 || !KIND.matcher(kv[0].trim()).matches()) {
                throw new IllegalArgumentException("'" + part + "' is not kind=weight");
            }
            double w = Double.parseDouble(kv[1].trim());
            if (!(w > 0) || !Double.isFinite(w) || weights.put(kv[0].trim(), w) != null) {
                throw new IllegalArgumentException("bad or repeated weight in '" + part + "'");
            }
        }
        return weights;
    }
}
