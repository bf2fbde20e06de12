package io.streamdl.ops.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamdl.schemas.avro.Anomaly;
import io.streamdl.schemas.avro.DashboardMetric;
import io.streamdl.schemas.topics.DeadLetterRecords;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the page and /metrics are told, from the records of the three topics. */
class DashboardStateTest {
    private final DashboardState state = new DashboardState(60_000, List.of(1000L, 10_000L));

    /** Window times near now: the history keeps what is recent by the wall clock. */
    private static final long T = System.currentTimeMillis() / 10_000 * 10_000 - 20_000;

    private static DashboardMetric metric(
            String name, String model, Long version, long start, long end, long count, double v) {
        return DashboardMetric.newBuilder()
                .setMetric(name)
                .setModel(model)
                .setModelVersion(version)
                .setWindowStart(T + start)
                .setWindowEnd(T + end)
                .setCount(count)
                .setValue(v)
                .setTs(T + end)
                .build();
    }

    @Test
    void servingIsTheVersionOfTheLatestWindowAndCountsComeFromTheSmallestWindow() {
        assertThat(state.metric(metric("throughput", "image", 3L, 0, 1000, 40, 40))).isNotNull();
        state.metric(metric("throughput", "image", 3L, 1000, 2000, 10, 10));
        state.metric(metric("throughput", "image", 4L, 1000, 2000, 30, 30)); // swap mid-window
        // the 10 s window is not charted and not counted again
        assertThat(state.metric(metric("throughput", "image", 3L, 0, 10_000, 50, 5))).isNull();
        state.metric(metric("model_version", "image", 3L, 900, 900, 100, 5));
        state.metric(metric("update_held_back_regression", "image", 4L, 0, 950, 2, 0.4));
        state.metric(metric("drift", "image", 4L, 0, 960, 1, 9));
        state.metric(metric("accuracy", "image", 4L, 0, 10_000, 20, 0.85));
        state.metric(metric("prequential_accuracy", "image", 4L, 0, 990, 200, 0.9));
        Map<String, DashboardState.ModelRow> rows = state.models();
        DashboardState.ModelRow image = rows.get("image");
        assertThat(image.serving).isEqualTo(4);
        assertThat(image.published).isEqualTo(5);
        assertThat(image.scores).isEqualTo(80);
        assertThat(image.heldBackRegression).isEqualTo(2);
        assertThat(image.drifts).isEqualTo(1);
        assertThat(image.servedAccuracy).isEqualTo(0.85);
        assertThat(image.prequential).isEqualTo(0.9);
        JsonNode row = state.tables().path("models").get(0);
        assertThat(row.path("serving").asLong()).isEqualTo(4);
        assertThat(row.path("heldBack").asLong()).isEqualTo(2);
        assertThat(state.history()).hasSize(8); // 3 throughput (1 s), 4 trainer records, accuracy
    }

    @Test
    void aWindowsLaterRevisionAddsOnlyWhatItAmendsAndStaleOrUnseenRevisionsAreIgnored() {
        state.metric(revised(metric("throughput", "image", 3L, 0, 1000, 40, 40), 0));
        state.metric(revised(metric("throughput", "image", 3L, 0, 1000, 55, 55), 1));
        state.metric(revised(metric("throughput", "image", 3L, 0, 1000, 50, 50), 1)); // stale
        state.metric(revised(metric("throughput", "image", 3L, 0, 1000, 40, 40), 0)); // again
        // an amendment of a window written before this page read the topic: not counted
        assertThat(state.metric(revised(metric("throughput", "image", 3L, 1000, 2000, 9, 9), 2)))
                .isNull();
        state.metric(revised(metric("accuracy", "image", 3L, 0, 10_000, 10, 0.5), 0));
        state.metric(revised(metric("accuracy", "image", 3L, 0, 10_000, 20, 0.75), 1));
        state.metric(revised(metric("latency_ms", "image", 3L, 10_000, 20_000, 5, 80), 0));
        // an older window's amendment does not replace the newest percentiles
        state.metric(revised(metric("latency_ms", "image", 3L, 0, 10_000, 9, 999), 1));
        DashboardState.ModelRow image = state.models().get("image");
        assertThat(image.scores).isEqualTo(55);
        assertThat(image.servedAccuracy).isEqualTo(0.75);
        assertThat(image.max).isEqualTo(80);
    }

    private static DashboardMetric revised(DashboardMetric m, int revision) {
        m.setRevision(revision);
        return m;
    }

