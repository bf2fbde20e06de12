package io.streamdl.ops.web;

import com.yammer.metrics.core.Gauge;
import com.yammer.metrics.core.Metered;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.server.metrics.KafkaYammerMetrics;

/**
 * Everything {@code GET /metrics} serves, in the Prometheus text format:
 *
 * <ul>
 *   <li>the pipeline's own families ({@code streamdl_*}): model version serving and published,
 *       scores, latency percentiles, served and prequential accuracy, hold-backs, drift alarms,
 *       anomalies and recommendations per model, dead letters per stage and reason (from {@link
 *       DashboardState}); consumer lag per group and topic and each topic's end offset ({@link
 *       KafkaLag}); this JVM's memory, threads and CPU;
 *   <li>every Kafka Streams app's client metrics ({@code kafka_streams_*}, {@code
 *       kafka_consumer_*}, ...: records processed, rates, commit latency, dropped records) with the
 *       app in label {@code app};
 *   <li>the embedded broker's own meters and gauges ({@code kafka_server_*}, ...), when the broker
 *       runs in this JVM;
 *   <li>Flink's, as its Prometheus reporter serves them ({@code flink_*}: every operator's records
 *       in and out, and the jobs' own counters, gauges and histograms: scored, batches, batch
 *       sizes, event-to-score latency, model swaps, model version), passed on as they are.
 * </ul>
 */
public final class PipelineMetrics {
    private final DashboardState state;
    private final KafkaLag lag;
    private final String flinkUrl;
    private final boolean brokerInProcess;
    private final Map<String, Supplier<Map<MetricName, ? extends Metric>>> apps =
            new ConcurrentHashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * @param flinkUrl Flink's Prometheus reporter, or empty for none
     * @param brokerInProcess whether the broker runs in this JVM (its meters are then exported)
     */
    public PipelineMetrics(
            DashboardState state, KafkaLag lag, String flinkUrl, boolean brokerInProcess) {
        this.state = state;
        this.lag = lag;
        this.flinkUrl = flinkUrl;
        this.brokerInProcess = brokerInProcess;
    }

    /** Exports a Kafka Streams app's metrics with {@code app="<name>"}. */
    public void addStreamsApp(String name, Supplier<Map<MetricName, ? extends Metric>> metrics) {
        apps.put(name, metrics);
    }

    /** The whole exposition. */
    public String scrape() {
        PrometheusText out = new PrometheusText();
        pipeline(out);
        lag.write(out);
        jvm(out);
        new TreeMap<>(apps).forEach((name, metrics) -> streams(out, name, metrics.get()));
        if (brokerInProcess) {
            broker(out);
        }
        return out.render() + flink();
    }

    private void pipeline(PrometheusText out) {
        state.models()
                .forEach(
                        (model, r) -> {
                            Map<String, String> m = Map.of("model", model);
                            gauge(
                                    out,
                                    "streamdl_model_version_serving",
                                    "model version in the latest scores",
                                    m,
                                    r.serving);
                            gauge(
                                    out,
                                    "streamdl_model_version_published",
                                    "latest version the trainer published",
                                    m,
                                    r.published);
                            out.family(
                                            "streamdl_scores_total",
                                            "counter",
                                            "scores counted by the dashboard aggregates")
                                    .sample(m, r.scores);
                            for (String[] q :
                                    new String[][] {
                                        {"0.5", "p50"},
                                        {"0.95", "p95"},
                                        {"0.99", "p99"},
                                        {"1", "max"}
                                    }) {
                                double v =
                                        switch (q[1]) {
                                            case "p50" -> r.p50;
                                            case "p95" -> r.p95;
                                            case "p99" -> r.p99;
                                            default -> r.max;
                                        };
                                if (!Double.isNaN(v)) {
                                    out.family(
                                                    "streamdl_score_latency_ms",
                                                    "gauge",
                                                    "event time to score time over the latest closed window, by quantile")
                                            .sample(Map.of("model", model, "quantile", q[0]), v);
                                }
                            }
                            if (!Double.isNaN(r.servedAccuracy)) {
                                out.family(
                                                "streamdl_served_accuracy",
                                                "gauge",
                                                "accuracy of served scores whose label joined, latest window")
                                        .sample(m, r.servedAccuracy);
                            }
                            if (!Double.isNaN(r.prequential)) {
                                out.family(
                                                "streamdl_" + r.prequentialMetric,
                                                "gauge",
                                                "the trainer's test-then-train figure over its window")
                                        .sample(m, r.prequential);
                            }
                            out.family(
                                            "streamdl_updates_held_back_total",
                                            "counter",
                                            "updates the trainer's publish guard held back")
                                    .sample(
                                            Map.of("model", model, "reason", "regression"),
                                            r.heldBackRegression)
                                    .sample(
                                            Map.of("model", model, "reason", "non_finite"),
                                            r.heldBackNonFinite);
                            out.family(
                                            "streamdl_drift_events_total",
                                            "counter",
                                            "drift alarms of the trainer")
                                    .sample(m, r.drifts);
                            out.family(
                                            "streamdl_anomalies_total",
                                            "counter",
                                            "anomalies counted by the dashboard aggregates")
                                    .sample(m, r.anomalies);
                        });
        state.lifecycleRows()
                .forEach(
                        (model, r) -> {
                            Map<String, String> m = Map.of("model", model);
                            out.family(
                                            "streamdl_model_pinned_version",
                                            "gauge",
                                            "the version scorers are pinned at, -1 if none")
                                    .sample(m, r.pinned == null ? -1 : r.pinned);
                            out.family(
                                            "streamdl_model_candidate_version",
                                            "gauge",
                                            "the version scoring in shadow, -1 if none")
                                    .sample(m, r.candidate == null ? -1 : r.candidate);
                            r.kinds.forEach(
                                    (kind, n) ->
                                            out.family(
                                                            "streamdl_lifecycle_events_total",
                                                            "counter",
                                                            "models.events records by kind")
                                                    .sample(
                                                            Map.of("model", model, "kind", kind),
                                                            n));
                        });
        PrometheusText.Family letters =
                out.family(
                        "streamdl_dead_letters_total",
                        "counter",
                        "records on dlq by stage and reason");
        state.deadLetterCounts()
                .forEach(
                        (key, n) ->
                                letters.sample(
                                        Map.of("stage", key.get(0), "reason", key.get(1)), n));
        PrometheusText.Family recs =
                out.family(
                        "streamdl_recommendations_total",
                        "counter",
                        "recommendation lists by basis");
        state.recommendationCounts().forEach((basis, n) -> recs.sample(Map.of("basis", basis), n));
        out.family(
                        "streamdl_dashboard_undecodable_records_total",
                        "counter",
                        "records the dashboard aggregates left out because they did not decode")
                .sample(Math.max(0, state.skippedRecords()));
        out.family("streamdl_dashboard_feed_up", "gauge", "whether the live page's feed is reading")
                .sample(state.feedUp() ? 1 : 0);
        out.family(
                        "streamdl_dashboard_feed_records_total",
                        "counter",
                        "records the live page's feed has read")
                .sample(state.records());
    }

