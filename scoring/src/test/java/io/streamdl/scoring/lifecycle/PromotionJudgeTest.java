package io.streamdl.scoring.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.Score;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromotionJudgeTest {
    private static final LifecycleSettings SETTINGS = new LifecycleSettings(10, 0.05, 0.25, 10);

    /** Records decisions as text with their numbers. */
    static final class Decided implements PromotionJudge.Decisions {
        final List<String> what = new ArrayList<>();
        final List<Map<String, Double>> numbers = new ArrayList<>();

        @Override
        public void promote(String model, long candidate, long served, Map<String, Double> m) {
            what.add("promote " + candidate + " over " + served);
            numbers.add(m);
        }

        @Override
        public void refuse(String model, long candidate, long served, Map<String, Double> m) {
            what.add("refuse " + candidate + " for " + served);
            numbers.add(m);
        }

        @Override
        public void rollBack(String model, long promoted, long previous, Map<String, Double> m) {
            what.add("roll back " + promoted + " to " + previous);
            numbers.add(m);
        }
    }

    static Score score(String id, long version, String label, double value) {
        return Score.newBuilder()
                .setEventId(id)
                .setModel("image")
                .setModelVersion(version)
                .setLabel(label)
                .setScore(value)
                .setEventTs(0)
                .setScoredTs(0)
                .build();
    }

    static ModelEvent event(String kind, long version, Long from, Map<String, Double> metrics) {
        return ModelEvents.of("image", kind, version, from, "test", metrics, "test", 0);
    }

    @Test
    void aCandidateAsGoodAsTheServedVersionIsPromotedOnPairedLabelledEvents() {
        Decided d = new Decided();
        PromotionJudge judge = new PromotionJudge(SETTINGS, d);
        judge.onEvent(event(ModelEvents.SHADOW, 2, 1L, Map.of()));
        for (int i = 0; i < 10; i++) {
            String id = "e" + i;
            // the label comes first for some events, last for others
            if (i % 2 == 0) {
                judge.onLabel(id, "a");
            }
            judge.onScore(score(id, 1, i < 8 ? "a" : "b", 0), false);
            judge.onScore(score(id, 2, i < 9 ? "a" : "b", 0), true);
            if (i % 2 == 1) {
                judge.onLabel(id, "a");
            }
            if (i < 9) {
                assertThat(d.what).isEmpty();
            }
        }
        assertThat(d.what).containsExactly("promote 2 over 1");
        assertThat(d.numbers.get(0))
                .containsEntry("servingAccuracy", 0.8)
                .containsEntry("candidateAccuracy", 0.9)
                .containsEntry("pairs", 10.0);
        assertThat(judge.candidate("image")).isEqualTo(-1);
        assertThat(judge.watched("image")).isEqualTo(2);
    }

    @Test
    void aWorseCandidateIsRefusedAndEventsScoredByOneVersionOnlyDoNotCount() {
        Decided d = new Decided();
        PromotionJudge judge = new PromotionJudge(SETTINGS, d);
        judge.onEvent(event(ModelEvents.SHADOW, 2, 1L, Map.of()));
        for (int i = 0; i < 30; i++) {
            judge.onScore(score("only-served-" + i, 1, "a", 0), false);
            judge.onLabel("only-served-" + i, "a");
        }
        assertThat(judge.pairs("image")).isZero();
        for (int i = 0; i < 10; i++) {
            judge.onScore(score("e" + i, 1, "a", 0), false);
            judge.onScore(score("e" + i, 2, i < 9 ? "b" : "a", 0), true);
            judge.onLabel("e" + i, "a");
        }
        assertThat(d.what).containsExactly("refuse 2 for 1");
        assertThat(d.numbers.get(0)).containsEntry("candidateAccuracy", 0.1);
        assertThat(judge.watched("image")).isEqualTo(-1);
    }

    @Test
    void asACanaryEachVersionIsJudgedOnItsOwnLabelledScores() {
        Decided d = new Decided();
        PromotionJudge judge = new PromotionJudge(SETTINGS, d);
        judge.onEvent(event(ModelEvents.CANARY, 2, 1L, Map.of()));
        // the served version's share: 30 events, 27 right
        for (int i = 0; i < 30; i++) {
            judge.onScore(score("s" + i, 1, i < 27 ? "a" : "b", 0), false);
            judge.onLabel("s" + i, "a");
        }
        assertThat(d.what).as("the candidate has no labelled score yet").isEmpty();
        // the candidate's share: 10 events, 4 right
        for (int i = 0; i < 10; i++) {
            judge.onLabel("c" + i, "a");
            judge.onScore(score("c" + i, 2, i < 4 ? "a" : "b", 0), false);
        }
        assertThat(d.what).containsExactly("refuse 2 for 1");
        assertThat(d.numbers.get(0))
                .containsEntry("servingAccuracy", 0.9)
                .containsEntry("candidateAccuracy", 0.4)
                .containsEntry("pairs", 10.0)
                .containsEntry("servingEvents", 30.0);
    }

    @Test
    void withoutLabelsTheMeanErrorDecides() {
        Decided d = new Decided();
        PromotionJudge judge = new PromotionJudge(SETTINGS, d);
        judge.onEvent(event(ModelEvents.SHADOW, 5, 4L, Map.of()));
        for (int i = 0; i < 10; i++) {
            judge.onScore(score("e" + i, 4, null, 1.0), false);
            judge.onScore(score("e" + i, 5, null, 1.2), true);
        }
        assertThat(d.what).containsExactly("refuse 5 for 4");
        assertThat(d.numbers.get(0)).containsEntry("servingMeanError", 1.0);
        assertThat(d.numbers.get(0).get("candidateMeanError"))
                .isCloseTo(1.2, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void aPromotedVersionWhoseLiveAccuracyDropsIsRolledBackOnce() {
        Decided d = new Decided();
        PromotionJudge judge = new PromotionJudge(SETTINGS, d);
        // replayed from models.events: promoted with accuracy 0.9 over version 1
        judge.onEvent(event(ModelEvents.PROMOTED, 2, 1L, Map.of("candidateAccuracy", 0.9)));
        for (int i = 0; i < 10; i++) {
            judge.onScore(score("good" + i, 2, "a", 0), false);
            judge.onLabel("good" + i, "a");
        }
        assertThat(d.what).isEmpty();
        // 10 right, then wrong ones: the window of 10 falls to 0.7, then to 0.6 < 0.9 - 0.25
        for (int i = 0; i < 3; i++) {
            judge.onScore(score("bad" + i, 2, "a", 0), false);
            judge.onLabel("bad" + i, "b");
        }
        assertThat(d.what).as("0.7 is not below 0.9 - 0.25").isEmpty();
        judge.onScore(score("bad3", 2, "a", 0), false);
        judge.onLabel("bad3", "b");
        assertThat(d.what).containsExactly("roll back 2 to 1");
        assertThat(d.numbers.get(0)).containsEntry("liveAccuracy", 0.6);
        for (int i = 4; i < 20; i++) {
            judge.onScore(score("bad" + i, 2, "a", 0), false);
            judge.onLabel("bad" + i, "b");
        }
        assertThat(d.what).hasSize(1);
    }

    @Test
    void decisionsComingBackAsEventsAreNotTakenTwice() {
        Decided d = new Decided();
        PromotionJudge judge = new PromotionJudge(SETTINGS, d);
        judge.onEvent(event(ModelEvents.SHADOW, 2, 1L, Map.of()));
        for (int i = 0; i < 10; i++) {
            judge.onScore(score("e" + i, 1, "a", 0), false);
            judge.onScore(score("e" + i, 2, "a", 0), true);
            judge.onLabel("e" + i, "a");
        }
        judge.onEvent(event(ModelEvents.SHADOW, 2, 1L, Map.of()));
        assertThat(judge.candidate("image")).isEqualTo(2);
        // the echo of the promotion ends the trial the SHADOW echo started again
        judge.onEvent(event(ModelEvents.PROMOTED, 2, 1L, Map.of("candidateAccuracy", 1.0)));
        assertThat(judge.candidate("image")).isEqualTo(-1);
        assertThat(judge.watched("image")).isEqualTo(2);
        assertThat(d.what).containsExactly("promote 2 over 1");
    }
}
