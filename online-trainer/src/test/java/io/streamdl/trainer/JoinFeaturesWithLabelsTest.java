package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Label;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

// the harnesses' close() declares InterruptedException
@SuppressWarnings("try")
class JoinFeaturesWithLabelsTest {
    private static final long HORIZON = 1000;
    private final TestingExamples examples = new TestingExamples(TestingExamples.TINY, 1);

    private static KeyedTwoInputStreamOperatorTestHarness<String, Features, Label, LabelledExample>
            harness(JoinFeaturesWithLabels join) throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(join),
                new TrainJob.FeaturesEventId(),
                new TrainJob.LabelEventId(),
                Types.STRING);
    }

    private StreamRecord<Features> features(String id) {
        return new StreamRecord<>(examples.features(id, 0));
    }

    private static StreamRecord<Label> label(String id, String label) {
        return new StreamRecord<>(TestingExamples.label(id, label, 5L));
    }

    @Test
    void aLabelThatArrivesFirstWaitsForItsFeatures() throws Exception {
        JoinFeaturesWithLabels join = new JoinFeaturesWithLabels(HORIZON);
        try (var h = harness(join)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement2(label("a", "vertical"));
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numKeyedStateEntries()).isPositive();

            h.setProcessingTime(400);
            h.processElement1(features("a"));
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            e -> {
                                assertThat(e.eventId).isEqualTo("a");
                                assertThat(e.label).isEqualTo("vertical");
                                assertThat(e.labelTs).isEqualTo(5L);
                                assertThat(e.features.getEventId()).isEqualTo("a");
                            });

            h.setProcessingTime(HORIZON);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
            assertThat(join.joinedCount()).isEqualTo(1);
            assertThat(join.unmatchedFeaturesCount()).isZero();
            assertThat(join.unmatchedLabelsCount()).isZero();
        }
    }

    @Test
    void featuresThatArriveFirstWaitForTheirLabel() throws Exception {
        JoinFeaturesWithLabels join = new JoinFeaturesWithLabels(HORIZON);
        try (var h = harness(join)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement1(features("b"));
            assertThat(h.extractOutputValues()).isEmpty();

            h.setProcessingTime(999);
            h.processElement2(label("b", "horizontal"));
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.eventId + "=" + e.label)
                    .containsExactly("b=horizontal");

            h.setProcessingTime(HORIZON);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(join.joinedCount()).isEqualTo(1);
        }
    }

    @Test
    void unmatchedRecordsExpireAtTheHorizonAndLeaveNoState() throws Exception {
        JoinFeaturesWithLabels join = new JoinFeaturesWithLabels(HORIZON);
        try (var h = harness(join)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement1(features("only-features"));
            h.setProcessingTime(500);
            h.processElement2(label("only-label", "vertical"));
            assertThat(h.numKeyedStateEntries()).isPositive();

            h.setProcessingTime(HORIZON);
            assertThat(join.unmatchedFeaturesCount()).isEqualTo(1);
            assertThat(join.unmatchedLabelsCount()).isZero();
            h.setProcessingTime(500 + HORIZON);
            assertThat(join.unmatchedLabelsCount()).isEqualTo(1);

            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();

            // a label after its features expired starts a new wait rather than joining
            h.processElement2(label("only-features", "horizontal"));
            h.setProcessingTime(500 + 2 * HORIZON);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(join.unmatchedLabelsCount()).isEqualTo(2);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void duplicatesAreCountedAndNeverJoinedTwice() throws Exception {
        JoinFeaturesWithLabels join = new JoinFeaturesWithLabels(HORIZON);
        try (var h = harness(join)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement1(features("d"));
            h.processElement1(features("d"));
            h.processElement2(label("d", "vertical"));
            h.processElement2(label("d", "horizontal"));
            h.processElement1(features("d"));
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.eventId + "=" + e.label)
                    .containsExactly("d=vertical");
            assertThat(join.duplicatesCount()).isEqualTo(3);

            h.setProcessingTime(HORIZON);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(join.unmatchedFeaturesCount()).isZero();
            assertThat(join.unmatchedLabelsCount()).isZero();
        }
    }

    @Test
    void waitingRecordsAndTheirDeadlinesSurviveARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(new JoinFeaturesWithLabels(HORIZON))) {
            h.open();
            h.setProcessingTime(0);
            h.processElement2(label("r", "vertical"));
            h.processElement1(features("lost"));
            snapshot = h.snapshot(1L, 1L);
        }
        JoinFeaturesWithLabels join = new JoinFeaturesWithLabels(HORIZON);
        try (var restored = harness(join)) {
            restored.initializeState(snapshot);
            restored.open();
            restored.setProcessingTime(100);
            restored.processElement1(features("r"));
            assertThat(restored.extractOutputValues())
                    .extracting(e -> e.eventId + "=" + e.label)
                    .containsExactly("r=vertical");
            restored.setProcessingTime(HORIZON);
            assertThat(join.unmatchedFeaturesCount()).isEqualTo(1);
            assertThat(restored.numKeyedStateEntries()).isZero();
        }
    }
}
