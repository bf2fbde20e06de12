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
 * partitions. Mutable; {@link #SERDE} writes it to the window store (format 2: a byte, then the
 * histogram's own encoding, whose counts are already run-length and variable-length coded; format
 * 1, the same deflated, is still read). The store takes a window out and back for every score, and
 * deflating it each time was the aggregates' largest cost under load.
 */
final class LatencyWindow {
    static final byte FORMAT = 2;
    static final byte FORMAT_DEFLATED = 1;

    /** The stream thread's encoding buffer, grown as needed and never shared across threads. */
    private static final ThreadLocal<ByteBuffer[]> BUFFER =
            ThreadLocal.withInitial(() -> new ByteBuffer[] {ByteBuffer.allocate(1 << 12)});

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
                ByteBuffer[] holder = BUFFER.get();
                int needed = 1 + w.histogram.getNeededByteBufferCapacity();
                if (holder[0].capacity() < needed) {
                    holder[0] = ByteBuffer.allocate(needed);
                }
                ByteBuffer buffer = holder[0];
                buffer.clear();
                buffer.put(FORMAT);
                w.histogram.encodeIntoByteBuffer(buffer);
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
                if (bytes.length < 1 || (bytes[0] != FORMAT && bytes[0] != FORMAT_DEFLATED)) {
                    throw new SerializationException("unknown latency window format");
                }
                ByteBuffer body = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
                try {
                    return new LatencyWindow(
                            bytes[0] == FORMAT
                                    ? Histogram.decodeFromByteBuffer(body, 0)
                                    : Histogram.decodeFromCompressedByteBuffer(body, 0));
                } catch (java.util.zip.DataFormatException | RuntimeException e) {
                    throw new SerializationException("corrupt latency window", e);
                }
            };
        }
    }
}
