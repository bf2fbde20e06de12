package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.Label;
import io.streamdl.schemas.flink.RecordCheck;
import io.streamdl.schemas.flink.RecordCheck.Verdict;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrainInputChecksTest {
    private static final Set<String> OTHERS = Set.of("Sneaker", "Bag");

    @Test
    void labelsOfTheModelPassOthersAreSkippedAndLabelsOfNoModelAreRefused() {
        RecordCheck<Label> check = TrainInputChecks.labels(TestingExamples.TINY, OTHERS, true);
        assertThat(check.check(new Label("e1", "vertical", 1L))).isNull();
        Verdict other = check.check(new Label("e1", "Sneaker", 1L));
        assertThat(other.deadLetter()).isFalse();
        assertThat(other.reason()).isEqualTo("LABEL_OF_OTHER_MODEL");
        Verdict unknown = check.check(new Label("e1", "diagonal", 1L));
        assertThat(unknown.deadLetter()).isTrue();
        assertThat(unknown.reason()).isEqualTo("UNKNOWN_LABEL");
        assertThat(unknown.message()).contains("'diagonal'", "e1", "tiny");
        Verdict noId = check.check(new Label("", "vertical", 1L));
        assertThat(noId.reason()).isEqualTo("MISSING_EVENT_ID");
        assertThat(noId.deadLetter()).isTrue();

        // a trainer that does not report unknown labels only counts them: one dead letter per label
        RecordCheck<Label> quiet = TrainInputChecks.labels(TestingExamples.TINY, OTHERS, false);
        assertThat(quiet.check(new Label("e1", "diagonal", 1L)).deadLetter()).isFalse();
    }

    @Test
    void featuresAreCheckedWithTheModelsTensorViewAndTheCheckTravelsToTasks() throws Exception {
        RecordCheck<Features> check = roundTrip(TrainInputChecks.features(TestingExamples.TINY));
        Features good = new TestingExamples(TestingExamples.TINY, 1).features("e1", 0);
        assertThat(check.check(good)).isNull();
        ByteBuffer nan =
                ByteBuffer.allocate(good.getData().remaining()).order(ByteOrder.LITTLE_ENDIAN);
        nan.put(good.getData().duplicate()).flip();
        nan.putFloat(0, Float.POSITIVE_INFINITY);
        good.setData(nan);
        assertThat(check.check(good).reason()).isEqualTo("NON_FINITE_VALUE");
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }
}
