package io.streamdl.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run of a scenario measured: a table of numbers by row (what was measured, e.g. "image
 * CNN, batch 32") and column (which number, e.g. "ONNX Runtime samples/s"), in the order they were
 * put, plus free-text notes (counts, what was skipped). Runs of the same scenario put the same
 * cells, so {@link #aggregate} can line them up.
 */
public final class RunTable {
    private final Map<String, Map<String, Double>> cells = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    /** Sets the cell of {@code row} and {@code column}; NaN marks a number not measured. */
    public RunTable put(String row, String column, double value) {
        cells.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(column, value);
        return this;
    }

    public RunTable note(String note) {
        notes.add(note);
        return this;
    }

    /** The cell, or NaN if it was never put. */
    public double get(String row, String column) {
        Map<String, Double> r = cells.get(row);
        Double v = r == null ? null : r.get(column);
        return v == null ? Double.NaN : v;
    }

    public Map<String, Map<String, Double>> cells() {
        return cells;
    }

    public List<String> notes() {
        return notes;
    }

    /**
     * Every cell of any run, summarised over the runs (a run without the cell counts as NaN), rows
     * and columns in the order they first appear.
     */
    public static Map<String, Map<String, Summary>> aggregate(List<RunTable> runs) {
        Map<String, List<String>> layout = new LinkedHashMap<>();
        for (RunTable run : runs) {
            run.cells.forEach(
                    (row, columns) -> {
                        List<String> known = layout.computeIfAbsent(row, r -> new ArrayList<>());
                        for (String c : columns.keySet()) {
                            if (!known.contains(c)) {
                                known.add(c);
                            }
                        }
                    });
        }
        Map<String, Map<String, Summary>> out = new LinkedHashMap<>();
        layout.forEach(
                (row, columns) -> {
                    Map<String, Summary> summaries = new LinkedHashMap<>();
                    for (String c : columns) {
                        List<Double> values = new ArrayList<>();
                        for (RunTable run : runs) {
                            values.add(run.get(row, c));
                        }
                        summaries.put(c, Summary.of(values));
                    }
                    out.put(row, summaries);
                });
        return out;
    }
}
