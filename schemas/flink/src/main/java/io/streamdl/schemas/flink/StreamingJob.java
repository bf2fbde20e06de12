package io.streamdl.schemas.flink;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A Flink job as a topology factory: it adds its sources, operators and sinks to an environment and
 * nothing else, so the same job runs on the embedded MiniCluster, an external cluster or a test's
 * bounded sources.
 */
public interface StreamingJob {
    /** The job's name in Flink (and in logs and the UI). */
    String name();

    /** Adds this job's topology to {@code env}. */
    void build(StreamExecutionEnvironment env);
}
