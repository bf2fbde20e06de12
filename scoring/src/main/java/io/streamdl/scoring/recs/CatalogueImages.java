package io.streamdl.scoring.recs;

import io.streamdl.encoders.image.ImageEncoder;
import io.streamdl.encoders.image.ImageEncoderConfig;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.models.inference.Tensor;
import io.streamdl.schemas.labels.LabelSets;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The catalogue's items as model inputs: item {@code i} is image {@code i} of a Fashion-MNIST split
 * (id {@link LabelSets#itemId}, as in {@code ItemCatalogue}), encoded by the pipeline's {@link
 * ImageEncoder} from its one-image IDX form. The encoder reads IDX and PNG grey levels to the same
 * floats, so an item's tensor is exactly the one the EncodeJob writes for an event carrying its
 * image, whichever of the two forms the event used. Images are encoded when a batch is asked for,
 * so only the grey levels stay in memory. Immutable and thread-safe.
 */
public final class CatalogueImages {
    private final FashionMnist data;
    private final int size;
    private final ImageEncoder encoder;
    private final int[] eventShape;

    private CatalogueImages(FashionMnist data, int size, ImageEncoder encoder) {
        if (size < 1 || size > data.size()) {
            throw new IllegalArgumentException(
                    "cannot take "
                            + size
                            + " items of the "
                            + data.size()
                            + " images of "
                            + data.origin());
        }
        this.data = data;
        this.size = size;
        this.encoder = encoder;
        int[] shape = encoder.shape();
        this.eventShape = Arrays.copyOfRange(shape, 1, shape.length);
        tensor(0); // a config the images do not fit fails here, not at the first model update
    }

    /** Every test image (10,000, or the 1,000 of the bundled sample) with {@code encoder}. */
    public static CatalogueImages fashionMnistTest(ImageEncoderConfig encoder) {
        return of(FashionMnist.load(FashionMnist.Split.TEST), encoder);
    }

    /** Every image of {@code data} as an item, encoded with {@code encoder}. */
    public static CatalogueImages of(FashionMnist data, ImageEncoderConfig encoder) {
        return new CatalogueImages(data, data.size(), new ImageEncoder(encoder));
    }

    /** The first {@code n} items only (for tests and small demos). */
    public CatalogueImages first(int n) {
        if (n > size) {
            throw new IllegalArgumentException(
                    "cannot take the first " + n + " of " + size + " items");
        }
        return new CatalogueImages(data, n, encoder);
    }

    public int size() {
        return size;
    }

    /** Where the images came from (the Debian data set or the bundled sample). */
    public String origin() {
        return data.origin();
    }

    /** The id of item {@code i}: {@code item-<i>}. */
    public String itemId(int item) {
        return LabelSets.itemId(item);
    }

    /** The shape of one item's tensor, {@code [channels, height, width]}. */
    public int[] eventShape() {
        return eventShape.clone();
    }

    /** The encoder's {@code encodedBy} stamp, as on the EncodeJob's features records. */
    public String encodedBy() {
        return encoder.encodedBy();
    }

    /** Item {@code i}'s tensor, {@link #eventShape()} in C order. */
    public float[] tensor(int item) {
        byte[] idx = ImageCodecs.idx(data.image(item), FashionMnist.COLS, FashionMnist.ROWS);
        return encoder.encode(
                ByteBuffer.wrap(idx), ImageEncoder.IDX, FashionMnist.COLS, FashionMnist.ROWS);
    }

    /** Items {@code from} (inclusive) to {@code to} (exclusive) stacked: {@code [n, C, H, W]}. */
    public Tensor batch(int from, int to) {
        if (from < 0 || to > size || from >= to) {
            throw new IndexOutOfBoundsException(
                    "items [" + from + ", " + to + ") of " + size + " items");
        }
        int per = 1;
        for (int d : eventShape) {
            per *= d;
        }
        float[] values = new float[(to - from) * per];
        for (int i = from; i < to; i++) {
            System.arraycopy(tensor(i), 0, values, (i - from) * per, per);
        }
        long[] shape = new long[eventShape.length + 1];
        shape[0] = to - from;
        for (int d = 0; d < eventShape.length; d++) {
            shape[d + 1] = eventShape[d];
        }
        return Tensor.ofFloats(shape, values);
    }
}
