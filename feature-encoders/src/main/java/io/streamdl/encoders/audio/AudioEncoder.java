package io.streamdl.encoders.audio;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncodeException.Reason;
import io.streamdl.encoders.Encoder;
import io.streamdl.encoders.Fingerprints;
import io.streamdl.encoders.Tensors;
import io.streamdl.schemas.avro.AudioPayload;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.config.ConfigException;
import java.io.ObjectStreamException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Encodes an {@link AudioPayload} (a WAV file) into a float32 log-mel spectrogram of shape {@code
 * [frames, nMels]}, C-order little-endian.
 *
 * <p>Steps: check the payload size; parse the WAV file and mix it to mono ({@link WavReader}, which
 * refuses over-long clips from the header); resample to the configured rate ({@link Resampler},
 * Kaiser-windowed sinc); compute log-mel frames ({@link LogMelSpectrogram}, {@link MelFilterbank});
 * optionally normalise each mel band over the clip; pad or truncate to the configured number of
 * frames. See {@link AudioEncoderConfig} for each option.
 *
 * <p>The content type may be absent, {@code application/octet-stream} or a WAV type ({@code
 * audio/wav}, {@code audio/x-wav}, {@code audio/wave}, {@code audio/vnd.wave}); the bytes decide.
 *
 * <p>The {@link #version()} is {@value #IMPLEMENTATION_VERSION} followed by a hash of every
 * configuration value that changes the output. Thread-safe.
 */
public final class AudioEncoder implements Encoder<AudioPayload> {
    private static final long serialVersionUID = 1L;

    public static final String NAME = "audio";

    /** Bumped whenever this class's output for the same input and configuration changes. */
    public static final String IMPLEMENTATION_VERSION = "1";

    private static final Set<String> WAV_TYPES =
            Set.of(
                    "",
                    "application/octet-stream",
                    "audio/wav",
                    "audio/x-wav",
                    "audio/wave",
                    "audio/vnd.wave");
    private static final float MIN_STD = 1e-5f;

    private final AudioEncoderConfig config;
    private final transient String version;
    private final transient Resampler resampler;
    private final transient LogMelSpectrogram spectrogram;

    /**
     * @throws ConfigException if a mel band would cover no FFT bin (too many mels for the FFT size)
     */
    public AudioEncoder(AudioEncoderConfig config) {
        this.config = config;
        MelFilterbank filterbank =
                MelFilterbank.create(
                        config.sampleRate(),
                        config.nFft(),
                        config.nMels(),
                        config.fMin(),
                        config.fMax(),
                        config.melScale(),
                        config.melNorm());
        double[][] matrix = filterbank.matrix();
        for (int m = 0; m < matrix.length; m++) {
            double peak = 0;
            for (double w : matrix[m]) {
                peak = Math.max(peak, w);
            }
            if (peak == 0) {
                throw ConfigException.refused(
                        AudioEncoderConfig.N_MELS.key(),
                        "mel band "
                                + m
                                + " covers no FFT bin; use fewer mels or a larger audio.n.fft");
            }
        }
        this.resampler = new Resampler(config.sampleRate());
        this.spectrogram =
                new LogMelSpectrogram(
                        config.windowLength(),
                        config.hopLength(),
                        config.nFft(),
                        config.logOffset(),
                        filterbank);
        String canonical =
                String.format(
                        Locale.ROOT,
                        "rate=%d;window=%d;hop=%d;nfft=%d;mels=%d;fmin=%s;fmax=%s;scale=%s;"
                                + "norm=%s;logoffset=%s;normalize=%s;frames=%d",
                        config.sampleRate(),
                        config.windowLength(),
                        config.hopLength(),
                        config.nFft(),
                        config.nMels(),
                        config.fMin(),
                        config.fMax(),
                        config.melScale(),
                        config.melNorm(),
                        config.logOffset(),
                        config.normalize(),
                        config.frames());
        this.version = IMPLEMENTATION_VERSION + "-" + Fingerprints.shortHash(canonical);
    }

    public AudioEncoderConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public Class<AudioPayload> payloadType() {
        return AudioPayload.class;
    }

    @Override
    public Features encode(String eventId, long ts, AudioPayload payload) {
        if (payload == null) {
            throw new EncodeException(Reason.NO_ENCODER, "the event has no audio payload");
        }
        float[][] frames = encode(payload.getData(), payload.getContentType());
        int nMels = config.nMels();
        float[] flat = new float[frames.length * nMels];
        for (int f = 0; f < frames.length; f++) {
            System.arraycopy(frames[f], 0, flat, f * nMels, nMels);
        }
        return Tensors.floatFeatures(
                eventId, ts, encodedBy(), new int[] {frames.length, nMels}, flat);
    }

    /**
     * The core of {@link #encode(String, long, AudioPayload)}: {@code [frames][nMels]}.
     *
     * @param data the WAV bytes (read from position to limit; the buffer is not modified)
     * @param contentType the payload's content type, may be null
     */
    public float[][] encode(ByteBuffer data, String contentType) {
        if (data == null) {
            throw new EncodeException(Reason.NOT_WAV, "the audio payload has no data");
        }
        if (data.remaining() > config.maxPayloadBytes()) {
            throw new EncodeException(
                    Reason.PAYLOAD_TOO_LARGE,
                    "the audio payload has "
                            + data.remaining()
                            + " bytes, more than the limit of "
                            + config.maxPayloadBytes());
        }
        String type =
                contentType == null
                        ? ""
                        : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!WAV_TYPES.contains(type)) {
            throw new EncodeException(
                    Reason.UNSUPPORTED_AUDIO_FORMAT,
                    "content type '" + contentType + "' is not WAV (audio/wav)");
        }
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        WavReader.WavAudio audio = WavReader.read(bytes, config.maxClipSeconds());
        return features(resampler.resample(audio.samples(), audio.sampleRate()));
    }

    /**
     * Log-mel frames of mono samples already at the configured rate: normalised, padded and
     * truncated as configured.
     */
    public float[][] features(float[] samples) {
        if (samples.length == 0) {
            throw new EncodeException(Reason.EMPTY_AUDIO, "the clip has no samples");
        }
        int wanted = config.frames() > 0 ? config.frames() : Integer.MAX_VALUE;
        float[][] real = spectrogram.compute(samples, wanted);
        if (config.normalize()) {
            normalize(real);
        }
        if (config.frames() == 0 || real.length == config.frames()) {
            return real;
        }
        float[][] out = new float[config.frames()][];
        float pad = config.normalize() ? 0f : spectrogram.silence();
        for (int f = 0; f < out.length; f++) {
            if (f < real.length) {
                out[f] = real[f];
            } else {
                out[f] = new float[config.nMels()];
                Arrays.fill(out[f], pad);
            }
        }
        return out;
    }

    private static void normalize(float[][] frames) {
        int nMels = frames[0].length;
        for (int m = 0; m < nMels; m++) {
            double sum = 0;
            for (float[] frame : frames) {
                sum += frame[m];
            }
            double mean = sum / frames.length;
            double squares = 0;
            for (float[] frame : frames) {
                double d = frame[m] - mean;
                squares += d * d;
            }
            double std = Math.max(Math.sqrt(squares / frames.length), MIN_STD);
            for (float[] frame : frames) {
                frame[m] = (float) ((frame[m] - mean) / std);
            }
        }
    }

    /** Rebuilds the derived fields after deserialization. */
    private Object readResolve() throws ObjectStreamException {
        return new AudioEncoder(config);
    }
}
