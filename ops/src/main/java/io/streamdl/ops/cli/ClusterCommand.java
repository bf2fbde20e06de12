package io.streamdl.ops.cli;

import io.streamdl.ops.cluster.ClusterLayout;
import io.streamdl.ops.cluster.LocalCluster;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.platform.PlatformException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./pipeline cluster up|down|status}: a multi-process Kafka and Flink cluster on this
 * machine, made of the engines' own processes ({@link LocalCluster}), for running the pipeline as
 * it is deployed: {@code ./pipeline up --config <dir>/pipeline.properties} submits the jobs to it.
 */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description =
                "A local multi-process cluster: 3 KRaft brokers, the schema registry, a Flink JobManager and 2 TaskManagers, each its own JVM.",
        subcommands = {
            ClusterCommand.Up.class,
            ClusterCommand.Down.class,
            ClusterCommand.Status.class
        })
final class ClusterCommand {
    private ClusterCommand() {}

    /** Options the cluster commands share. */
    static final class Where {
        @Option(
                names = "--dir",
                description = "The cluster's folder (default: <data dir>/cluster).")
        Path dir;

        @Option(names = "--data-dir", description = "The data folder (default ./data).")
        Path dataDir;

        Path dir() {
            if (dir != null) {
                return dir.toAbsolutePath().normalize();
            }
            Path data = dataDir != null ? dataDir : Path.of(PlatformConfig.DATA_DIR.defaultValue());
            return data.resolve("cluster").toAbsolutePath().normalize();
        }
    }

    @Command(
            name = "up",
            mixinStandardHelpOptions = true,
            description =
                    "Start the cluster (set it up first if the folder holds none) and print how to run the pipeline on it.")
    static final class Up implements Callable<Integer> {
        @CommandLine.Mixin Where where = new Where();

        @Option(
                names = "--base-port",
                description =
                        "First of the cluster's ports: brokers at base..base+2, controllers at"
                                + " base+10.., registry base+20, Flink REST base+30, RPC base+31;"
                                + " 0 picks free ports (default ${DEFAULT-VALUE}).",
                defaultValue = "29092")
        int basePort;

        @Option(
                names = "--slots",
                description = "Task slots of each TaskManager (default ${DEFAULT-VALUE}).",
                defaultValue = "12")
        int slots;

        @Option(
                names = "--partitions",
                description = "Partitions of each pipeline topic (default ${DEFAULT-VALUE}).",
                defaultValue = "2")
        int partitions;

        @Option(
                names = "--security",
                description =
                        "plaintext, or sasl_ssl: brokers listen with SCRAM-SHA-512 over TLS and authorize with the pipeline's ACLs, certificates and passwords made in <dir>/security; a cluster keeps what it was set up with (default ${DEFAULT-VALUE}).",
                defaultValue = "plaintext")
        String security;

        private boolean secured() {
            if (!security.equalsIgnoreCase("sasl_ssl") && !security.equalsIgnoreCase("plaintext")) {
                throw new IllegalArgumentException(
                        "--security must be plaintext or sasl_ssl, not '" + security + "'");
            }
            return security.equalsIgnoreCase("sasl_ssl");
        }

