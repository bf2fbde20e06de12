package io.streamdl.ops.platform;

import io.streamdl.ops.security.BrokerSecurity;
import io.streamdl.ops.security.SecurityMaterial;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node KRaft Kafka (broker and controller in this JVM). The log directory is formatted on
 * first start and reused afterwards, so topics and offsets survive a restart.
 */
public final class EmbeddedKafka implements AutoCloseable {
    /** Broker-side limit; model updates up to 32 MiB plus record overhead must fit. */
    public static final int MAX_MESSAGE_BYTES = 33 * 1024 * 1024;

    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts a broker on {@code host:port} (0 for free ports), keeping data in {@code logDir}. */
    public static EmbeddedKafka start(
            Path logDir, String host, int port, int controllerPort, int partitions) {
        return start(logDir, host, port, controllerPort, partitions, null);
    }

    /**
     * As {@link #start(Path, String, int, int, int)}; with {@code security} not null, the broker
     * listens with SASL_SSL (SCRAM-SHA-512) only, authorizes with ACLs ({@link BrokerSecurity}) and
     * formats new storage with the admin's SCRAM credential.
     */
    public static EmbeddedKafka start(
            Path logDir,
            String host,
            int port,
            int controllerPort,
            int partitions,
            SecurityMaterial security) {
        int brokerPort = Ports.claim(host, port, "kafka.port", "Kafka");
        int quorumPort =
                Ports.claim(host, controllerPort, "kafka.controller.port", "the Kafka controller");
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@" + host + ":" + quorumPort);
        props.put(
                "listeners",
                "PLAINTEXT://"
                        + host
                        + ":"
                        + brokerPort
                        + ",CONTROLLER://"
                        + host
                        + ":"
                        + quorumPort);
        props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        if (security != null) {
            props.putAll(BrokerSecurity.brokerProperties(security, host, brokerPort, quorumPort));
        }
        props.put("log.dirs", logDir.toAbsolutePath().toString());
        props.put("num.partitions", Integer.toString(partitions));
        props.put("auto.create.topics.enable", "false");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "4");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("message.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
        props.put("replica.fetch.max.bytes", Integer.toString(MAX_MESSAGE_BYTES));
        props.put("log.cleaner.backoff.ms", "1000");
        // Flink's exactly-once sink keeps transactions open across checkpoints.
        props.put("transaction.max.timeout.ms", "3600000");
        KafkaConfig config = KafkaConfig.fromProps(props, false);
        format(
                logDir,
                security == null
                        ? List.of()
                        : List.of(BrokerSecurity.adminScramArgument(security)));
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            server.shutdown();
            throw new PlatformException(
                    "the embedded Kafka broker failed to start: " + e.getMessage(), e);
        }
        return new EmbeddedKafka(server, host + ":" + brokerPort);
    }

    private static void format(Path logDir, List<String> scram) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        try {
            Files.createDirectories(logDir);
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setClusterId(Uuid.randomUuid().toString())
                    .setNodeId(1)
                    .setDirectories(List.of(logDir.toAbsolutePath().toString()))
                    .setMetadataLogDirectory(logDir.toAbsolutePath().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setUnstableFeatureVersionsEnabled(false)
                    .setScramArguments(scram)
                    .run();
        } catch (IOException e) {
            throw new PlatformException(
                    "cannot create the Kafka data directory " + logDir + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new PlatformException(
                    "cannot format Kafka storage in " + logDir + ": " + e.getMessage(), e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
