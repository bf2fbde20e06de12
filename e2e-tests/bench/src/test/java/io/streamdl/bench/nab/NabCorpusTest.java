package io.streamdl.bench.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NabCorpusTest {
    @Test
    void shippedCorpusIsNabOnePointOne() {
        NabCorpus c = NabTestData.corpus();

        assertThat(c.files()).hasSize(58).contains("realKnownCause/nyc_taxi.csv");
        assertThat(c.windowCount()).isEqualTo(116);
        assertThat(c.rowCount()).isEqualTo(365_558);
        assertThat(c.windows("artificialNoAnomaly/art_flatline.csv")).isEmpty();
        assertThat(c.profiles())
                .containsExactly(
                        new NabProfile("standard", 1.0, 0.11, 1.0),
                        new NabProfile("reward_low_FP_rate", 1.0, 0.22, 1.0),
                        new NabProfile("reward_low_FN_rate", 1.0, 0.11, 2.0));
    }

    @Test
    void everyWindowStartsAndEndsOnARowOfItsFile() {
        // The scorer places a window by its limits; NAB's own code needs them to be rows.
        NabCorpus c = NabTestData.corpus();
        for (String file : c.files()) {
            List<LocalDateTime> rows = c.timestamps(file);
            for (NabWindow w : c.windows(file)) {
                assertThat(rows).as(file).contains(w.start(), w.end());
            }
        }
    }

    @Test
    void parsesTimestampsWithAndWithoutMicroseconds() {
        LocalDateTime t = LocalDateTime.of(2014, 4, 10, 7, 15);
        assertThat(NabCorpus.parseTimestamp("2014-04-10 07:15:00")).isEqualTo(t);
        assertThat(NabCorpus.parseTimestamp("2014-04-10 07:15:00.000000")).isEqualTo(t);
    }

    @Test
    void readsTheShippedNumentaOutputForEveryFile() throws Exception {
        NabCorpus c = NabTestData.corpus();
        var output = c.readDetectorResults(NabTestData.ROOT.resolve("results/numenta"), "numenta");

        assertThat(output.keySet()).containsExactlyElementsOf(c.files());
        ScoredSeries taxi = output.get("realKnownCause/nyc_taxi.csv");
        assertThat(taxi.timestamps()).isEqualTo(c.timestamps("realKnownCause/nyc_taxi.csv"));
        assertThat(taxi.score(0)).isEqualTo(0.0301029996659);
    }

    @Test
    void refusesWindowsForFilesWithoutData(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("data/a"));
        Files.writeString(dir.resolve("data/a/x.csv"), "timestamp,value\n2014-01-01 00:00:00,1\n");
        Files.createDirectories(dir.resolve("labels"));
        Files.writeString(
                dir.resolve("labels/combined_windows.json"), "{\"a/x.csv\": [], \"a/y.csv\": []}");

        assertThatThrownBy(() -> NabCorpus.load(dir))
                .hasMessageContaining("does not list the files");
    }

    @Test
    void missingDetectorOutputNamesTheFile(@TempDir Path dir) {
        NabCorpus c = NabTestData.corpus();
        assertThatThrownBy(() -> c.readDetectorResults(dir, "numenta"))
                .hasMessageContaining("no numenta output for");
    }
}
