package io.streamdl.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code timestamp,value} CSV of one numeric series, as the Numenta Anomaly Benchmark and most
 * monitoring exports write it: an optional header, then one observation per line; the timestamp is
 * {@code yyyy-MM-dd HH:mm:ss} (UTC), ISO-8601 or epoch milliseconds. A line whose value is not a
 * finite number or whose timestamp cannot be read is skipped and reported with its line number,
 * never sent (the pipeline would refuse a non-finite value anyway); the file's order is kept, so a
 * timestamp going backwards reaches the EncodeJob, which refuses it as {@code OUT_OF_ORDER}.
 */
public final class MetricCsv {
    private static final DateTimeFormatter SPACED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** One observation: its time (epoch ms) and value. */
    public record Point(long ts, double value) {}

    /** The readable observations in file order and the lines that were skipped, with why. */
    public record Series(List<Point> points, List<String> skipped) {}

    private MetricCsv() {}

    public static Series read(Path file) throws IOException {
        List<Point> points = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.split(",", -1);
                if (lineNo == 1 && parts.length >= 2 && !looksNumeric(parts[1])) {
                    continue; // the header
                }
                if (parts.length < 2) {
                    skipped.add(file + ":" + lineNo + ": expected timestamp,value");
                    continue;
                }
                Long ts = timestamp(parts[0].trim());
                if (ts == null) {
                    skipped.add(file + ":" + lineNo + ": unreadable timestamp '" + parts[0] + "'");
                    continue;
                }
                double value;
                try {
                    value = Double.parseDouble(parts[1].trim());
                } catch (NumberFormatException e) {
                    skipped.add(file + ":" + lineNo + ": value '" + parts[1] + "' is not a number");
                    continue;
                }
                if (!Double.isFinite(value)) {
                    skipped.add(file + ":" + lineNo + ": value " + value + " is not finite");
                    continue;
                }
                points.add(new Point(ts, value));
            }
        }
        return new Series(List.copyOf(points), List.copyOf(skipped));
    }

    private static boolean looksNumeric(String s) {
        try {
            Double.parseDouble(s.trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Long timestamp(String s) {
        try {
            return LocalDateTime.parse(s, SPACED).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            // try the other forms
        }
        try {
            return java.time.Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            // try epoch milliseconds
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
