package io.streamdl.e2e;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: it refuses what
 * Prometheus' own parser refuses (a bad metric or label name, an unescaped or unterminated label
 * value, a value that is not a float, a {@code TYPE} line after its samples or given twice, a
 * family whose samples are not together, the same series twice) and returns every sample by family.
 */
final class PrometheusExposition {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** A Go ParseFloat number as Prometheus writes them (no Java suffixes such as 1f or 1d). */
    private static final Pattern NUMBER =
            Pattern.compile("[-+]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?");

    private static final Set<String> TYPES =
            Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample: its family, name (with any suffix), labels and value. */
    record Sample(String family, String name, Map<String, String> labels, double value) {}

    final Map<String, String> types = new HashMap<>();
    final Map<String, List<Sample>> families = new LinkedHashMap<>();

    static PrometheusExposition parse(String text) {
        PrometheusExposition out = new PrometheusExposition();
        Set<String> closed = new HashSet<>();
        Set<String> series = new HashSet<>();
        Set<String> sampled = new HashSet<>(); // every sample name seen, with any suffix
        String current = null;
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] p = line.split(" ", 4);
                if (p.length >= 3 && p[1].equals("TYPE")) {
                    check(NAME.matcher(p[2]).matches(), n, "bad family name " + p[2]);
                    check(p.length == 4 && TYPES.contains(p[3].trim()), n, "bad type: " + line);
                    check(out.types.put(p[2], p[3].trim()) == null, n, "TYPE twice for " + p[2]);
                    for (String suffix : List.of("", "_count", "_sum", "_bucket")) {
                        check(!sampled.contains(p[2] + suffix), n, "TYPE after samples of " + p[2]);
                    }
                } else if (p.length >= 3 && p[1].equals("HELP")) {
                    check(NAME.matcher(p[2]).matches(), n, "bad family name " + p[2]);
                }
                continue;
            }
            Sample s = sample(line, n, out.types);
            if (!s.family().equals(current)) {
                check(!closed.contains(s.family()), n, "samples of " + s.family() + " apart");
                if (current != null) {
                    closed.add(current);
                }
                current = s.family();
            }
            sampled.add(s.name());
            check(
                    series.add(s.name() + new java.util.TreeMap<>(s.labels())),
                    n,
                    "the same series twice: " + s.name() + s.labels());
            out.families.computeIfAbsent(s.family(), k -> new java.util.ArrayList<>()).add(s);
        }
        return out;
    }

    private static Sample sample(String line, int n, Map<String, String> types) {
        Matcher m = NAME.matcher(line);
        check(m.lookingAt(), n, "no metric name: " + line);
        String name = m.group();
        int i = m.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                while (i < line.length() && line.charAt(i) == ' ') {
                    i++;
                }
                if (i < line.length() && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                Matcher l = LABEL.matcher(line).region(i, line.length());
                check(l.lookingAt(), n, "bad label name at " + i + ": " + line);
                String label = l.group();
                i = l.end();
                check(
                        i + 1 < line.length() && line.startsWith("=\"", i),
                        n,
                        "no =\" after " + label);
                i += 2;
                StringBuilder value = new StringBuilder();
                while (true) {
                    check(i < line.length(), n, "unterminated value of " + label);
                    char c = line.charAt(i++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        check(i < line.length(), n, "dangling escape");
                        char e = line.charAt(i++);
                        check(e == '\\' || e == '"' || e == 'n', n, "bad escape \\" + e);
                        value.append(e == 'n' ? '\n' : e);
                    } else {
                        value.append(c);
                    }
                }
                check(labels.put(label, value.toString()) == null, n, "label twice: " + label);
                check(
                        i < line.length() && (line.charAt(i) == ',' || line.charAt(i) == '}'),
                        n,
                        "no ',' or '}' after the value of " + label);
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
        }
        String[] rest = line.substring(i).trim().split(" +");
        check(rest.length == 1 || rest.length == 2, n, "bad value/timestamp: " + line);
        double value = number(rest[0], n);
        if (rest.length == 2) {
            check(rest[1].matches("-?[0-9]+"), n, "bad timestamp: " + line);
        }
        return new Sample(family(name, types), name, labels, value);
    }

    /** The family a sample belongs to: its name, or the name less a histogram/summary suffix. */
    private static String family(String name, Map<String, String> types) {
        for (String suffix : List.of("_bucket", "_count", "_sum")) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                String type = types.get(base);
                if ("histogram".equals(type) || "summary".equals(type)) {
                    return base;
                }
            }
        }
        return name;
    }

    private static double number(String s, int n) {
        switch (s) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                check(NUMBER.matcher(s).matches(), n, "not a number: " + s);
                return Double.parseDouble(s);
        }
    }

    private static void check(boolean ok, int line, String what) {
        if (!ok) {
            throw new IllegalArgumentException("line " + line + ": " + what);
        }
    }
}
