package io.streamdl.bench.nab;

import io.streamdl.bench.nab.ThresholdOptimizer.Search;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scores a detector's output with the rules of the Numenta Anomaly Benchmark (Lavin & Ahmad 2015,
 * arXiv:1510.03336), as NAB v1.1 applies them:
 *
 * <ul>
 *   <li>The first 15% of each file's rows (at most 750) are a probationary period and not scored.
 *   <li>A row is a detection when its anomaly score is at least the threshold.
 *   <li>A window earns, for its earliest detection, the profile's TP weight times a scaled sigmoid
 *       of the detection's position relative to the window's right end (the full weight on the
 *       window's first row, falling to almost nothing on its last); later detections in the same
 *       window count for nothing. A window without a detection costs the FN weight.
 *   <li>A detection outside every window costs the FP weight times the same sigmoid of its distance
 *       past the last window that ended, in that window's widths (little just after a window, the
 *       full weight from three widths on and before the first window).
 *   <li>The files' raw scores add up to the corpus's; the threshold is chosen per profile to
 *       maximise it over the whole corpus ({@link ThresholdOptimizer}: by default over every
 *       distinct score, as NAB does now; NAB's published scores of its own detectors came from its
 *       earlier local search, {@link Search#HILL_CLIMB}).
 *   <li>The corpus score is normalised so that the null detector (no detections) scores 0 and the
 *       perfect one (a detection on each window's first row) 100.
 * </ul>
 *
 * <p>A window holds the rows whose timestamps lie within its limits; in NAB's corpus the limits are
 * rows' timestamps. Stateless and immutable.
 */
public final class NabScorer {
    /** The share of each file's leading rows that NAB does not score. */
    public static final double PROBATION_PERCENT = 0.15;

    private final Map<String, List<NabWindow>> windows;
    private final Map<String, List<LocalDateTime>> rows;
    private final double probationPercent;

    private NabScorer(
            Map<String, List<NabWindow>> windows,
            Map<String, List<LocalDateTime>> rows,
            double probationPercent) {
        if (!(probationPercent >= 0 && probationPercent < 1)) {
            throw new IllegalArgumentException(
                    "probationPercent must be in [0, 1), was " + probationPercent);
        }
        Map<String, List<NabWindow>> copy = new TreeMap<>();
        windows.forEach((file, list) -> copy.put(file, List.copyOf(list)));
        this.windows = copy;
        this.rows = rows;
        this.probationPercent = probationPercent;
    }

    /**
     * A scorer for the corpus's files and windows that also checks a detector scored every row of
     * every file, with the rows' own timestamps (NAB's rules depend on row positions).
     */
    public static NabScorer forCorpus(NabCorpus corpus) {
        Map<String, List<LocalDateTime>> rows = new TreeMap<>();
        for (String file : corpus.files()) {
            rows.put(file, corpus.timestamps(file));
        }
        return new NabScorer(corpus.windows(), rows, PROBATION_PERCENT);
    }

    /**
     * A scorer for hand-made files: their windows by file name (an empty list for a file without
     * anomalies) and the share of rows on probation; any timestamps are accepted.
     */
    public static NabScorer of(
            Map<String, List<NabWindow>> windowsByFile, double probationPercent) {
        return new NabScorer(windowsByFile, Map.of(), probationPercent);
    }

    /** The number of labelled windows over all files. */
    public int windowCount() {
        return windows.values().stream().mapToInt(List::size).sum();
    }

    /**
     * {@link #score(Map, NabProfile, Search)} for each profile, by profile name in the given order.
     */
    public Map<String, NabResult> scoreAll(
            Map<String, ScoredSeries> output, Collection<NabProfile> profiles, Search search) {
        Map<String, NabResult> results = new LinkedHashMap<>();
        for (NabProfile p : profiles) {
            results.put(p.name(), score(output, p, search));
        }
        return results;
    }

    /**
     * The detector's score for the profile at the best threshold over the corpus ({@link
     * Search#SWEEP}).
     */
    public NabResult score(Map<String, ScoredSeries> output, NabProfile profile) {
        return score(output, profile, Search.SWEEP);
    }

    /**
     * The detector's score for the profile at the threshold the search finds over the corpus.
     *
     * @param output the detector's scores for every file, by file name
     * @throws IllegalArgumentException if a file is missing or unknown, or its rows are not the
     *     corpus file's
     */
    public NabResult score(Map<String, ScoredSeries> output, NabProfile profile, Search search) {
        List<FileSweep> sweeps = sweep(output, profile);
        double threshold =
                ThresholdOptimizer.optimize(sweeps, profile.fnWeight(), search).threshold();
        return scoreAt(sweeps, profile, threshold);
    }

    /**
     * The detector's score for the profile at a given threshold, e.g. one chosen on other data.
     *
     * @throws IllegalArgumentException as {@link #score}
     */
    public NabResult scoreAt(
            Map<String, ScoredSeries> output, NabProfile profile, double threshold) {
        return scoreAt(sweep(output, profile), profile, threshold);
    }

    private NabResult scoreAt(List<FileSweep> sweeps, NabProfile profile, double threshold) {
        Map<String, FileScore> files = new TreeMap<>();
        double raw = 0;
        double nullScore = 0;
        for (FileSweep s : sweeps) {
            FileScore f = s.scoreAt(threshold, profile.fnWeight());
            files.put(f.file(), f);
            raw += f.score();
            nullScore -= profile.fnWeight() * s.scorableWindows();
        }
        double perfect = profile.tpWeight() * windowCount();
        if (perfect == nullScore) {
            throw new IllegalStateException(
                    "profile "
                            + profile.name()
                            + ": the perfect and the null detector score the same ("
                            + perfect
                            + "), so no score can be normalised");
        }
        double normalized = 100 * (raw - nullScore) / (perfect - nullScore);
        return new NabResult(profile.name(), threshold, raw, nullScore, perfect, normalized, files);
    }

    private List<FileSweep> sweep(Map<String, ScoredSeries> output, NabProfile profile) {
        for (String file : output.keySet()) {
            if (!windows.containsKey(file)) {
                throw new IllegalArgumentException("detector output for an unknown file: " + file);
            }
        }
        List<FileSweep> sweeps = new ArrayList<>(windows.size());
        for (Map.Entry<String, List<NabWindow>> e : windows.entrySet()) {
            String file = e.getKey();
            ScoredSeries series = output.get(file);
            if (series == null) {
                throw new IllegalArgumentException("no detector output for " + file);
            }
            List<LocalDateTime> expected = rows.get(file);
            if (expected != null && !expected.equals(series.timestamps())) {
                throw new IllegalArgumentException(
                        "detector output for "
                                + file
                                + " does not score the file's rows ("
                                + series.size()
                                + " rows, the file has "
                                + expected.size()
                                + ")");
            }
            sweeps.add(FileSweep.of(file, series, e.getValue(), profile, probationPercent));
        }
        return sweeps;
    }
}
