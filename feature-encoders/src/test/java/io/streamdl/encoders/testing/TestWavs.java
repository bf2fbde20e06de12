package io.streamdl.encoders.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** WAV files made in tests, in every sample format the reader accepts and some it does not. */
public final class TestWavs {
    private TestWavs() {}

    /** A sine of {@code frequency} Hz and amplitude {@code amplitude}, {@code seconds} long. */
    public static double[] sine(double frequency, double amplitude, int rate, double seconds) {
        double[] samples = new double[(int) Math.round(rate * seconds)];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = amplitude * Math.sin(2 * Math.PI * frequency * i / rate);
        }
        return samples;
    }

    /** A 16-bit PCM mono WAV of {@code samples} in [-1, 1]. */
    public static byte[] pcm16(int rate, double[] samples) {
        return wav(1, rate, 16, false, null, samples);
    }

    /**
     * A WAV file.
     *
     * @param formatTag 1 (PCM) or 3 (float), written plainly or inside WAVE_FORMAT_EXTENSIBLE
     * @param bits bits per sample
     * @param extensible write the fmt chunk as WAVE_FORMAT_EXTENSIBLE
     * @param extraChunk a chunk written between fmt and data (with odd length to test padding), or
     *     null
     * @param channels one array of samples in [-1, 1] per channel, all of the same length
     */
    public static byte[] wav(
            int formatTag,
            int rate,
            int bits,
            boolean extensible,
            byte[] extraChunk,
            double[]... channels) {
        int frames = channels[0].length;
        int blockAlign = channels.length * bits / 8;
        int fmtSize = extensible ? 40 : 16;
        int extra = extraChunk == null ? 0 : 8 + extraChunk.length + (extraChunk.length & 1);
        int dataSize = frames * blockAlign;
        ByteBuffer b =
                ByteBuffer.allocate(12 + 8 + fmtSize + extra + 8 + dataSize)
                        .order(ByteOrder.LITTLE_ENDIAN);
        b.put(ascii("RIFF")).putInt(b.capacity() - 8).put(ascii("WAVE"));
        b.put(ascii("fmt ")).putInt(fmtSize);
        b.putShort((short) (extensible ? 0xFFFE : formatTag));
        b.putShort((short) channels.length).putInt(rate).putInt(rate * blockAlign);
        b.putShort((short) blockAlign).putShort((short) bits);
        if (extensible) {
            b.putShort((short) 22).putShort((short) bits).putInt(channels.length == 1 ? 4 : 3);
            b.putShort((short) formatTag);
            b.put(
                    new byte[] {
                        0x00,
                        0x00,
                        0x00,
                        0x00,
                        0x10,
                        0x00,
                        (byte) 0x80,
                        0x00,
                        0x00,
                        (byte) 0xAA,
                        0x00,
                        0x38,
                        (byte) 0x9B,
                        0x71
                    });
        }
        if (extraChunk != null) {
            b.put(ascii("LIST")).putInt(extraChunk.length).put(extraChunk);
            if ((extraChunk.length & 1) == 1) {
                b.put((byte) 0);
            }
        }
        b.put(ascii("data")).putInt(dataSize);
        for (int i = 0; i < frames; i++) {
            for (double[] channel : channels) {
                double v = Math.max(-1, Math.min(1, channel[i]));
                if (formatTag == 3) {
                    b.putFloat((float) v);
                    continue;
                }
                switch (bits) {
                    case 8 -> b.put((byte) (Math.round(v * 127) + 128));
                    case 16 -> b.putShort((short) Math.round(v * 32767));
                    case 24 -> {
                        int s = (int) Math.round(v * 8388607);
                        b.put((byte) s).put((byte) (s >> 8)).put((byte) (s >> 16));
                    }
                    case 32 -> b.putInt((int) Math.round(v * 2147483647.0));
                    default -> throw new IllegalArgumentException("bits " + bits);
                }
            }
        }
        return b.array();
    }

    /** A 16-bit PCM mono WAV of a sine at {@code frequency} Hz, amplitude 0.37. */
    public static byte[] sine16(double frequency, int rate, double seconds) {
        return pcm16(rate, sine(frequency, 0.37, rate, seconds));
    }

    /**
     * A RIFF/WAVE file with any fmt fields and raw data bytes, consistent or not: for headers the
     * reader must refuse (4-bit samples, no data, an unknown format tag).
     */
    public static byte[] raw(int formatTag, int channels, int rate, int bits, byte[] data) {
        int blockAlign = channels * bits / 8;
        ByteBuffer b = ByteBuffer.allocate(44 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ascii("RIFF")).putInt(36 + data.length).put(ascii("WAVE"));
        b.put(ascii("fmt ")).putInt(16).putShort((short) formatTag).putShort((short) channels);
        b.putInt(rate)
                .putInt(rate * blockAlign)
                .putShort((short) blockAlign)
                .putShort((short) bits);
        b.put(ascii("data")).putInt(data.length).put(data);
        return b.array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
