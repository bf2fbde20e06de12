package io.streamdl.ops.cluster;

import io.streamdl.ops.security.BrokerSecurity;
import io.streamdl.ops.security.SecurityMaterial;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code server.properties} of each broker of a local cluster: KRaft, every broker also a
 * controller voter, all listeners on {@link ClusterLayout#host()}. The same files serve brokers run
 * as child JVMs ({@link LocalCluster}) and in containers on the host's network.
 */
public final class BrokerConfig {
    /** Copies of each partition, and how many must have a write before it is acknowledged. */
    public static final int REPLICATION = 3;

    public static final int MIN_IN_SYNC = 2;

    private BrokerConfig() {}

    /** Broker {@code index}'s file, its data under the cluster folder, PLAINTEXT. */
    public static String serverProperties(ClusterLayout layout, int index) {
        return serverProperties(layout, index, dataDir(layout, index), null);
    }

    /** Broker {@code index}'s file with its data in {@code logDir} (a path where it runs). */
    public static String serverProperties(ClusterLayout layout, int index, String logDir) {
        return serverProperties(layout, index, logDir, null);
    }

    /**
     * Broker {@code index}'s file, its data under the cluster folder; with {@code security} (or
     * PLAINTEXT when null) its SASL_SSL listener and ACLs.
     */
    static String serverProperties(ClusterLayout layout, int index, SecurityMaterial security) {
        return serverProperties(layout, index, dataDir(layout, index), security);
    }

    private static String dataDir(ClusterLayout layout, int index) {
        return layout.dir()
                .resolve("kafka-" + ClusterLayout.nodeId(index))
                .resolve("data")
                .toString();
    }

    private static String serverProperties(
            ClusterLayout layout, int index, String logDir, SecurityMaterial security) {
        String host = layout.host();
        int port = layout.brokerPorts().get(index);
        int controller = layout.controllerPorts().get(index);
        String voters =
                java.util.stream.IntStream.range(0, ClusterLayout.BROKERS)
                        .mapToObj(
                                i ->
                                        ClusterLayout.nodeId(i)
                                                + "@"
                                                + host
                                                + ":"
                                                + layout.controllerPorts().get(i))
                        .collect(Collectors.joining(","));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(ClusterLayout.nodeId(index)));
        p.put("controller.quorum.voters", voters);
        p.put(
                "listeners",
                "PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controller);
        p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        if (security != null) {
            p.putAll(BrokerSecurity.brokerProperties(security, host, port, controller));
        }
        p.put("log.dirs", logDir);
        p.put("num.partitions", Integer.toString(layout.partitions()));
        p.put("default.replication.factor", Integer.toString(REPLICATION));
        p.put("min.insync.replicas", Integer.toString(MIN_IN_SYNC));
        p.put("unclean.leader.election.enable", "false");
        p.put("auto.create.topics.enable", "false");
        p.put("offsets.topic.replication.factor", Integer.toString(REPLICATION));
        p.put("offsets.topic.num.partitions", "6");
        p.put("transaction.state.log.replication.factor", Integer.toString(REPLICATION));
        p.put("transaction.state.log.min.isr", Integer.toString(MIN_IN_SYNC));
        p.put("transaction.state.log.num.partitions", "6");
        p.put("share.coordinator.state.topic.replication.factor", Integer.toString(REPLICATION));
        p.put("share.coordinator.state.topic.min.isr", Integer.toString(MIN_IN_SYNC));
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("message.max.bytes", Integer.toString(LocalCluster.maxMessageBytes()));
        p.put("replica.fetch.max.bytes", Integer.toString(LocalCluster.maxMessageBytes()));
        p.put("log.cleaner.backoff.ms", "1000");
        // Flink's exactly-once sink keeps transactions open across checkpoints.
        p.put("transaction.max.timeout.ms", "3600000");
        // A killed broker's partitions move to the others within seconds, not the default 18 s.
        p.put("broker.session.timeout.ms", "6000");
        p.put("broker.heartbeat.interval.ms", "1000");
        p.put("replica.lag.time.max.ms", "10000");
        StringBuilder out = new StringBuilder("# generated by streamdl (BrokerConfig)\n");
        p.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        return out.toString();
    }
}
