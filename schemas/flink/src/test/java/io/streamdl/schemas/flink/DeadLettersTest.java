package io.streamdl.schemas.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.schemas.avro.DeadLetter;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
    @Test
    void aValueTooLargeForTheDeadLetterTopicIsLeftOutAndSaidSo() {
        RawRecord big = record(new byte[DeadLetters.MAX_VALUE_BYTES + 1]);
        DeadLetter d = DeadLetters.of(big, "verify-model", "CHECKSUM_MISMATCH", "bad", 1);
        assertThat(d.getValue()).isNull();
        assertThat(d.getMessage()).startsWith("bad (its 921601-byte value is left out");
        assertThat(d.getOffset()).isEqualTo(7);

        DeadLetter small = DeadLetters.of(record(new byte[3]), "s", "R", "m", 1);
        assertThat(small.getValue().remaining()).isEqualTo(3);
        assertThat(small.getMessage()).isEqualTo("m");
    }

    private static RawRecord record(byte[] value) {
        RawRecord r = new RawRecord();
        r.topic = "models.image";
        r.partition = 0;
        r.offset = 7;
        r.value = value;
        return r;
    }
}
