package io.streamdl.ops.security;

import java.util.Locale;

/**
 * The pipeline's components, each its own Kafka principal ({@code User:<name>}) with its own SCRAM
 * password, so that an ACL can say what one component may do. {@link #ADMIN} is the platform itself
 * (the broker between its listeners, topic creation, ACLs) and a super user; every other principal
 * has only the ACLs {@link PipelineAcls} gives it.
 */
public enum Principal {
    /** The platform: inter-broker traffic, topics, credentials and ACLs. Super user. */
    ADMIN,
    /** The embedded schema registry: its {@code _schemas} log. */
    REGISTRY,
    /** Producers of raw events and interactions (the HTTP endpoint, {@code ./pipeline ingest}). */
    INGEST,
    /** The EncodeJob, with the scorers fused into it. */
    ENCODER,
    /** The ScoreJobs. */
    SCORER,
    /** The TrainJobs. */
    TRAINER,
    /** The Kafka Streams apps. */
    STREAMS,
    /** The lifecycle controller: promotions, refusals and rollbacks of models on trial. */
    LIFECYCLE,
    /** The live page and its Prometheus endpoint: read only. */
    DASHBOARD;

    /** The SCRAM user name, e.g. {@code scorer}. */
    public String user() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The Kafka principal, e.g. {@code User:scorer}. */
    public String kafkaPrincipal() {
        return "User:" + user();
    }
}
