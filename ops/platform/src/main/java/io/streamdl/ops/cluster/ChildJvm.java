package io.streamdl.ops.cluster;

import io.streamdl.ops.platform.PlatformException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One Java process of the local cluster: a main class started with this JVM's class path in a
 * session of its own (so a Ctrl-C in the terminal that ran {@code cluster up} does not reach it),
 * its output appended to a log file and its pid written to a file, so that another command (or a
 * test) can find, kill and restart it.
 */
public final class ChildJvm {
    private final String name;
    private final Path pidFile;
    private final Path logFile;
    private final List<String> command;

    /**
     * @param name the process's name in the cluster (its pid and log files are named after it)
     * @param dir the cluster folder, holding {@code pids/} and {@code logs/}
     * @param heap the JVM's maximum heap, e.g. {@code 512m}
     * @param mainClass the engine's own entry point
     * @param args its arguments
     */
    public ChildJvm(String name, Path dir, String heap, String mainClass, List<String> args) {
        this(name, dir, heap, List.of(), mainClass, args);
    }

    /** As above, with further JVM options (system properties, memory limits). */
    public ChildJvm(
            String name,
            Path dir,
            String heap,
            List<String> jvmOptions,
            String mainClass,
            List<String> args) {
        this.name = name;
        this.pidFile = dir.resolve("pids").resolve(name + ".pid");
        this.logFile = dir.resolve("logs").resolve(name + ".log");
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + heap);
        cmd.add("-XX:+UseParallelGC");
        cmd.add("-Djava.net.preferIPv4Stack=true");
        cmd.add("-Dstreamdl.cluster.process=" + name);
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        this.command = List.copyOf(cmd);
    }

    public String name() {
        return name;
    }

    public Path logFile() {
        return logFile;
    }

    /** Starts the process unless it already runs; returns its pid. */
    public long start() {
        Optional<ProcessHandle> running = handle();
        if (running.isPresent()) {
            return running.get().pid();
        }
        try {
            Files.createDirectories(pidFile.getParent());
            Files.createDirectories(logFile.getParent());
            Files.writeString(
                    logFile,
                    "---- started "
                            + java.time.Instant.now()
                            + ": "
                            // the class path is long and the same for all: left out
                            + String.join(
                                    " ",
                                    command.subList(command.indexOf("-cp") + 2, command.size()))
                            + "\n",
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command);
            // OpenMP threads spinning beside each other make DL4J several times slower on 2 cores
            builder.environment().putIfAbsent("OMP_NUM_THREADS", "1");
            Process process =
                    builder.redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                            .redirectInput(
                                    ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                            .start();
            Files.writeString(pidFile, Long.toString(process.pid()));
            return process.pid();
        } catch (IOException e) {
            throw new PlatformException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /** The running process, if its pid file names one that is alive and is this process. */
    public Optional<ProcessHandle> handle() {
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(
                            h ->
                                    h.info()
                                            .arguments()
                                            .map(
                                                    a ->
                                                            List.of(a)
                                                                    .contains(
                                                                            "-Dstreamdl.cluster.process="
                                                                                    + name))
                                            .orElse(true));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    public boolean alive() {
        return handle().isPresent();
    }

    /** {@code kill -9}: the process gets no chance to clean up, as in a crash. */
    public void kill() {
        handle().ifPresent(
                        h -> {
                            h.destroyForcibly();
                            awaitExit(h, Duration.ofSeconds(30));
                        });
    }

    /** A clean stop (SIGTERM), then {@code kill -9} if it has not ended within {@code grace}. */
    public void stop(Duration grace) {
        handle().ifPresent(
                        h -> {
                            h.destroy();
                            if (!awaitExit(h, grace)) {
                                h.destroyForcibly();
                                awaitExit(h, Duration.ofSeconds(30));
                            }
                        });
    }

    private static boolean awaitExit(ProcessHandle h, Duration timeout) {
        try {
            h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !h.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !h.isAlive();
        }
    }

    /** The last {@code lines} lines of the process's log, for an error message. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + logFile + ")";
        }
    }
}
