package io.streamdl.ops.platform;

import io.streamdl.schemas.security.KafkaClientSecurity;
import io.streamdl.schemas.topics.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the pipeline's topics and reports what a cluster holds. */
public final class TopicAdmin implements AutoCloseable {
    private static final long TIMEOUT_MS = 15_000;

    private final Admin admin;
    private final String bootstrap;

    public TopicAdmin(String bootstrap) {
        this(bootstrap, KafkaClientSecurity.PLAINTEXT);
    }

    /** An admin client of {@code bootstrap} authenticating with {@code security}. */
    public TopicAdmin(String bootstrap, KafkaClientSecurity security) {
        this.bootstrap = bootstrap;
        Properties props = security.applyTo(new Properties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
        this.admin = Admin.create(props);
    }

    /** Fails with one clear line when no broker answers at the bootstrap address. */
    public void checkReachable() {
        try {
            admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new PlatformException(
                    "Kafka at "
                            + bootstrap
                            + " (kafka.bootstrap.servers) is unreachable: no broker answered within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlatformException("interrupted while contacting Kafka at " + bootstrap);
        }
    }

    /** Brokers the cluster has registered (alive ones; a killed broker drops out). */
    public int brokerCount(Duration timeout) {
        try {
            return admin.describeCluster()
                    .nodes()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .size();
        } catch (ExecutionException | TimeoutException e) {
            throw new PlatformException("no broker answered at " + bootstrap + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlatformException("interrupted while contacting Kafka at " + bootstrap);
        }
    }

    /** Creates the topics that do not exist yet; existing ones are left as they are. */
    public List<String> ensure(Collection<TopicSpec<?>> specs, int partitions) {
        List<NewTopic> wanted = new ArrayList<>();
        for (TopicSpec<?> spec : specs) {
            // A compacted model topic keeps one record per model: one partition keeps them ordered.
            int n = spec.compacted() ? 1 : partitions;
            // The broker's default replication factor and min.insync.replicas apply: 1 on the
            // embedded broker, 3 and 2 on the local cluster.
            wanted.add(
                    new NewTopic(spec.name(), java.util.Optional.of(n), java.util.Optional.empty())
                            .configs(spec.config()));
        }
        List<String> created = new ArrayList<>();
        List<TopicSpec<?>> existing = new ArrayList<>();
        admin.createTopics(wanted)
                .values()
                .forEach(
                        (name, future) -> {
                            try {
                                future.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                                created.add(name);
                            } catch (ExecutionException e) {
                                if (e.getCause() instanceof TopicExistsException) {
                                    specs.stream()
                                            .filter(s -> s.name().equals(name))
                                            .forEach(existing::add);
                                } else {
                                    throw new PlatformException(
                                            "cannot create topic "
                                                    + name
                                                    + ": "
                                                    + e.getCause().getMessage(),
                                            e);
                                }
                            } catch (TimeoutException e) {
                                throw new PlatformException(
                                        "creating topic " + name + " timed out", e);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new PlatformException(
                                        "interrupted creating topic " + name, e);
                            }
                        });
        alignConfigs(existing);
        return created;
    }

    /**
     * Sets the declared config of topics that already existed (created by an older version, or by
     * hand), so they behave as the pipeline expects; other settings are left alone.
     */
    private void alignConfigs(List<TopicSpec<?>> existing) {
        Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
        for (TopicSpec<?> spec : existing) {
            if (spec.config().isEmpty()) {
                continue;
            }
            List<AlterConfigOp> set = new ArrayList<>();
            spec.config()
                    .forEach(
                            (k, v) ->
                                    set.add(
                                            new AlterConfigOp(
                                                    new ConfigEntry(k, v),
                                                    AlterConfigOp.OpType.SET)));
            ops.put(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()), set);
        }
        if (ops.isEmpty()) {
            return;
        }
        try {
            admin.incrementalAlterConfigs(ops).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new PlatformException(
                    "cannot set the config of existing topics " + ops.keySet() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlatformException("interrupted setting topic configs", e);
        }
    }

    /** Topic name, partitions and messages held (end minus start offsets), sorted by name. */
    public record TopicInfo(String name, int partitions, long messages) {}

    public List<TopicInfo> describe() {
        try {
            Set<String> names = admin.listTopics().names().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<String, TopicDescription> descriptions =
                    admin.describeTopics(names)
                            .allTopicNames()
                            .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            descriptions
                    .values()
                    .forEach(
                            d ->
                                    d.partitions()
                                            .forEach(
                                                    p -> {
                                                        TopicPartition tp =
                                                                new TopicPartition(
                                                                        d.name(), p.partition());
                                                        earliest.put(tp, OffsetSpec.earliest());
                                                        latest.put(tp, OffsetSpec.latest());
                                                    }));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
                    admin.listOffsets(earliest).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<String, long[]> counts = new TreeMap<>();
            ends.forEach(
                    (tp, end) ->
                            counts.computeIfAbsent(tp.topic(), t -> new long[1])[0] +=
                                    end.offset() - starts.get(tp).offset());
            List<TopicInfo> out = new ArrayList<>();
            counts.forEach(
                    (name, n) ->
                            out.add(
                                    new TopicInfo(
                                            name,
                                            descriptions.get(name).partitions().size(),
                                            n[0])));
            return out;
        } catch (ExecutionException | TimeoutException e) {
            throw new PlatformException(
                    "cannot list topics on " + bootstrap + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlatformException("interrupted listing topics", e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
