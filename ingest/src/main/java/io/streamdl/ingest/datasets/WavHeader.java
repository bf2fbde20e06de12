package io.streamdl.ingest.datasets;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The format of a PCM WAV file as its RIFF header states it: enough to check that a clip is what a
 * reader promises (for the keyword clips: 16 kHz, mono, 16-bit, 16,000 frames).
 *
 * @param sampleRate frames per second
 * @param channels interleaved channels per frame
 * @param bitsPerSample bits of one sample of one channel
 * @param frames frames in the {@code data} chunk
 * @param dataOffset byte offset of the first sample in the file
 */
public record WavHeader(
        int sampleRate, int channels, int bitsPerSample, int frames, int dataOffset) {
    private static final int WAVE_FORMAT_PCM = 1;
    private static final int WAVE_FORMAT_EXTENSIBLE = 0xFFFE;

    /** Duration in seconds. */
    public double seconds() {
        return (double) frames / sampleRate;
    }

    /**
     * Parses the RIFF header of {@code wav}, skipping chunks other than {@code fmt } and {@code
     * data}.
     *
     * @throws IllegalArgumentException if {@code wav} is not an integer-PCM WAV file, or its data
     *     chunk is longer than the bytes given
     */
    public static WavHeader parse(byte[] wav) {
        ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        if (wav.length < 12 || !tag(b, 0).equals("RIFF") || !tag(b, 8).equals("WAVE")) {
            throw new IllegalArgumentException("not a RIFF/WAVE file");
        }
        int format = -1;
        int channels = 0;
        int rate = 0;
        int bits = 0;
        int pos = 12;
        while (pos + 8 <= wav.length) {
            String id = tag(b, pos);
            long size = Integer.toUnsignedLong(b.getInt(pos + 4));
            int body = pos + 8;
            if (id.equals("fmt ")) {
                if (size < 16 || body + 16 > wav.length) {
                    throw new IllegalArgumentException("truncated fmt chunk");
                }
                format = b.getShort(body) & 0xFFFF;
                channels = b.getShort(body + 2) & 0xFFFF;
                rate = b.getInt(body + 4);
                bits = b.getShort(body + 14) & 0xFFFF;
            } else if (id.equals("data")) {
                if (format != WAVE_FORMAT_PCM && format != WAVE_FORMAT_EXTENSIBLE) {
                    throw new IllegalArgumentException(
                            "not integer PCM (format tag " + format + " before the data chunk)");
                }
                if (channels <= 0 || bits <= 0 || bits % 8 != 0 || rate <= 0) {
                    throw new IllegalArgumentException(
                            "bad fmt chunk: " + channels + " channels, " + bits + " bits, " + rate);
                }
                if (body + size > wav.length) {
                    throw new IllegalArgumentException(
                            "data chunk says "
                                    + size
                                    + " bytes, only "
                                    + (wav.length - body)
                                    + " left");
                }
                int frameBytes = channels * bits / 8;
                return new WavHeader(rate, channels, bits, (int) (size / frameBytes), body);
            }
            // RIFF pads odd-sized chunks to an even length.
            pos = (int) Math.min(Integer.MAX_VALUE, body + size + (size & 1));
        }
        throw new IllegalArgumentException("no data chunk");
    }

    private static String tag(ByteBuffer b, int at) {
        byte[] four = new byte[4];
        b.get(at, four);
        return new String(four, StandardCharsets.US_ASCII);
    }
}