    @Test
    void deadLettersAreCountedPerStageAndReasonWithTheLatestExamples() {
        for (int i = 0; i < 5; i++) {
            state.deadLetter(
                    DeadLetterRecords.of(
                            "events.raw",
                            0,
                            i,
                            null,
                            null,
                            "encode.image",
                            "CORRUPT_IMAGE",
                            "bad " + i,
                            i));
        }
        state.deadLetter(
                DeadLetterRecords.of(
                        "scores.x", 1, 9, null, null, "anomalies", "NON_FINITE_SCORE", "nan", 9));
        assertThat(state.deadLetterCounts())
                .containsEntry(List.of("encode.image", "CORRUPT_IMAGE"), 5L)
                .containsEntry(List.of("anomalies", "NON_FINITE_SCORE"), 1L);
        JsonNode letters = state.tables().path("deadLetters");
        JsonNode corrupt =
                letters.get(0).path("reason").asText().equals("CORRUPT_IMAGE")
                        ? letters.get(0)
                        : letters.get(1);
        assertThat(corrupt.path("examples")).hasSize(3); // the latest three, newest first
        assertThat(corrupt.path("examples").get(0).path("message").asText()).isEqualTo("bad 4");
        assertThat(state.tables().path("recentDeadLetters").get(0).path("reason").asText())
                .isEqualTo("NON_FINITE_SCORE");
    }

    @Test
    void oddRecordsAreBoundedAndKeptOutOfTheCharts() {
        // a far-future time is folded into the tables but not charted
        assertThat(
                        state.metric(
                                metric(
                                        "throughput",
                                        "image",
                                        1L,
                                        1_000_000_000,
                                        1_000_001_000,
                                        5,
                                        5)))
                .isNull();
        // a negative count counts as none; an accuracy window of two versions is weighted
        state.metric(metric("throughput", "image", 1L, 0, 1000, -7, -7));
        state.metric(metric("accuracy", "image", 1L, 0, 10_000, 30, 0.9));
        state.metric(metric("accuracy", "image", 2L, 0, 10_000, 10, 0.5));
        DashboardState.ModelRow image = state.models().get("image");
        assertThat(image.scores).isEqualTo(5);
        assertThat(image.servedAccuracy).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-9));
        // at most 200 models; a huge name is cut
        for (int i = 0; i < 300; i++) {
            state.metric(metric("throughput", "m" + i + "x".repeat(1000), 1L, 0, 1000, 1, 1));
        }
        assertThat(state.models()).hasSize(200);
        assertThat(state.models().keySet()).allSatisfy(k -> assertThat(k.length()).isLessThan(310));
        assertThat(state.tables().path("ignoredRecords").asLong()).isEqualTo(101);
        // what the aggregates could not decode is shown, and a failing reader does not break it
        state.skipped(() -> 4);
        assertThat(state.tables().path("undecodable").asLong()).isEqualTo(4);
        state.skipped(
                () -> {
                    throw new IllegalStateException("closed");
                });
        assertThat(state.tables().path("undecodable").asLong()).isEqualTo(-1);
    }

    @Test
    void anomaliesKeepTheNewestFirstAndMetricsWithoutAModelAreNotCharted() {
        state.anomaly(new Anomaly("e1", "metric", 2L, 9.0, 3.0, "cpu", 10L));
        state.anomaly(new Anomaly("e2", "metric", 2L, 8.0, 3.0, "mem", 20L));
        assertThat(state.tables().path("anomalies").get(0).path("series").asText())
                .isEqualTo("mem");
        assertThat(state.metric(metric("dead_letters", null, null, 0, 1000, 3, 3))).isNull();
        DashboardMetric recs = metric("recommendations", null, 4L, 0, 1000, 7, 7);
        recs.setLabel("content");
        state.metric(recs);
        assertThat(state.recommendationCounts()).containsEntry("content", 7L);
    }

    @Test
    void lifecycleEventsShowThePinTheCandidateAndTheLatestDecisions() {
        state.metric(metric("throughput", "image", 3L, 0, 1000, 40, 40));
        for (String[] e :
                new String[][] {
                    {"SERVING", "3"},
                    {"SHADOW", "4"},
                    {"REFUSED", "4"},
                    {"SHADOW", "5"},
                    {"PINNED", "3"}
                }) {
            state.lifecycle(
                    io.streamdl.scoring.lifecycle.ModelEvents.of(
                            "image", e[0], Long.parseLong(e[1]), 3L, "because", Map.of(), "t", T));
        }
        JsonNode row = state.tables().path("models").get(0);
        assertThat(row.path("pinned").asLong()).isEqualTo(3);
        assertThat(row.path("candidate").asLong()).isEqualTo(5);
        JsonNode recent = state.tables().path("lifecycle");
        assertThat(recent).hasSize(4); // SERVING reports are counted, not listed
        assertThat(recent.get(0).path("kind").asText()).isEqualTo("PINNED");
        LifecycleState.Row r = state.lifecycleRows().get("image");
        assertThat(r.kinds).containsEntry("SHADOW", 2L).containsEntry("SERVING", 1L);
        state.lifecycle(
                io.streamdl.scoring.lifecycle.ModelEvents.of(
                        "image", "UNPINNED", 3L, null, "", Map.of(), "t", T));
        state.lifecycle(
                io.streamdl.scoring.lifecycle.ModelEvents.of(
                        "image", "PROMOTED", 5L, 3L, "", Map.of(), "t", T));
        row = state.tables().path("models").get(0);
        assertThat(row.path("pinned").isNull()).isTrue();
        assertThat(row.path("candidate").isNull()).isTrue();
    }
}
