package io.streamdl.ops.jobs;

import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.platform.PlatformException;
import io.streamdl.schemas.flink.StreamingJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * Submits {@link StreamingJob}s to the platform's Flink: the embedded MiniCluster (jobs share this
 * JVM's classes) or an external cluster (the ops jar and its libraries are shipped).
 */
public final class JobRunner {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobRunner.class);

    /**
     * How long a task holds a partly filled network buffer before sending it on. Flink's default,
     * 100 ms, adds up to that much latency at each exchange at the rates the pipeline runs at; 5 ms
     * took the median of 150 images/s from 63 to 46 ms at-least-once, and the idle CPU of {@code
     * up} from 27% to 42% of a core (one run each, 2 cores), so the default stays Flink's until the
     * benchmark harness settles it.
     */
    public static final io.streamdl.schemas.config.ConfigOption<Long> BUFFER_TIMEOUT =
            io.streamdl.schemas.config.ConfigOption.longRange(
                    "flink.buffer-timeout-ms",
                    100,
                    0,
                    1000,
                    "how long a Flink task may hold a partly filled output buffer before sending it"
                            + " (0: flush every record): lower is faster and costs CPU when idle");

    /**
     * The checkpoint interval of the jobs a score waits for (the EncodeJob with its fused scorers,
     * and the ScoreJobs), when it should differ from every other job's. With exactly-once a score
     * is readable when the checkpoint after it commits, so this interval is the latency; the
     * trainers' and the other jobs' checkpoints only bound what a failure replays, and each
     * checkpoint of each job costs CPU even when idle (12 jobs at 100 ms took a core).
     */
    public static final io.streamdl.schemas.config.ConfigOption<Long> SCORING_CHECKPOINT_INTERVAL =
            io.streamdl.schemas.config.ConfigOption.longRange(
                    "flink.checkpoint.scoring-interval-ms",
                    0,
                    0,
                    3_600_000,
                    "checkpoint interval of the jobs on the scoring path (EncodeJob, ScoreJobs):"
                            + " with exactly-once, about the latency of a score (0: the same as"
                            + " flink.checkpoint.interval-ms; at least 50 otherwise)");

    /**
     * Whether jobs sent to an external Flink cluster carry the pipeline's jars. A cluster whose
     * processes have the pipeline on their class path (the local cluster's, or one with the jars in
     * Flink's {@code lib/}) needs none, and submitting is then quick.
     */
    public static final io.streamdl.schemas.config.ConfigOption<Boolean> SHIP_JARS =
            io.streamdl.schemas.config.ConfigOption.bool(
                    "flink.ship-jars",
                    true,
                    "send the pipeline's jars with each job to an external Flink cluster (false"
                            + " when the cluster's class path already holds them, as the local"
                            + " cluster's does)");

    private final Platform platform;
    private final Duration checkpointInterval;
    private final List<JobID> submitted = new ArrayList<>();

    /** Checkpoints every {@link PlatformConfig#checkpointIntervalMillis()}. */
    public JobRunner(Platform platform) {
        this(platform, Duration.ofMillis(platform.config().checkpointIntervalMillis()));
    }

    public JobRunner(Platform platform, Duration checkpointInterval) {
        this.platform = platform;
        this.checkpointInterval = checkpointInterval;
    }

    public JobID submit(StreamingJob job, int parallelism) {
        return submit(job, parallelism, checkpointInterval);
    }

    /** The interval of {@link #SCORING_CHECKPOINT_INTERVAL}, or this runner's when it is 0. */
    public Duration scoringCheckpointInterval() {
        long millis = SCORING_CHECKPOINT_INTERVAL.read(platform.config().jobSettings());
        if (millis == 0) {
            return checkpointInterval;
        }
        if (millis < 50) {
            throw io.streamdl.schemas.config.ConfigException.invalid(
                    SCORING_CHECKPOINT_INTERVAL.key(), millis, "0 or at least 50");
        }
        return Duration.ofMillis(millis);
    }

    /** Submits {@code job} checkpointed every {@code interval}. */
    public JobID submit(StreamingJob job, int parallelism, Duration interval) {
        Configuration conf = new Configuration();
        Path checkpoints =
                platform.config().dataDir().resolve("flink-checkpoints").toAbsolutePath();
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        try {
            if (platform.embeddedFlink() != null) {
                StreamExecutionEnvironment env =
                        StreamExecutionEnvironment.getExecutionEnvironment(conf);
                configure(env, parallelism, interval);
                job.build(env);
                StreamGraph graph = env.getStreamGraph();
                graph.setJobName(job.name());
                JobID id =
                        platform.embeddedFlink()
                                .cluster()
                                .submitJob(graph)
                                .get(60, TimeUnit.SECONDS)
                                .getJobID();
                submitted.add(id);
                return id;
            }
            String existing =
                    new io.streamdl.ops.cluster.FlinkRest(platform.config().flinkJobManager())
                            .activeJobs()
                            .get(job.name());
            if (existing != null) {
                // A restarted 'up' finds its jobs still running on the cluster: they keep their
                // state, and a second copy would write every output twice.
                LOG.info("job {} already runs on the cluster as {}", job.name(), existing);
                JobID id = JobID.fromHexString(existing);
                submitted.add(id);
                return id;
            }
            String[] hostPort = platform.config().flinkJobManager().split(":");
            String[] jars =
                    SHIP_JARS.read(platform.config().jobSettings()) ? shippedJars() : new String[0];
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createRemoteEnvironment(
                            hostPort[0], Integer.parseInt(hostPort[1]), conf, jars);
            configure(env, parallelism, interval);
            job.build(env);
            JobClient client = env.executeAsync(job.name());
            submitted.add(client.getJobID());
            return client.getJobID();
        } catch (Exception e) {
            throw new PlatformException(
                    "cannot submit Flink job " + job.name() + ": " + e.getMessage(), e);
        }
    }

    private void configure(StreamExecutionEnvironment env, int parallelism, Duration interval) {
        env.setParallelism(parallelism);
        env.enableCheckpointing(interval.toMillis());
        env.setBufferTimeout(BUFFER_TIMEOUT.read(platform.config().jobSettings()));
    }

    /**
     * Cancels job {@code id} on the embedded cluster and waits until it has stopped.
     *
     * @throws PlatformException if the platform's Flink is external, or the job does not stop
     */
    public void cancel(JobID id) {
        if (platform.embeddedFlink() == null) {
            throw new PlatformException(
                    "cancelling a job is only supported on the embedded Flink; use the Flink web UI"
                            + " or 'flink cancel' for an external cluster");
        }
        try {
            var cluster = platform.embeddedFlink().cluster();
            cluster.cancelJob(id).get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!cluster.getJobStatus(id).get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                if (System.nanoTime() > deadline) {
                    throw new PlatformException("job " + id + " did not stop within 60 s");
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlatformException("interrupted while cancelling job " + id, e);
        } catch (java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            throw new PlatformException("cannot cancel job " + id + ": " + e.getMessage(), e);
        }
    }

    public List<JobID> submitted() {
        return List.copyOf(submitted);
    }

    /** The jars on this JVM's class path, which an external cluster needs to run our jobs. */
    private static String[] shippedJars() {
        List<String> jars = new ArrayList<>();
        for (String entry :
                System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
                jars.add(path.toAbsolutePath().toString());
            } else if (entry.endsWith("*")) {
                try (Stream<Path> dir =
                        Files.list(Path.of(entry.substring(0, entry.length() - 1)))) {
                    dir.filter(p -> p.toString().endsWith(".jar"))
                            .forEach(p -> jars.add(p.toAbsolutePath().toString()));
                } catch (java.io.IOException e) {
                    throw new PlatformException("cannot list " + entry + ": " + e.getMessage(), e);
                }
            }
        }
        return jars.toArray(String[]::new);
    }
}
