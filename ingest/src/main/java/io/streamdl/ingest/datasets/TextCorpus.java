package io.streamdl.ingest.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdl.schemas.labels.LabelSets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Debian package-description corpus made by {@code ops/scripts/make-debian-text.sh} (through
 * {@link DebianTextPrep}): one JSON object a line, {@code {"id", "source", "label", "split",
 * "text"}}, where the label is the package's archive section.
 *
 * <p>{@link #sample()} reads the subset bundled in this module, so demos and tests work where the
 * full corpus has not been fetched. Documents keep file order; instances are immutable.
 */
public final class TextCorpus {
    /** The sections kept, in the order that defines each label's index. */
    public static final List<String> SECTIONS = LabelSets.get(LabelSets.DEBIAN_SECTIONS);

    private static final String SAMPLE = "/samples/text/debian-descriptions.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One document.
     *
     * @param id the binary package's name, unique in a corpus
     * @param source the source package it is built from (the split is decided by this)
     * @param label its section, one of {@link #SECTIONS}
     * @param split which part of the corpus it belongs to
     * @param text the cleaned long description
     */
    public record Doc(String id, String source, String label, Split split, String text) {}

    private final List<Doc> docs;
    private final String origin;

    private TextCorpus(List<Doc> docs, String origin) {
        this.docs = List.copyOf(docs);
        this.origin = origin;
    }

    /**
     * Reads a JSONL corpus.
     *
     * @throws UncheckedIOException if the file cannot be read, a line is malformed or lacks a
     *     field, a label is not one of {@link #SECTIONS}, or the file holds no document
     */
    public static TextCorpus load(Path jsonl) {
        try (BufferedReader in = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            return new TextCorpus(parse(in, jsonl.toString()), jsonl.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the text corpus " + jsonl + ": " + e.getMessage(), e);
        }
    }

    /**
     * The subset bundled with this module ({@code samples/text/debian-descriptions.jsonl} on the
     * classpath): documents of every section from both splits.
     */
    public static TextCorpus sample() {
        String origin = "bundled sample " + SAMPLE;
        try (InputStream res = TextCorpus.class.getResourceAsStream(SAMPLE)) {
            if (res == null) {
                throw new IOException("missing resource " + SAMPLE);
            }
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(res, StandardCharsets.UTF_8));
            return new TextCorpus(parse(in, origin), origin);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the bundled text sample: " + e.getMessage(), e);
        }
    }

    /** {@link #load(Path)} when {@code jsonl} is a file, else {@link #sample()}. */
    public static TextCorpus loadOrSample(Path jsonl) {
        return Files.isRegularFile(jsonl) ? load(jsonl) : sample();
    }

    static List<Doc> parse(BufferedReader in, String origin) throws IOException {
        List<Doc> docs = new ArrayList<>();
        int lineNo = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String where = origin + " line " + lineNo;
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IOException(where + ": not JSON: " + e.getOriginalMessage(), e);
            }
            String id = text(node, "id", where);
            String label = text(node, "label", where);
            if (!SECTIONS.contains(label)) {
                throw new IOException(where + ": unknown label '" + label + "'");
            }
            Split split;
            try {
                split = Split.of(text(node, "split", where));
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": " + e.getMessage(), e);
            }
            // Corpora cut by other tools may lack a source; the package is then its own source.
            String source = node.path("source").asText(id);
            docs.add(new Doc(id, source, label, split, text(node, "text", where)));
        }
        if (docs.isEmpty()) {
            throw new IOException(origin + " holds no documents");
        }
        return docs;
    }

    private static String text(JsonNode node, String field, String where) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new IOException(where + ": missing string field '" + field + "'");
        }
        return value.asText();
    }

    /** Where the corpus was read from, for messages. */
    public String origin() {
        return origin;
    }

    /** {@link #SECTIONS}: the labels in index order, whichever of them this corpus holds. */
    public List<String> labels() {
        return SECTIONS;
    }

    /**
     * The index of {@code label} in {@link #labels()}.
     *
     * @throws IllegalArgumentException if {@code label} is not a kept section
     */
    public int labelIndex(String label) {
        int i = SECTIONS.indexOf(label);
        if (i < 0) {
            throw new IllegalArgumentException("unknown text label '" + label + "'");
        }
        return i;
    }

    public int size() {
        return docs.size();
    }

    /** Every document, in file order. */
    public List<Doc> docs() {
        return docs;
    }

    /** The documents of one split, in file order. */
    public List<Doc> docs(Split split) {
        return docs.stream().filter(d -> d.split() == split).toList();
    }
}
