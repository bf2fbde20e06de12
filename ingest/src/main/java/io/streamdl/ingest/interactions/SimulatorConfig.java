package io.streamdl.ingest.interactions;

import io.streamdl.schemas.config.ConfigOption;

/**
 * What a {@link UserSimulator} simulates. Immutable; every value is checked on construction and a
 * bad one refused with a {@link io.streamdl.schemas.config.ConfigException} naming its key.
 *
 * @param users how many users (ids {@code user-0} to {@code user-<users-1>})
 * @param rate interactions per second of event time: interaction {@code i} is stamped {@code
 *     startTs + floor(i * 1000 / rate)} ms
 * @param seed the seed of everything random: the same seed gives the same stream
 * @param driftAt the index of the first interaction drawn under the users' second tastes, or 0 for
 *     no drift
 * @param startTs the event time of interaction 0, epoch milliseconds
 */
public record SimulatorConfig(int users, double rate, long seed, long driftAt, long startTs) {
    public static final ConfigOption<Integer> USERS =
            ConfigOption.intRange("users", 1000, 1, 10_000_000, "simulated users");
    public static final ConfigOption<Double> RATE =
            ConfigOption.positiveDouble(
                    "rate", 100, "interactions per second (of event time, and sent)");
    public static final ConfigOption<Long> SEED =
            ConfigOption.longRange(
                    "seed", 1, Long.MIN_VALUE, Long.MAX_VALUE, "seed of the simulated stream");
    public static final ConfigOption<Long> DRIFT_AT =
            ConfigOption.longRange(
                    "drift-at",
                    0,
                    0,
                    Long.MAX_VALUE,
                    "index of the interaction from which every user's tastes are redrawn (0 = none)");

    public SimulatorConfig {
        USERS.check(users);
        RATE.check(rate);
        SEED.check(seed);
        DRIFT_AT.check(driftAt);
    }

    /** This config with interaction 0 at {@code startTs}. */
    public SimulatorConfig withStartTs(long startTs) {
        return new SimulatorConfig(users, rate, seed, driftAt, startTs);
    }

    /** Whether the tastes drift at all. */
    public boolean drifts() {
        return driftAt > 0;
    }

    /** The event time of interaction {@code index}. */
    public long timestampOf(long index) {
        return startTs + (long) Math.floor(index * 1000.0 / rate);
    }
}
