package io.streamdl.ops.web;

import io.streamdl.schemas.security.KafkaClientSecurity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer lag per group and topic (the committed-to-readable distance, read_committed end offsets
 * less each group's committed offsets, summed over partitions) and each topic's end offset, read
 * with the admin client at most every {@link #REFRESH_MS}; a scrape between refreshes gets the last
 * numbers, and a failed refresh keeps them (with {@code streamdl_kafka_lag_up 0}). Every group's
 * offsets are asked for in one request.
 */
public final class KafkaLag implements AutoCloseable {
    static final long REFRESH_MS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaLag.class);

    private final Admin admin;
    private long refreshedAt;
    private boolean up;
    private Map<String, Long> ends = Map.of();
    private Map<List<String>, Long> lags = Map.of();

    public KafkaLag(String bootstrap) {
        this(bootstrap, KafkaClientSecurity.PLAINTEXT);
    }

    /** Lag read with an admin client authenticating as {@code security}'s principal. */
    public KafkaLag(String bootstrap, KafkaClientSecurity security) {
        Properties p = security.applyTo(new Properties());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "streamdl-web-lag");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        admin = Admin.create(p);
    }

    synchronized void write(PrometheusText out) {
        long now = System.currentTimeMillis();
        if (now - refreshedAt >= REFRESH_MS) {
            refreshedAt = now;
            try {
                refresh();
                up = true;
            } catch (Exception e) {
                up = false;
                LOG.debug("consumer lag not read: {}", e.toString());
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        PrometheusText.Family end =
                out.family(
                        "streamdl_topic_end_offset",
                        "gauge",
                        "records written to a topic: its end offsets summed (transaction markers"
                                + " included)");
        ends.forEach((topic, n) -> end.sample(Map.of("topic", topic), n));
        PrometheusText.Family lag =
                out.family(
                        "streamdl_consumer_lag",
                        "gauge",
                        "records a consumer group has yet to commit, per topic");
        lags.forEach((k, n) -> lag.sample(Map.of("group", k.get(0), "topic", k.get(1)), n));
        out.family("streamdl_kafka_lag_up", "gauge", "whether the last lag refresh succeeded")
                .sample(up ? 1 : 0);
    }

    private void refresh() throws Exception {
        Set<String> topics = admin.listTopics().names().get(5, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicDescription d :
                admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS).values()) {
            if (d.name().startsWith("_")) {
                continue;
            }
            d.partitions()
                    .forEach(
                            p ->
                                    latest.put(
                                            new TopicPartition(d.name(), p.partition()),
                                            OffsetSpec.latest()));
        }
        Map<TopicPartition, Long> endOffsets = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all()
                .get(5, TimeUnit.SECONDS)
                .forEach((tp, info) -> endOffsets.put(tp, info.offset()));
        Map<String, Long> newEnds = new TreeMap<>();
        endOffsets.forEach((tp, n) -> newEnds.merge(tp.topic(), n, Long::sum));
        Map<List<String>, Long> newLags = new TreeMap<>(KafkaLag::compare);
        List<String> groups = new ArrayList<>();
        for (ConsumerGroupListing g : admin.listConsumerGroups().all().get(5, TimeUnit.SECONDS)) {
            groups.add(g.groupId());
        }
        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed =
                specs.isEmpty()
                        ? Map.of()
                        : admin.listConsumerGroupOffsets(specs).all().get(5, TimeUnit.SECONDS);
        committed.forEach(
                (group, offsets) ->
                        offsets.forEach(
                                (tp, at) -> {
                                    Long endOffset = endOffsets.get(tp);
                                    if (at != null && endOffset != null) {
                                        newLags.merge(
                                                List.of(group, tp.topic()),
                                                Math.max(0, endOffset - at.offset()),
                                                Long::sum);
                                    }
                                }));
        ends = newEnds;
        lags = newLags;
    }

    private static int compare(List<String> a, List<String> b) {
        int c = a.get(0).compareTo(b.get(0));
        return c != 0 ? c : a.get(1).compareTo(b.get(1));
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(5));
    }
}
