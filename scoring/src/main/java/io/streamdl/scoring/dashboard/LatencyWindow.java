package io.streamdl.scoring.dashboard;

import java.nio.ByteBuffer;
import org.HdrHistogram.Histogram;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One window's end-to-end latencies of one model version: an HDR histogram (3 significant digits,
 * so any percentile is within 0.1% of the exact one) of milliseconds from event time to score time.
 * Percentiles are read from the histogram of the whole window, never averaged across windows or
 * partitions. Mutable; {@link #SERDE} writes it to the window store (format 1: a byte, then the
 * histogram's compressed encoding).
 */
final class LatencyWindow {
    static final byte FORMAT = 1;
    static final Serde<LatencyWindow> SERDE = new WindowSerde();

    private final Histogram histogram;

    LatencyWindow() {
        this(new Histogram(3));
    }

    private LatencyWindow(Histogram histogram) {
        this.histogram = histogram;
        histogram.setAutoResize(true);
    }

    /** Adds one latency; a negative one (clocks apart) counts as 0. */
    LatencyWindow add(long millis) {
        histogram.recordValue(Math.max(0, millis));
        return this;
    }

    long count() {
        return histogram.getTotalCount();
    }

    double percentile(double p) {
        return histogram.getValueAtPercentile(p);
    }

    long max() {
        return histogram.getMaxValue();
    }

    private static final class WindowSerde implements Serde<LatencyWindow> {
        @Override
        public Serializer<LatencyWindow> serializer() {
            return (topic, w) -> {
                if (w == null) {
                    return null;
                }
                ByteBuffer buffer =
                        ByteBuffer.allocate(1 + w.histogram.getNeededByteBufferCapacity());
                buffer.put(FORMAT);
                w.histogram.encodeIntoCompressedByteBuffer(buffer);
                byte[] out = new byte[buffer.position()];
                buffer.flip();
                buffer.get(out);
                return out;
            };
        }

        @Override
        public Deserializer<LatencyWindow> deserializer() {
            return (topic, bytes) -> {
                if (bytes == null) {
                    return null;
                }
                if (bytes.length < 1 || bytes[0] != FORMAT) {
                    throw new SerializationException("unknown latency window format");
                }
                try {
                    return new LatencyWindow(
                            Histogram.decodeFromCompressedByteBuffer(
                                    ByteBuffer.wrap(bytes, 1, bytes.length - 1), 0));
                } catch (java.util.zip.DataFormatException e) {
                    throw new SerializationException("corrupt latency window", e);
                }
            };
        }
    }
}
