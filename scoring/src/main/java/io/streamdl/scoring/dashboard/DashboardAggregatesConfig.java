package io.streamdl.scoring.dashboard;

import io.streamdl.schemas.config.ConfigOption;
import io.streamdl.schemas.config.ConfigSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The windows of the dashboard aggregates. Immutable; {@link #of} reads the {@code dashboard.*}
 * keys of {@link #OPTIONS}.
 *
 * @param windowsMillis the tumbling window sizes, each aggregated separately (1 s and 10 s)
 * @param graceMillis how long after a window's end it is first written (closes)
 * @param amendMillis how long after that a later record still counts in its window, which is then
 *     written again with the next revision
 * @param labelWaitMillis how far apart in time a score and its event's label may be and still join
 *     (for the accuracy of served scores)
 * @param accuracyGraceMillis the grace of the accuracy windows: a joined score is as late as the
 *     later of the score and its label, so these windows wait longer than the others
 */
public record DashboardAggregatesConfig(
        String bootstrapServers,
        String registryUrl,
        String applicationId,
        List<Long> windowsMillis,
        long graceMillis,
        long amendMillis,
        long labelWaitMillis,
        long accuracyGraceMillis,
        String stateDir,
        boolean exactlyOnce) {
    private static final Pattern APPLICATION_ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    public static final ConfigOption<String> APPLICATION =
            new ConfigOption<>(
                    "dashboard.application-id",
                    "streamdl-dashboard",
                    "Kafka Streams application id of the dashboard aggregates",
                    s -> s,
                    s -> APPLICATION_ID.matcher(s).matches(),
                    "1 to 200 letters, digits, '.', '_' or '-'");
    public static final ConfigOption<List<Long>> WINDOWS =
            new ConfigOption<>(
                    "dashboard.windows-ms",
                    "1000,10000",
                    "tumbling window sizes of the dashboard aggregates, milliseconds",
                    DashboardAggregatesConfig::parseWindows,
                    w -> !w.isEmpty() && w.stream().allMatch(v -> v >= 100 && v <= 3_600_000),
                    "distinct sizes from 100 to 3,600,000 ms, comma-separated");
    public static final ConfigOption<Long> GRACE =
            ConfigOption.longRange(
                    "dashboard.grace-ms",
                    2000,
                    0,
                    3_600_000,
                    "a window is first written (revision 0) once the stream's time or the wall"
                            + " clock is this long past its end");
    public static final ConfigOption<Long> AMEND =
            ConfigOption.longRange(
                    "dashboard.amend-ms",
                    3_600_000,
                    0,
                    86_400_000,
                    "a record later than dashboard.grace-ms by up to this much still counts:"
                            + " its window is written again with the next revision (after an"
                            + " outage, the backlog amends the windows it belongs to)");
    public static final ConfigOption<Long> LABEL_WAIT =
            ConfigOption.longRange(
                    "dashboard.label-wait-ms",
                    120_000,
                    1,
                    86_400_000,
                    "a score and its event's label on events.labels join for the accuracy of"
                            + " served scores when their timestamps are at most this far apart");
    public static final ConfigOption<Long> ACCURACY_GRACE =
            ConfigOption.longRange(
                    "dashboard.accuracy-grace-ms",
                    10_000,
                    0,
                    3_600_000,
                    "as dashboard.grace-ms, for the accuracy windows (a score joined with its label"
                            + " takes the later one's time, so while the app catches up its joins"
                            + " arrive more out of order than scores)");
    public static final ConfigOption<String> STATE_DIR =
            ConfigOption.string(
                    "dashboard.state-dir",
                    "",
                    "directory of the dashboard aggregates' local state (empty: Kafka Streams'"
                            + " default)");

    public static final List<ConfigOption<?>> OPTIONS =
            List.of(APPLICATION, WINDOWS, GRACE, AMEND, LABEL_WAIT, ACCURACY_GRACE, STATE_DIR);

    public DashboardAggregatesConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(registryUrl, "registryUrl");
        APPLICATION.check(applicationId);
        windowsMillis = List.copyOf(WINDOWS.check(windowsMillis));
        GRACE.check(graceMillis);
        AMEND.check(amendMillis);
        LABEL_WAIT.check(labelWaitMillis);
        ACCURACY_GRACE.check(accuracyGraceMillis);
        STATE_DIR.check(stateDir);
    }

    public static DashboardAggregatesConfig of(
            String bootstrapServers, String registryUrl, Map<String, String> settings) {
        ConfigSchema.refuseUnknown(settings, "dashboard.", OPTIONS);
        return new DashboardAggregatesConfig(
                bootstrapServers,
                registryUrl,
                APPLICATION.read(settings),
                WINDOWS.read(settings),
                GRACE.read(settings),
                AMEND.read(settings),
                LABEL_WAIT.read(settings),
                ACCURACY_GRACE.read(settings),
                STATE_DIR.read(settings),
                io.streamdl.schemas.config.Delivery.exactlyOnce(settings));
    }

    private static List<Long> parseWindows(String text) {
        List<Long> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            long v = Long.parseLong(part.trim());
            if (out.contains(v)) {
                throw new IllegalArgumentException("repeated window " + v);
            }
            out.add(v);
        }
        return out;
    }
}
