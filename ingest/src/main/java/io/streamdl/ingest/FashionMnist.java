package io.streamdl.ingest;

import io.streamdl.schemas.labels.LabelSets;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST in its IDX form: from the Debian package {@code dataset-fashion-mnist} when it is
 * installed, else from the sample bundled in this module (6,000 train and 1,000 test images).
 */
public final class FashionMnist {
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final List<String> CLASSES = LabelSets.get(LabelSets.FASHION_MNIST);
    public static final int ROWS = 28;
    public static final int COLS = 28;

    public enum Split {
        TRAIN("train"),
        TEST("t10k");

        final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }
    }

    private final byte[] pixels;
    private final byte[] labels;
    private final String origin;

    private FashionMnist(byte[] pixels, byte[] labels, String origin) {
        this.pixels = pixels;
        this.labels = labels;
        this.origin = origin;
    }

    /** The Debian package's files when present, else the bundled sample. */
    public static FashionMnist load(Split split) {
        if (Files.isRegularFile(DEBIAN_DIR.resolve(split.prefix + "-images-idx3-ubyte.gz"))) {
            return load(DEBIAN_DIR, split);
        }
        return sample(split);
    }

    /**
     * Reads {@code <train|t10k>-images-idx3-ubyte.gz} and the labels beside it from {@code dir}.
     */
    public static FashionMnist load(Path dir, Split split) {
        Path images = dir.resolve(split.prefix + "-images-idx3-ubyte.gz");
        Path labels = dir.resolve(split.prefix + "-labels-idx1-ubyte.gz");
        try (InputStream i = Files.newInputStream(images);
                InputStream l = Files.newInputStream(labels)) {
            return read(i, l, images.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read Fashion-MNIST from " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The sample bundled with this module. */
    public static FashionMnist sample(Split split) {
        String base = "/samples/fashion-mnist/" + split.prefix + "-sample";
        try (InputStream i = resource(base + "-images-idx3-ubyte.gz");
                InputStream l = resource(base + "-labels-idx1-ubyte.gz")) {
            return read(i, l, "bundled sample " + base);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the bundled Fashion-MNIST sample: " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = FashionMnist.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("missing resource " + name);
        }
        return in;
    }

    private static FashionMnist read(InputStream images, InputStream labels, String origin)
            throws IOException {
        DataInputStream img = new DataInputStream(new GZIPInputStream(images, 1 << 16));
        DataInputStream lab = new DataInputStream(new GZIPInputStream(labels, 1 << 16));
        if (img.readInt() != 0x803 || lab.readInt() != 0x801) {
            throw new IOException(origin + " is not an IDX3/IDX1 pair");
        }
        int count = img.readInt();
        int rows = img.readInt();
        int cols = img.readInt();
        int labelCount = lab.readInt();
        if (rows != ROWS || cols != COLS || count != labelCount || count <= 0) {
            throw new IOException(
                    origin
                            + ": expected N 28x28 images and N labels, found "
                            + count
                            + " "
                            + rows
                            + "x"
                            + cols
                            + " and "
                            + labelCount);
        }
        byte[] pixels = img.readNBytes(count * ROWS * COLS);
        byte[] labelBytes = lab.readNBytes(count);
        if (pixels.length != count * ROWS * COLS || labelBytes.length != count) {
            throw new IOException(origin + " ends early");
        }
        return new FashionMnist(pixels, labelBytes, origin);
    }

    public int size() {
        return labels.length;
    }

    public String origin() {
        return origin;
    }

    /** The 784 grey levels (0 = background) of image {@code i}, row by row. */
    public byte[] image(int i) {
        byte[] out = new byte[ROWS * COLS];
        System.arraycopy(pixels, i * out.length, out, 0, out.length);
        return out;
    }

    public int label(int i) {
        return labels[i];
    }

    public String className(int i) {
        return CLASSES.get(labels[i]);
    }
}
