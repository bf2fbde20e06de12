package io.streamdl.ops.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Metric families written in the Prometheus text exposition format (version 0.0.4): one {@code #
 * HELP} and one {@code # TYPE} line per family, then its samples together, label values escaped.
 * Names are made legal ({@code [a-zA-Z_:][a-zA-Z0-9_:]*}) by replacing anything else with {@code
 * _}; a family asked for twice is the same family, so samples from several sources merge.
 */
final class PrometheusText {
    private static final Pattern ILLEGAL = Pattern.compile("[^a-zA-Z0-9_:]");
    private static final Pattern ILLEGAL_LABEL = Pattern.compile("[^a-zA-Z0-9_]");

    /** One family: its name, type, help and samples. */
    static final class Family {
        final String name;
        final String type;
        final String help;
        final List<String> samples = new ArrayList<>();
        private final java.util.Set<String> seen = new java.util.HashSet<>();

        private Family(String name, String type, String help) {
            this.name = name;
            this.type = type;
            this.help = help;
        }

        /** Adds a sample; a second one with the same labels is ignored. */
        Family sample(Map<String, String> labels, double value) {
            StringBuilder b = new StringBuilder(name);
            if (!labels.isEmpty()) {
                b.append('{');
                boolean first = true;
                for (Map.Entry<String, String> l : labels.entrySet()) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    b.append(labelName(l.getKey()))
                            .append("=\"")
                            .append(escape(l.getValue()))
                            .append('"');
                }
                b.append('}');
            }
            if (seen.add(b.toString())) {
                b.append(' ').append(number(value));
                samples.add(b.toString());
            }
            return this;
        }

        Family sample(double value) {
            return sample(Map.of(), value);
        }
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** The family {@code name} (made legal), created with {@code type} and {@code help} if new. */
    Family family(String name, String type, String help) {
        String legal = name(name);
        return families.computeIfAbsent(legal, n -> new Family(n, type, help));
    }

    /**
     * Every family; one with no sample yet (no dead letter so far, say) is still declared by its
     * HELP and TYPE lines, so that a dashboard's query names an existing metric from the start.
     */
    String render() {
        StringBuilder out = new StringBuilder();
        for (Family f : families.values()) {
            out.append("# HELP ")
                    .append(f.name)
                    .append(' ')
                    .append(escapeHelp(f.help))
                    .append('\n');
            out.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            f.samples.forEach(s -> out.append(s).append('\n'));
        }
        return out.toString();
    }

    static String name(String raw) {
        String s = ILLEGAL.matcher(raw).replaceAll("_");
        return Character.isDigit(s.charAt(0)) ? "_" + s : s;
    }

    static String labelName(String raw) {
        String s = ILLEGAL_LABEL.matcher(raw).replaceAll("_");
        return s.isEmpty() || Character.isDigit(s.charAt(0)) ? "_" + s : s;
    }

    static String escape(String value) {
        if (value == null) {
            return "";
        }
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
