package io.streamdl.bench;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The lag of a Kafka Streams app's consumer group (its application id): for each partition its
 * members are assigned, the end offset minus the committed offset (none committed: the whole
 * partition). Split into the app's inputs (topics it does not own) and its internal topics ({@code
 * <application id>-...-repartition}), which it writes itself and reads back: the inputs at 0 means
 * every input record went through the first sub-topology; the internal topics at (about) 0 as well
 * means every record was aggregated.
 *
 * <p>The internal topics are written in transactions (exactly-once), and a transaction's commit
 * marker takes an offset that no consumer ever commits past until it reads a later record, so a
 * drained internal partition can show a lag of 1: {@link Sample#drained()} allows that.
 */
final class GroupLag implements AutoCloseable {
    /** One measurement; the maps are by topic. */
    record Sample(
            long atNanos,
            long input,
            long internal,
            int internalPartitions,
            Map<String, Long> inputByTopic,
            Map<String, Long> endByTopic) {
        /** Nothing left to read but (at most) one commit marker per internal partition. */
        boolean drained() {
            return input == 0 && internal <= internalPartitions;
        }
    }

    private final Admin admin;
    private final String group;
    private Set<TopicPartition> assigned = Set.of();

    GroupLag(String bootstrapServers, String group) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.admin = Admin.create(p);
        this.group = group;
    }

    /**
     * The group's lag now, over the partitions its members hold; during a rebalance (no member
     * holds any), over those they held last.
     */
    Sample sample() throws InterruptedException, ExecutionException {
        ConsumerGroupDescription description =
                admin.describeConsumerGroups(java.util.List.of(group))
                        .describedGroups()
                        .get(group)
                        .get();
        Set<TopicPartition> now = new HashSet<>();
        for (MemberDescription m : description.members()) {
            now.addAll(m.assignment().topicPartitions());
        }
        if (!now.isEmpty()) {
            assigned = Set.copyOf(now);
        }
        if (assigned.isEmpty()) {
            throw new IllegalStateException("group " + group + " holds no partitions yet");
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        assigned.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        Map<TopicPartition, Long> committed = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> offsets =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        offsets.forEach(
                (tp, o) -> {
                    if (o != null) {
                        committed.put(tp, o.offset());
                    }
                });
        return of(System.nanoTime(), group, assigned, ends, committed);
    }

    /** The lag of {@code group} from these offsets; a partition without an end offset is 0. */
    static Sample of(
            long atNanos,
            String group,
            Set<TopicPartition> assigned,
            Map<TopicPartition, Long> ends,
            Map<TopicPartition, Long> committed) {
        long input = 0;
        long internal = 0;
        int internalPartitions = 0;
        Map<String, Long> inputByTopic = new TreeMap<>();
        Map<String, Long> endByTopic = new TreeMap<>();
        for (TopicPartition tp : assigned) {
            long end = ends.getOrDefault(tp, 0L);
            long lag = Math.max(0, end - committed.getOrDefault(tp, 0L));
            if (isInternal(group, tp.topic())) {
                internal += lag;
                internalPartitions++;
            } else {
                input += lag;
                inputByTopic.merge(tp.topic(), lag, Long::sum);
                endByTopic.merge(tp.topic(), end, Long::sum);
            }
        }
        return new Sample(atNanos, input, internal, internalPartitions, inputByTopic, endByTopic);
    }

    /** Partitions per topic of those the group's members held at the last {@link #sample()}. */
    Map<String, Integer> partitionsByTopic() {
        Map<String, Integer> out = new TreeMap<>();
        assigned.forEach(tp -> out.merge(tp.topic(), 1, Integer::sum));
        return out;
    }

    /** A topic Kafka Streams made for the app: named after its application id. */
    static boolean isInternal(String group, String topic) {
        return topic.startsWith(group + "-");
    }

    @Override
    public void close() {
        admin.close();
    }
}
