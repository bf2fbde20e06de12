package io.streamdl.encoders.metric;

import io.streamdl.schemas.config.ConfigOption;
import io.streamdl.schemas.config.ConfigSchema;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * How {@link MetricWindows} windows a numeric series. Immutable; read from the {@code metric.*}
 * keys of {@link #OPTIONS}.
 *
 * @param window points per window, the newest last
 * @param maxChannels the most values one observation may carry ({@code value} plus {@code extra})
 * @param clip normalised values are clipped to [-clip, clip], so one wild point cannot blow up a
 *     model's input
 * @param idleTtlHours a series that has sent nothing for this many hours (processing time) is
 *     forgotten, so keyed state holds only live series; its next point starts a new window. 0 keeps
 *     every series forever
 */
public record MetricEncoderConfig(int window, int maxChannels, double clip, long idleTtlHours)
        implements Serializable {
    public static final ConfigOption<Integer> WINDOW =
            ConfigOption.intRange(
                    "metric.window", 32, 2, 4096, "points per window of a metric series");
    public static final ConfigOption<Integer> MAX_CHANNELS =
            ConfigOption.intRange(
                    "metric.max-channels",
                    8,
                    1,
                    256,
                    "values one metric observation may carry (value plus extra)");
    public static final ConfigOption<Double> CLIP =
            ConfigOption.doubleAbove(
                    "metric.clip",
                    10,
                    0,
                    1e6,
                    "normalised values are clipped to [-clip, clip] (in standard deviations of the"
                            + " window's history)");

    public static final ConfigOption<Long> IDLE_TTL_HOURS =
            ConfigOption.longRange(
                    "metric.idle-ttl-hours",
                    168,
                    0,
                    87_600,
                    "hours without a point after which a series' window is forgotten (its next"
                            + " point starts a new window); 0 keeps every series forever");

    public static final List<ConfigOption<?>> OPTIONS =
            List.of(WINDOW, MAX_CHANNELS, CLIP, IDLE_TTL_HOURS);

    public MetricEncoderConfig {
        WINDOW.check(window);
        MAX_CHANNELS.check(maxChannels);
        CLIP.check(clip);
        IDLE_TTL_HOURS.check(idleTtlHours);
    }

    public static MetricEncoderConfig defaults() {
        return from(Map.of());
    }

    /** Reads the {@code metric.*} keys; unknown {@code metric.*} keys are refused. */
    public static MetricEncoderConfig from(Map<String, String> settings) {
        ConfigSchema.refuseUnknown(settings, "metric.", OPTIONS);
        return new MetricEncoderConfig(
                WINDOW.read(settings),
                MAX_CHANNELS.read(settings),
                CLIP.read(settings),
                IDLE_TTL_HOURS.read(settings));
    }
}
