package io.streamdl.e2e;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Version;
import io.streamdl.ops.cluster.BrokerConfig;
import io.streamdl.ops.cluster.ClusterLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.utils.AppInfoParser;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * The three KRaft brokers of a local cluster ({@link ClusterLayout}, {@link BrokerConfig}: every
 * broker also a controller voter, replication 3, {@code min.insync.replicas} 2), each in its own
 * container started through Testcontainers on the host's network, so that the addresses the brokers
 * advertise (127.0.0.1 and free ports) are the same inside and outside the containers.
 *
 * <p>With Podman (Debian's, serving the Docker API) the image is {@code
 * localhost/streamdl-kafka:<kafka version>}, built by {@code ops/scripts/build-images.sh} since no
 * registry is reachable; with a Docker engine it is the official {@code apache/kafka:<kafka
 * version>}. The system property {@code streamdl.kafka.image} overrides either.
 */
final class ContainerBrokers implements AutoCloseable {
    static final String LABEL = "io.streamdl.e2e";

    /** Formats the storage (once: the container's file system survives a stop) and starts. */
    private static final String FORMAT_AND_START =
            "/opt/kafka/bin/kafka-storage.sh format -t \"$CLUSTER_ID\" -c"
                    + " /etc/kafka/server.properties --ignore-formatted"
                    + " && exec /opt/kafka/bin/kafka-server-start.sh /etc/kafka/server.properties";

    private static final String PODMAN_SOCKET = "unix:///run/podman/podman.sock";

    /** The engine that answers, and the image its brokers run. */
    record Engine(String description, boolean podman, String image) {}

    private final ClusterLayout layout;
    private final Engine engine;
    private final List<GenericContainer<?>> containers = new ArrayList<>();

    private ContainerBrokers(ClusterLayout layout, Engine engine) {
        this.layout = layout;
        this.engine = engine;
    }

    /**
     * The engine to run the brokers with, or why there is none: no engine answers, Ryuk cannot run,
     * or the local image has not been built.
     */
    static Result detect() {
        String dockerHost = Optional.ofNullable(System.getenv("DOCKER_HOST")).orElse("(unset)");
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return Result.none(
                    "no container engine: neither Docker nor Podman answers (DOCKER_HOST="
                            + dockerHost
                            + "); as root run ops/scripts/podman-setup.sh, then export"
                            + " DOCKER_HOST="
                            + PODMAN_SOCKET
                            + " TESTCONTAINERS_RYUK_DISABLED=true"
                            + " TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1");
        }
        DockerClient client = DockerClientFactory.instance().client();
        Version version = client.versionCmd().exec();
        boolean podman =
                version.getComponents() != null
                        && version.getComponents().stream()
                                .anyMatch(c -> c.getName().toLowerCase().contains("podman"));
        String description =
                (podman ? "Podman " : "Docker ")
                        + version.getVersion()
                        + " at "
                        + DockerClientFactory.instance().getTransportConfig().getDockerHost();
        String kafka = AppInfoParser.getVersion();
        String image =
                System.getProperty(
                        "streamdl.kafka.image",
                        podman ? "localhost/streamdl-kafka:" + kafka : "apache/kafka:" + kafka);
        if (podman && !"true".equalsIgnoreCase(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))) {
            return Result.none(
                    description
                            + " answers, but Testcontainers' Ryuk image cannot be pulled here:"
                            + " export TESTCONTAINERS_RYUK_DISABLED=true");
        }
        if (podman) {
            try {
                client.inspectImageCmd(image).exec();
            } catch (NotFoundException e) {
                return Result.none(
                        description
                                + " answers, but the image "
                                + image
                                + " is missing and no registry is reachable: run"
                                + " ops/scripts/build-images.sh");
            }
        }
        return new Result(Optional.of(new Engine(description, podman, image)), "");
    }

    /** An engine, or the reason there is none. */
    record Result(Optional<Engine> engine, String reason) {
        static Result none(String reason) {
            return new Result(Optional.empty(), reason);
        }
    }

    /** Starts the three brokers on free ports of 127.0.0.1 and waits until each has started. */
    static ContainerBrokers start(Engine engine, Path dir, int partitions, String caseName) {
        ClusterLayout layout = ClusterLayout.allocate(dir, "127.0.0.1", 0, 1, partitions);
        ContainerBrokers brokers = new ContainerBrokers(layout, engine);
        for (int i = 0; i < ClusterLayout.BROKERS; i++) {
            String props = BrokerConfig.serverProperties(layout, i, "/var/lib/kafka/data");
            brokers.containers.add(
                    new GenericContainer<>(DockerImageName.parse(engine.image()))
                            .withNetworkMode("host")
                            .withEnv("CLUSTER_ID", layout.clusterId())
                            .withEnv("KAFKA_HEAP_OPTS", "-Xmx384m -Xms384m")
                            .withCopyToContainer(
                                    Transferable.of(props), "/etc/kafka/server.properties")
                            .withCommand("sh", "-c", FORMAT_AND_START)
                            .withLabel(LABEL, caseName)
                            // a combined broker starts only once a quorum of voters runs
                            .waitingFor(
                                    Wait.forLogMessage(".*Kafka Server started.*", 1)
                                            .withStartupTimeout(Duration.ofMinutes(3))));
        }
        try {
            Startables.deepStart(brokers.containers).join();
        } catch (RuntimeException e) {
            String logs = brokers.logs();
            brokers.close();
            throw new IllegalStateException(
                    "the broker containers did not start: " + e + "\n" + logs, e);
        }
        return brokers;
    }

    Engine engine() {
        return engine;
    }

    String bootstrapServers() {
        return layout.bootstrapServers();
    }

    /** The index (0..2) of the broker with this node id. */
    int indexOf(int nodeId) {
        for (int i = 0; i < ClusterLayout.BROKERS; i++) {
            if (ClusterLayout.nodeId(i) == nodeId) {
                return i;
            }
        }
        throw new IllegalArgumentException("no broker " + nodeId);
    }

    /** Stops broker {@code index}'s container (SIGTERM, SIGKILL after 10 s); it keeps its data. */
    void stop(int index) {
        client().stopContainerCmd(containers.get(index).getContainerId()).withTimeout(10).exec();
    }

    /** Starts the stopped container of broker {@code index} again. */
    void restart(int index) {
        client().startContainerCmd(containers.get(index).getContainerId()).exec();
    }

    boolean running(int index) {
        Boolean running =
                client().inspectContainerCmd(containers.get(index).getContainerId())
                        .exec()
                        .getState()
                        .getRunning();
        return Boolean.TRUE.equals(running);
    }

    /** The last lines each container wrote, for failure messages. */
    String logs() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < containers.size(); i++) {
            GenericContainer<?> c = containers.get(i);
            if (c.getContainerId() == null) {
                continue;
            }
            String[] lines = c.getLogs().split("\n");
            out.append("--- broker ").append(ClusterLayout.nodeId(i)).append(":\n");
            for (int l = Math.max(0, lines.length - 15); l < lines.length; l++) {
                out.append(lines[l]).append('\n');
            }
        }
        return out.toString();
    }

    private static DockerClient client() {
        return DockerClientFactory.instance().client();
    }

    /** Stops and removes every container (without Ryuk nothing else would). */
    @Override
    public void close() {
        for (GenericContainer<?> c : containers) {
            c.stop();
        }
    }
}
