package io.streamdl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class GroupLagTest {
    private static final TopicPartition IMAGE_0 = new TopicPartition("scores.image", 0);
    private static final TopicPartition IMAGE_1 = new TopicPartition("scores.image", 1);
    private static final TopicPartition DLQ_0 = new TopicPartition("dlq", 0);
    private static final TopicPartition REPARTITION_0 =
            new TopicPartition("app-scores-by-version-1000-repartition", 0);

    @Test
    void inputsAndTheAppsOwnTopicsAreCountedApart() {
        GroupLag.Sample s =
                GroupLag.of(
                        7,
                        "app",
                        Set.of(IMAGE_0, IMAGE_1, DLQ_0, REPARTITION_0),
                        Map.of(IMAGE_0, 100L, IMAGE_1, 50L, DLQ_0, 3L, REPARTITION_0, 40L),
                        Map.of(IMAGE_0, 90L, DLQ_0, 3L, REPARTITION_0, 10L));
        // nothing committed on scores.image-1: all of it is lag
        assertThat(s.input()).isEqualTo(10 + 50);
        assertThat(s.inputByTopic())
                .containsExactly(Map.entry("dlq", 0L), Map.entry("scores.image", 60L));
        assertThat(s.endByTopic()).containsEntry("scores.image", 150L);
        assertThat(s.internal()).isEqualTo(30);
        assertThat(s.internalPartitions()).isEqualTo(1);
        assertThat(s.drained()).isFalse();
    }

    @Test
    void drainedAllowsOneTransactionMarkerPerInternalPartitionButNoInputLag() {
        Set<TopicPartition> assigned = Set.of(IMAGE_0, REPARTITION_0);
        Map<TopicPartition, Long> ends = Map.of(IMAGE_0, 100L, REPARTITION_0, 41L);
        assertThat(
                        GroupLag.of(
                                        0,
                                        "app",
                                        assigned,
                                        ends,
                                        Map.of(IMAGE_0, 100L, REPARTITION_0, 40L))
                                .drained())
                .isTrue();
        assertThat(
                        GroupLag.of(
                                        0,
                                        "app",
                                        assigned,
                                        ends,
                                        Map.of(IMAGE_0, 99L, REPARTITION_0, 41L))
                                .drained())
                .isFalse();
        assertThat(
                        GroupLag.of(
                                        0,
                                        "app",
                                        assigned,
                                        ends,
                                        Map.of(IMAGE_0, 100L, REPARTITION_0, 39L))
                                .drained())
                .isFalse();
        // a committed offset past the end (the end read first) is no negative lag
        assertThat(
                        GroupLag.of(
                                        0,
                                        "app",
                                        assigned,
                                        ends,
                                        Map.of(IMAGE_0, 105L, REPARTITION_0, 41L))
                                .input())
                .isZero();
    }

    @Test
    void onlyTopicsNamedAfterTheApplicationIdAreInternal() {
        assertThat(GroupLag.isInternal("app", "app-x-repartition")).isTrue();
        assertThat(GroupLag.isInternal("app", "apple")).isFalse();
        assertThat(GroupLag.isInternal("app", "scores.app")).isFalse();
    }
}
