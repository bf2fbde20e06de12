package io.streamdl.encoders.audio;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncodeException.Reason;
import java.nio.charset.StandardCharsets;

/**
 * Parses a RIFF/WAVE file into mono samples in [-1, 1].
 *
 * <p>Accepted: little-endian RIFF ({@code RIFF....WAVE}) with a {@code fmt } chunk before the
 * {@code data} chunk; format tag 1 (integer PCM, 8-bit unsigned or 16/24/32-bit signed), 3 (IEEE
 * float, 32-bit) or {@code WAVE_FORMAT_EXTENSIBLE} (0xFFFE) whose sub-format is one of those two; 1
 * or 2 channels; {@value #MIN_RATE} to {@value #MAX_RATE} Hz. Other chunks are skipped. Stereo is
 * mixed down to the mean of the two channels. Integer samples are divided by 2^(bits-1), so full
 * scale maps to [-1, 1).
 *
 * <p>Refused: anything not starting {@code RIFF....WAVE} ({@link Reason#NOT_WAV}); other encodings,
 * channel counts or rates ({@link Reason#UNSUPPORTED_AUDIO_FORMAT}); missing or inconsistent
 * chunks, a data chunk longer than the bytes present or not a whole number of frames, non-finite
 * float samples ({@link Reason#CORRUPT_AUDIO}); no samples ({@link Reason#EMPTY_AUDIO}); more than
 * the allowed duration, judged from the header before any sample is decoded ({@link
 * Reason#AUDIO_TOO_LONG}).
 */
public final class WavReader {
    public static final int FORMAT_PCM = 1;
    public static final int FORMAT_IEEE_FLOAT = 3;
    public static final int FORMAT_EXTENSIBLE = 0xFFFE;
    public static final int MIN_RATE = 4000;
    public static final int MAX_RATE = 192_000;

    /** The tail shared by the KSDATAFORMAT_SUBTYPE_PCM and _IEEE_FLOAT GUIDs. */
    private static final byte[] SUBFORMAT_GUID_TAIL = {
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
    };

    /**
     * A decoded clip.
     *
     * @param sampleRate frames per second
     * @param channels channels in the file (the samples are mixed down to one)
     * @param formatTag {@link #FORMAT_PCM} or {@link #FORMAT_IEEE_FLOAT} (after resolving
     *     extensible)
     * @param bitsPerSample bits per sample in the file
     * @param samples mono samples in [-1, 1]
     */
    public record WavAudio(
            int sampleRate, int channels, int formatTag, int bitsPerSample, float[] samples) {
        public double seconds() {
            return (double) samples.length / sampleRate;
        }
    }

    private record Format(int tag, int channels, int sampleRate, int blockAlign, int bits) {}

    private WavReader() {}

    /**
     * Parses {@code b}.
     *
     * @param maxSeconds clips longer than this are refused before decoding
     * @throws EncodeException if the bytes are refused
     */
    public static WavAudio read(byte[] b, double maxSeconds) {
        if (b.length < 12 || !"RIFF".equals(fourCc(b, 0)) || !"WAVE".equals(fourCc(b, 8))) {
            if (b.length >= 4 && ("RIFX".equals(fourCc(b, 0)) || "RF64".equals(fourCc(b, 0)))) {
                throw unsupported("big-endian RIFX and RF64 WAV files are not decoded");
            }
            throw new EncodeException(
                    Reason.NOT_WAV, "the bytes do not start with a RIFF/WAVE header");
        }
        Format format = null;
        int pos = 12;
        while (true) {
            if (b.length - pos < 8) {
                throw corrupt(
                        format == null
                                ? "the WAV file has no fmt chunk"
                                : "the WAV file has no data chunk");
            }
            String id = fourCc(b, pos);
            long size = u32(b, pos + 4);
            int body = pos + 8;
            if (id.equals("fmt ")) {
                if (format != null) {
                    throw corrupt("the WAV file has two fmt chunks");
                }
                if (size > b.length - body) {
                    throw corrupt("the WAV file is truncated inside its fmt chunk");
                }
                format = readFormat(b, body, (int) size);
            } else if (id.equals("data")) {
                if (format == null) {
                    throw corrupt("the WAV file's data chunk comes before its fmt chunk");
                }
                return readData(b, body, size, format, maxSeconds);
            } else if (size > b.length - body) {
                throw corrupt("the WAV file is truncated inside its '" + printable(id) + "' chunk");
            }
            // chunks are padded to an even length
            pos = (int) Math.min(b.length, body + size + (size & 1));
        }
    }

