package io.streamdl.ops.cluster;

import io.streamdl.ops.platform.PlatformException;
import io.streamdl.ops.platform.Ports;
import io.streamdl.ops.security.SecurityMaterial;
import io.streamdl.schemas.registry.RegistryClientSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Where the processes of a local cluster listen and keep their data: three KRaft brokers (each also
 * a controller voter), the schema registry, a Flink JobManager and its TaskManagers. Saved as
 * {@code cluster.properties} in the cluster folder, so that {@code cluster down}, a restart or a
 * test finds the same cluster again.
 *
 * @param dir the cluster folder: broker logs, Flink's configuration, pids and process logs
 * @param host the address every process binds
 * @param brokerPorts client port of each broker (node ids 1, 2, 3)
 * @param controllerPorts KRaft controller port of each broker
 * @param registryPort the schema registry's HTTP port
 * @param restPort the Flink JobManager's REST port
 * @param jobManagerRpcPort the Flink JobManager's RPC port
 * @param slotsPerTaskManager task slots of each TaskManager
 * @param partitions partitions of each pipeline topic
 * @param clusterId the KRaft cluster id every broker's storage is formatted with
 * @param secured whether the brokers listen with SASL_SSL and authorize with ACLs ({@code
 *     kafka.security=sasl_ssl}), their certificates and passwords in {@code <dir>/security}
 */
