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
        InputStream in = LabelSets.class.getResourceAsStream(name + ".txt");
        if (in == null) {
            throw new IllegalArgumentException(
                    "no label set '"
                            + name
                            + "'; known: "
                            + List.of(FASHION_MNIST, KEYWORDS, DEBIAN_SECTIONS));
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
}
