package io.streamdl.encoders.metric;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncodeException.Reason;
import io.streamdl.encoders.Tensors;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.MetricPayload;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Turns the observations of one metric series into sliding windows, without Flink: the caller keeps
 * one {@link State} per series (in keyed state) and passes it in with each observation.
 *
 * <p>Every accepted observation yields exactly one {@code Features} record: the last {@code window}
 * points of its series, newest last, shape {@code [window, channels]}, float32. A series younger
 * than the window is padded at the front with zeros and its mask (one byte per point, 1 = a real
 * point) says which points are real, so a score exists from the first point on. Each channel is
 * normalised by the mean and standard deviation of the window's history (its real points before the
 * newest), so the newest value reads as "standard deviations away from the recent past" whatever
 * the series' unit and level, and is clipped to [-clip, clip].
 *
 * <p>Refused, with the state left as it was: an empty series key ({@code MISSING_SERIES}), a NaN or
 * infinite value ({@code NON_FINITE_METRIC}), an observation older than the newest windowed one of
 * its series ({@code OUT_OF_ORDER}: the window would otherwise look into the past of a point
 * already scored; equal times are accepted), more channels than allowed or a change of the channel
 * count ({@code TOO_MANY_CHANNELS}, {@code METRIC_CHANNELS_CHANGED}). State per series is bounded:
 * {@code window x channels} floats plus a few counters.
 */
