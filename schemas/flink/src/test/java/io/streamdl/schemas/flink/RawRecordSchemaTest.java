package io.streamdl.schemas.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class RawRecordSchemaTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aHeaderNamesAModelOnlyAsAWholeEntry() {
        assertThat(RawRecordSchema.names(b("image"), "image")).isTrue();
        assertThat(RawRecordSchema.names(b("anomaly,image"), "image")).isTrue();
        assertThat(RawRecordSchema.names(b("image,anomaly"), "anomaly")).isTrue();
        assertThat(RawRecordSchema.names(b("images,anomaly"), "image")).isFalse();
        assertThat(RawRecordSchema.names(b("imag"), "image")).isFalse();
        assertThat(RawRecordSchema.names(b(""), "image")).isFalse();
        assertThat(RawRecordSchema.names(null, "image")).isFalse();
    }

    @Test
    void onlyRecordsScoredByTheModelAreLeftOut() throws Exception {
        RawRecordSchema schema = new RawRecordSchema("image");
        List<RawRecord> out = new ArrayList<>();
        Collector<RawRecord> collector =
                new Collector<>() {
                    @Override
                    public void collect(RawRecord r) {
                        out.add(r);
                    }

                    @Override
                    public void close() {}
                };
        ConsumerRecord<byte[], byte[]> ours =
                new ConsumerRecord<>("features.image", 0, 1, b("a"), b("x"));
        ours.headers().add(RawRecordSchema.SCORED_BY, b("image,anomaly"));
        ConsumerRecord<byte[], byte[]> forAnother =
                new ConsumerRecord<>("features.image", 0, 2, b("b"), b("y"));
        forAnother.headers().add(RawRecordSchema.SCORED_BY, b("anomaly"));
        ConsumerRecord<byte[], byte[]> foreign =
                new ConsumerRecord<>("features.image", 0, 3, b("c"), b("z"));
        schema.deserialize(ours, collector);
        schema.deserialize(forAnother, collector);
        schema.deserialize(foreign, collector);
        assertThat(out).extracting(r -> r.offset).containsExactly(2L, 3L);
        List<RawRecord> all = new ArrayList<>();
        new RawRecordSchema()
                .deserialize(
                        ours,
                        new Collector<>() {
                            @Override
                            public void collect(RawRecord r) {
                                all.add(r);
                            }

                            @Override
                            public void close() {}
                        });
        assertThat(all).as("without a model, nothing is left out").hasSize(1);
    }
}
