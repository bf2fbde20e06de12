package io.streamdl.scoring;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running part that every Kafka Streams app of the pipeline shares: its {@link KafkaStreams},
 * state changes logged and waited on, and a close that leaves the consumer group, so that a
 * restarted instance (a new member) gets the tasks at once instead of after the old member's
 * session timeout.
 *
 * <p>An unexpected error that kills a stream thread is logged (never swallowed) and the thread is
 * replaced: its tasks start again from their last commit (with exactly-once, its open transaction
 * is aborted, so nothing is written twice), which outlasts a transient fault such as a broker dying
 * mid-commit. An error that comes back, {@link #MAX_REPLACEMENTS} times within {@link
 * #REPLACEMENT_WINDOW}, is not transient: the client then shuts down (state {@code ERROR}) with one
 * clear log line, rather than replaying the same record forever.
 */
public final class StreamsLifecycle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsLifecycle.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /** Stream threads replaced within {@link #REPLACEMENT_WINDOW} before the client gives up. */
    static final int MAX_REPLACEMENTS = 3;

    static final Duration REPLACEMENT_WINDOW = Duration.ofMinutes(10);

    private final String what;
    private final String applicationId;
    private final KafkaStreams streams;
    private final Object stateChanged = new Object();

    /** When each stream thread was replaced, newest last. */
    private final ArrayDeque<Long> replaced = new ArrayDeque<>();

    private final AtomicInteger replacements = new AtomicInteger();

    private StreamsLifecycle(String what, String applicationId, KafkaStreams streams) {
        this.what = what;
        this.applicationId = applicationId;
        this.streams = streams;
    }

    /**
     * Starts {@code topology} with {@code properties}.
     *
     * @param what the app as the logs name it, e.g. {@code recommender}
     */
    public static StreamsLifecycle start(
            String what, String applicationId, Topology topology, Properties properties) {
        Properties p = withStaticMembership(applicationId, properties);
        StreamsLifecycle app =
                new StreamsLifecycle(what, applicationId, new KafkaStreams(topology, p));
        app.streams.setStateListener(app::onStateChange);
        app.streams.setUncaughtExceptionHandler(app::onUncaught);
        app.streams.start();
        return app;
    }

    /**
     * {@code properties} with static group membership where the app has a state folder of its own
     * and no {@code group.instance.id} is given: the id names this host and that folder, so an
     * instance restarted on them (after a crash or a {@code kill -9}) takes its tasks back at once,
     * rather than waiting out the dead member's session ({@code session.timeout.ms}, 45 s) and a
     * rebalance. Two instances cannot share a state folder (Streams locks it), so no two live
     * members share an id; Kafka Streams appends each stream thread's index.
     */
    static Properties withStaticMembership(String applicationId, Properties properties) {
        String stateDir = properties.getProperty(StreamsConfig.STATE_DIR_CONFIG);
        String instance = ConsumerConfig.GROUP_INSTANCE_ID_CONFIG;
        if (stateDir == null
                || properties.containsKey(instance)
                || properties.containsKey(StreamsConfig.consumerPrefix(instance))
                || properties.containsKey(StreamsConfig.mainConsumerPrefix(instance))) {
            return properties;
        }
        Properties p = new Properties();
        p.putAll(properties);
        p.put(
                StreamsConfig.mainConsumerPrefix(instance),
                instanceId(applicationId, Path.of(stateDir)));
        return p;
    }

    /** {@code <applicationId>-<host>-<12 hex digits of the state folder's path>}. */
    static String instanceId(String applicationId, Path stateDir) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        byte[] digest;
        try {
            digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(
                                    stateDir.toAbsolutePath()
                                            .normalize()
                                            .toString()
                                            .getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        // Kafka takes letters, digits, '.', '_' and '-' in an instance id, up to 249 of them
        String safeHost = host.replaceAll("[^A-Za-z0-9._-]", "_");
        return applicationId
                + "-"
                + safeHost.substring(0, Math.min(64, safeHost.length()))
                + "-"
                + HexFormat.of().formatHex(digest, 0, 6);
    }

    private StreamThreadExceptionResponse onUncaught(Throwable e) {
        long now = System.nanoTime();
        synchronized (replaced) {
            while (!replaced.isEmpty()
                    && now - replaced.peekFirst() > REPLACEMENT_WINDOW.toNanos()) {
                replaced.pollFirst();
            }
            if (replaced.size() >= MAX_REPLACEMENTS) {
                LOG.error(
                        "the {} stops: a stream thread failed again after {} replacements within {}"
                                + " (not transient; see the errors above)",
                        what,
                        replaced.size(),
                        REPLACEMENT_WINDOW,
                        e);
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            replaced.addLast(now);
            LOG.error(
                    "the {}: a stream thread failed on an unexpected error; it is replaced and its"
                            + " tasks resume from their last commit ({} of {} within {})",
                    what,
                    replaced.size(),
                    MAX_REPLACEMENTS,
                    REPLACEMENT_WINDOW,
                    e);
        }
        replacements.incrementAndGet();
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** Stream threads replaced after an unexpected error since the app started. */
    public int threadReplacements() {
        return replacements.get();
    }

    private void onStateChange(KafkaStreams.State now, KafkaStreams.State before) {
        LOG.info("{} {}: {} -> {}", what, applicationId, before, now);
        synchronized (stateChanged) {
            stateChanged.notifyAll();
        }
    }

    /** The {@code processing.guarantee} of {@code pipeline.delivery} (or an app's own setting). */
    public static String guarantee(boolean exactlyOnce) {
        return exactlyOnce ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE;
    }

    /** The client's metrics (for {@code /metrics}). */
    public java.util.Map<
                    org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric>
            metrics() {
        return streams.metrics();
    }

    /** The running client, for interactive queries. */
    public KafkaStreams streams() {
        return streams;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Waits until the app is running (its tasks assigned and restored).
     *
     * @return false if {@code timeout} passed first
     * @throws IllegalStateException if the app stopped or failed instead
     */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stateChanged) {
            while (streams.state() != KafkaStreams.State.RUNNING) {
                if (!streams.state().isRunningOrRebalancing()
                        && streams.state() != KafkaStreams.State.CREATED) {
                    throw new IllegalStateException(
                            "the " + what + " is " + streams.state() + ", not starting");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                stateChanged.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    /** Stops the app and leaves its consumer group. */
    @Override
    public void close() {
        if (!streams.close(
                CloseOptions.timeout(CLOSE_TIMEOUT)
                        .withGroupMembershipOperation(
                                CloseOptions.GroupMembershipOperation.LEAVE_GROUP))) {
            LOG.warn("the {} did not stop within {}", what, CLOSE_TIMEOUT);
        }
    }
}
