package io.streamdl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.avro.Score;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class DashboardTrafficTest {
    @Test
    void theMixIsAboutOnePercentDeadLettersAndLabelsForHalfTheImageScoresMostlyMatching() {
        DashboardTraffic t = new DashboardTraffic(1, 0);
        Map<String, Score> scores = new HashMap<>();
        int labels = 0;
        int matching = 0;
        for (int i = 0; i < 100_000; i++) {
            long now = i; // 1 ms apart: labels come 1,000 events later
            for (DashboardTraffic.Out o : t.next(now)) {
                if (o.value() instanceof Score s) {
                    assertThat(o.topic()).isEqualTo("scores." + s.getModel());
                    assertThat(o.key()).isEqualTo(s.getEventId().toString());
                    assertThat(s.getScoredTs()).isEqualTo(now);
                    assertThat(s.getEventTs()).isLessThanOrEqualTo(now);
                    scores.put(o.key(), s);
                } else if (o.value() instanceof Label l) {
                    Score s = scores.get(l.getEventId().toString());
                    assertThat(s.getModel().toString()).isEqualTo("image");
                    assertThat(l.getTs())
                            .isEqualTo(s.getScoredTs() + DashboardTraffic.LABEL_DELAY_MILLIS);
                    assertThat(l.getTs()).isLessThanOrEqualTo(now);
                    labels++;
                    matching += l.getLabel().toString().equals(s.getLabel().toString()) ? 1 : 0;
                } else {
                    assertThat(o.topic()).isEqualTo("dlq");
                }
            }
        }
        assertThat(matching / (double) labels).isCloseTo(0.9, within(0.01));
        labels += t.pendingLabels(100_000).size();
        assertThat(t.events()).isEqualTo(100_000);
        assertThat(t.scores() + t.deadLetters()).isEqualTo(100_000);
        assertThat(t.deadLetters() / 100_000.0).isCloseTo(0.01, within(0.002));
        assertThat(t.scoresByTopic().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(t.scores());
        long images = t.scoresByTopic().get("scores.image");
        assertThat(images / (double) t.scores()).isCloseTo(0.5, within(0.01));
        assertThat(labels).isEqualTo(t.labels());
        assertThat(labels / (double) images).isCloseTo(0.5, within(0.01));
        assertThat(t.labelsMatching() / (double) labels).isCloseTo(0.9, within(0.01));
    }

    @Test
    void versionsGoUpEveryPeriodWithThePreviousOneServingSomeScoresAtFirst() {
        DashboardTraffic.Model image =
                new DashboardTraffic.Model("image", List.of("a", "b"), 1, 40_000);
        DashboardTraffic t = new DashboardTraffic(List.of(image), 3, 1_000_000);
        assertThat(t.version(image, 1_000_000)).isEqualTo(1);
        assertThat(t.version(image, 1_039_999)).isEqualTo(1);
        Set<Long> canary = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            canary.add(t.version(image, 1_040_000 + i));
        }
        assertThat(canary).containsExactlyInAnyOrder(1L, 2L);
        assertThat(t.version(image, 1_040_000 + DashboardTraffic.CANARY_MILLIS)).isEqualTo(2);
    }

    @Test
    void theFlushVersionsReachEveryPartitionOfEachCount() {
        List<Long> versions = DashboardTraffic.flushVersions(List.of(2, 3, 2));
        for (int n : List.of(2, 3)) {
            Set<Integer> partitions = new HashSet<>();
            for (long v : versions) {
                byte[] key =
                        (DashboardTraffic.FLUSH_MODEL + "@" + v).getBytes(StandardCharsets.UTF_8);
                partitions.add(Utils.toPositive(Utils.murmur2(key)) % n);
            }
            assertThat(partitions).hasSize(n);
        }
        assertThat(versions.size()).isLessThanOrEqualTo(5);
        assertThat(DashboardTraffic.flushScore(4, 99).getModel().toString())
                .isEqualTo(DashboardTraffic.FLUSH_MODEL);
    }
}
