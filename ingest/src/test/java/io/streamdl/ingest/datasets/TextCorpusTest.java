package io.streamdl.ingest.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusTest {
    @TempDir Path dir;

    @Test
    void readsDocumentsInFileOrderAndFiltersBySplit() throws Exception {
        Path file = dir.resolve("c.jsonl");
        Files.writeString(
                file,
                """
                {"id":"nethack-console","source":"nethack","label":"games","split":"test","text":"A dungeon.\\nSecond paragraph."}
                {"id":"mutt","source":"mutt","label":"mail","split":"train","text":"Mail reader é"}

                {"id":"bc","label":"math","split":"train","text":"Calculator"}
                """);

        TextCorpus corpus = TextCorpus.load(file);

        assertThat(corpus.docs())
                .containsExactly(
                        new TextCorpus.Doc(
                                "nethack-console",
                                "nethack",
                                "games",
                                Split.TEST,
                                "A dungeon.\nSecond paragraph."),
                        new TextCorpus.Doc("mutt", "mutt", "mail", Split.TRAIN, "Mail reader é"),
                        new TextCorpus.Doc("bc", "bc", "math", Split.TRAIN, "Calculator"));
        assertThat(corpus.docs(Split.TRAIN))
                .extracting(TextCorpus.Doc::id)
                .containsExactly("mutt", "bc");
        assertThat(corpus.labels()).isEqualTo(TextCorpus.SECTIONS).hasSize(10);
        assertThat(corpus.labelIndex("admin")).isZero();
        assertThat(corpus.labelIndex("sound")).isEqualTo(9);
        assertThatThrownBy(() -> corpus.labelIndex("libs"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsUnknownLabelsMissingFieldsAndEmptyFilesNamingTheLine() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(
                file,
                "{\"id\":\"a\",\"label\":\"games\",\"split\":\"train\",\"text\":\"t\"}\n"
                        + "{\"id\":\"b\",\"label\":\"libs\",\"split\":\"train\",\"text\":\"t\"}\n");
        assertThatThrownBy(() -> TextCorpus.load(file))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("unknown label 'libs'");

        Files.writeString(file, "{\"id\":\"a\",\"label\":\"games\",\"split\":\"train\"}\n");
        assertThatThrownBy(() -> TextCorpus.load(file)).hasMessageContaining("'text'");

        Files.writeString(file, "{not json\n");
        assertThatThrownBy(() -> TextCorpus.load(file)).hasMessageContaining("not JSON");

        Files.writeString(file, "\n");
        assertThatThrownBy(() -> TextCorpus.load(file)).hasMessageContaining("no documents");
        assertThat(TextCorpus.loadOrSample(dir.resolve("absent.jsonl")).origin())
                .startsWith("bundled sample");
    }

    @Test
    void bundledSampleCoversEverySectionInBothSplitsWithoutSourceLeaks() {
        TextCorpus sample = TextCorpus.sample();

        assertThat(sample.size()).isGreaterThanOrEqualTo(200);
        assertThat(sample.docs())
                .allSatisfy(d -> assertThat(TextCorpus.SECTIONS).contains(d.label()));
        for (Split split : Split.values()) {
            assertThat(sample.docs(split).stream().map(TextCorpus.Doc::label).distinct())
                    .as(split.id())
                    .containsExactlyInAnyOrderElementsOf(TextCorpus.SECTIONS);
        }
        Map<String, Split> splitOfSource = new HashMap<>();
        for (TextCorpus.Doc d : sample.docs()) {
            assertThat(splitOfSource.putIfAbsent(d.source(), d.split()))
                    .as("source %s", d.source())
                    .isIn(null, d.split());
            assertThat(d.split()).isEqualTo(DebianTextPrep.splitOf(d.source()));
            assertThat(d.text().split("\\s+").length)
                    .isGreaterThanOrEqualTo(DebianTextPrep.MIN_WORDS);
        }
        assertThat(sample.docs().stream().map(TextCorpus.Doc::id).collect(Collectors.toSet()))
                .hasSize(sample.size());
        assertThat(sample.docs().stream().map(TextCorpus.Doc::text).collect(Collectors.toSet()))
                .hasSize(sample.size());
    }
}
