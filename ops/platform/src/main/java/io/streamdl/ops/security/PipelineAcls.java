package io.streamdl.ops.security;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What each {@link Principal} may do on a secured broker, and nothing more (the broker runs {@code
 * StandardAuthorizer}, which denies whatever no ACL allows). Topic rules are by prefix, so a model
 * added by the catalogue is covered without new ACLs:
 *
 * <ul>
 *   <li>{@code ingest} writes {@code events.*} and {@code interactions};
 *   <li>{@code encoder} (the EncodeJob with its fused scorers) reads {@code events.*} and {@code
 *       models.*}, writes {@code features.*}, {@code scores.*} and {@code dlq};
 *   <li>{@code scorer} reads {@code features.*} and {@code models.*}, writes {@code scores.*},
 *       {@code dlq} and {@code models.events} (which version it serves): it cannot write a model
 *       update;
 *   <li>{@code trainer} reads {@code features.*}, {@code events.labels} and {@code models.*},
 *       writes {@code models.*}, {@code dlq} and {@code dashboard.metrics};
 *   <li>{@code lifecycle} (the promotion controller) reads scores and models, writes {@code
 *       models.*} (a rollback republishes a version) and {@code dlq};
 *   <li>{@code streams} (the Streams apps) reads scores, features, models, interactions and {@code
 *       dlq}, writes their outputs, and owns the internal topics, groups and transactions of its
 *       application ids ({@code streamdl-*});
 *   <li>{@code registry} owns {@code _schemas};
 *   <li>{@code dashboard} (the live page, the demo's monitors) reads every topic and describes
 *       every group (for lag), writes nothing.
 * </ul>
 *
 * A Flink job's exactly-once sinks also read the topics they write: at start they look for
 * lingering transactions there. Each Flink job's consumer group and transactional ids start with
 * its group prefix ({@code streamdl-encode}, {@code streamdl-score-}, {@code streamdl-train-}),
 * which only its principal may use.
 */
public final class PipelineAcls {
    private PipelineAcls() {}

    /** The ACLs of every principal but the super user {@link Principal#ADMIN}. */
    public static List<AclBinding> all() {
        List<AclBinding> out = new ArrayList<>();
        for (Principal p : Principal.values()) {
            out.addAll(of(p));
        }
        return out;
    }

    /** The ACLs of one principal. */
    public static List<AclBinding> of(Principal principal) {
        Rules r = new Rules(principal);
        switch (principal) {
            case ADMIN -> {}
            case REGISTRY -> {
                r.topic("_schemas", false, AclOperation.ALL);
                r.group("schema-registry", true, AclOperation.READ);
            }
            case INGEST -> {
                r.topic("events.", true, AclOperation.WRITE);
                r.topic("interactions", false, AclOperation.WRITE);
            }
            case ENCODER -> {
                r.read("events.", "models.");
                r.sink("features.", "scores.", "dlq", "models.events");
                r.flinkJob("streamdl-encode");
                // the groups and transactions of the scorers fused into the EncodeJob
                r.flinkJob("streamdl-score-");
            }
            case SCORER -> {
                r.read("features.", "models.");
                // models.events: the serving gate reports which version it serves
                r.sink("scores.", "dlq", "models.events");
                r.flinkJob("streamdl-score-");
            }
            case TRAINER -> {
                r.read("features.", "events.labels", "models.");
                r.sink("models.", "dlq", "dashboard.metrics");
                r.flinkJob("streamdl-train-");
            }
            case STREAMS -> {
                r.read(
                        "scores.",
                        "features.",
                        "models.",
                        "interactions",
                        "events.labels",
                        "items.embeddings",
                        "anomalies",
                        "recommendations",
                        "dlq");
                r.write(
                        "anomalies",
                        "dashboard.metrics",
                        "recommendations",
                        "items.embeddings",
                        "models.events",
                        "features.",
                        "dlq");
                // internal topics, groups and transactional ids of every app id streamdl-*
                r.topic("streamdl-", true, AclOperation.ALL);
                r.group("streamdl-", true, AclOperation.READ);
                r.transactions("streamdl-");
                r.topic("*", false, AclOperation.DESCRIBE);
            }
            case LIFECYCLE -> {
                r.read("scores.", "models.");
                // a rollback republishes the previous version's update
                r.write("models.", "dlq");
            }
            case DASHBOARD -> {
                r.topic("*", false, AclOperation.READ);
                r.topic("*", false, AclOperation.DESCRIBE);
                r.group("*", false, AclOperation.DESCRIBE);
                // the demo's progress monitors
                r.group("demo-", true, AclOperation.READ);
            }
        }
        return r.bindings;
    }

    /** Builds one principal's allow rules; a name ending in {@code .} or {@code -} is a prefix. */
    private static final class Rules {
        private final String principal;
        private final List<AclBinding> bindings = new ArrayList<>();

        Rules(Principal principal) {
            this.principal = principal.kafkaPrincipal();
        }

        void read(String... topics) {
            for (String t : topics) {
                topic(t, isPrefix(t), AclOperation.READ);
            }
        }

        void write(String... topics) {
            for (String t : topics) {
                topic(t, isPrefix(t), AclOperation.WRITE);
            }
        }

        /**
         * Writes {@code topics} from a Flink exactly-once sink, which at start lists the lingering
         * transactions on them (DescribeProducers, which takes READ).
         */
        void sink(String... topics) {
            write(topics);
            read(topics);
        }

        void flinkJob(String prefix) {
            group(prefix, true, AclOperation.READ);
            transactions(prefix);
        }

        void transactions(String prefix) {
            add(ResourceType.TRANSACTIONAL_ID, prefix, true, AclOperation.WRITE);
            add(ResourceType.TRANSACTIONAL_ID, prefix, true, AclOperation.DESCRIBE);
        }

        void topic(String name, boolean prefixed, AclOperation op) {
            add(ResourceType.TOPIC, name, prefixed, op);
        }

        void group(String name, boolean prefixed, AclOperation op) {
            add(ResourceType.GROUP, name, prefixed, op);
        }

        private void add(ResourceType type, String name, boolean prefixed, AclOperation op) {
            bindings.add(
                    new AclBinding(
                            new ResourcePattern(
                                    type,
                                    name,
                                    prefixed ? PatternType.PREFIXED : PatternType.LITERAL),
                            new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
        }

        private static boolean isPrefix(String name) {
            return name.endsWith(".") || name.endsWith("-");
        }
    }
}
