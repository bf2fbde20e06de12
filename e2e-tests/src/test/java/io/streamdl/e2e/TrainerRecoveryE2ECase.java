package io.streamdl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.encoders.EncoderRegistry;
import io.streamdl.encoders.job.EncodeJob;
import io.streamdl.ingest.EventSender;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.jobs.JobRunner;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.ops.platform.Platform;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.flink.KafkaSettings;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.topics.Topics;
import io.streamdl.trainer.TrainJob;
import io.streamdl.trainer.TrainJobConfig;
import io.streamdl.trainer.TrainerMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecution;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery of the online TrainJob from a real failure: while the EncodeJob and the TrainJob run on
 * the embedded platform and labelled Fashion-MNIST events stream in, the Flink TaskManager running
 * the trainer is terminated ({@link MiniCluster#terminateTaskManager}) and a fresh one started.
 * Both jobs fail over through Flink's restart strategy (the default for checkpointed jobs) and
 * restore from their last completed checkpoint. What {@code read_committed} consumers of {@code
 * models.image} see must still be versions 1..N exactly once, each the child of the one before,
 * learned from exactly the examples it should have been, with accuracy still rising.
 */
class TrainerRecoveryE2ECase {
    /** Images streamed in all (the bundled sample has a little over 3,000). */
    private static final int EVENTS = 2000;

    /** Images sent before the failure; the rest are sent once the TaskManager is gone. */
    private static final int BEFORE_FAILURE = 1300;

    /** The trainer publishes every 10 mini-batches of 32. */
    private static final int PUBLISH_EVERY = 320;

    /** Versions the whole stream yields: version v is published after v x PUBLISH_EVERY. */
    private static final int VERSIONS = EVENTS / PUBLISH_EVERY;

    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(500);
    private static final String TRAINER_TASK = "online trainer";

    @TempDir Path dataDir;

    @Test
    void trainerKilledMidStreamRestoresFromCheckpointWithGaplessVersionsAndKeepsLearning()
            throws Exception {
        long started = System.nanoTime();
        try (Platform platform = Platform.start(PlatformConfig.ephemeral(dataDir, 4))) {
            String url = platform.registryUrl();
            String bootstrap = platform.bootstrapServers();
            MiniCluster cluster = platform.embeddedFlink().cluster();
            JobRunner runner = new JobRunner(platform, CHECKPOINT_INTERVAL);
            PipelineJobs jobs = new PipelineJobs(platform);
            JobID encode =
                    runner.submit(
                            EncodeJob.onKafka(
                                    KafkaSettings.of(bootstrap, url, "recovery-encode"),
                                    EncoderRegistry.fromSettings(jobs.encoderSettings())),
                            1);
            JobID train =
                    runner.submit(
                            TrainJob.onKafka(
                                    KafkaSettings.of(bootstrap, url, "recovery-train"),
                                    TrainJobConfig.of(
                                            "image",
                                            "image",
                                            url,
                                            Map.of(
                                                    "models.hmac.key",
                                                    PipelineJobs.DEVELOPMENT_KEY,
                                                    "trainer.publish.every-examples",
                                                    Integer.toString(PUBLISH_EVERY),
                                                    "trainer.publish.every-seconds",
                                                    "600",
                                                    // No update is held back, so every publish
                                                    // point is a version (the count is exact) and
                                                    // a restore that lost the weights would show
                                                    // as a low accuracy instead of being hidden.
                                                    "trainer.guard.margin",
                                                    "1"))),
                            1);

            FashionMnist images = FashionMnist.sample(FashionMnist.Split.TRAIN);
            assertThat(images.size()).isGreaterThanOrEqualTo(EVENTS);
            try (RestSchemaRegistryClient registry = new RestSchemaRegistryClient(url);
                    UpdateWatch committed = new UpdateWatch(bootstrap, "read_committed", registry);
                    UpdateWatch uncommitted =
                            new UpdateWatch(bootstrap, "read_uncommitted", registry);
                    EventSender sender = new EventSender(bootstrap, url, Duration.ofMillis(200))) {
                send(sender, images, 0, BEFORE_FAILURE);

                Failure failure = injectFailure(cluster, train, committed, uncommitted);

                // The stream goes on while the jobs are down: these events wait in Kafka.
                send(sender, images, BEFORE_FAILURE, EVENTS);
                awaitRecovery(cluster, train, failure);
                awaitRecovery(cluster, encode, null);

                long lastExamples = (long) VERSIONS * PUBLISH_EVERY;
                await(
                        () -> committed.poll().stream().anyMatch(u -> u.examples() >= lastExamples),
                        Duration.ofSeconds(150),
                        "a committed update that learned " + lastExamples + " examples");
                // Late duplicates or an extra version (examples learned twice) would come now.
                long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (System.nanoTime() < settle) {
                    committed.poll();
                    uncommitted.poll();
                }
                report(failure, committed, uncommitted, cluster, train, started);

                assertVersionSequence(committed.updates(), failure);
                assertKeepsLearning(committed.updates(), failure);
                assertRestoredAfterFailure(cluster, train, failure);
            }
        }
    }

    /**
     * Once the trainer has two committed versions and a checkpoint completed after them (and,
     * waiting a little for it, while a newer version sits in a transaction not yet committed),
     * terminates the only TaskManager, which runs every task of both jobs, and starts a new one.
     */
    private static Failure injectFailure(
            MiniCluster cluster, JobID train, UpdateWatch committed, UpdateWatch uncommitted)
            throws Exception {
        // The read_uncommitted watch reads along, so it is caught up when it matters.
        await(
                () -> {
                    uncommitted.poll();
                    return committed.poll().size() >= 2;
                },
                Duration.ofSeconds(120),
                "two committed versions before the failure");
        long checkpointsAtV2 = completedCheckpoints(graph(cluster, train));
        await(
                () -> {
                    uncommitted.poll();
                    return completedCheckpoints(graph(cluster, train)) > checkpointsAtV2;
                },
                Duration.ofSeconds(30),
                "a checkpoint completed after version 2");
        long checkpointAfterV2 =
                graph(cluster, train)
                        .getCheckpointStatsSnapshot()
                        .getHistory()
                        .getLatestCompletedCheckpoint()
                        .getCheckpointId();
        assertThat(cluster.requestClusterOverview().get(10, TimeUnit.SECONDS))
                .as("the embedded Flink runs one TaskManager, which runs the trainer")
                .returns(1, o -> o.getNumTaskManagersConnected());
        AccessExecution trainerBefore = trainerAttempt(graph(cluster, train));
        assertThat(trainerBefore.getState()).isEqualTo(ExecutionState.RUNNING);

        // Best effort: kill while an emitted version is not committed yet, the moment a version
        // could be published twice if its transaction survived or its number were not restored.
        // It has to be quick: the next checkpoint (at most 500 ms away) commits it.
        long inFlightDeadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int committedAtKill = committed.poll().size();
        int emittedAtKill = uncommitted.poll().size();
        while (emittedAtKill <= committedAtKill && System.nanoTime() < inFlightDeadline) {
            emittedAtKill = uncommitted.poll(Duration.ofMillis(20)).size();
            if (emittedAtKill <= committedAtKill) {
                committedAtKill = committed.poll(Duration.ofMillis(20)).size();
            }
        }
        boolean inFlight = emittedAtKill > committedAtKill;
        long killedAt = System.nanoTime();
        cluster.terminateTaskManager(0).get(60, TimeUnit.SECONDS);
        cluster.startTaskManager();
        return new Failure(
                trainerBefore.getAttemptNumber(),
                trainerBefore.getAssignedResourceLocation().getResourceID().toString(),
                checkpointAfterV2,
                committedAtKill,
                emittedAtKill,
                inFlight,
                killedAt);
    }

    /**
     * Waits until the job's tasks run again on the new TaskManager: the trainer (for {@code
     * failure} non-null) as a later attempt elsewhere, any other job with a later attempt of every
     * task.
     */
    private static void awaitRecovery(MiniCluster cluster, JobID job, Failure failure)
            throws Exception {
        await(
                () -> {
                    AccessExecutionGraph g = graph(cluster, job);
                    boolean running = true;
                    for (AccessExecutionVertex v : g.getAllExecutionVertices()) {
                        running &= v.getExecutionState() == ExecutionState.RUNNING;
                    }
                    if (failure == null) {
                        return running && minAttempt(g) > 0;
                    }
                    AccessExecution trainer = trainerAttempt(g);
                    return running
                            && trainer.getAttemptNumber() > failure.trainerAttempt()
                            && !trainer.getAssignedResourceLocation()
                                    .getResourceID()
                                    .toString()
                                    .equals(failure.killedTaskManager());
                },
                Duration.ofSeconds(90),
                "job " + job + " running again after the TaskManager was terminated");
    }

    private static void assertVersionSequence(List<Seen> updates, Failure failure) {
        List<Long> versions = updates.stream().map(Seen::version).toList();
        assertThat(versions)
                .as("committed versions, in topic order: 1..%d, none twice, none missing", VERSIONS)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, VERSIONS).boxed().toList());
        for (Seen u : updates) {
            assertThat(u.parentVersion())
                    .as("parent of version %d", u.version())
                    .isEqualTo(u.version() == 1 ? null : u.version() - 1);
        }
        assertThat(VERSIONS - failure.committedAtKill())
                .as("versions committed after the failure")
                .isGreaterThanOrEqualTo(2);
    }

    /**
     * The restored trainer went on from its checkpointed state: each version learned exactly its
     * share of the stream (a trainer restarted from scratch or from the warm-start weights would
     * count from zero again, one that relearned replayed examples would count them twice), and its
     * prequential accuracy after the failure stays above the first version's.
     */
    private static void assertKeepsLearning(List<Seen> updates, Failure failure) {
        for (Seen u : updates) {
            assertThat(u.examples())
                    .as("examples learned by version %d", u.version())
                    .isEqualTo(u.version() * PUBLISH_EVERY);
        }
        double first = updates.get(0).accuracy();
        List<Seen> afterFailure = updates.subList(failure.committedAtKill(), updates.size());
        for (Seen u : afterFailure) {
            assertThat(u.accuracy())
                    .as(
                            "prequential accuracy of version %d, published after the failure",
                            u.version())
                    .isGreaterThan(first);
        }
        assertThat(updates.get(updates.size() - 1).accuracy())
                .as("prequential accuracy of the last version vs the first (%.3f)", first)
                .isGreaterThan(first + 0.1);
    }

    private static void assertRestoredAfterFailure(
            MiniCluster cluster, JobID train, Failure failure) throws Exception {
        AccessExecutionGraph g = graph(cluster, train);
        AccessExecution trainer = trainerAttempt(g);
        assertThat(trainer.getAttemptNumber())
                .as("trainer attempt after the failure")
                .isGreaterThan(failure.trainerAttempt());
        assertThat(trainer.getAssignedResourceLocation().getResourceID().toString())
                .as("TaskManager of the restarted trainer")
                .isNotEqualTo(failure.killedTaskManager());
        RestoredCheckpointStats restored =
                g.getCheckpointStatsSnapshot().getLatestRestoredCheckpoint();
        assertThat(restored).as("the TrainJob restored from a checkpoint").isNotNull();
        assertThat(restored.getCheckpointId())
                .as(
                        "checkpoint restored (one completed after version 2 was %d)",
                        failure.checkpointAfterV2())
                .isGreaterThanOrEqualTo(failure.checkpointAfterV2());
    }

    private static void report(
            Failure failure,
            UpdateWatch committed,
            UpdateWatch uncommitted,
            MiniCluster cluster,
            JobID train,
            long started)
            throws Exception {
        AccessExecutionGraph g = graph(cluster, train);
        StringBuilder versions = new StringBuilder();
        for (Seen u : committed.updates()) {
            versions.append(
                    String.format(
                            " v%d(parent %s, %d learned, accuracy %.3f)",
                            u.version(), u.parentVersion(), u.examples(), u.accuracy()));
        }
        List<Long> emitted = uncommitted.updates().stream().map(Seen::version).toList();
        List<Long> reissued =
                emitted.stream()
                        .filter(v -> emitted.indexOf(v) != emitted.lastIndexOf(v))
                        .distinct()
                        .toList();
        RestoredCheckpointStats restored =
                g.getCheckpointStatsSnapshot().getLatestRestoredCheckpoint();
        System.out.printf(
                "TrainerRecoveryE2ECase: killed the TaskManager with %d versions committed and %d"
                        + " emitted (in flight targeted: %s), checkpoint after v2 %d, restored"
                        + " checkpoint %s, trainer attempt %d, %.1f s after the kill to the end,"
                        + " %.1f s in all;%n  committed:%s%n  read_uncommitted saw versions %s"
                        + " (aborted with the failed attempt and re-issued: %s)%n",
                failure.committedAtKill(),
                failure.emittedAtKill(),
                failure.inFlight(),
                failure.checkpointAfterV2(),
                restored == null ? "none" : Long.toString(restored.getCheckpointId()),
                trainerAttempt(g).getAttemptNumber(),
                (System.nanoTime() - failure.killedAt()) / 1e9,
                (System.nanoTime() - started) / 1e9,
                versions,
                emitted,
                reissued);
    }

    private static void send(EventSender sender, FashionMnist images, int from, int to) {
        for (int i = from; i < to; i++) {
            sender.send(
                    Events.image(
                            "fm-" + i,
                            System.currentTimeMillis(),
                            "e2e",
                            "image/png",
                            ImageCodecs.png(images.image(i), 28, 28),
                            28,
                            28,
                            Map.of()),
                    images.className(i));
        }
        sender.flush();
    }

    private static AccessExecutionGraph graph(MiniCluster cluster, JobID job) {
        try {
            return cluster.getExecutionGraph(job).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("no execution graph for job " + job, e);
        }
    }

    private static long completedCheckpoints(AccessExecutionGraph g) {
        CheckpointStatsSnapshot stats = g.getCheckpointStatsSnapshot();
        return stats == null ? 0 : stats.getCounts().getNumberOfCompletedCheckpoints();
    }

    private static AccessExecution trainerAttempt(AccessExecutionGraph g) {
        for (AccessExecutionVertex v : g.getAllExecutionVertices()) {
            if (v.getTaskNameWithSubtaskIndex().contains(TRAINER_TASK)) {
                return v.getCurrentExecutionAttempt();
            }
        }
        throw new IllegalStateException("no '" + TRAINER_TASK + "' task in " + g.getJobName());
    }

    private static int minAttempt(AccessExecutionGraph g) {
        int min = Integer.MAX_VALUE;
        for (AccessExecutionVertex v : g.getAllExecutionVertices()) {
            min = Math.min(min, v.getCurrentExecutionAttempt().getAttemptNumber());
        }
        return min;
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** What the test knew when it terminated the TaskManager. */
    private record Failure(
            int trainerAttempt,
            String killedTaskManager,
            long checkpointAfterV2,
            int committedAtKill,
            int emittedAtKill,
            boolean inFlight,
            long killedAt) {}

    /** The fields of one update the assertions need (not its weights). */
    private record Seen(long version, Long parentVersion, long examples, double accuracy) {}

    /** Every update on models.image, from the beginning, with one isolation level. */
    private static final class UpdateWatch implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final AvroWireDeserializer<ModelUpdate> reader;
        private final List<Seen> updates = new ArrayList<>();

        UpdateWatch(String bootstrap, String isolation, RestSchemaRegistryClient registry) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(
                    ConsumerConfig.GROUP_ID_CONFIG,
                    "recovery-" + isolation + "-" + System.nanoTime());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
            p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 34 << 20);
            p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 34 << 20);
            p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
            consumer =
                    new KafkaConsumer<>(
                            p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(Topics.models("image").name()));
            reader = AvroWireDeserializer.specific(registry, ModelUpdate.class);
        }

        /** Reads what arrived since the last call; returns every update read so far. */
        List<Seen> poll() {
            return poll(Duration.ofMillis(100));
        }

        List<Seen> poll(Duration timeout) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
                ModelUpdate u = reader.deserialize(r.topic(), r.value());
                Map<String, Double> m = u.getMetrics();
                updates.add(
                        new Seen(
                                u.getVersion(),
                                u.getParentVersion(),
                                Math.round(m.get(TrainerMetrics.UPDATE_EXAMPLES)),
                                m.get(TrainerMetrics.UPDATE_ACCURACY)));
            }
            return updates;
        }

        List<Seen> updates() {
            return List.copyOf(updates);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
