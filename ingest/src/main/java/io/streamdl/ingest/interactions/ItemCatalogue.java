package io.streamdl.ingest.interactions;

import io.streamdl.ingest.FashionMnist;
import io.streamdl.schemas.labels.LabelSets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The items users interact with: the images of a Fashion-MNIST split, item {@code i} being image
 * {@code i} with id {@code item-<i>}. Each item has its class and a content vector of {@link #DIMS}
 * unit-norm dimensions computed from its pixels alone, with no model: the grey levels (scaled to
 * [0, 1]) minus the catalogue's mean image, times a fixed random Gaussian matrix ({@link
 * #PROJECTION_SEED}), normalised. A random projection keeps distances roughly
 * (Johnson-Lindenstrauss), so images that look alike have close vectors; the simulator's ground
 * truth thus depends on the images and never on the pipeline's CNN. Immutable.
 */
public final class ItemCatalogue {
    /** Dimensions of the content vectors. */
    public static final int DIMS = 16;

    /** Seed of the projection matrix: fixed, so an item's vector never depends on a run's seed. */
    public static final long PROJECTION_SEED = 0x1735_2024_0011L;

    private final int size;
    private final byte[] classes;
    private final float[] vectors;
    private final int[][] byClass;
    private final String origin;

    private ItemCatalogue(byte[] classes, float[] vectors, String origin) {
        this.size = classes.length;
        this.classes = classes;
        this.vectors = vectors;
        this.origin = origin;
        int[] counts = new int[FashionMnist.CLASSES.size()];
        for (byte c : classes) {
            counts[c]++;
        }
        this.byClass = new int[counts.length][];
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] == 0) {
                throw new IllegalArgumentException(
                        origin + " has no image of class " + FashionMnist.CLASSES.get(c));
            }
            byClass[c] = new int[counts[c]];
        }
        int[] filled = new int[counts.length];
        for (int i = 0; i < size; i++) {
            byClass[classes[i]][filled[classes[i]]++] = i;
        }
    }

    /** The Fashion-MNIST test split (10,000 items, or the 1,000 of the bundled sample). */
    public static ItemCatalogue fashionMnistTest() {
        return of(FashionMnist.load(FashionMnist.Split.TEST));
    }

    /** Every image of {@code data} as an item. */
    public static ItemCatalogue of(FashionMnist data) {
        int n = data.size();
        int pixels = FashionMnist.ROWS * FashionMnist.COLS;
        double[] mean = new double[pixels];
        byte[] classes = new byte[n];
        for (int i = 0; i < n; i++) {
            byte[] image = data.image(i);
            for (int p = 0; p < pixels; p++) {
                mean[p] += (image[p] & 0xff) / 255.0;
            }
            classes[i] = (byte) data.label(i);
        }
        for (int p = 0; p < pixels; p++) {
            mean[p] /= n;
        }
        SplittableRandom random = new SplittableRandom(PROJECTION_SEED);
        double[] projection = new double[pixels * DIMS];
        for (int k = 0; k < projection.length; k++) {
            projection[k] = random.nextGaussian();
        }
        float[] vectors = new float[n * DIMS];
        double[] v = new double[DIMS];
        for (int i = 0; i < n; i++) {
            Arrays.fill(v, 0);
            byte[] image = data.image(i);
            for (int p = 0; p < pixels; p++) {
                double x = (image[p] & 0xff) / 255.0 - mean[p];
                int row = p * DIMS;
                for (int d = 0; d < DIMS; d++) {
                    v[d] += x * projection[row + d];
                }
            }
            double norm = 0;
            for (double x : v) {
                norm += x * x;
            }
            // an image equal to the mean image has no direction; any fixed one will do
            norm = norm > 0 ? Math.sqrt(norm) : 1;
            for (int d = 0; d < DIMS; d++) {
                vectors[i * DIMS + d] = (float) (v[d] / norm);
            }
        }
        return new ItemCatalogue(classes, vectors, data.origin());
    }

    public int size() {
        return size;
    }

    /** Where the images came from (the Debian data set or the bundled sample). */
    public String origin() {
        return origin;
    }

    /** The number of classes (10). */
    public int classCount() {
        return byClass.length;
    }

    /** Item {@code i}'s class, an index into {@link FashionMnist#CLASSES}. */
    public int classOf(int item) {
        return classes[item];
    }

    /** The items of class {@code c}, in index order. A copy. */
    public int[] itemsOf(int c) {
        return byClass[c].clone();
    }

    int[] itemsOfShared(int c) {
        return byClass[c];
    }

    /** The id of item {@code i}: {@code item-<i>}. */
    public static String itemId(int item) {
        return LabelSets.itemId(item);
    }

    /** The index of an id made by {@link #itemId}, or -1 when it is not one of this catalogue's. */
    public int indexOf(String itemId) {
        int i = LabelSets.itemIndex(itemId);
        return i < size ? i : -1;
    }

    /** Item {@code i}'s content vector (unit norm). A copy. */
    public float[] vector(int item) {
        float[] out = new float[DIMS];
        System.arraycopy(vectors, item * DIMS, out, 0, DIMS);
        return out;
    }

    /** The dot product of item {@code i}'s content vector with {@code direction}. */
    double dot(int item, double[] direction) {
        int base = item * DIMS;
        double s = 0;
        for (int d = 0; d < DIMS; d++) {
            s += vectors[base + d] * direction[d];
        }
        return s;
    }
}
