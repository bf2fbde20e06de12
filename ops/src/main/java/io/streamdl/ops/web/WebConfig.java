package io.streamdl.ops.web;

import io.streamdl.schemas.config.ConfigOption;
import io.streamdl.schemas.config.ConfigSchema;
import java.util.List;
import java.util.Map;

/**
 * Where the live page and {@code GET /metrics} are served, and how much history a new page gets.
 * Immutable; {@link #of} reads the {@code web.*} keys of {@link #OPTIONS}.
 *
 * @param flinkMetricsUrl Flink's Prometheus reporter, whose samples {@code /metrics} passes on;
 *     empty: the embedded MiniCluster's own reporter (none with an external Flink)
 */
public record WebConfig(String host, int port, int historyMinutes, String flinkMetricsUrl) {
    public static final ConfigOption<String> HOST =
            ConfigOption.string("web.host", "127.0.0.1", "address the live page listens on");
    public static final ConfigOption<Integer> PORT =
            ConfigOption.port(
                    "web.port",
                    8080,
                    "port of the live page (/) and Prometheus metrics (/metrics)");
    public static final ConfigOption<Integer> HISTORY =
            ConfigOption.intRange(
                    "web.history-minutes",
                    15,
                    1,
                    24 * 60,
                    "minutes of dashboard.metrics a page gets when it opens");
    public static final ConfigOption<String> FLINK_METRICS =
            new ConfigOption<>(
                    "web.flink-metrics-url",
                    "",
                    "Flink's Prometheus reporter (http://host:9249/metrics), passed on by /metrics;"
                            + " empty: the embedded MiniCluster's",
                    s -> s,
                    WebConfig::isHttpUrl,
                    "empty or an http:// or https:// URL");

    public static final List<ConfigOption<?>> OPTIONS = List.of(HOST, PORT, HISTORY, FLINK_METRICS);

    private static boolean isHttpUrl(String s) {
        if (s.isEmpty()) {
            return true;
        }
        try {
            java.net.URI uri = java.net.URI.create(s);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static WebConfig of(Map<String, String> settings) {
        ConfigSchema.refuseUnknown(settings, "web.", OPTIONS);
        return new WebConfig(
                HOST.read(settings),
                PORT.read(settings),
                HISTORY.read(settings),
                FLINK_METRICS.read(settings));
    }
}
