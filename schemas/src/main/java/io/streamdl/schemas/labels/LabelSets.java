package io.streamdl.schemas.labels;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The class labels of the data sets the pipeline ships readers for, written once: the readers in
 * {@code ingest} label events with them and the model catalogue names them as a model's classes.
 * Each set is a resource {@code labels/<name>.txt} beside this class, one label per line, in
 * label-index order.
 */
public final class LabelSets {
    /** Fashion-MNIST's ten classes. */
    public static final String FASHION_MNIST = "fashion-mnist";

    /** The twenty spoken keywords of the synthesised keyword clips. */
    public static final String KEYWORDS = "keywords";

    /** The ten Debian sections of the package-description corpus. */
    public static final String DEBIAN_SECTIONS = "debian-sections";

    /**
     * The items of the recommendation catalogue, one per Fashion-MNIST test image: {@code item-0}
     * to {@code item-9999} (see {@link #itemId}). Generated, not a resource.
     */
    public static final String FASHION_MNIST_ITEMS = "fashion-mnist-items";

    /** How many items {@link #FASHION_MNIST_ITEMS} has: the Fashion-MNIST test split's size. */
    public static final int FASHION_MNIST_ITEM_COUNT = 10_000;

    private static final String ITEM_PREFIX = "item-";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    private LabelSets() {}

    /**
     * The labels of set {@code name}, in index order.
     *
     * @throws IllegalArgumentException if there is no such set
     */
    public static List<String> get(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid label set name '" + name + "'");
        }
        if (name.equals(FASHION_MNIST_ITEMS)) {
            List<String> items = new ArrayList<>(FASHION_MNIST_ITEM_COUNT);
            for (int i = 0; i < FASHION_MNIST_ITEM_COUNT; i++) {
                items.add(itemId(i));
            }
            return List.copyOf(items);
        }
        InputStream in = LabelSets.class.getResourceAsStream(name + ".txt");
        if (in == null) {
            throw new IllegalArgumentException(
                    "no label set '"
                            + name
                            + "'; known: "
                            + List.of(
                                    FASHION_MNIST, KEYWORDS, DEBIAN_SECTIONS, FASHION_MNIST_ITEMS));
        }
        List<String> labels = new ArrayList<>();
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    labels.add(line.strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read label set " + name, e);
        }
        return List.copyOf(labels);
    }

    /** The id of catalogue item {@code index}: {@code item-<index>}. */
    public static String itemId(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("negative item index " + index);
        }
        return ITEM_PREFIX + index;
    }

    /**
     * The index of item id {@code id} ({@code item-<index>}, index written without leading zeros or
     * sign), or -1 when {@code id} is not of that form.
     */
    public static int itemIndex(String id) {
        if (id == null || !id.startsWith(ITEM_PREFIX) || id.length() == ITEM_PREFIX.length()) {
            return -1;
        }
        String digits = id.substring(ITEM_PREFIX.length());
        if (digits.length() > 9 || (digits.length() > 1 && digits.charAt(0) == '0')) {
            return -1;
        }
        int value = 0;
        for (int k = 0; k < digits.length(); k++) {
            char c = digits.charAt(k);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
