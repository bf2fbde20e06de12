package io.streamdl.ops.load;

import java.time.Duration;
import java.util.Objects;

/**
 * What a load run sends: {@code rate} events per second for {@code duration}, on a fixed schedule
 * (event {@code i} is due at {@code i / rate} seconds: open loop, so a slow pipeline cannot slow
 * the sender down and hide its own queueing), then waits up to {@code drain} for the last scores.
 *
 * @param model the model whose scores are read ({@code scores.<model>})
 * @param labelled whether each event's label follows it (the trainer then learns from the load)
 * @param readCommitted whether scores are read with read_committed (what an exactly-once consumer
 *     sees) or read_uncommitted (an at-least-once one)
 */
public record LoadPlan(
        double rate,
        Duration duration,
        Duration drain,
        String model,
        boolean labelled,
        boolean readCommitted) {
    public LoadPlan {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(drain, "drain");
        Objects.requireNonNull(model, "model");
        if (!(rate > 0) || rate > 1_000_000) {
            throw new IllegalArgumentException(
                    "--rate must be above 0 and at most 1,000,000 per s");
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("--duration must be positive");
        }
    }

    /** How many events the run sends. */
    public long events() {
        return Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
    }

    /** When event {@code i} is due, in nanoseconds after the start. */
    public long dueNanos(long i) {
        return Math.round(i * 1e9 / rate);
    }
}
