package io.streamdl.ops.cluster;

import io.streamdl.ops.platform.EmbeddedKafka;
import io.streamdl.ops.platform.PlatformException;
import io.streamdl.ops.platform.TopicAdmin;
import io.streamdl.ops.security.BrokerSecurity;
import io.streamdl.ops.security.Principal;
import io.streamdl.ops.security.SecurityMaterial;
import io.streamdl.schemas.registry.RegistryException;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.topics.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * A Kafka and Flink cluster on this machine made of the engines' own processes: three KRaft brokers
 * ({@code kafka.Kafka} with a generated {@code server.properties} each, every one also a controller
 * voter; replication factor 3 and {@code min.insync.replicas} 2 by default), the schema registry,
 * and a Flink standalone session cluster (a JobManager and TaskManagers started through Flink's own
 * entrypoints with a generated {@code config.yaml}, checkpoints on the local file system). Each is
 * a separate JVM that outlives the command that started it; {@link #open(Path)} finds them again by
 * their pid files.
 */
public final class LocalCluster {
    /** TaskManagers a cluster starts with. */
    public static final int TASK_MANAGERS = 2;

    private static final String TM_PREFIX = "taskmanager-";

    private final ClusterLayout layout;

    private LocalCluster(ClusterLayout layout) {
        this.layout = layout;
    }

    /** Sets up a new cluster in {@code layout.dir()}: its configuration and formatted storage. */
    public static LocalCluster create(ClusterLayout layout) {
        if (Files.exists(layout.dir().resolve(ClusterLayout.FILE))) {
            throw new PlatformException(
                    "a cluster is already set up in "
                            + layout.dir()
                            + "; run 'cluster down' first");
        }
        layout.save();
        LocalCluster cluster = new LocalCluster(layout);
        cluster.writeConfigs();
        cluster.formatStorage();
        return cluster;
    }

    /** The cluster set up in {@code dir}, if there is one. */
    public static Optional<LocalCluster> open(Path dir) {
        return ClusterLayout.load(dir).map(LocalCluster::new);
    }

    public ClusterLayout layout() {
        return layout;
    }

    /** Starts every process that is not running and waits until the cluster serves. */
    public void start() {
        startKafkaAndRegistry();
        startFlink();
    }

    /**
     * Starts the brokers (with a secured cluster's SCRAM users and ACLs), the pipeline's topics and
     * the registry, and waits until they serve: all but Flink.
     */
    public void startKafkaAndRegistry() {
        // generated files follow this version of the pipeline; data and pids stay
        writeConfigs();
        for (int i = 0; i < ClusterLayout.BROKERS; i++) {
            broker(i).start();
        }
        awaitBrokers(ClusterLayout.BROKERS, Duration.ofSeconds(120));
        if (layout.secured()) {
            BrokerSecurity.install(layout.bootstrapServers(), security());
        }
        try (TopicAdmin admin = admin()) {
            admin.ensure(Topics.all(), layout.partitions());
        }
        registry().start();
        await(this::registryAnswers, Duration.ofSeconds(60), registry(), "the schema registry");
    }

    /** Starts the JobManager and, unless some run, the TaskManagers; waits until they serve. */
    public void startFlink() {
        jobManager().start();
        await(
                () -> rest().overview().isPresent(),
                Duration.ofSeconds(90),
                jobManager(),
                "the Flink JobManager's REST API");
        List<ChildJvm> managers = taskManagers();
        if (managers.stream().noneMatch(ChildJvm::alive)) {
            for (int n = 1; n <= TASK_MANAGERS; n++) {
                taskManager(n).start();
            }
        }
        awaitTaskManagers(Math.max(TASK_MANAGERS, liveTaskManagers()), Duration.ofSeconds(120));
    }

    /** Stops every process, TaskManagers and JobManager first, the brokers last. */
    public void stop() {
        Duration grace = Duration.ofSeconds(20);
        taskManagers().forEach(tm -> tm.stop(grace));
        jobManager().stop(grace);
        registry().stop(grace);
        for (int i = ClusterLayout.BROKERS - 1; i >= 0; i--) {
            broker(i).stop(Duration.ofSeconds(60));
        }
    }

    /** Stops everything and removes the cluster's folder: topics, checkpoints and logs. */
    public void destroy() {
        stop();
        deleteTree(layout.dir());
    }

    public ChildJvm broker(int index) {
        Path dir = layout.dir().resolve("kafka-" + ClusterLayout.nodeId(index));
        return new ChildJvm(
                "broker-" + ClusterLayout.nodeId(index),
                layout.dir(),
                "768m",
                logOptions("broker-" + ClusterLayout.nodeId(index)),
                "kafka.Kafka",
                List.of(dir.resolve("server.properties").toString()));
    }

    public ChildJvm registry() {
        return new ChildJvm(
                "registry",
                layout.dir(),
                "256m",
                logOptions("registry"),
                "io.streamdl.ops.registry.RegistryMain",
                List.of(
                        layout.host(),
                        Integer.toString(layout.registryPort()),
                        layout.bootstrapServers(),
                        layout.secured() ? layout.securityDir().toString() : ""));
    }

    public ChildJvm jobManager() {
        return new ChildJvm(
                "jobmanager",
                layout.dir(),
                "768m",
                logOptions("jobmanager"),
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                List.of("--configDir", flinkConf().toString()));
    }

    /** TaskManager number {@code n} (1-based); a replacement takes the next free number. */
    public ChildJvm taskManager(int n) {
        List<String> options = new ArrayList<>(logOptions(TM_PREFIX + n));
        options.add("-XX:MaxDirectMemorySize=1g");
        return new ChildJvm(
                TM_PREFIX + n,
                layout.dir(),
                FlinkConfig.TASK_MANAGER_HEAP,
                options,
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                // its resource id in Flink's REST API is its name here
                List.of(
                        "--configDir",
                        flinkConf().toString(),
                        "-Dtaskmanager.resource-id=" + TM_PREFIX + n));
    }

    /** Every TaskManager that has a pid file, running or not, by number. */
    public List<ChildJvm> taskManagers() {
        List<ChildJvm> out = new ArrayList<>();
        for (int n = 1; Files.exists(pidFile(TM_PREFIX + n)) || n <= TASK_MANAGERS; n++) {
            out.add(taskManager(n));
        }
        return out;
    }

    /** Starts a new TaskManager under the next unused number and returns it. */
    public ChildJvm addTaskManager() {
        int n = 1;
        while (Files.exists(pidFile(TM_PREFIX + n))) {
            n++;
        }
        ChildJvm tm = taskManager(n);
        tm.start();
        return tm;
    }

    private Path pidFile(String name) {
        return layout.dir().resolve("pids").resolve(name + ".pid");
    }

    public int liveTaskManagers() {
        return (int) taskManagers().stream().filter(ChildJvm::alive).count();
    }

    /** Every process of the cluster, by name, with its pid when it runs. */
    public Map<String, Optional<Long>> processes() {
        Map<String, Optional<Long>> out = new LinkedHashMap<>();
        List<ChildJvm> all = new ArrayList<>();
        for (int i = 0; i < ClusterLayout.BROKERS; i++) {
            all.add(broker(i));
        }
        all.add(registry());
        all.add(jobManager());
        all.addAll(taskManagers());
        all.forEach(p -> out.put(p.name(), p.handle().map(ProcessHandle::pid)));
        return out;
    }

    public FlinkRest rest() {
        return new FlinkRest(layout.flinkRest());
    }

    /** Waits until {@code count} brokers are registered with the controller quorum. */
    public void awaitBrokers(int count, Duration timeout) {
        await(
                () -> {
                    try (TopicAdmin admin = admin()) {
                        return admin.brokerCount(Duration.ofSeconds(5)) >= count;
                    } catch (RuntimeException e) {
                        return false;
                    }
                },
                timeout,
                broker(0),
                count + " Kafka brokers");
    }

    /** Waits until {@code count} TaskManagers are registered with the JobManager. */
    public void awaitTaskManagers(int count, Duration timeout) {
        await(
                () -> rest().overview().map(o -> o.taskManagers() >= count).orElse(false),
                timeout,
                taskManagers().get(0),
                count + " Flink TaskManagers");
    }

    private boolean registryAnswers() {
        try (RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(
                        layout.registryUrl(), Duration.ofSeconds(3), layout.registrySettings())) {
            client.subjects();
            return true;
        } catch (RegistryException e) {
            return false;
        }
    }

    private static void await(
            BooleanSupplier ready, Duration timeout, ChildJvm process, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new PlatformException(
                        what
                                + " did not come up within "
                                + timeout.toSeconds()
                                + " s; the last lines of "
                                + process.logFile()
                                + ":\n"
                                + process.tail(15));
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PlatformException("interrupted waiting for " + what);
            }
        }
    }

    private Path flinkConf() {
        return layout.dir().resolve("flink-conf");
    }

    private List<String> logOptions(String name) {
        return List.of(
                "-Dlog4j.configurationFile=" + layout.dir().resolve("log4j2.properties"),
                "-Dlog4j2.configurationFile=" + layout.dir().resolve("log4j2.properties"),
                "-Dstreamdl.log.name=" + name);
    }

    private void writeConfigs() {
        try {
            for (int i = 0; i < ClusterLayout.BROKERS; i++) {
                Path dir = layout.dir().resolve("kafka-" + ClusterLayout.nodeId(i));
                Files.createDirectories(dir.resolve("data"));
                Files.writeString(
                        dir.resolve("server.properties"),
                        BrokerConfig.serverProperties(layout, i, security()));
            }
            Files.createDirectories(flinkConf());
            Files.writeString(flinkConf().resolve("config.yaml"), FlinkConfig.yaml(layout));
            Files.writeString(
                    layout.dir().resolve("log4j2.properties"),
                    String.join(
                            "\n",
                            "status = warn",
                            "appender.out.type = Console",
                            "appender.out.name = out",
                            "appender.out.layout.type = PatternLayout",
                            "appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} - %m%n",
                            "rootLogger.level = WARN",
                            "rootLogger.appenderRef.out.ref = out",
                            "logger.flink.name = org.apache.flink.runtime",
                            "logger.flink.level = INFO",
                            "logger.kafka.name = kafka.server.KafkaRaftServer",
                            "logger.kafka.level = INFO",
                            ""));
        } catch (IOException e) {
            throw new PlatformException(
                    "cannot write the cluster's configuration in " + layout.dir() + ": " + e, e);
        }
    }

    /** Formats each broker's storage with Kafka's own tool, as {@code kafka-storage.sh} does. */
    private void formatStorage() {
        List<ChildJvm> tools = new ArrayList<>();
        for (int i = 0; i < ClusterLayout.BROKERS; i++) {
            Path props =
                    layout.dir()
                            .resolve("kafka-" + ClusterLayout.nodeId(i))
                            .resolve("server.properties");
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    "format",
                                    "-t",
                                    layout.clusterId(),
                                    "-c",
                                    props.toString(),
                                    "--ignore-formatted"));
            if (layout.secured()) {
                // the brokers log in to each other as the admin before any ACL or user exists
                args.addAll(List.of("--add-scram", BrokerSecurity.adminScramArgument(security())));
            }
            ChildJvm tool =
                    new ChildJvm(
                            "format-" + ClusterLayout.nodeId(i),
                            layout.dir(),
                            "256m",
                            logOptions("format"),
                            "kafka.tools.StorageTool",
                            args);
            tools.add(tool);
            ProcessHandle.of(tool.start()).ifPresent(h -> h.onExit().join());
        }
        for (ChildJvm tool : tools) {
            if (!Files.exists(
                    layout.dir()
                            .resolve("kafka-" + tool.name().substring("format-".length()))
                            .resolve("data")
                            .resolve("meta.properties"))) {
                throw new PlatformException(
                        "formatting the storage of broker "
                                + tool.name().substring("format-".length())
                                + " failed:\n"
                                + tool.tail(10));
            }
        }
    }

    /** The certificates and passwords of a secured cluster (made at set-up); null in plaintext. */
    private SecurityMaterial security() {
        return layout.secured()
                ? SecurityMaterial.prepare(layout.securityDir(), layout.host())
                : null;
    }

    /** A topic admin of the cluster, as the admin principal when it is secured. */
    public TopicAdmin admin() {
        return new TopicAdmin(
                layout.bootstrapServers(),
                layout.secured()
                        ? security().client(Principal.ADMIN)
                        : KafkaClientSecurity.PLAINTEXT);
    }

    /** Broker-side limit of the pipeline's messages, as the embedded broker's. */
    static int maxMessageBytes() {
        return EmbeddedKafka.MAX_MESSAGE_BYTES;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException e) {
                                    throw new PlatformException("cannot delete " + p + ": " + e, e);
                                }
                            });
        } catch (IOException e) {
            throw new PlatformException("cannot delete " + dir + ": " + e, e);
        }
    }
}
