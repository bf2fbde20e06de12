package io.streamdl.scoring.lifecycle;

import java.util.List;
import java.util.TreeSet;

/** How a list of versions reads in a message. */
final class ModelVersions {
    private ModelVersions() {}

    /** The versions found, ascending, as {@code 1-4, 7, 9} style text; "none" if empty. */
    static String describe(List<ModelTopicReader.Found> found) {
        TreeSet<Long> versions = new TreeSet<>();
        found.forEach(f -> versions.add(f.update().getVersion()));
        if (versions.isEmpty()) {
            return "none";
        }
        StringBuilder out = new StringBuilder();
        Long start = null;
        Long last = null;
        for (long v : versions) {
            if (last != null && v == last + 1) {
                last = v;
                continue;
            }
            append(out, start, last);
            start = v;
            last = v;
        }
        append(out, start, last);
        return out.toString();
    }

    private static void append(StringBuilder out, Long start, Long last) {
        if (start == null) {
            return;
        }
        if (out.length() > 0) {
            out.append(", ");
        }
        out.append(start);
        if (!last.equals(start)) {
            out.append(last == start + 1 ? ", " : "-").append(last);
        }
    }
}