        @Override
        public Integer call() throws IOException {
            Path dir = where.dir();
            Optional<LocalCluster> existing = LocalCluster.open(dir);
            LocalCluster cluster =
                    existing.orElseGet(
                            () ->
                                    LocalCluster.create(
                                            ClusterLayout.allocate(
                                                    dir,
                                                    "127.0.0.1",
                                                    basePort,
                                                    slots,
                                                    partitions,
                                                    secured())));
            System.out.println(
                    (existing.isPresent() ? "Starting the cluster in " : "Setting up a cluster in ")
                            + dir
                            + " ...");
            cluster.start();
            Path settings = writeSettings(cluster);
            ClusterLayout layout = cluster.layout();
            System.out.printf(
                    "  %-16s %s (3 KRaft brokers and controller voters; replication 3,"
                            + " min.insync.replicas 2)%n",
                    "Kafka",
                    layout.bootstrapServers()
                            + (layout.secured()
                                    ? "; SASL_SSL/SCRAM-SHA-512 with ACLs, credentials in "
                                            + layout.securityDir()
                                    : ""));
            System.out.printf("  %-16s %s%n", "Schema registry", layout.registryUrl());
            System.out.printf(
                    "  %-16s http://%s (a JobManager and %d TaskManagers, %d slots each;"
                            + " checkpoints in %s)%n",
                    "Flink",
                    layout.flinkRest(),
                    cluster.liveTaskManagers(),
                    layout.slotsPerTaskManager(),
                    layout.dir().resolve("flink-checkpoints"));
            printProcesses(cluster);
            System.out.println("Run the pipeline on it (jobs at parallelism 2):");
            System.out.println(
                    "  ./pipeline up --config " + settings + " -c models.hmac.key=<signing key>");
            System.out.println("Stop it with: ./pipeline cluster down" + dirArg(where));
            return 0;
        }

        private static Path writeSettings(LocalCluster cluster) throws IOException {
            Path file = cluster.layout().dir().resolve("pipeline.properties");
            StringBuilder out =
                    new StringBuilder(
                            "# ./pipeline up --config "
                                    + file
                                    + " runs the pipeline on the local cluster\n");
            for (Map.Entry<String, String> e : cluster.layout().pipelineSettings().entrySet()) {
                out.append(e.getKey()).append('=').append(e.getValue()).append('\n');
            }
            Files.writeString(file, out);
            if (cluster.layout().secured()) {
                // it holds the registry's password, as credentials.properties does
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
            return file;
        }
    }

    @Command(
            name = "down",
            mixinStandardHelpOptions = true,
            description = "Stop every process of the cluster (its data stays unless --delete).")
    static final class Down implements Callable<Integer> {
        @CommandLine.Mixin Where where = new Where();

        @Option(
                names = "--delete",
                description = "Also delete the cluster's folder: topics, checkpoints, logs.")
        boolean delete;

        @Override
        public Integer call() {
            LocalCluster cluster = opened(where);
            if (delete) {
                cluster.destroy();
                System.out.println("Stopped; deleted " + cluster.layout().dir());
            } else {
                cluster.stop();
                System.out.println(
                        "Stopped; data kept in "
                                + cluster.layout().dir()
                                + " ('cluster up' starts it again)");
            }
            return 0;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "The cluster's processes, and the jobs its Flink runs.")
    static final class Status implements Callable<Integer> {
        @CommandLine.Mixin Where where = new Where();

        @Override
        public Integer call() {
            LocalCluster cluster = opened(where);
            printProcesses(cluster);
            Map<String, String> jobs = cluster.rest().jobStates();
            if (jobs.isEmpty()) {
                System.out.println("  (Flink runs no job, or its JobManager does not answer)");
            }
            jobs.forEach((name, state) -> System.out.printf("  %-40s %s%n", name, state));
            return 0;
        }
    }

    private static LocalCluster opened(Where where) {
        return LocalCluster.open(where.dir())
                .orElseThrow(
                        () ->
                                new PlatformException(
                                        "no cluster is set up in "
                                                + where.dir()
                                                + "; start one with ./pipeline cluster up"));
    }

    private static void printProcesses(LocalCluster cluster) {
        StringBuilder line = new StringBuilder();
        cluster.processes()
                .forEach(
                        (name, pid) ->
                                line.append(line.length() == 0 ? "" : ", ")
                                        .append(name)
                                        .append(
                                                pid.map(p -> " (pid " + p + ")")
                                                        .orElse(" (down)")));
        System.out.printf("  %-16s %s%n", "Processes", line);
    }

    private static String dirArg(Where where) {
        return where.dir != null
                ? " --dir " + where.dir
                : where.dataDir != null ? " --data-dir " + where.dataDir : "";
    }
}
