package io.streamdl.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamdl.encoders.Encoder;
import io.streamdl.encoders.audio.AudioEncoder;
import io.streamdl.encoders.audio.AudioEncoderConfig;
import io.streamdl.encoders.image.ImageEncoder;
import io.streamdl.encoders.image.ImageEncoderConfig;
import io.streamdl.encoders.text.TextEncoder;
import io.streamdl.encoders.text.TextEncoderConfig;
import io.streamdl.encoders.text.WordPieceTrainer;
import io.streamdl.encoders.text.WordPieceVocabulary;
import io.streamdl.schemas.avro.AudioPayload;
import io.streamdl.schemas.avro.ImagePayload;
import io.streamdl.schemas.avro.TextPayload;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Measures single-threaded encodes per second of each encoder with default configuration on
 * realistic inputs: a 28 x 28 grayscale PNG, a 1 s 16 kHz 16-bit mono WAV (a tone sweep with noise)
 * and a 60-word English text. Each encoder is warmed up, then run for a fixed time; the results are
 * printed and written as JSON.
 *
 * <pre>EncoderBenchmark OUTPUT.json [--seconds S]</pre>
 */
public final class EncoderBenchmark {
    private static final String TEXT =
            "This package provides a small command line tool that converts audio files between"
                    + " common formats, applies simple effects such as fading and normalisation,"
                    + " and prints a short report about the input. It is useful in scripts that"
                    + " prepare data for speech recognition, where many short audio clips must be"
                    + " resampled to one rate and checked for silence before training begins.";

    private EncoderBenchmark() {}

    /** One encoder's result. */
    public record Result(
            String encoder,
            String encodedBy,
            String input,
            long iterations,
            double seconds,
            double encodesPerSecond,
            double meanMicros) {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1 && !(args.length == 3 && args[1].equals("--seconds"))) {
            System.err.println("usage: EncoderBenchmark OUTPUT.json [--seconds S]");
            System.exit(2);
        }
        Path output = Path.of(args[0]);
        double seconds = args.length == 3 ? Double.parseDouble(args[2]) : 3.0;
        List<Result> results = run(seconds);
        for (Result r : results) {
            System.out.printf(
                    "%-6s %-32s %10.0f encodes/s %9.1f us/encode  (%s)%n",
                    r.encoder(), r.encodedBy(), r.encodesPerSecond(), r.meanMicros(), r.input());
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("benchmark", "feature-encoders");
        report.put("timestamp", Instant.now().toString());
        report.put("javaVersion", System.getProperty("java.version"));
        report.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        report.put("threads", 1);
        report.put("results", results);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(output.toFile(), report);
        System.out.println("wrote " + output);
    }

    /** Runs each encoder for {@code seconds} after a warm-up of half that. */
    public static List<Result> run(double seconds) {
        byte[] png = png28();
        byte[] wav = wav1s();
        ImageEncoder image = new ImageEncoder(ImageEncoderConfig.defaults());
        AudioEncoder audio = new AudioEncoder(AudioEncoderConfig.defaults());
        TextEncoder text = new TextEncoder(TextEncoderConfig.defaults(), vocabulary());
        ImagePayload imagePayload =
                new ImagePayload(ImageEncoder.PNG, 28, 28, ByteBuffer.wrap(png));
        AudioPayload audioPayload = new AudioPayload("audio/wav", ByteBuffer.wrap(wav));
        TextPayload textPayload = new TextPayload(TEXT, "en");

        List<Result> results = new ArrayList<>();
        results.add(
                measure(
                        image,
                        imagePayload,
                        "28x28 grayscale PNG, " + png.length + " bytes",
                        seconds));
        results.add(
                measure(
                        audio,
                        audioPayload,
                        "1 s 16 kHz 16-bit mono WAV, " + wav.length + " bytes",
                        seconds));
        results.add(
                measure(
                        text,
                        textPayload,
                        TEXT.split("\\s+").length + "-word text, " + TEXT.length() + " chars",
                        seconds));
        return results;
    }

    private static <P> Result measure(Encoder<P> encoder, P payload, String input, double seconds) {
        loop(encoder, payload, seconds / 2);
        long start = System.nanoTime();
        long iterations = loop(encoder, payload, seconds);
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Result(
                encoder.name(),
                encoder.encodedBy(),
                input,
                iterations,
                elapsed,
                iterations / elapsed,
                elapsed * 1e6 / iterations);
    }

    private static <P> long loop(Encoder<P> encoder, P payload, double seconds) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long iterations = 0;
        long checksum = 0;
        do {
            for (int i = 0; i < 16; i++) {
                checksum += encoder.encode("bench", iterations, payload).getData().remaining();
                iterations++;
            }
        } while (System.nanoTime() < deadline);
        // keeps the JIT from dropping the encodes as dead code
        if (checksum == 42) {
            System.out.print("");
        }
        return iterations;
    }

    /** A garment-like shape: a bright ellipse with a gradient on a black background. */
    static byte[] png28() {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                double dx = (x - 13.5) / 10;
                double dy = (y - 13.5) / 12;
                int value = dx * dx + dy * dy < 1 ? 120 + 4 * y : 0;
                image.getRaster().setSample(x, y, 0, value);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A 300 Hz to 3 kHz sweep with a little noise, 16-bit mono at 16 kHz. */
    static byte[] wav1s() {
        int rate = 16000;
        int n = rate;
        Random random = new Random(7);
        ByteBuffer data = ByteBuffer.allocate(44 + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
        data.put("RIFF".getBytes(StandardCharsets.US_ASCII))
                .putInt(36 + 2 * n)
                .put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII))
                .putInt(16)
                .putShort((short) 1)
                .putShort((short) 1)
                .putInt(rate)
                .putInt(2 * rate)
                .putShort((short) 2)
                .putShort((short) 16)
                .put("data".getBytes(StandardCharsets.US_ASCII))
                .putInt(2 * n);
        double phase = 0;
        for (int i = 0; i < n; i++) {
            double frequency = 300 + 2700.0 * i / n;
            phase += 2 * Math.PI * frequency / rate;
            double value = 0.5 * Math.sin(phase) + 0.02 * random.nextGaussian();
            data.putShort((short) Math.round(Math.max(-1, Math.min(1, value)) * 32767));
        }
        return data.array();
    }

    private static WordPieceVocabulary vocabulary() {
        List<String> corpus = new ArrayList<>();
        String[] sentences = TEXT.split("[.,]");
        for (int i = 0; i < 50; i++) {
            corpus.addAll(List.of(sentences));
        }
        return new WordPieceTrainer(new WordPieceTrainer.Config(400, 2, true)).train(corpus);
    }
}
