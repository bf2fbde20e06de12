package io.streamdl.bench.nab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The NAB corpus laid out as in the NAB repository (the copy shipped in {@code ingest/data/nab}):
 * the files' rows ({@code data/<category>/<file>.csv}, {@code timestamp,value}), their anomaly
 * windows ({@code labels/combined_windows.json}) and the profiles ({@code config/profiles.json}).
 * Files are named by their path under {@code data/}, e.g. {@code realKnownCause/nyc_taxi.csv}, and
 * listed in that order. Loading checks that every data file has windows and every window file has
 * data. Immutable.
 */
public final class NabCorpus {
    /** NAB's timestamps: {@code 2014-04-10 07:15:00}, in the windows with microseconds. */
    private static final DateTimeFormatter TIMESTAMP =
            new DateTimeFormatterBuilder()
                    .appendPattern("yyyy-MM-dd HH:mm:ss")
                    .optionalStart()
                    .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
                    .optionalEnd()
                    .toFormatter();

    private final Map<String, List<LocalDateTime>> timestamps;
    private final Map<String, List<NabWindow>> windows;
    private final Map<String, NabProfile> profiles;

    private NabCorpus(
            Map<String, List<LocalDateTime>> timestamps,
            Map<String, List<NabWindow>> windows,
            Map<String, NabProfile> profiles) {
        this.timestamps = timestamps;
        this.windows = windows;
        this.profiles = profiles;
    }

    /**
     * Reads the corpus under {@code root}.
     *
     * @throws IOException if a file cannot be read or does not parse, or data and windows disagree
     */
    public static NabCorpus load(Path root) throws IOException {
        Path dataDir = root.resolve("data");
        Map<String, List<LocalDateTime>> timestamps = new TreeMap<>();
        List<Path> csvs;
        try (Stream<Path> walk = Files.walk(dataDir)) {
            csvs = walk.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
        }
        for (Path csv : csvs) {
            String file = dataDir.relativize(csv).toString().replace('\\', '/');
            timestamps.put(file, List.copyOf(readColumn(csv, "timestamp")));
        }

        ObjectMapper json = new ObjectMapper();
        Path windowsFile = root.resolve("labels/combined_windows.json");
        Map<String, List<NabWindow>> windows = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        json.readTree(windowsFile.toFile()).fields();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            List<NabWindow> list = new ArrayList<>();
            for (JsonNode w : e.getValue()) {
                list.add(
                        new NabWindow(
                                parse(w.get(0).asText(), windowsFile),
                                parse(w.get(1).asText(), windowsFile)));
            }
            windows.put(e.getKey(), List.copyOf(list));
        }
        if (!windows.keySet().equals(timestamps.keySet())) {
            throw new IOException(
                    windowsFile
                            + " does not list the files of "
                            + dataDir
                            + ": "
                            + windows.size()
                            + " with windows, "
                            + timestamps.size()
                            + " data files");
        }

