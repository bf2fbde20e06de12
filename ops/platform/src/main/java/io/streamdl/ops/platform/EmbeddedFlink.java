package io.streamdl.ops.platform;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

/**
 * A Flink MiniCluster in this JVM, with its REST endpoint on a configured port and Flink's own
 * Prometheus reporter on a free port of the same host ({@link #prometheusUrl()}), as a Flink
 * cluster configured like {@code docker-compose.yml}'s would have.
 */
public final class EmbeddedFlink implements AutoCloseable {
    private final MiniCluster cluster;
    private final URI restAddress;
    private final URI prometheusUrl;

    private EmbeddedFlink(MiniCluster cluster, URI restAddress, URI prometheusUrl) {
        this.cluster = cluster;
        this.restAddress = restAddress;
        this.prometheusUrl = prometheusUrl;
    }

    public static EmbeddedFlink start(String host, int restPort, int slots) {
        int port = Ports.claim(host, restPort, "flink.rest.port", "the Flink REST endpoint");
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, host);
        conf.set(RestOptions.ADDRESS, host);
        conf.set(RestOptions.PORT, port);
        int metricsPort = Ports.free(host);
        set(conf, "metrics.reporters", "prom");
        set(
                conf,
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        set(conf, "metrics.reporter.prom.port", Integer.toString(metricsPort));
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("128m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("64m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("64m"));
        MiniClusterConfiguration config =
                new MiniClusterConfiguration.Builder()
                        .setConfiguration(conf)
                        .setNumTaskManagers(1)
                        .setNumSlotsPerTaskManager(slots)
                        .setCommonBindAddress(host)
                        .build();
        MiniCluster cluster = new MiniCluster(config);
        try {
            cluster.start();
            URI rest = cluster.getRestAddress().get(60, TimeUnit.SECONDS);
            return new EmbeddedFlink(
                    cluster, rest, URI.create("http://" + host + ":" + metricsPort + "/metrics"));
        } catch (Exception e) {
            cluster.closeAsync();
            throw new PlatformException(
                    "the Flink MiniCluster failed to start: " + e.getMessage(), e);
        }
    }

    private static void set(Configuration conf, String key, String value) {
        conf.set(ConfigOptions.key(key).stringType().noDefaultValue(), value);
    }

    public MiniCluster cluster() {
        return cluster;
    }

    public URI restAddress() {
        return restAddress;
    }

    /** Where Flink's Prometheus reporter serves the cluster's metrics (text format). */
    public URI prometheusUrl() {
        return prometheusUrl;
    }

    @Override
    public void close() throws Exception {
        // Cancel jobs first so their tasks stop cleanly instead of failing when the cluster goes.
        for (JobStatusMessage job : cluster.listJobs().get(10, TimeUnit.SECONDS)) {
            if (!job.getJobState().isGloballyTerminalState()) {
                cluster.cancelJob(job.getJobId()).get(10, TimeUnit.SECONDS);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline
                && cluster.listJobs().get(10, TimeUnit.SECONDS).stream()
                        .anyMatch(j -> !j.getJobState().isGloballyTerminalState())) {
            Thread.sleep(100);
        }
        cluster.closeAsync().get(60, TimeUnit.SECONDS);
    }
}
