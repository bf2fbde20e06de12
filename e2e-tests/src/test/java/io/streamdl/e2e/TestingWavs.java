package io.streamdl.e2e;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** WAV files made in tests: PCM with any header fields, so malformed ones are easy too. */
final class TestingWavs {
    private TestingWavs() {}

    /** A sine of {@code hz} at {@code rate}, 16-bit mono, {@code seconds} long. */
    static byte[] sine(double hz, int rate, double seconds) {
        int n = (int) Math.round(rate * seconds);
        ByteBuffer data = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            data.putShort((short) Math.round(12000 * Math.sin(2 * Math.PI * hz * i / rate)));
        }
        return wav(1, 1, rate, 16, data.array());
    }

    /** A RIFF/WAVE file with the given fmt fields and data bytes. */
    static byte[] wav(int format, int channels, int rate, int bits, byte[] data) {
        int blockAlign = channels * bits / 8;
        ByteBuffer b = ByteBuffer.allocate(44 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + data.length).put("WAVE".getBytes());
        b.put("fmt ".getBytes())
                .putInt(16)
                .putShort((short) format)
                .putShort((short) channels)
                .putInt(rate)
                .putInt(rate * blockAlign)
                .putShort((short) blockAlign)
                .putShort((short) bits);
        b.put("data".getBytes()).putInt(data.length).put(data);
        return b.array();
    }
}
