package io.streamdl.ops.platform;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

/** A Flink MiniCluster in this JVM, with its REST endpoint on a configured port. */
public final class EmbeddedFlink implements AutoCloseable {
    private final MiniCluster cluster;
    private final URI restAddress;

    private EmbeddedFlink(MiniCluster cluster, URI restAddress) {
        this.cluster = cluster;
        this.restAddress = restAddress;
    }

    public static EmbeddedFlink start(String host, int restPort, int slots) {
        int port = Ports.claim(host, restPort, "flink.rest.port", "the Flink REST endpoint");
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, host);
        conf.set(RestOptions.ADDRESS, host);
        conf.set(RestOptions.PORT, port);
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
            return new EmbeddedFlink(cluster, rest);
        } catch (Exception e) {
            cluster.closeAsync();
            throw new PlatformException(
                    "the Flink MiniCluster failed to start: " + e.getMessage(), e);
        }
    }

    public MiniCluster cluster() {
        return cluster;
    }

    public URI restAddress() {
        return restAddress;
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