    private static void gauge(
            PrometheusText out, String name, String help, Map<String, String> labels, long v) {
        if (v >= 0) {
            out.family(name, "gauge", help).sample(labels, v);
        }
    }

    private static void jvm(PrometheusText out) {
        Runtime rt = Runtime.getRuntime();
        var memory = ManagementFactory.getMemoryMXBean();
        out.family("streamdl_jvm_memory_used_bytes", "gauge", "memory used by this JVM")
                .sample(Map.of("area", "heap"), memory.getHeapMemoryUsage().getUsed())
                .sample(Map.of("area", "nonheap"), memory.getNonHeapMemoryUsage().getUsed());
        out.family("streamdl_jvm_memory_max_bytes", "gauge", "the heap's limit")
                .sample(Map.of("area", "heap"), rt.maxMemory());
        out.family("streamdl_jvm_threads", "gauge", "live threads")
                .sample(ManagementFactory.getThreadMXBean().getThreadCount());
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            out.family("streamdl_process_cpu_seconds_total", "counter", "CPU time of this JVM")
                    .sample(os.getProcessCpuTime() / 1e9);
        }
        out.family("streamdl_process_uptime_seconds", "gauge", "time since this JVM started")
                .sample(ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
    }

    /** A Streams app's numeric metrics: {@code <group>_<name>} with its tags and the app. */
    static void streams(PrometheusText out, String app, Map<MetricName, ? extends Metric> metrics) {
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            if (!(e.getValue().metricValue() instanceof Number n)) {
                continue;
            }
            MetricName name = e.getKey();
            String group = name.group().replace("-metrics", "");
            String family =
                    (group.startsWith("stream") ? "kafka_" : "kafka_streams_client_")
                            + group
                            + "_"
                            + name.name();
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("app", app);
            new TreeMap<>(name.tags()).forEach(labels::put);
            out.family(
                            family,
                            name.name().endsWith("-total") ? "counter" : "gauge",
                            name.description().isEmpty() ? name.name() : name.description())
                    .sample(labels, n.doubleValue());
        }
    }

    /** The in-process broker's Yammer meters (as counters) and numeric gauges. */
    private static void broker(PrometheusText out) {
        KafkaYammerMetrics.defaultRegistry()
                .allMetrics()
                .forEach(
                        (name, metric) -> {
                            try {
                                brokerMetric(out, name, metric);
                            } catch (RuntimeException e) {
                                // a gauge that cannot be read now is left out of this scrape
                            }
                        });
    }

    /** One Yammer metric: its group, type and name as the family, its MBean keys as labels. */
    private static void brokerMetric(
            PrometheusText out, com.yammer.metrics.core.MetricName name, Object metric) {
        String base =
                (name.getGroup() + "_" + name.getType() + "_" + name.getName()).replace('.', '_');
        Map<String, String> labels = new TreeMap<>();
        String bean = name.getMBeanName();
        for (String kv : bean.substring(bean.indexOf(':') + 1).split(",")) {
            String[] p = kv.split("=", 2);
            if (p.length == 2 && !p[0].equals("type") && !p[0].equals("name")) {
                labels.put(p[0], p[1]);
            }
        }
        if (metric instanceof Metered m) {
            out.family(base + "_total", "counter", "broker meter " + name.getName())
                    .sample(labels, m.count());
        } else if (metric instanceof Gauge<?> g && g.value() instanceof Number n) {
            out.family(base, "gauge", "broker gauge " + name.getName())
                    .sample(labels, n.doubleValue());
        }
    }

    /** Flink's reporter's exposition, or a down marker when it does not answer. */
    private String flink() {
        if (flinkUrl.isEmpty()) {
            return "";
        }
        try {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create(flinkUrl))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return r.body() + up(1);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // reported as down below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return up(0);
    }

    private static String up(int v) {
        PrometheusText t = new PrometheusText();
        t.family(
                        "streamdl_flink_metrics_up",
                        "gauge",
                        "whether Flink's Prometheus reporter answered")
                .sample(v);
        return t.render();
    }
}
