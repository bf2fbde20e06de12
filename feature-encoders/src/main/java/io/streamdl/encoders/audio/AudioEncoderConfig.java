package io.streamdl.encoders.audio;

import io.streamdl.schemas.config.ConfigException;
import io.streamdl.schemas.config.ConfigOption;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What {@link AudioEncoder} emits and what it accepts. Immutable; built from settings keys listed
 * in {@link #OPTIONS} or directly, and validated either way with errors that name the key.
 *
 * @param sampleRate the rate every clip is resampled to, in Hz
 * @param windowLength samples per frame at {@code sampleRate} (400 = 25 ms at 16 kHz)
 * @param hopLength samples between frame starts (160 = 10 ms at 16 kHz)
 * @param nFft FFT size, even and at least {@code windowLength}; frames are zero-padded to it
 * @param nMels number of mel bands
 * @param fMin lowest filter edge in Hz
 * @param fMax highest filter edge in Hz, at most {@code sampleRate / 2}
 * @param melScale Hz-to-mel mapping
 * @param melNorm filter scaling
 * @param logOffset added to each mel energy before the natural log, so silence stays finite
 * @param normalize per-utterance normalisation: each mel band minus its mean over the clip's
 *     frames, divided by its standard deviation (floored at 1e-5)
 * @param frames fixed number of output frames: longer clips are truncated, shorter ones padded
 *     (with 0 when normalising, else with {@code ln(logOffset)}, the value of silence); 0 keeps
 *     every frame, so the output length varies
 * @param maxClipSeconds longer clips are refused from the WAV header, before decoding
 * @param maxPayloadBytes larger payloads are refused before anything is parsed
 */
public record AudioEncoderConfig(
        int sampleRate,
        int windowLength,
        int hopLength,
        int nFft,
        int nMels,
        double fMin,
        double fMax,
        MelFilterbank.Scale melScale,
        MelFilterbank.Norm melNorm,
        double logOffset,
        boolean normalize,
        int frames,
        double maxClipSeconds,
        int maxPayloadBytes)
        implements Serializable {

    public static final ConfigOption<Integer> SAMPLE_RATE =
            ConfigOption.intRange(
                    "audio.sample.rate", 16000, 4000, 48000, "rate clips are resampled to, Hz");
    public static final ConfigOption<Integer> WINDOW_LENGTH =
            ConfigOption.intRange(
                    "audio.window.length",
                    400,
                    1,
                    1 << 16,
                    "samples per frame (400 = 25 ms at 16 kHz)");
    public static final ConfigOption<Integer> HOP_LENGTH =
            ConfigOption.intRange(
                    "audio.hop.length",
                    160,
                    1,
                    1 << 16,
                    "samples between frames (160 = 10 ms at 16 kHz)");
    public static final ConfigOption<Integer> N_FFT =
            new ConfigOption<>(
                    "audio.n.fft",
                    "512",
                    "FFT size; frames are zero-padded to it",
                    Integer::parseInt,
                    n -> n >= 2 && n <= (1 << 16) && n % 2 == 0,
                    "an even integer from 2 to 65536");
    public static final ConfigOption<Integer> N_MELS =
            ConfigOption.intRange("audio.n.mels", 40, 1, 512, "number of mel bands");
    public static final ConfigOption<Double> F_MIN =
            ConfigOption.doubleRange("audio.f.min", 0.0, 0.0, 96000.0, "lowest filter edge, Hz");
    public static final ConfigOption<Double> F_MAX =
            ConfigOption.doubleRange(
                    "audio.f.max", 8000.0, 0.0, 96000.0, "highest filter edge, Hz (<= rate / 2)");
    public static final ConfigOption<MelFilterbank.Scale> MEL_SCALE =
            ConfigOption.oneOf(
                    "audio.mel.scale",
                    MelFilterbank.Scale.SLANEY,
                    MelFilterbank.Scale.class,
                    "Hz-to-mel mapping (SLANEY as librosa, HTK as torchaudio)");
    public static final ConfigOption<MelFilterbank.Norm> MEL_NORM =
            ConfigOption.oneOf(
                    "audio.mel.norm",
                    MelFilterbank.Norm.SLANEY,
                    MelFilterbank.Norm.class,
                    "filter scaling (SLANEY = equal area as librosa, NONE = peak 1)");
    public static final ConfigOption<Double> LOG_OFFSET =
            ConfigOption.positiveDouble(
                    "audio.log.offset", 1e-6, "added to mel energies before the log");
    public static final ConfigOption<Boolean> NORMALIZE =
            ConfigOption.bool(
                    "audio.normalize", true, "per-utterance mean/variance normalisation per band");
    public static final ConfigOption<Integer> FRAMES =
            ConfigOption.intRange(
                    "audio.frames",
                    98,
                    0,
                    1 << 20,
                    "fixed output frames, padded or truncated (98 = 1 s); 0 = variable");
    public static final ConfigOption<Double> MAX_CLIP_SECONDS =
            ConfigOption.doubleRange(
                    "audio.max.clip.seconds",
                    10.0,
                    0.001,
                    3600.0,
                    "longer clips are refused (AUDIO_TOO_LONG)");
    public static final ConfigOption<Integer> MAX_PAYLOAD_BYTES =
            ConfigOption.intRange(
                    "audio.max.payload.bytes",
                    4 << 20,
                    1,
                    1 << 30,
                    "payloads larger than this are refused (PAYLOAD_TOO_LARGE)");

    public static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    SAMPLE_RATE,
                    WINDOW_LENGTH,
                    HOP_LENGTH,
                    N_FFT,
                    N_MELS,
                    F_MIN,
                    F_MAX,
                    MEL_SCALE,
                    MEL_NORM,
                    LOG_OFFSET,
                    NORMALIZE,
                    FRAMES,
                    MAX_CLIP_SECONDS,
                    MAX_PAYLOAD_BYTES);

    public AudioEncoderConfig {
        SAMPLE_RATE.check(sampleRate);
        WINDOW_LENGTH.check(windowLength);
        HOP_LENGTH.check(hopLength);
        N_FFT.check(nFft);
        N_MELS.check(nMels);
        F_MIN.check(fMin);
        F_MAX.check(fMax);
        MEL_SCALE.check(melScale);
        MEL_NORM.check(melNorm);
        LOG_OFFSET.check(logOffset);
        FRAMES.check(frames);
        MAX_CLIP_SECONDS.check(maxClipSeconds);
        MAX_PAYLOAD_BYTES.check(maxPayloadBytes);
        if (nFft < windowLength) {
            throw ConfigException.refused(
                    N_FFT.key(), nFft + " is smaller than the window length " + windowLength);
        }
        if (fMax > sampleRate / 2.0) {
            throw ConfigException.refused(
                    F_MAX.key(), fMax + " Hz is above the Nyquist frequency " + sampleRate / 2.0);
        }
        if (fMin >= fMax) {
            throw ConfigException.refused(
                    F_MIN.key(), fMin + " Hz is not below audio.f.max " + fMax + " Hz");
        }
    }

    /**
     * 16 kHz, 25 ms window, 10 ms hop, 512-point FFT, 40 Slaney mels (Slaney norm) from 0 to 8 kHz,
     * log offset 1e-6, per-utterance normalisation, 98 frames, at most 10 s and 4 MiB.
     */
    public static AudioEncoderConfig defaults() {
        return from(Map.of());
    }

    /**
     * Reads the {@code audio.*} keys of {@code settings}; absent keys take their defaults, other
     * keys are ignored, and unknown {@code audio.*} keys are refused.
     */
    public static AudioEncoderConfig from(Map<String, String> settings) {
        io.streamdl.schemas.config.ConfigSchema.refuseUnknown(settings, "audio.", OPTIONS);
        return new AudioEncoderConfig(
                SAMPLE_RATE.read(settings),
                WINDOW_LENGTH.read(settings),
                HOP_LENGTH.read(settings),
                N_FFT.read(settings),
                N_MELS.read(settings),
                F_MIN.read(settings),
                F_MAX.read(settings),
                MEL_SCALE.read(settings),
                MEL_NORM.read(settings),
                LOG_OFFSET.read(settings),
                NORMALIZE.read(settings),
                FRAMES.read(settings),
                MAX_CLIP_SECONDS.read(settings),
                MAX_PAYLOAD_BYTES.read(settings));
    }

    /** A copy with another fixed frame count (0 = variable). */
    public AudioEncoderConfig withFrames(int newFrames) {
        return new AudioEncoderConfig(
                sampleRate,
                windowLength,
                hopLength,
                nFft,
                nMels,
                fMin,
                fMax,
                melScale,
                melNorm,
                logOffset,
                normalize,
                newFrames,
                maxClipSeconds,
                maxPayloadBytes);
    }

    /** A copy with normalisation switched on or off. */
    public AudioEncoderConfig withNormalize(boolean newNormalize) {
        return new AudioEncoderConfig(
                sampleRate,
                windowLength,
                hopLength,
                nFft,
                nMels,
                fMin,
                fMax,
                melScale,
                melNorm,
                logOffset,
                newNormalize,
                frames,
                maxClipSeconds,
                maxPayloadBytes);
    }

    /** A copy with other input limits. */
    public AudioEncoderConfig withLimits(double newMaxClipSeconds, int newMaxPayloadBytes) {
        return new AudioEncoderConfig(
                sampleRate,
                windowLength,
                hopLength,
                nFft,
                nMels,
                fMin,
                fMax,
                melScale,
                melNorm,
                logOffset,
                normalize,
                frames,
                newMaxClipSeconds,
                newMaxPayloadBytes);
    }

    /** A copy with another mel scale and norm. */
    public AudioEncoderConfig withMel(MelFilterbank.Scale newScale, MelFilterbank.Norm newNorm) {
        return new AudioEncoderConfig(
                sampleRate,
                windowLength,
                hopLength,
                nFft,
                nMels,
                fMin,
                fMax,
                newScale,
                newNorm,
                logOffset,
                normalize,
                frames,
                maxClipSeconds,
                maxPayloadBytes);
    }
}
