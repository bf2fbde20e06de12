package io.streamdl.ops.web;

import com.sun.net.httpserver.HttpHandler;
import io.streamdl.ops.http.RecommendationQueries;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.platform.PlatformException;
import io.streamdl.ops.platform.Ports;
import io.streamdl.ops.security.Principal;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.scoring.anomaly.AnomalyDetectorApp;
import io.streamdl.scoring.dashboard.DashboardAggregates;
import io.streamdl.scoring.dashboard.DashboardAggregatesApp;
import io.streamdl.scoring.dashboard.DashboardAggregatesConfig;
import io.streamdl.scoring.recs.ItemEmbedderApp;
import io.streamdl.scoring.recs.RecommenderApp;
import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The live page and {@code /metrics} of a running platform, put together: the feed from the output
 * topics, the lag reader, the metrics and the HTTP server on {@code web.host:web.port}. The Streams
 * apps add their metrics and routes as they start.
 */
public final class LivePage implements AutoCloseable {
    private final RestSchemaRegistryClient registry;
    private final DashboardFeed feed;
    private final KafkaLag lag;
    private final PipelineMetrics metrics;
    private final WebDashboard web;

    private LivePage(
            RestSchemaRegistryClient registry,
            DashboardFeed feed,
            KafkaLag lag,
            PipelineMetrics metrics,
            WebDashboard web) {
        this.registry = registry;
        this.feed = feed;
        this.lag = lag;
        this.metrics = metrics;
        this.web = web;
    }

    /** Starts it with the {@code web.*} keys of the platform's settings. */
    public static LivePage start(Platform platform, DashboardAggregatesConfig dashboard) {
        Map<String, String> settings = platform.config().jobSettings();
        WebConfig config = WebConfig.of(settings);
        int port = Ports.claim(config.host(), config.port(), WebConfig.PORT.key(), "The live page");
        String flink = config.flinkMetricsUrl();
        if (flink.isEmpty() && platform.embeddedFlink() != null) {
            flink = platform.embeddedFlink().prometheusUrl().toString();
        }
        long history = config.historyMinutes() * 60_000L;
        DashboardState state = new DashboardState(history, dashboard.windowsMillis());
        RestSchemaRegistryClient registry = platform.registryClient();
        DashboardFeed feed =
                DashboardFeed.start(
                        platform.bootstrapServers(),
                        registry,
                        state,
                        history,
                        platform.kafkaSecurity(Principal.DASHBOARD));
        KafkaLag lag =
                new KafkaLag(
                        platform.bootstrapServers(), platform.kafkaSecurity(Principal.DASHBOARD));
        PipelineMetrics metrics =
                new PipelineMetrics(state, lag, flink, platform.config().embeddedKafka());
        try {
            return new LivePage(
                    registry,
                    feed,
                    lag,
                    metrics,
                    WebDashboard.start(
                            config.host(), port, feed, metrics, platform.httpSecurity()));
        } catch (IOException e) {
            lag.close();
            try {
                feed.close();
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
            registry.close();
            throw new PlatformException(
                    "the live page cannot listen on " + config.host() + ":" + port + ": " + e, e);
        }
    }

    /**
     * Starts the page for the apps {@code ./pipeline up} and the demo run: their metrics on {@code
     * /metrics}, and the recommender's lookup on {@code /recommendations/{userId}} when it runs
     * (each app but the aggregates may be null: not running).
     */
    public static LivePage startFor(
            Platform platform,
            DashboardAggregatesApp dashboard,
            AnomalyDetectorApp detector,
            RecommenderApp recommender,
            ItemEmbedderApp embedder) {
        LivePage page = start(platform, dashboard.config());
        page.addStreamsApp("dashboard-aggregates", dashboard::metrics);
        page.state().droppedLate(() -> droppedRecords(dashboard.metrics()));
        page.state().skipped(DashboardAggregates::skippedRecords);
        if (detector != null) {
            page.addStreamsApp("anomaly-detector", detector::metrics);
        }
        if (recommender != null) {
            page.addStreamsApp("recommender", recommender::metrics);
            page.route(
                    RecommendationQueries.PATH,
                    new RecommendationQueries(recommender::recommendations));
        }
        if (embedder != null) {
            page.addStreamsApp("item-embedder", embedder::metrics);
        }
        return page;
    }

    /** The records a Streams app's tasks dropped (too late for their windows), summed. */
    static long droppedRecords(Map<MetricName, ? extends Metric> metrics) {
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            if (e.getKey().name().equals("dropped-records-total")
                    && e.getKey().group().equals("stream-task-metrics")
                    && e.getValue().metricValue() instanceof Number n) {
                sum += n.doubleValue();
            }
        }
        return (long) sum;
    }

    public String url() {
        return web.url();
    }

    public void addStreamsApp(String name, Supplier<Map<MetricName, ? extends Metric>> m) {
        metrics.addStreamsApp(name, m);
    }

    public void route(String path, HttpHandler handler) {
        web.route(path, handler);
    }

    public DashboardState state() {
        return feed.state();
    }

    @Override
    public void close() throws Exception {
        web.close();
        feed.close();
        lag.close();
        registry.close();
    }
}
