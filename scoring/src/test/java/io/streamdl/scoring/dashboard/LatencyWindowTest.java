package io.streamdl.scoring.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class LatencyWindowTest {
    @Test
    void aWindowComesBackFromTheStoreWithItsPercentiles() {
        LatencyWindow w = new LatencyWindow();
        Random r = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            w.add((long) Math.abs(r.nextGaussian() * 40) + (i % 1000 == 0 ? 5_000 : 0));
        }
        byte[] bytes = LatencyWindow.SERDE.serializer().serialize("t", w);
        assertThat(bytes[0]).isEqualTo(LatencyWindow.FORMAT);
        LatencyWindow back = LatencyWindow.SERDE.deserializer().deserialize("t", bytes);
        assertThat(back.count()).isEqualTo(10_000);
        for (double p : new double[] {50, 95, 99, 99.9}) {
            assertThat(back.percentile(p)).isEqualTo(w.percentile(p));
        }
        assertThat(back.max()).isEqualTo(w.max());
        // the encoding of the first format, deflated, is still read
        Histogram h = new Histogram(3);
        h.recordValue(7);
        h.recordValue(70);
        ByteBuffer old = ByteBuffer.allocate(1 + h.getNeededByteBufferCapacity());
        old.put(LatencyWindow.FORMAT_DEFLATED);
        h.encodeIntoCompressedByteBuffer(old);
        byte[] formatOne = java.util.Arrays.copyOf(old.array(), old.position());
        LatencyWindow fromOld = LatencyWindow.SERDE.deserializer().deserialize("t", formatOne);
        assertThat(fromOld.count()).isEqualTo(2);
        assertThat(fromOld.max()).isEqualTo(70);
    }

    @Test
    void corruptOrUnknownBytesAreASerializationError() {
        byte[] bytes = LatencyWindow.SERDE.serializer().serialize("t", new LatencyWindow().add(3));
        byte[] truncated = java.util.Arrays.copyOf(bytes, 5);
        assertThatThrownBy(() -> LatencyWindow.SERDE.deserializer().deserialize("t", truncated))
                .isInstanceOf(SerializationException.class);
        assertThatThrownBy(
                        () -> LatencyWindow.SERDE.deserializer().deserialize("t", new byte[] {9}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown");
    }
}