public record ClusterLayout(
        Path dir,
        String host,
        List<Integer> brokerPorts,
        List<Integer> controllerPorts,
        int registryPort,
        int restPort,
        int jobManagerRpcPort,
        int slotsPerTaskManager,
        int partitions,
        String clusterId,
        boolean secured) {
    public static final int BROKERS = 3;
    public static final String FILE = "cluster.properties";

    public ClusterLayout {
        brokerPorts = List.copyOf(brokerPorts);
        controllerPorts = List.copyOf(controllerPorts);
        if (brokerPorts.size() != BROKERS || controllerPorts.size() != BROKERS) {
            throw new IllegalArgumentException("a local cluster has " + BROKERS + " brokers");
        }
    }

    /**
     * A layout on consecutive ports from {@code basePort} (brokers at base, base+1, base+2, their
     * controllers at base+10.., the registry at base+20, Flink REST at base+30 and RPC at base+31),
     * or on free ports when {@code basePort} is 0.
     */
    public static ClusterLayout allocate(
            Path dir, String host, int basePort, int slotsPerTaskManager, int partitions) {
        return allocate(dir, host, basePort, slotsPerTaskManager, partitions, false);
    }

    /** As {@link #allocate(Path, String, int, int, int)}, secured or not. */
    public static ClusterLayout allocate(
            Path dir,
            String host,
            int basePort,
            int slotsPerTaskManager,
            int partitions,
            boolean secured) {
        List<Integer> brokers = new ArrayList<>();
        List<Integer> controllers = new ArrayList<>();
        for (int i = 0; i < BROKERS; i++) {
            brokers.add(port(host, basePort, i, "broker " + (i + 1)));
            controllers.add(port(host, basePort, 10 + i, "controller " + (i + 1)));
        }
        return new ClusterLayout(
                dir.toAbsolutePath().normalize(),
                host,
                brokers,
                controllers,
                port(host, basePort, 20, "the schema registry"),
                port(host, basePort, 30, "Flink REST"),
                port(host, basePort, 31, "Flink RPC"),
                slotsPerTaskManager,
                partitions,
                org.apache.kafka.common.Uuid.randomUuid().toString(),
                secured);
    }

    private static int port(String host, int base, int offset, String what) {
        if (base == 0) {
            return Ports.free(host);
        }
        return Ports.claim(host, base + offset, "--base-port", "The local cluster's " + what);
    }

    /** The layout saved in {@code dir}, if a cluster was set up there. */
    public static java.util.Optional<ClusterLayout> load(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return java.util.Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new PlatformException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return java.util.Optional.of(
                new ClusterLayout(
                        dir.toAbsolutePath().normalize(),
                        p.getProperty("host"),
                        ints(p.getProperty("broker.ports")),
                        ints(p.getProperty("controller.ports")),
                        Integer.parseInt(p.getProperty("registry.port")),
                        Integer.parseInt(p.getProperty("flink.rest.port")),
                        Integer.parseInt(p.getProperty("flink.rpc.port")),
                        Integer.parseInt(p.getProperty("flink.slots-per-taskmanager")),
                        Integer.parseInt(p.getProperty("topics.partitions")),
                        p.getProperty("kafka.cluster.id"),
                        "sasl_ssl".equals(p.getProperty("kafka.security"))));
    }

    private static List<Integer> ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).map(Integer::valueOf).toList();
    }

    public void save() {
        Properties p = new Properties();
        p.setProperty("host", host);
        p.setProperty("broker.ports", join(brokerPorts));
        p.setProperty("controller.ports", join(controllerPorts));
        p.setProperty("registry.port", Integer.toString(registryPort));
        p.setProperty("flink.rest.port", Integer.toString(restPort));
        p.setProperty("flink.rpc.port", Integer.toString(jobManagerRpcPort));
        p.setProperty("flink.slots-per-taskmanager", Integer.toString(slotsPerTaskManager));
        p.setProperty("topics.partitions", Integer.toString(partitions));
        p.setProperty("kafka.cluster.id", clusterId);
        p.setProperty("kafka.security", secured ? "sasl_ssl" : "plaintext");
        try {
            Files.createDirectories(dir);
            try (OutputStream out = Files.newOutputStream(dir.resolve(FILE))) {
                p.store(out, "streamdl local cluster");
            }
        } catch (IOException e) {
            throw new PlatformException("cannot write " + dir.resolve(FILE) + ": " + e, e);
        }
    }

    private static String join(List<Integer> ports) {
        return ports.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** Node id of the broker at {@code index} (0-based). */
    public static int nodeId(int index) {
        return index + 1;
    }

    public String bootstrapServers() {
        return brokerPorts.stream().map(p -> host + ":" + p).collect(Collectors.joining(","));
    }

    /** The certificates and SCRAM passwords of a secured cluster. */
    public Path securityDir() {
        return dir.resolve("security");
    }

    /** The registry process's URL: {@code https} on a secured cluster. */
    public String registryUrl() {
        return (secured ? "https://" : "http://") + host + ":" + registryPort;
    }

    /**
     * How a client reaches the registry process: on a secured cluster it trusts the cluster's CA
     * and authenticates as {@link SecurityMaterial#HTTP_USER}. Holds passwords: never print it.
     */
    public RegistryClientSettings registrySettings() {
        if (!secured) {
            return RegistryClientSettings.NONE;
        }
        SecurityMaterial material = SecurityMaterial.existing(securityDir());
        return RegistryClientSettings.trusting(
                        material.truststore(), material.storePassword(), "PKCS12")
                .withBasicAuth(SecurityMaterial.HTTP_USER, material.httpPassword());
    }

    public String flinkRest() {
        return host + ":" + restPort;
    }

    /**
     * The settings that point {@code ./pipeline up} (or any command) at this cluster, through the
     * same keys as any external cluster: written to {@code pipeline.properties} for {@code
     * --config}. On a secured cluster they hold the registry's password (the Kafka passwords stay
     * in the security folder): keep the file as private as that folder.
     */
    public Map<String, String> pipelineSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("kafka.bootstrap.servers", bootstrapServers());
        s.put("schema.registry.url", registryUrl());
        s.put("flink.jobmanager", flinkRest());
        // The TaskManagers run with the pipeline's class path, so no job ships its jars.
        s.put("flink.ship-jars", "false");
        s.put("topics.partitions", Integer.toString(partitions));
        if (secured) {
            s.put("kafka.security", "sasl_ssl");
            s.put("kafka.security.dir", securityDir().toString());
            // Confluent's client keys for the registry's TLS and basic auth, as any client takes
            s.putAll(registrySettings().toConfigs());
        }
        s.put("encode.parallelism", "2");
        s.put("scoring.parallelism", "2");
        return s;
    }
}