        Path profilesFile = root.resolve("config/profiles.json");
        Map<String, NabProfile> profiles = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        json.readTree(profilesFile.toFile()).fields();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode m = e.getValue().path("CostMatrix");
            profiles.put(
                    e.getKey(),
                    new NabProfile(
                            e.getKey(),
                            weight(m, "tpWeight", profilesFile),
                            weight(m, "fpWeight", profilesFile),
                            weight(m, "fnWeight", profilesFile)));
        }
        return new NabCorpus(timestamps, windows, profiles);
    }

    /** The files' names in order. */
    public List<String> files() {
        return List.copyOf(timestamps.keySet());
    }

    /** The timestamps of the file's rows. */
    public List<LocalDateTime> timestamps(String file) {
        return require(timestamps, file);
    }

    /** The file's windows in time order (empty for a file without anomalies). */
    public List<NabWindow> windows(String file) {
        return require(windows, file);
    }

    /** Every file's windows, by file name. */
    public Map<String, List<NabWindow>> windows() {
        return Map.copyOf(windows);
    }

    /** The number of windows over all files (116 in NAB v1.1). */
    public int windowCount() {
        return windows.values().stream().mapToInt(List::size).sum();
    }

    /** The number of rows over all files. */
    public int rowCount() {
        return timestamps.values().stream().mapToInt(List::size).sum();
    }

    /** The profiles in the order of {@code config/profiles.json}. */
    public List<NabProfile> profiles() {
        return List.copyOf(profiles.values());
    }

    public NabProfile profile(String name) {
        return require(profiles, name);
    }

    /**
     * Reads a detector's output in NAB's results layout: for each file {@code
     * <category>/<name>.csv} of the corpus, {@code <detectorDir>/<category>/<detector>_<name>.csv},
     * or the same gzipped with a {@code .gz} suffix, a CSV with a header naming at least {@code
     * timestamp} and {@code anomaly_score}.
     *
     * @throws IOException if a file is missing, unreadable or malformed
     */
    public Map<String, ScoredSeries> readDetectorResults(Path detectorDir, String detector)
            throws IOException {
        Map<String, ScoredSeries> output = new TreeMap<>();
        for (String file : timestamps.keySet()) {
            int slash = file.lastIndexOf('/');
            String name = file.substring(0, slash + 1) + detector + "_" + file.substring(slash + 1);
            Path plain = detectorDir.resolve(name);
            Path gzipped = detectorDir.resolve(name + ".gz");
            Path path = Files.exists(gzipped) ? gzipped : plain;
            if (!Files.exists(path)) {
                throw new NoSuchFileException(
                        plain.toString(), null, "no " + detector + " output for " + file);
            }
            List<String[]> rows = readColumns(path, "timestamp", "anomaly_score");
            List<LocalDateTime> ts = new ArrayList<>(rows.size());
            double[] scores = new double[rows.size()];
            for (int i = 0; i < scores.length; i++) {
                ts.add(parse(rows.get(i)[0], path));
                try {
                    scores[i] = Double.parseDouble(rows.get(i)[1]);
                } catch (NumberFormatException e) {
                    throw new IOException(
                            path + ": row " + (i + 1) + ": anomaly_score " + rows.get(i)[1], e);
                }
            }
            try {
                output.put(file, ScoredSeries.of(ts, scores));
            } catch (IllegalArgumentException e) {
                throw new IOException(path + ": " + e.getMessage(), e);
            }
        }
        return output;
    }

    static LocalDateTime parseTimestamp(String text) {
        return LocalDateTime.parse(text.trim(), TIMESTAMP);
    }

    private static LocalDateTime parse(String text, Path source) throws IOException {
        try {
            return parseTimestamp(text);
        } catch (DateTimeParseException e) {
            throw new IOException(source + ": not a NAB timestamp: " + text, e);
        }
    }

    private static double weight(JsonNode matrix, String key, Path source) throws IOException {
        JsonNode w = matrix.get(key);
        if (w == null || !w.isNumber()) {
            throw new IOException(source + ": a CostMatrix has no number " + key);
        }
        return w.asDouble();
    }

    private static List<LocalDateTime> readColumn(Path csv, String column) throws IOException {
        List<String[]> rows = readColumns(csv, column);
        List<LocalDateTime> ts = new ArrayList<>(rows.size());
        for (String[] row : rows) {
            ts.add(parse(row[0], csv));
        }
        return ts;
    }

    /** The named columns of a headed CSV without quoting (NAB's files have none). */
    private static List<String[]> readColumns(Path csv, String... columns) throws IOException {
        try (InputStream raw = Files.newInputStream(csv);
                InputStream in = csv.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader r =
                        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String header = r.readLine();
            if (header == null) {
                throw new IOException(csv + ": empty, no header");
            }
            List<String> names = List.of(header.split(",", -1));
            int[] at = new int[columns.length];
            for (int c = 0; c < columns.length; c++) {
                at[c] = names.indexOf(columns[c]);
                if (at[c] < 0) {
                    throw new IOException(csv + ": no column " + columns[c] + " in " + header);
                }
            }
            List<String[]> rows = new ArrayList<>();
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                String[] picked = new String[columns.length];
                for (int c = 0; c < columns.length; c++) {
                    if (at[c] >= cells.length) {
                        throw new IOException(
                                csv + ": row " + (rows.size() + 1) + " has too few columns");
                    }
                    picked[c] = cells[at[c]];
                }
                rows.add(picked);
            }
            return rows;
        }
    }

    private static <V> V require(Map<String, V> map, String key) {
        V v = map.get(key);
        if (v == null) {
            throw new IllegalArgumentException("not in the corpus: " + key);
        }
        return v;
    }
}
