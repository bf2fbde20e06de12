package io.streamdl.ingest.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebianTextPrepTest {
    @TempDir Path lists;

    private static final String TEN_WORDS = "one two three four five six seven eight nine ten";

    private static final String PACKAGES =
            """
            Package: freeciv-client
            Source: freeciv (3.0.6-1)
            Version: 3.0.6-1
            Section: games
            Description: turn-based strategy game (client)
            Description-md5: aaaa0001
            Tag: game::strategy,
             role::program

            Package: freeciv-server
            Source: freeciv
            Section: games
            Description: turn-based strategy game (server)
            Description-md5: aaaa0002

            Package: nmap
            Section: contrib/net
            Description: network scanner
            Description-md5: aaaa0003

            Package: libfoo1
            Section: libs
            Description: a library
            Description-md5: aaaa0004

            Package: tiny
            Section: admin
            Description: says little
            Description-md5: aaaa0005

            Package: nmap-copy
            Section: net
            Description: the same text as nmap
            Description-md5: aaaa0006

            Package: oldsection
            Section: sound
            Description: moved to math in the second index, which must not win
            Description-md5: aaaa0007
            """;

    private static final String TRANSLATIONS =
            """
            Package: freeciv-client
            Description-md5: aaaa0001
            Description-en: turn-based strategy game (client)
             Freeciv is a multi-player strategy game in the spirit of Civilization.
             .
             This package contains the  graphical client:
               * GTK
               * Qt

            Package: freeciv-server
            Description-md5: aaaa0002
            Description-en: turn-based strategy game (server)
             Freeciv is a multi-player strategy game; this package holds the server only.

            Package: nmap
            Description-md5: aaaa0003
            Description-en: network scanner
             Nmap scans networks for hosts and services, %s.

            Package: libfoo1
            Description-md5: aaaa0004
            Description-en: a library
             A shared library that is long enough to pass the word count filter.

            Package: tiny
            Description-md5: aaaa0005
            Description-en: says little
             Only four words here.

            Package: nmap-copy
            Description-md5: aaaa0006
            Description-en: the same text as nmap
             Nmap scans networks for hosts and services, %s.

            Package: oldsection
            Description-md5: aaaa0007
            Description-en: a sound tool
             Plays sounds through the speakers of the machine, %s.
            """
                    .formatted(TEN_WORDS, TEN_WORDS, TEN_WORDS);

    private void writeLists() throws IOException {
        Files.writeString(
                lists.resolve("deb.example.org_debian_dists_x_main_binary-amd64_Packages"),
                PACKAGES);
        Files.writeString(
                lists.resolve("deb.example.org_debian_dists_x_main_i18n_Translation-en"),
                TRANSLATIONS);
        // Read after the first index: its stanza for oldsection must not override the first.
        Files.writeString(
                lists.resolve("deb.example.org_debian_dists_y_main_binary-amd64_Packages"),
                "Package: oldsection\nSection: math\nDescription-md5: aaaa0007\n");
        Files.createDirectories(lists.resolve("partial"));
        Files.writeString(lists.resolve("lock"), "");
    }

    @Test
    void joinsFiltersCleansDedupesAndSplitsBySource() throws Exception {
        writeLists();

        List<TextCorpus.Doc> docs = DebianTextPrep.prepare(lists);

        assertThat(docs)
                .extracting(TextCorpus.Doc::id)
                .containsExactly("freeciv-client", "freeciv-server", "nmap", "oldsection");
        TextCorpus.Doc client = docs.get(0);
        assertThat(client.source()).isEqualTo("freeciv");
        assertThat(client.label()).isEqualTo("games");
        assertThat(client.text())
                .isEqualTo(
                        "Freeciv is a multi-player strategy game in the spirit of Civilization.\n"
                                + "This package contains the graphical client: * GTK * Qt");
        assertThat(docs.get(1).source()).isEqualTo("freeciv");
        assertThat(docs.get(1).split()).isEqualTo(client.split());
        assertThat(client.split()).isEqualTo(DebianTextPrep.splitOf("freeciv"));

        TextCorpus.Doc nmap = docs.get(2);
        assertThat(nmap.label()).isEqualTo("net"); // contrib/ stripped
        assertThat(nmap.source()).isEqualTo("nmap"); // no Source field: the package itself
        assertThat(docs.get(3).label()).isEqualTo("sound");
    }

    @Test
    void writesJsonlThatTextCorpusReadsBackAndCountsPerSplit() throws Exception {
        writeLists();
        List<TextCorpus.Doc> docs = DebianTextPrep.prepare(lists);
        Path out = lists.resolve("out/debian.jsonl");

        DebianTextPrep.write(docs, out);

        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(4);
        assertThat(lines.get(2))
                .startsWith("{\"id\":\"nmap\",\"source\":\"nmap\",\"label\":\"net\",\"split\":\"");
        assertThat(TextCorpus.load(out).docs()).isEqualTo(docs);

        Map<String, Map<Split, Integer>> counts = DebianTextPrep.counts(docs);
        assertThat(counts.keySet()).containsExactlyElementsOf(TextCorpus.SECTIONS);
        assertThat(counts.get("games").values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(2);
        assertThat(counts.get("admin").values()).containsOnly(0);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        DebianTextPrep.printCounts(docs, new PrintStream(printed, true, StandardCharsets.UTF_8));
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("games")
                .contains("4 documents from 3 source packages");
    }

    @Test
    void keepsAtMostTenBinariesOfOneSource() throws Exception {
        StringBuilder packages = new StringBuilder();
        StringBuilder translations = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            String name = "tesseract-lang%02d".formatted(i);
            packages.append(
                    "Package: %s%nSource: tesseract-lang%nSection: graphics%n%n".formatted(name));
            translations.append(
                    "Package: %s%nDescription-en: language data%n Language %d data for the OCR engine, %s.%n%n"
                            .formatted(name, i, TEN_WORDS));
        }
        Files.writeString(lists.resolve("a_Packages"), packages);
        Files.writeString(lists.resolve("a_Translation-en"), translations);

        List<TextCorpus.Doc> docs = DebianTextPrep.prepare(lists);

        assertThat(docs).hasSize(DebianTextPrep.MAX_PER_SOURCE);
        assertThat(docs.get(9).id()).isEqualTo("tesseract-lang09");
        assertThat(docs).extracting(TextCorpus.Doc::split).containsOnly(docs.get(0).split());
    }

    @Test
    void cleansDescriptions() {
        assertThat(DebianTextPrep.cleanDescription("synopsis only")).isEmpty();
        assertThat(
                        DebianTextPrep.cleanDescription(
                                "synopsis\n first line\n second\tline\n .\n .\n  verbatim   block\n ."))
                .isEqualTo("first line second line\nverbatim block");
        assertThat(DebianTextPrep.section("non-free/sound")).isEqualTo("sound");
        assertThat(DebianTextPrep.section(" editors ")).isEqualTo("editors");
        assertThat(DebianTextPrep.source("glibc (2.36-9)", "libc6")).isEqualTo("glibc");
        assertThat(DebianTextPrep.source(null, "vim")).isEqualTo("vim");
    }

    @Test
    void splitOfIsStableAndNearTwentyPercentTest() {
        int test = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            if (DebianTextPrep.splitOf("pkg" + i) == Split.TEST) {
                test++;
            }
        }
        assertThat(test / (double) n).isBetween(0.18, 0.22);
        // Pinned: a change of the hash would silently move packages between the splits.
        assertThat(
                        List.of("vim", "emacs", "nethack", "postfix", "gnuplot").stream()
                                .map(DebianTextPrep::splitOf)
                                .toList())
                .isEqualTo(PINNED_SPLITS);
    }

    private static final List<Split> PINNED_SPLITS =
            List.of(Split.TRAIN, Split.TRAIN, Split.TEST, Split.TRAIN, Split.TRAIN);

    @Test
    void readsGzipIndexesAndRefusesOtherCompressions() throws Exception {
        try (OutputStream out =
                new GZIPOutputStream(
                        Files.newOutputStream(lists.resolve("h_main_binary-amd64_Packages.gz")))) {
            out.write(PACKAGES.getBytes(StandardCharsets.UTF_8));
        }
        Files.writeString(lists.resolve("h_main_i18n_Translation-en.lz4"), "not readable");
        assertThatThrownBy(() -> DebianTextPrep.prepare(lists))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Translation-en.lz4")
                .hasMessageContaining("apt-helper cat-file");

        // A plain copy beside it (as the script makes) is read instead.
        Files.writeString(lists.resolve("h_main_i18n_Translation-en"), TRANSLATIONS);
        assertThat(DebianTextPrep.prepare(lists)).hasSize(4);
    }

    @Test
    void saysWhatIsMissing() throws Exception {
        Files.writeString(lists.resolve("x_Packages"), PACKAGES);
        assertThatThrownBy(() -> DebianTextPrep.prepare(lists))
                .hasMessageContaining("Translation-en")
                .hasMessageContaining("Acquire::Languages=en");
    }
}
