package io.streamdl.ingest.datasets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Builds the text corpus read by {@link TextCorpus} from an apt lists directory: every {@code
 * *_Packages} index gives a binary package's section, source and description checksum, every {@code
 * *_Translation-en} index gives the English description for that checksum.
 *
 * <p>The rules, which {@code ops/scripts/make-debian-text.sh} relies on:
 *
 * <ul>
 *   <li>Index files are read in file-name order and the first stanza of a package wins (so a
 *       package in several suites is taken once, deterministically). A {@code .gz} index is read as
 *       such; other compressions are refused with a message.
 *   <li>The section loses any archive-area prefix ({@code contrib/}, {@code non-free/}, ...); only
 *       {@link TextCorpus#SECTIONS} are kept.
 *   <li>The source is the {@code Source} field without its version, or the package itself.
 *   <li>The text is the long description, cleaned by {@link #cleanDescription(String)}; the
 *       one-line synopsis is dropped. Texts of fewer than {@link #MIN_WORDS} words are skipped, and
 *       of identical texts only the one of the first package by name is kept.
 *   <li>At most {@link #MAX_PER_SOURCE} packages of one source are kept (the first by name): some
 *       sources build hundreds of near-identical binaries (e.g. one per language), which would
 *       otherwise flood their section.
 *   <li>The split is {@link #splitOf(String)} of the source package, so binary packages built from
 *       one source (often near-duplicates) always share a split.
 * </ul>
 *
 * Documents are written sorted by package name.
 */
public final class DebianTextPrep {
    /** Descriptions with fewer words than this say too little to classify. */
    public static final int MIN_WORDS = 10;

    /** The most binary packages of one source kept in the corpus. */
    public static final int MAX_PER_SOURCE = 10;

    /** The share of source packages, in percent, that {@link #splitOf(String)} puts in test. */
    public static final int TEST_PERCENT = 20;

    private static final Set<String> PACKAGE_FIELDS =
            Set.of("Package", "Source", "Section", "Description", "Description-md5");
    private static final Set<String> TRANSLATION_FIELDS =
            Set.of("Package", "Description-md5", "Description-en");

    private DebianTextPrep() {}

    /** What {@code Packages} says about one binary package. */
    private record Binary(String name, String source, String section, String md5, String desc) {}

    /**
     * Reads the lists directory and returns the corpus, sorted by package name.
     *
     * @throws IOException if the directory holds no {@code Packages} or no {@code Translation-en}
     *     index, an index is compressed in a way this class cannot read, or reading fails
     */
    public static List<TextCorpus.Doc> prepare(Path listsDir) throws IOException {
        List<Path> packageFiles = indexFiles(listsDir, "_Packages");
        List<Path> translationFiles = indexFiles(listsDir, "_Translation-en");
        Join join = new Join();
        for (Path file : packageFiles) {
            forEachStanza(file, PACKAGE_FIELDS, join::addBinary);
        }
        for (Path file : translationFiles) {
            forEachStanza(file, TRANSLATION_FIELDS, join::addTranslation);
        }
        return join.docs();
    }

    /** The state of one {@link #prepare(Path)}: packages first, then their translations. */
    private static final class Join {
        private final Set<String> seenPackages = new HashSet<>();
        private final Map<String, Binary> binaries = new TreeMap<>();
        private final Map<String, String> byMd5 = new HashMap<>();
        private final Map<String, String> byPackage = new HashMap<>();

        void addBinary(Map<String, String> stanza) {
            String name = stanza.get("Package");
            // The first stanza of a package decides, even when its section is not kept.
            if (name == null || !seenPackages.add(name)) {
                return;
            }
            String section = section(stanza.get("Section"));
            if (TextCorpus.SECTIONS.contains(section)) {
                binaries.put(
                        name,
                        new Binary(
                                name,
                                source(stanza.get("Source"), name),
                                section,
                                stanza.get("Description-md5"),
                                stanza.get("Description")));
            }
        }

        void addTranslation(Map<String, String> stanza) {
            String desc = stanza.get("Description-en");
            String md5 = stanza.get("Description-md5");
            String name = stanza.get("Package");
            if (desc == null || name == null || !binaries.containsKey(name)) {
                return;
            }
            if (md5 != null) {
                byMd5.putIfAbsent(name + " " + md5, desc);
            }
            byPackage.putIfAbsent(name, desc);
        }

        List<TextCorpus.Doc> docs() {
            List<TextCorpus.Doc> docs = new ArrayList<>();
            Set<String> seenTexts = new HashSet<>();
            Map<String, Integer> perSource = new HashMap<>();
            for (Binary b : binaries.values()) {
                // The checksum names the exact description of the version taken; the package
                // name is a fallback for indexes without it, a full Description a last resort.
                String raw = b.md5() == null ? null : byMd5.get(b.name() + " " + b.md5());
                if (raw == null) {
                    raw = byPackage.get(b.name());
                }
                if (raw == null) {
                    raw = b.desc();
                }
                if (raw == null) {
                    continue;
                }
                String text = cleanDescription(raw);
                if (wordCount(text) < MIN_WORDS
                        || perSource.getOrDefault(b.source(), 0) >= MAX_PER_SOURCE
                        || !seenTexts.add(text)) {
                    continue;
                }
                perSource.merge(b.source(), 1, Integer::sum);
                docs.add(
                        new TextCorpus.Doc(
                                b.name(), b.source(), b.section(), splitOf(b.source()), text));
            }
            return docs;
        }
    }

    /**
     * The long description of a {@code Description}/{@code Description-en} field value (its first
     * line and the continuation lines after it, joined with {@code \n}, each continuation line
     * still starting with its space): the synopsis line is dropped, a {@code " ."} line separates
     * paragraphs, and within a paragraph all whitespace, verbatim-indented lines included,
     * collapses to single spaces. Paragraphs are joined with {@code \n}. Returns {@code ""} when
     * there is no long description.
     */
    public static String cleanDescription(String field) {
        String[] lines = field.split("\n", -1);
        List<String> paragraphs = new ArrayList<>();
        StringBuilder paragraph = new StringBuilder();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.equals(".")) {
                flush(paragraph, paragraphs);
                continue;
            }
            if (!line.isEmpty()) {
                if (paragraph.length() > 0) {
                    paragraph.append(' ');
                }
                paragraph.append(line.replaceAll("\\s+", " "));
            }
        }
        flush(paragraph, paragraphs);
        return String.join("\n", paragraphs);
    }

    private static void flush(StringBuilder paragraph, List<String> paragraphs) {
        if (paragraph.length() > 0) {
            paragraphs.add(paragraph.toString());
            paragraph.setLength(0);
        }
    }

    static int wordCount(String text) {
        String t = text.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }

    /**
     * {@link Split#TEST} for about {@link #TEST_PERCENT}% of source package names, chosen by the
     * SHA-256 of the name, so the answer never changes between runs, machines or archive snapshots.
     */
    public static Split splitOf(String sourcePackage) {
        byte[] h;
        try {
            h =
                    MessageDigest.getInstance("SHA-256")
                            .digest(sourcePackage.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        long bucket =
                (((h[0] & 0xFFL) << 24)
                                | ((h[1] & 0xFFL) << 16)
                                | ((h[2] & 0xFFL) << 8)
                                | (h[3] & 0xFFL))
                        % 100;
        return bucket < TEST_PERCENT ? Split.TEST : Split.TRAIN;
    }

    /** The section without its archive area: {@code contrib/games} is {@code games}. */
    static String section(String field) {
        if (field == null) {
            return "";
        }
        String s = field.strip();
        int slash = s.lastIndexOf('/');
        return slash < 0 ? s : s.substring(slash + 1);
    }

    /** The source package's name: {@code Source: foo (1.2-3)} is {@code foo}. */
    static String source(String field, String packageName) {
        if (field == null || field.isBlank()) {
            return packageName;
        }
        String s = field.strip();
        int space = s.indexOf(' ');
        return space < 0 ? s : s.substring(0, space);
    }

    /**
     * The indexes in {@code dir} whose names end with {@code suffix}, one file per index: the plain
     * file when it is there, else its {@code .gz}.
     */
    private static List<Path> indexFiles(Path dir, String suffix) throws IOException {
        Map<String, Path> chosen = new TreeMap<>();
        List<Path> unreadable = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(suffix)) {
                    chosen.put(name, p);
                } else if (name.endsWith(suffix + ".gz")) {
                    chosen.putIfAbsent(name.substring(0, name.length() - 3), p);
                } else if (name.contains(suffix + ".")) {
                    unreadable.add(p);
                }
            }
        }
        for (Path p : unreadable) {
            String name = p.getFileName().toString();
            if (!chosen.containsKey(name.substring(0, name.lastIndexOf('.')))) {
                throw new IOException(
                        p
                                + " is compressed in a way this tool cannot read: decompress it"
                                + " (/usr/lib/apt/apt-helper cat-file reads every compression apt"
                                + " uses) or run apt-get update with -o Acquire::GzipIndexes=false");
            }
        }
        if (chosen.isEmpty()) {
            throw new IOException(
                    "no *"
                            + suffix
                            + " index in "
                            + dir
                            + (suffix.contains("Translation")
                                    ? " (run apt-get update with -o Acquire::Languages=en)"
                                    : ""));
        }
        return new ArrayList<>(chosen.values());
    }

    /** A callback that may throw nothing checked: the stanzas are plain data. */
    private interface StanzaSink {
        void accept(Map<String, String> stanza);
    }

    /**
     * Calls {@code sink} with each stanza of a deb822 file, holding only {@code fields}; a field's
     * continuation lines are appended after {@code \n}, keeping their leading whitespace.
     */
    static void forEachStanza(Path file, Set<String> fields, StanzaSink sink) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in =
                        file.getFileName().toString().endsWith(".gz")
                                ? new GZIPInputStream(raw, 1 << 16)
                                : raw;
                BufferedReader reader =
                        new BufferedReader(
                                new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            forEachStanza(reader, fields, sink);
        }
    }

    static void forEachStanza(BufferedReader reader, Set<String> fields, StanzaSink sink)
            throws IOException {
        Map<String, String> stanza = new LinkedHashMap<>();
        String field = null;
        StringBuilder value = new StringBuilder();
        for (String line = reader.readLine(); ; line = reader.readLine()) {
            boolean end = line == null || line.isBlank();
            boolean continuation = !end && (line.charAt(0) == ' ' || line.charAt(0) == '\t');
            if (field != null && !continuation) {
                stanza.put(field, value.toString());
                field = null;
            }
            if (end) {
                if (!stanza.isEmpty()) {
                    sink.accept(stanza);
                    stanza = new LinkedHashMap<>();
                }
                if (line == null) {
                    return;
                }
            } else if (continuation) {
                if (field != null) {
                    value.append('\n').append(line);
                }
            } else {
                int colon = line.indexOf(':');
                String name = colon < 0 ? line : line.substring(0, colon);
                if (colon > 0 && fields.contains(name)) {
                    field = name;
                    value.setLength(0);
                    value.append(line.substring(colon + 1).strip());
                }
            }
        }
    }

    /** Writes one JSON object a line: {@code {"id","source","label","split","text"}}. */
    public static void write(List<TextCorpus.Doc> docs, Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JsonFactory json = new JsonFactory();
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (TextCorpus.Doc d : docs) {
                // A generator per line keeps each object on one line with a plain \n after it.
                try (JsonGenerator g = json.createGenerator(w)) {
                    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                    g.writeStartObject();
                    g.writeStringField("id", d.id());
                    g.writeStringField("source", d.source());
                    g.writeStringField("label", d.label());
                    g.writeStringField("split", d.split().id());
                    g.writeStringField("text", d.text());
                    g.writeEndObject();
                }
                w.write('\n');
            }
        }
    }

    /** Documents per label and split, labels in {@link TextCorpus#SECTIONS} order. */
    public static Map<String, Map<Split, Integer>> counts(List<TextCorpus.Doc> docs) {
        Map<String, Map<Split, Integer>> counts = new LinkedHashMap<>();
        for (String label : TextCorpus.SECTIONS) {
            Map<Split, Integer> perSplit = new EnumMap<>(Split.class);
            for (Split s : Split.values()) {
                perSplit.put(s, 0);
            }
            counts.put(label, perSplit);
        }
        for (TextCorpus.Doc d : docs) {
            counts.get(d.label()).merge(d.split(), 1, Integer::sum);
        }
        return counts;
    }

    static void printCounts(List<TextCorpus.Doc> docs, PrintStream out) {
        out.printf("%-10s %7s %7s%n", "section", "train", "test");
        int train = 0;
        int test = 0;
        for (Map.Entry<String, Map<Split, Integer>> e : counts(docs).entrySet()) {
            int tr = e.getValue().get(Split.TRAIN);
            int te = e.getValue().get(Split.TEST);
            train += tr;
            test += te;
            out.printf("%-10s %7d %7d%n", e.getKey(), tr, te);
        }
        out.printf("%-10s %7d %7d%n", "total", train, test);
        long sources = docs.stream().map(TextCorpus.Doc::source).distinct().count();
        out.printf("%d documents from %d source packages%n", docs.size(), sources);
    }

    /**
     * {@code DebianTextPrep LISTS_DIR OUT.jsonl}: prepares the corpus, writes it and prints the
     * documents per section and split. Exits with 2 on bad arguments and 1 when reading or writing
     * fails.
     */
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: DebianTextPrep LISTS_DIR OUT.jsonl");
            System.exit(2);
        }
        Path lists = Path.of(args[0]);
        Path out = Path.of(args[1]);
        try {
            List<TextCorpus.Doc> docs = prepare(lists);
            write(docs, out);
            System.out.println("wrote " + docs.size() + " documents to " + out);
            printCounts(docs, System.out);
        } catch (IOException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }
}
