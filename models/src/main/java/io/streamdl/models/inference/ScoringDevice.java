package io.streamdl.models.inference;

import io.streamdl.schemas.config.ConfigOption;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Where ONNX Runtime scores: {@code cpu} or {@code cuda:<index>} (config key {@value #KEY}). The
 * build's default is {@code cpu}; the Maven profile {@code -Pgpu} makes it {@code cuda:0}.
 */
public record ScoringDevice(Kind kind, int index) {
    public static final String KEY = "scoring.device";

    /** The device key; its default is the build's (see {@link #buildDefault}). */
    public static final ConfigOption<ScoringDevice> OPTION =
            new ConfigOption<>(
                    KEY,
                    buildDefaultText(),
                    "where ONNX Runtime scores: cpu or cuda:<index> (the -Pgpu build defaults to"
                            + " cuda:0 and falls back to the CPU with a warning)",
                    ScoringDevice::parse,
                    d -> true,
                    "cpu or cuda:<index>");

    /** Kinds of device. */
    public enum Kind {
        CPU,
        CUDA
    }

    public static final ScoringDevice CPU = new ScoringDevice(Kind.CPU, 0);

    public ScoringDevice {
        if (kind == null || index < 0 || (kind == Kind.CPU && index != 0)) {
            throw new IllegalArgumentException("invalid scoring device " + kind + ":" + index);
        }
    }

    /**
     * Parses {@code cpu}, {@code cuda} (device 0) or {@code cuda:<index>}.
     *
     * @throws IllegalArgumentException naming {@value #KEY} for anything else
     */
    public static ScoringDevice parse(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("cpu")) {
            return CPU;
        }
        if (v.equals("cuda")) {
            return new ScoringDevice(Kind.CUDA, 0);
        }
        if (v.startsWith("cuda:")) {
            try {
                int index = Integer.parseInt(v.substring(5));
                if (index >= 0) {
                    return new ScoringDevice(Kind.CUDA, index);
                }
            } catch (NumberFormatException e) {
                throw invalid(value, e);
            }
        }
        throw invalid(value, null);
    }

    /** The device this build scores on unless configured otherwise. */
    public static ScoringDevice buildDefault() {
        return parse(buildDefaultText());
    }

    private static String buildDefaultText() {
        Properties p = new Properties();
        try (InputStream in =
                ScoringDevice.class.getResourceAsStream("/io/streamdl/models/build.properties")) {
            if (in == null) {
                return "cpu";
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the build's scoring defaults", e);
        }
        String value = p.getProperty(KEY, "cpu");
        // an unfiltered resource (running from an IDE without Maven) means the default build
        return value.startsWith("${") ? "cpu" : value;
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }

    private static IllegalArgumentException invalid(String value, Throwable cause) {
        IllegalArgumentException e =
                new IllegalArgumentException(
                        "invalid value '"
                                + value
                                + "' for config key '"
                                + KEY
                                + "': expected cpu or cuda:<index>");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
