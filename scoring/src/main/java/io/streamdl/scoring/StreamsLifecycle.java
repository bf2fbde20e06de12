package io.streamdl.scoring;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running part that every Kafka Streams app of the pipeline shares: its {@link KafkaStreams},
 * state changes logged and waited on, an unexpected error shutting the client down (logged, never
 * swallowed), and a close that leaves the consumer group, so that a restarted instance (a new
 * member) gets the tasks at once instead of after the old member's session timeout.
 */
public final class StreamsLifecycle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsLifecycle.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final String what;
    private final String applicationId;
    private final KafkaStreams streams;
    private final Object stateChanged = new Object();

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
        StreamsLifecycle app =
                new StreamsLifecycle(what, applicationId, new KafkaStreams(topology, properties));
        app.streams.setStateListener(app::onStateChange);
        app.streams.setUncaughtExceptionHandler(
                e -> {
                    LOG.error("the {} stops on an unexpected error", what, e);
                    return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
                });
        app.streams.start();
        return app;
    }

    private void onStateChange(KafkaStreams.State now, KafkaStreams.State before) {
        LOG.info("{} {}: {} -> {}", what, applicationId, before, now);
        synchronized (stateChanged) {
            stateChanged.notifyAll();
        }
    }

    /** The {@code processing.guarantee} of {@code pipeline.delivery} (or an app's own setting). */
    public static String guarantee(boolean exactlyOnce) {
        return exactlyOnce
                ? org.apache.kafka.streams.StreamsConfig.EXACTLY_ONCE_V2
                : org.apache.kafka.streams.StreamsConfig.AT_LEAST_ONCE;
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
