package io.streamdl.bench.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdl.bench.nab.ThresholdOptimizer.Search;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NabScorerTest {
    /**
     * How close the reproduced normalised scores must be to final_results.json, which gives them to
     * 14 digits: what is left is the order of floating-point sums.
     */
    private static final double PUBLISHED_TOLERANCE = 1e-6;

    /**
     * How close a hill climb's threshold must be to the published one. The climb's score is flat
     * between two rows' scores, so NAB's pick among equally good points is arbitrary; the test also
     * checks that both thresholds select the same rows.
     */
    private static final double CLIMB_THRESHOLD_TOLERANCE = 1e-6;

    private static final NabProfile STANDARD = NabProfile.STANDARD;
    private static final NabProfile LOW_FN = new NabProfile("reward_low_FN_rate", 1.0, 0.11, 2.0);

    // A hand-made file: 200 rows a minute apart, rows 0..29 on probation, one window on rows
    // 100..119 (20 rows wide).
    private static final int ROWS = 200;
    private static final int FIRST = 100;
    private static final int LAST = 119;
    private static final LocalDateTime T0 = LocalDateTime.of(2020, 1, 1, 0, 0);
    private static final NabScorer ONE_WINDOW =
            NabScorer.of(Map.of("f.csv", List.of(window(FIRST, LAST))), 0.15);

    private static Map<String, ScoredSeries> numenta;

    @BeforeAll
    static void readNumentaOutput() throws IOException {
        numenta =
                NabTestData.corpus()
                        .readDetectorResults(
                                NabTestData.ROOT.resolve("results/numenta"), "numenta");
    }

    // --- the published numbers ---

    @ParameterizedTest
    @ValueSource(strings = {"standard", "reward_low_FP_rate", "reward_low_FN_rate"})
    void numentaOutputScoresAsPublishedWithNabsHillClimb(String profileName) throws IOException {
        NabCorpus corpus = NabTestData.corpus();
        NabProfile profile = corpus.profile(profileName);
        NabScorer scorer = NabScorer.forCorpus(corpus);
        NabResult r = scorer.score(numenta, profile, Search.HILL_CLIMB);
        Published published = Published.read(profileName);

        assertThat(r.normalizedScore())
                .isCloseTo(published.normalizedScore, within(PUBLISHED_TOLERANCE));
        assertThat(r.rawScore()).isCloseTo(published.rawScore, within(1e-9));
        assertThat(r.threshold()).isCloseTo(published.threshold, within(CLIMB_THRESHOLD_TOLERANCE));
        NabResult atPublished = scorer.scoreAt(numenta, profile, published.threshold);
        assertThat(r.files()).isEqualTo(atPublished.files());
        assertThat(r.nullScore()).isEqualTo(-116 * profile.fnWeight());
        assertThat(r.perfectScore()).isEqualTo(116.0);
    }

    @Test
    void sweepFindsTheSamePublishedScoresOrBetter() throws IOException {
        // The sweep's optimum selects the same rows as the published thresholds for two profiles;
        // for reward_low_FP_rate NAB's hill climb stopped on a local maximum (63.12).
        NabCorpus corpus = NabTestData.corpus();
        Map<String, NabResult> r =
                NabScorer.forCorpus(corpus).scoreAll(numenta, corpus.profiles(), Search.SWEEP);

        assertThat(r.get("standard").normalizedScore())
                .isCloseTo(Published.read("standard").normalizedScore, within(PUBLISHED_TOLERANCE));
        assertThat(r.get("reward_low_FN_rate").normalizedScore())
                .isCloseTo(
                        Published.read("reward_low_FN_rate").normalizedScore,
                        within(PUBLISHED_TOLERANCE));
        assertThat(r.get("reward_low_FP_rate").normalizedScore())
                .isGreaterThan(Published.read("reward_low_FP_rate").normalizedScore)
                .isCloseTo(63.209185, within(PUBLISHED_TOLERANCE));
        for (NabResult each : r.values()) {
            assertThat(each.threshold()).as(each.profile()).isEqualTo(0.543099145074);
        }
    }

    @Test
    void numentaStandardScoreIsTheHeadlineSeventyPointOne() {
        NabResult r = NabScorer.forCorpus(NabTestData.corpus()).score(numenta, STANDARD);
        assertThat(r.normalizedScore()).isCloseTo(70.1, within(0.005));
    }

    @ParameterizedTest
    @ValueSource(strings = {"standard", "reward_low_FP_rate", "reward_low_FN_rate"})
    void numentaPerFileScoresAndCountsMatchThePublishedScoreFiles(String profileName)
            throws IOException {
        NabCorpus corpus = NabTestData.corpus();
        Published published = Published.read(profileName);
        NabResult r =
                NabScorer.forCorpus(corpus)
                        .scoreAt(numenta, corpus.profile(profileName), published.threshold);

        assertThat(r.files().keySet())
                .containsExactlyInAnyOrderElementsOf(published.files.keySet());
        for (FileScore expected : published.files.values()) {
            FileScore actual = r.files().get(expected.file());
            assertThat(actual.score())
                    .as(expected.file())
                    .isCloseTo(expected.score(), within(1e-9));
            assertThat(actual)
                    .as(expected.file())
                    .usingRecursiveComparison()
                    .ignoringFields("score")
                    .isEqualTo(expected);
        }
    }

    @Test
    void nullAndPerfectDetectorsScoreZeroAndHundredOnTheCorpus() {
        NabCorpus corpus = NabTestData.corpus();
        NabScorer scorer = NabScorer.forCorpus(corpus);
        Map<String, ScoredSeries> nothing = new HashMap<>();
        Map<String, ScoredSeries> perfect = new HashMap<>();
        for (String file : corpus.files()) {
            List<LocalDateTime> rows = corpus.timestamps(file);
            // NAB's null detector says 0.5 everywhere.
            double[] half = new double[rows.size()];
            Arrays.fill(half, 0.5);
            nothing.put(file, ScoredSeries.of(rows, half));
            double[] starts = new double[rows.size()];
            for (NabWindow w : corpus.windows(file)) {
                starts[rows.indexOf(w.start())] = 1.0;
            }
            perfect.put(file, ScoredSeries.of(rows, starts));
        }

        for (NabProfile p : corpus.profiles()) {
            assertThat(scorer.score(nothing, p).normalizedScore()).as(p.name()).isEqualTo(0.0);
            assertThat(scorer.score(perfect, p).normalizedScore())
                    .as(p.name())
                    .isCloseTo(100.0, within(1e-9));
        }
    }

    @Test
    void refusesOutputThatDoesNotScoreEveryRow() {
        NabCorpus corpus = NabTestData.corpus();
        Map<String, ScoredSeries> output = new HashMap<>(numenta);
        String file = "realKnownCause/nyc_taxi.csv";
        ScoredSeries full = output.get(file);
        output.put(
                file,
                ScoredSeries.of(
                        full.timestamps().subList(1, full.size()), new double[full.size() - 1]));

        assertThatThrownBy(() -> NabScorer.forCorpus(corpus).score(output, STANDARD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file);
        output.remove(file);
        assertThatThrownBy(() -> NabScorer.forCorpus(corpus).score(output, STANDARD))
                .hasMessageContaining("no detector output for " + file);
    }

    // --- the rules, on one hand-made file ---

    @Test
    void detectionOnTheWindowsFirstRowEarnsTheFullTpWeight() {
        assertThat(raw(STANDARD, FIRST)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void laterDetectionsInTheWindowEarnLessOnTheSigmoid() {
        // Relative position -(LAST - row + 1) / width: -0.5 in the middle, -1/20 on the last row.
        double middle = raw(STANDARD, 110);
        double end = raw(STANDARD, LAST);

        assertThat(middle).isCloseTo(tpShare(-0.5), within(1e-12)).isCloseTo(0.8598, within(1e-4));
        assertThat(end).isCloseTo(tpShare(-0.05), within(1e-12)).isCloseTo(0.1260, within(1e-4));
        // Late is still far better than missed.
        assertThat(end).isGreaterThan(raw(STANDARD));
    }

    @Test
    void onlyTheFirstDetectionInAWindowCounts() {
        assertThat(raw(STANDARD, 105, 110, 118)).isEqualTo(raw(STANDARD, 105));
        assertThat(
                        ONE_WINDOW
                                .scoreAt(single(105, 110, 118), STANDARD, 0.5)
                                .files()
                                .get("f.csv")
                                .tp())
                .isEqualTo(3);
    }

    @Test
    void missedWindowCostsTheFnWeight() {
        assertThat(raw(STANDARD)).isEqualTo(-1.0);
        assertThat(raw(LOW_FN)).isEqualTo(-2.0);
    }

    @Test
    void falsePositiveFarFromWindowsCostsTheFpWeight() {
        // Before the first window, and more than three window widths after it.
        assertThat(raw(STANDARD, 50)).isCloseTo(-1.0 - 0.11, within(1e-12));
        assertThat(raw(STANDARD, 180)).isCloseTo(-1.0 - 0.11, within(1e-12));
    }

    @Test
    void falsePositiveAfterAWindowCostsLessTheCloserItIs() {
        // Distance past the window's last row in (width - 1) rows: 1/19 just after it, 1 at 19.
        double justAfter = raw(STANDARD, LAST + 1) + 1.0;
        double oneWidth = raw(STANDARD, LAST + 19) + 1.0;

        assertThat(justAfter).isCloseTo(0.11 * sigmoidShare(1.0 / 19), within(1e-12));
        assertThat(justAfter).isCloseTo(-0.0144, within(1e-4));
        assertThat(oneWidth).isCloseTo(-0.11 * (2 / (1 + Math.exp(-5)) - 1), within(1e-12));
        assertThat(justAfter).isGreaterThan(oneWidth);
        assertThat(oneWidth).isGreaterThan(-0.11);
    }

    @Test
    void probationaryRowsAreNotScored() {
        assertThat(FileSweep.probationRows(ROWS, 0.15)).isEqualTo(30);
        assertThat(FileSweep.probationRows(4032, 0.15)).isEqualTo(604);
        assertThat(FileSweep.probationRows(22_695, 0.15)).isEqualTo(750);

        assertThat(raw(STANDARD, 29)).isEqualTo(-1.0);
        assertThat(raw(STANDARD, 30)).isCloseTo(-1.11, within(1e-12));
        FileScore f = ONE_WINDOW.scoreAt(single(), STANDARD, 0.5).files().get("f.csv");
        assertThat(f.tn() + f.fn()).isEqualTo(ROWS - 30);
        assertThat(f.rows()).isEqualTo(ROWS);
    }

    @Test
    void aDetectionIsAScoreAtLeastTheThreshold() {
        ScoredSeries s = series(ROWS, Map.of(FIRST, 0.7));
        assertThat(ONE_WINDOW.scoreAt(Map.of("f.csv", s), STANDARD, 0.7).rawScore())
                .isCloseTo(1.0, within(1e-12));
        assertThat(ONE_WINDOW.scoreAt(Map.of("f.csv", s), STANDARD, 0.7000001).rawScore())
                .isEqualTo(-1.0);
    }

    // --- threshold optimisation and normalisation ---

    @Test
    void optimizerPicksTheBestThresholdAndTheHighestOfEqualOnes() {
        // 0.9: the window's first row (+1); 0.8: a later row of it (no change, so 0.9 wins the
        // tie); 0.7: a far false positive (-0.11); 0.1: every other row.
        ScoredSeries s = series(ROWS, Map.of(FIRST, 0.9, 105, 0.8, 160, 0.7), 0.1);
        NabResult r = ONE_WINDOW.score(Map.of("f.csv", s), STANDARD);

        assertThat(r.threshold()).isEqualTo(0.9);
        assertThat(r.rawScore()).isCloseTo(1.0, within(1e-12));
        assertThat(r.normalizedScore()).isCloseTo(100.0, within(1e-9));
    }

    @Test
    void optimizerPrefersAFewFalsePositivesWhenTheyBuyAWindow() {
        // Detecting the window mid-way means taking two far false positives that score higher:
        // 0.86 - 2 * 0.11 beats -1 for the miss.
        ScoredSeries s = series(ROWS, Map.of(40, 0.9, 180, 0.8, 110, 0.6));
        NabResult r = ONE_WINDOW.score(Map.of("f.csv", s), STANDARD);

        assertThat(r.threshold()).isEqualTo(0.6);
        assertThat(r.rawScore()).isCloseTo(tpShare(-0.5) - 0.22, within(1e-12));
        FileScore f = r.files().get("f.csv");
        assertThat(List.of(f.tp(), f.fp(), f.fn())).containsExactly(1, 2, LAST - FIRST);
    }

    @Test
    void optimizerDetectsNothingWhenEveryDetectionCostsMore() {
        ScoredSeries s = series(ROWS, Map.of(40, 0.9, 150, 0.8));
        NabResult r = ONE_WINDOW.score(Map.of("f.csv", s), STANDARD);

        assertThat(r.threshold()).isEqualTo(ThresholdOptimizer.NO_DETECTION);
        assertThat(r.normalizedScore()).isEqualTo(0.0);
    }

    @Test
    void hillClimbCanStopOnALocalMaximumTheSweepPassesBy() {
        // Detecting the window needs a threshold of 0.2 or less, which also takes five far false
        // positives at 0.45: worth it (1 - 0.55 > -1), but from 0.5 every nearby step is worse.
        Map<Integer, Double> scores = new HashMap<>(Map.of(FIRST, 0.2));
        IntStream.range(40, 45).forEach(row -> scores.put(row, 0.45));
        Map<String, ScoredSeries> output = Map.of("f.csv", series(ROWS, scores));

        NabResult sweep = ONE_WINDOW.score(output, STANDARD, Search.SWEEP);
        NabResult climb = ONE_WINDOW.score(output, STANDARD, Search.HILL_CLIMB);

        assertThat(sweep.threshold()).isEqualTo(0.2);
        assertThat(sweep.rawScore()).isCloseTo(1.0 - 5 * 0.11, within(1e-12));
        assertThat(climb.threshold()).isEqualTo(0.5);
        assertThat(climb.normalizedScore()).isEqualTo(0.0);
    }

    @Test
    void nullDetectorScoresZeroAndPerfectOneHundred() {
        NabScorer scorer =
                NabScorer.of(
                        Map.of(
                                "a.csv", List.of(window(40, 59), window(120, 149)),
                                "b.csv", List.of(),
                                "c.csv", List.of(window(FIRST, LAST))),
                        0.15);
        Map<String, ScoredSeries> nothing =
                Map.of("a.csv", series(ROWS), "b.csv", series(ROWS), "c.csv", series(ROWS));
        Map<String, ScoredSeries> perfect =
                Map.of(
                        "a.csv", series(ROWS, 40, 120),
                        "b.csv", series(ROWS),
                        "c.csv", series(ROWS, FIRST));

        for (NabProfile p : List.of(STANDARD, LOW_FN, new NabProfile("fp", 1.0, 0.22, 1.0))) {
            NabResult none = scorer.score(nothing, p);
            assertThat(none.normalizedScore()).isEqualTo(0.0);
            assertThat(none.rawScore()).isEqualTo(-3 * p.fnWeight());
            NabResult all = scorer.score(perfect, p);
            assertThat(all.normalizedScore()).isCloseTo(100.0, within(1e-9));
            assertThat(all.perfectScore()).isEqualTo(3.0);
        }
    }

    @Test
    void refusesOverlappingWindowsAndWindowsWithoutRows() {
        NabScorer overlapping =
                NabScorer.of(Map.of("f.csv", List.of(window(40, 60), window(60, 70))), 0.15);
        assertThatThrownBy(() -> overlapping.score(single(), STANDARD))
                .hasMessageContaining("disjoint");
        NabScorer beyond = NabScorer.of(Map.of("f.csv", List.of(window(300, 310))), 0.15);
        assertThatThrownBy(() -> beyond.score(single(), STANDARD))
                .hasMessageContaining("holds no row");
    }

    // --- helpers ---

    private static double raw(NabProfile profile, int... detectedRows) {
        return ONE_WINDOW.scoreAt(single(detectedRows), profile, 0.5).rawScore();
    }

    private static Map<String, ScoredSeries> single(int... detectedRows) {
        return Map.of("f.csv", series(ROWS, detectedRows));
    }

    private static ScoredSeries series(int rows, int... detectedRows) {
        Map<Integer, Double> scores = new HashMap<>();
        for (int row : detectedRows) {
            scores.put(row, 1.0);
        }
        return series(rows, scores);
    }

    private static ScoredSeries series(int rows, Map<Integer, Double> scores) {
        return series(rows, scores, 0.0);
    }

    private static ScoredSeries series(int rows, Map<Integer, Double> scores, double otherwise) {
        List<LocalDateTime> ts = IntStream.range(0, rows).mapToObj(NabScorerTest::t).toList();
        double[] s = new double[rows];
        Arrays.fill(s, otherwise);
        scores.forEach((row, score) -> s[row] = score);
        return ScoredSeries.of(ts, s);
    }

    private static LocalDateTime t(int row) {
        return T0.plusMinutes(row);
    }

    private static NabWindow window(int firstRow, int lastRow) {
        return new NabWindow(t(firstRow), t(lastRow));
    }

    /** NAB's sigmoid, 2 / (1 + e^(5x)) - 1, written out independently of FileSweep. */
    private static double sigmoidShare(double position) {
        return 2 * (1 / (1 + Math.exp(5 * position))) - 1;
    }

    /** A detection's share of the TP weight at a relative position in the window. */
    private static double tpShare(double position) {
        return sigmoidShare(position) / sigmoidShare(-1);
    }

    /** Numenta's published numbers for one profile. */
    private record Published(
            double threshold,
            double rawScore,
            double normalizedScore,
            Map<String, FileScore> files) {
        static Published read(String profile) throws IOException {
            JsonNode finals =
                    new ObjectMapper()
                            .readTree(
                                    NabTestData.ROOT
                                            .resolve("results/final_results.json")
                                            .toFile());
            double normalized = finals.path("numenta").path(profile).asDouble(Double.NaN);
            Path csv =
                    NabTestData.ROOT.resolve("results/numenta/numenta_" + profile + "_scores.csv");
            List<String> lines = Files.readAllLines(csv);
            // Detector,Profile,File,Threshold,Score,TP,TN,FP,FN,Total_Count; the last line totals.
            Map<String, FileScore> files = new HashMap<>();
            double threshold = Double.NaN;
            double raw = Double.NaN;
            for (String line : new ArrayList<>(lines.subList(1, lines.size()))) {
                String[] c = line.split(",", -1);
                if (c[0].equals("Totals")) {
                    raw = Double.parseDouble(c[4]);
                    continue;
                }
                threshold = Double.parseDouble(c[3]);
                files.put(
                        c[2],
                        new FileScore(
                                c[2],
                                Double.parseDouble(c[4]),
                                Integer.parseInt(c[5]),
                                Integer.parseInt(c[6]),
                                Integer.parseInt(c[7]),
                                Integer.parseInt(c[8]),
                                Integer.parseInt(c[9])));
            }
            return new Published(threshold, raw, normalized, files);
        }
    }
}