    private static Format readFormat(byte[] b, int pos, int size) {
        if (size < 16) {
            throw corrupt("the WAV fmt chunk has " + size + " bytes, fewer than 16");
        }
        int tag = u16(b, pos);
        int channels = u16(b, pos + 2);
        long sampleRate = u32(b, pos + 4);
        int blockAlign = u16(b, pos + 12);
        int bits = u16(b, pos + 14);
        if (tag == FORMAT_EXTENSIBLE) {
            // cbSize, valid bits, channel mask, then the 16-byte sub-format GUID
            if (size < 40) {
                throw corrupt("the WAV fmt chunk is too short for WAVE_FORMAT_EXTENSIBLE");
            }
            for (int i = 0; i < SUBFORMAT_GUID_TAIL.length; i++) {
                if (b[pos + 26 + i] != SUBFORMAT_GUID_TAIL[i]) {
                    throw unsupported("the WAV extensible sub-format is not PCM or IEEE float");
                }
            }
            tag = u16(b, pos + 24);
        }
        if (tag != FORMAT_PCM && tag != FORMAT_IEEE_FLOAT) {
            throw unsupported(
                    "the WAV format tag is "
                            + tag
                            + "; only PCM (1) and IEEE float (3) are decoded");
        }
        if (tag == FORMAT_PCM && bits != 8 && bits != 16 && bits != 24 && bits != 32) {
            throw unsupported("the WAV file has " + bits + "-bit PCM; 8, 16, 24, 32 are decoded");
        }
        if (tag == FORMAT_IEEE_FLOAT && bits != 32) {
            throw unsupported("the WAV file has " + bits + "-bit float samples; 32 is decoded");
        }
        if (channels != 1 && channels != 2) {
            throw unsupported("the WAV file has " + channels + " channels; 1 or 2 are decoded");
        }
        if (sampleRate < MIN_RATE || sampleRate > MAX_RATE) {
            throw unsupported(
                    "the WAV sample rate is "
                            + sampleRate
                            + " Hz; "
                            + MIN_RATE
                            + " to "
                            + MAX_RATE
                            + " Hz are decoded");
        }
        if (blockAlign != channels * bits / 8) {
            throw corrupt(
                    "the WAV block align is "
                            + blockAlign
                            + " but "
                            + channels
                            + " channel(s) of "
                            + bits
                            + " bits need "
                            + channels * bits / 8);
        }
        return new Format(tag, channels, (int) sampleRate, blockAlign, bits);
    }

    private static WavAudio readData(byte[] b, int pos, long size, Format f, double maxSeconds) {
        if (size > b.length - pos) {
            throw corrupt(
                    "the WAV file is truncated: its data chunk declares "
                            + size
                            + " bytes but "
                            + (b.length - pos)
                            + " remain");
        }
        if (size % f.blockAlign != 0) {
            throw corrupt(
                    "the WAV data chunk has "
                            + size
                            + " bytes, not a whole number of "
                            + f.blockAlign
                            + "-byte frames");
        }
        int frames = (int) (size / f.blockAlign);
        if (frames == 0) {
            throw new EncodeException(Reason.EMPTY_AUDIO, "the WAV file has no samples");
        }
        double seconds = (double) frames / f.sampleRate;
        if (seconds > maxSeconds) {
            throw new EncodeException(
                    Reason.AUDIO_TOO_LONG,
                    String.format(
                            "the clip lasts %.3f s, more than the limit of %s s",
                            seconds, maxSeconds));
        }
        int bytesPerSample = f.bits / 8;
        float[] mono = new float[frames];
        for (int i = 0; i < frames; i++) {
            int at = pos + i * f.blockAlign;
            double sum = 0;
            for (int c = 0; c < f.channels; c++) {
                sum += sample(b, at + c * bytesPerSample, f);
            }
            mono[i] = (float) (sum / f.channels);
        }
        return new WavAudio(f.sampleRate, f.channels, f.tag, f.bits, mono);
    }

    private static double sample(byte[] b, int at, Format f) {
        if (f.tag == FORMAT_IEEE_FLOAT) {
            float value = Float.intBitsToFloat((int) u32(b, at));
            if (!Float.isFinite(value)) {
                throw corrupt("the WAV file holds a non-finite float sample at byte " + at);
            }
            return value;
        }
        return switch (f.bits) {
            case 8 -> ((b[at] & 0xFF) - 128) / 128.0;
            case 16 -> (short) u16(b, at) / 32768.0;
            case 24 ->
                    (((b[at + 2] << 16) | ((b[at + 1] & 0xFF) << 8) | (b[at] & 0xFF))) / 8388608.0;
            default -> (int) u32(b, at) / 2147483648.0;
        };
    }

    private static EncodeException corrupt(String message) {
        return new EncodeException(Reason.CORRUPT_AUDIO, message);
    }

    private static EncodeException unsupported(String message) {
        return new EncodeException(Reason.UNSUPPORTED_AUDIO_FORMAT, message);
    }

    private static String fourCc(byte[] b, int pos) {
        return new String(b, pos, 4, StandardCharsets.ISO_8859_1);
    }

    private static String printable(String id) {
        return id.replaceAll("[^\\x20-\\x7E]", "?");
    }

    private static int u16(byte[] b, int pos) {
        return (b[pos] & 0xFF) | ((b[pos + 1] & 0xFF) << 8);
    }

    private static long u32(byte[] b, int pos) {
        return (u16(b, pos) | ((long) u16(b, pos + 2) << 16));
    }
}
