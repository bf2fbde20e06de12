package io.streamdl.schemas.config;

import java.util.Map;

/**
 * How every job and app of the pipeline delivers its outputs ({@code pipeline.delivery}).
 *
 * <ul>
 *   <li>{@code exactly-once} (the default): Flink sinks write in Kafka transactions committed on
 *       each checkpoint ({@code flink.checkpoint.interval-ms}), Kafka Streams apps run {@code
 *       exactly_once_v2}; a {@code read_committed} consumer sees every output once, after the
 *       commit that holds it.
 *   <li>{@code at-least-once}: no transactions; outputs are readable as soon as they are written,
 *       and after a failure some are written again. Scores are keyed by event id and name their
 *       model version, so a consumer can drop a repeat.
 * </ul>
 */
public enum Delivery {
    EXACTLY_ONCE,
    AT_LEAST_ONCE;

    public static final ConfigOption<Delivery> OPTION =
            ConfigOption.oneOf(
                    "pipeline.delivery",
                    EXACTLY_ONCE,
                    Delivery.class,
                    "how every job and app delivers its outputs: exactly-once (Kafka transactions"
                            + " committed on each checkpoint or commit; readable with"
                            + " read_committed once committed) or at-least-once (no transactions:"
                            + " readable at once, some outputs repeated after a failure)");

    /** Whether {@code settings} ask for exactly-once (the default when the key is absent). */
    public static boolean exactlyOnce(Map<String, String> settings) {
        return OPTION.read(settings) == EXACTLY_ONCE;
    }
}
