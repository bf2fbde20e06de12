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
import java.util.stream.Stream;

/**
 * The spoken-keyword data set made by {@code ops/scripts/make-keywords.sh}: 1 s clips of 20 English
 * words as 16 kHz mono 16-bit PCM WAV, each with its word (the label) and its split.
 *
 * <p>A data set is read from a directory, preferably through its {@code manifest.jsonl} (which also
 * gives each clip's voice, speed and pitch); without a manifest the directory is walked as {@code
 * <split>/<word>/*.wav}. {@link #sample()} reads the small subset bundled in this module, so demos
 * and tests work where the full set has not been generated.
 *
 * <p>Clips are listed in manifest order (or path order when walked), which is stable for a given
 * seed. Audio bytes are read on demand by {@link #wav(Clip)}; instances are immutable and safe to
 * share between threads.
 */
public final class KeywordClips {
    /** The words, in the order that defines each label's index. */
    public static final List<String> WORDS = LabelSets.get(LabelSets.KEYWORDS);

    public static final int SAMPLE_RATE = 16_000;
    public static final int CLIP_FRAMES = SAMPLE_RATE;
    public static final String MANIFEST = "manifest.jsonl";

    private static final String SAMPLE_ROOT = "/samples/keywords/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One clip.
     *
     * @param path where the WAV file is, relative to the data set's root, with {@code /} separators
     * @param label the spoken word, one of {@link #WORDS}
     * @param split which part of the data set the clip belongs to
     * @param voice the espeak-ng voice ({@code accent+variant}), or {@code ""} when unknown
     * @param speed words per minute, or 0 when unknown
     * @param pitch espeak-ng pitch (0..99), or -1 when unknown
     */
    public record Clip(
            String path, String label, Split split, String voice, int speed, int pitch) {}

    /** Where the WAV bytes of a path come from: a directory or the classpath. */
    private interface Store {
        InputStream open(String path) throws IOException;
    }

    private final List<Clip> clips;
    private final Store store;
    private final String origin;

    private KeywordClips(List<Clip> clips, Store store, String origin) {
        this.clips = List.copyOf(clips);
        this.store = store;
        this.origin = origin;
    }

    /**
     * Reads the data set in {@code dir}: from {@code dir/manifest.jsonl} when it exists, else by
     * walking {@code dir/<train|test>/<word>/*.wav}.
     *
     * @throws UncheckedIOException if the directory cannot be read, the manifest is malformed or
     *     names a file that is not in {@code dir}, a label is not one of {@link #WORDS}, or no clip
     *     is found
     */
    public static KeywordClips load(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        Store store =
                path -> {
                    Path file = root.resolve(path).normalize();
                    if (!file.startsWith(root)) {
                        throw new IOException("clip path leaves the data set: " + path);
                    }
                    return Files.newInputStream(file);
                };
        try {
            Path manifest = root.resolve(MANIFEST);
            List<Clip> clips;
            if (Files.isRegularFile(manifest)) {
                try (BufferedReader in =
                        Files.newBufferedReader(manifest, StandardCharsets.UTF_8)) {
                    clips = parseManifest(in, manifest.toString());
                }
                // Fail at load, not halfway through a replay, when the manifest and files differ.
                for (Clip clip : clips) {
                    Path file = root.resolve(clip.path()).normalize();
                    if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                        throw new IOException(
                                "manifest names "
                                        + clip.path()
                                        + ", which is not a file in "
                                        + root);
                    }
                }
            } else {
                clips = walk(root);
            }
            return checked(new KeywordClips(clips, store, root.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read keyword clips from " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The subset bundled with this module ({@code samples/keywords/} on the classpath): a few clips
     * of every word from both splits.
     *
     * @throws UncheckedIOException if the bundled manifest is missing or malformed
     */
    public static KeywordClips sample() {
        Store store = path -> resource(SAMPLE_ROOT + path);
        String origin = "bundled sample " + SAMPLE_ROOT;
        try (InputStream in = resource(SAMPLE_ROOT + MANIFEST);
                BufferedReader reader =
                        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return checked(
                    new KeywordClips(parseManifest(reader, origin + MANIFEST), store, origin));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the bundled keyword sample: " + e.getMessage(), e);
        }
    }

    /**
     * {@link #load(Path)} when {@code dir} holds a manifest or a {@code train} directory, else
     * {@link #sample()}.
     */
    public static KeywordClips loadOrSample(Path dir) {
        if (Files.isRegularFile(dir.resolve(MANIFEST)) || Files.isDirectory(dir.resolve("train"))) {
            return load(dir);
        }
        return sample();
    }

    private static KeywordClips checked(KeywordClips clips) throws IOException {
        if (clips.clips.isEmpty()) {
            throw new IOException(clips.origin + " holds no clips");
        }
        return clips;
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = KeywordClips.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("missing resource " + name);
        }
        return in;
    }

    static List<Clip> parseManifest(BufferedReader in, String origin) throws IOException {
        List<Clip> clips = new ArrayList<>();
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
            String path = text(node, "path", where);
            String label = text(node, "label", where);
            if (!WORDS.contains(label)) {
                throw new IOException(where + ": unknown label '" + label + "'");
            }
            Split split;
            try {
                split = Split.of(text(node, "split", where));
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": " + e.getMessage(), e);
            }
            clips.add(
                    new Clip(
                            path,
                            label,
                            split,
                            node.path("voice").asText(""),
                            node.path("speed").asInt(0),
                            node.path("pitch").asInt(-1)));
        }
        return clips;
    }

    private static String text(JsonNode node, String field, String where) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new IOException(where + ": missing string field '" + field + "'");
        }
        return value.asText();
    }

    private static List<Clip> walk(Path root) throws IOException {
        List<Clip> clips = new ArrayList<>();
        for (Split split : Split.values()) {
            Path splitDir = root.resolve(split.id());
            if (!Files.isDirectory(splitDir)) {
                continue;
            }
            List<Path> files;
            try (Stream<Path> s = Files.walk(splitDir, 2)) {
                files =
                        s.filter(Files::isRegularFile)
                                .filter(p -> p.getFileName().toString().endsWith(".wav"))
                                .sorted()
                                .toList();
            }
            for (Path file : files) {
                Path rel = splitDir.relativize(file);
                if (rel.getNameCount() != 2) {
                    throw new IOException(file + " is not in " + splitDir + "/<word>/");
                }
                String label = rel.getName(0).toString();
                if (!WORDS.contains(label)) {
                    throw new IOException(file + ": unknown word directory '" + label + "'");
                }
                String path = split.id() + "/" + label + "/" + rel.getFileName();
                clips.add(new Clip(path, label, split, "", 0, -1));
            }
        }
        return clips;
    }

    /** Where the clips were read from, for messages. */
    public String origin() {
        return origin;
    }

    /** {@link #WORDS}: the labels in index order, whichever of them this data set holds. */
    public List<String> labels() {
        return WORDS;
    }

    /**
     * The index of {@code label} in {@link #labels()}.
     *
     * @throws IllegalArgumentException if {@code label} is not a known word
     */
    public int labelIndex(String label) {
        int i = WORDS.indexOf(label);
        if (i < 0) {
            throw new IllegalArgumentException("unknown keyword label '" + label + "'");
        }
        return i;
    }

    public int size() {
        return clips.size();
    }

    /** Every clip, in manifest (or path) order. */
    public List<Clip> clips() {
        return clips;
    }

    /** The clips of one split, in manifest (or path) order. */
    public List<Clip> clips(Split split) {
        return clips.stream().filter(c -> c.split() == split).toList();
    }

    /**
     * The bytes of {@code clip}'s WAV file.
     *
     * @throws UncheckedIOException if the file cannot be read
     */
    public byte[] wav(Clip clip) {
        try (InputStream in = store.open(clip.path())) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read clip " + clip.path() + " of " + origin + ": " + e.getMessage(), e);
        }
    }
}