public final class MetricWindows implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String NAME = "metric";
    public static final String VERSION = "1";
    private static final int STATE_FORMAT = 1;
    private static final double MIN_STD = 1e-6;

    private final MetricEncoderConfig config;

    public MetricWindows(MetricEncoderConfig config) {
        this.config = config;
    }

    public String encodedBy() {
        return NAME + "@" + VERSION;
    }

    /** The accepted observation's window and the series' new state. */
    public record Windowed(Features features, State state) {}

    /**
     * Windows one observation of its series. An accepted observation updates {@code state} in place
     * (and returns it); a refused one leaves it unchanged.
     *
     * @param state the series' state, or null for its first observation
     * @throws EncodeException with the reason of a refused observation
     */
    public Windowed accept(State state, String eventId, long ts, MetricPayload payload) {
        String series = payload.getSeries();
        if (series == null || series.isBlank()) {
            throw new EncodeException(Reason.MISSING_SERIES, "the metric event has no series key");
        }
        int channels = 1 + payload.getExtra().size();
        if (channels > config.maxChannels()) {
            throw new EncodeException(
                    Reason.TOO_MANY_CHANNELS,
                    channels + " values but metric.max-channels is " + config.maxChannels());
        }
        float[] values = new float[channels];
        for (int c = 0; c < channels; c++) {
            double v = c == 0 ? payload.getValue() : payload.getExtra().get(c - 1);
            if (!Double.isFinite(v) || Math.abs(v) > Float.MAX_VALUE) {
                throw new EncodeException(
                        Reason.NON_FINITE_METRIC, "series " + series + ": value " + c + " is " + v);
            }
            values[c] = (float) v;
        }
        if (state != null && state.channels != channels) {
            throw new EncodeException(
                    Reason.METRIC_CHANNELS_CHANGED,
                    "series "
                            + series
                            + " had "
                            + state.channels
                            + " channels, this event has "
                            + channels);
        }
        if (state != null && ts < state.lastTs) {
            throw new EncodeException(
                    Reason.OUT_OF_ORDER,
                    "series "
                            + series
                            + ": event time "
                            + ts
                            + " is before the newest windowed one, "
                            + state.lastTs);
        }
        // every refusal is decided above, so an accepted point may update the state in place
        State next = state == null ? State.empty(config.window(), channels) : state;
        next.push(values, ts);
        Features features = window(next, eventId, ts);
        features.setSeries(series);
        return new Windowed(features, next);
    }

    private Features window(State s, String eventId, long ts) {
        int w = s.window;
        int ch = s.channels;
        int real = (int) Math.min(s.count, w);
        float[] out = new float[w * ch];
        byte[] mask = new byte[w];
        int history = real - 1;
        for (int c = 0; c < ch; c++) {
            double mean = 0;
            for (int i = 0; i < history; i++) {
                mean += s.point(i, c);
            }
            mean = history > 0 ? mean / history : s.point(real - 1, c);
            double squares = 0;
            for (int i = 0; i < history; i++) {
                double d = s.point(i, c) - mean;
                squares += d * d;
            }
            double std = history > 1 ? Math.sqrt(squares / history) : 0;
            // a flat history still has a scale (a thousandth of its level), so a step out of it
            // reads as large but finite, and is clipped
            double scale = Math.max(std, Math.max(MIN_STD, 1e-3 * Math.abs(mean)));
            for (int i = 0; i < real; i++) {
                double z = (s.point(i, c) - mean) / scale;
                int row = w - real + i;
                out[row * ch + c] = (float) Math.max(-config.clip(), Math.min(config.clip(), z));
            }
        }
        for (int i = w - real; i < w; i++) {
            mask[i] = 1;
        }
        Features f = Tensors.floatFeatures(eventId, ts, encodedBy(), new int[] {w, ch}, out);
        f.setMask(ByteBuffer.wrap(mask));
        return f;
    }

    /**
     * The recent points of one series: a ring of the last {@code window} observations, the newest
     * time and how many were seen. Written and read in an explicit versioned format ({@link
     * #toBytes}, {@link #fromBytes}), never Java-serialized into state.
     */
    public static final class State {
        private final int window;
        private final int channels;
        private final float[] ring;
        private int head;
        private long count;
        private long lastTs;

        private State(int window, int channels, float[] ring, int head, long count, long lastTs) {
            this.window = window;
            this.channels = channels;
            this.ring = ring;
            this.head = head;
            this.count = count;
            this.lastTs = lastTs;
        }

        static State empty(int window, int channels) {
            return new State(window, channels, new float[window * channels], 0, 0, Long.MIN_VALUE);
        }

        void push(float[] values, long ts) {
            System.arraycopy(values, 0, ring, head * channels, channels);
            head = (head + 1) % window;
            count++;
            lastTs = ts;
        }

        /** Channel {@code c} of the {@code i}-th oldest of the real points in the window. */
        float point(int i, int c) {
            int real = (int) Math.min(count, window);
            int oldest = (head - real + window) % window;
            return ring[((oldest + i) % window) * channels + c];
        }

        public long count() {
            return count;
        }

        public long lastTs() {
            return lastTs;
        }

        public byte[] toBytes() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(24 + ring.length * 4);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(STATE_FORMAT);
                out.writeInt(window);
                out.writeInt(channels);
                out.writeInt(head);
                out.writeLong(count);
                out.writeLong(lastTs);
                for (float v : ring) {
                    out.writeFloat(v);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        /**
         * Reads a state written by {@link #toBytes}; a state of another window size (the config
         * changed) keeps its newest points that fit.
         */
        public static State fromBytes(byte[] data, int window) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                int format = in.readInt();
                if (format != STATE_FORMAT) {
                    throw new IllegalStateException("metric window state format " + format);
                }
                int w = in.readInt();
                int ch = in.readInt();
                int head = in.readInt();
                long count = in.readLong();
                long lastTs = in.readLong();
                float[] ring = new float[w * ch];
                for (int i = 0; i < ring.length; i++) {
                    ring[i] = in.readFloat();
                }
                State stored = new State(w, ch, ring, head, count, lastTs);
                if (w == window) {
                    return stored;
                }
                State resized = empty(window, ch);
                int real = (int) Math.min(count, w);
                float[] point = new float[ch];
                for (int i = Math.max(0, real - window); i < real; i++) {
                    for (int c = 0; c < ch; c++) {
                        point[c] = stored.point(i, c);
                    }
                    resized.push(point, lastTs);
                }
                resized.count = count;
                return resized;
            } catch (IOException e) {
                throw new UncheckedIOException("unreadable metric window state", e);
            }
        }
    }
}
