package io.streamdl.models.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * ONNX image classifiers made by a tool nobody here wrote: the script {@code
 * onnx-import/make_classifier.py} builds one with Debian's {@code python3-onnx} ({@code
 * onnx.helper}) and runs numpy's forward pass of it. Its input is {@value #INPUT} float {@code
 * [batch, 1, size, size]} and its output {@value #OUTPUT} float {@code [batch, classes]}.
 */
public final class TestingForeignOnnx {
    public static final String INPUT = "pixels";
    public static final String OUTPUT = "class_probs";

    private static final String SCRIPT = "/onnx-import/make_classifier.py";
    private static final List<String> PYTHONS = List.of("python3", "/usr/bin/python3");

    /**
     * A classifier and numpy's outputs for some inputs.
     *
     * @param inputs {@code count} images of {@code size x size}, C order
     * @param outputs numpy's {@code [count, classes]} probabilities for them
     */
    public record Classifier(
            byte[] onnx, int size, int classes, int count, float[] inputs, float[] outputs) {
        /** Numpy's probabilities for image {@code i}. */
        public float[] expected(int i) {
            float[] row = new float[classes];
            System.arraycopy(outputs, i * classes, row, 0, classes);
            return row;
        }
    }

    private TestingForeignOnnx() {}

    /** A Python with the onnx and numpy modules, if one is installed. */
    public static Optional<String> python() {
        for (String candidate : PYTHONS) {
            try {
                Process p =
                        new ProcessBuilder(candidate, "-c", "import onnx, numpy")
                                .redirectErrorStream(true)
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                                .start();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return Optional.of(candidate);
                }
                p.destroyForcibly();
            } catch (IOException e) {
                // not installed under this name: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Skips the calling test, saying why, when there is no Python with onnx and numpy. */
    public static String requirePython() {
        Optional<String> python = python();
        Assumptions.assumeTrue(
                python.isPresent(),
                "skipped: no python3 with the onnx and numpy modules (apt-get install python3-onnx"
                        + " python3-numpy) to build a foreign ONNX model with");
        return python.get();
    }

    /** A 10-class classifier of 28x28 images, run on 4 random images. */
    public static Classifier make(Path dir) {
        return make(dir, 28, 10, null);
    }

    /**
     * A {@code classes}-class classifier of {@code size x size} images, run on {@code images} (C
     * order, {@code size * size} floats each) or, if null, on 4 random ones. Skips the test without
     * Python (see {@link #requirePython}).
     */
    public static Classifier make(Path dir, int size, int classes, float[] images) {
        String python = requirePython();
        try {
            Path script = dir.resolve("make_classifier.py");
            try (InputStream in = TestingForeignOnnx.class.getResourceAsStream(SCRIPT)) {
                if (in == null) {
                    throw new AssertionError(SCRIPT + " is not on the test class path");
                }
                Files.write(script, in.readAllBytes());
            }
            Path out = dir.resolve("out");
            List<String> command =
                    new ArrayList<>(
                            List.of(
                                    python,
                                    script.toString(),
                                    out.toString(),
                                    "--size",
                                    String.valueOf(size),
                                    "--classes",
                                    String.valueOf(classes)));
            if (images != null) {
                Path given = dir.resolve("given.f32");
                Files.write(given, littleEndian(images));
                command.addAll(List.of("--inputs", given.toString()));
            }
            Path log = dir.resolve("make_classifier.log");
            Process p =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("make_classifier.py did not finish in 5 minutes");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(
                        "make_classifier.py failed: "
                                + Files.readString(log, StandardCharsets.UTF_8));
            }
            float[] inputs = floats(Files.readAllBytes(out.resolve("inputs.f32")));
            float[] outputs = floats(Files.readAllBytes(out.resolve("outputs.f32")));
            return new Classifier(
                    Files.readAllBytes(out.resolve("classifier.onnx")),
                    size,
                    classes,
                    outputs.length / classes,
                    inputs,
                    outputs);
        } catch (IOException e) {
            throw new AssertionError("cannot run make_classifier.py: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running make_classifier.py", e);
        }
    }

    private static byte[] littleEndian(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    private static float[] floats(byte[] bytes) {
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
