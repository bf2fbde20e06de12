package io.streamdl.encoders.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordPieceTrainerTest {
    static final List<String> CORPUS =
            List.of(
                    "The quick brown fox jumps over the lazy dog.",
                    "A lazy dog sleeps in the sun; the fox watches the dog.",
                    "Foxes and dogs are animals. The dogs bark, the foxes run!",
                    "Quickly, quietly, the brown dog jumped over the sleeping fox.",
                    "Library for reading and writing compressed archives (development files).",
                    "This package contains the development files for the archive library.");

    @TempDir Path dir;

    private static WordPieceVocabulary train(List<String> texts, int size, int minFrequency) {
        return new WordPieceTrainer(new WordPieceTrainer.Config(size, minFrequency, true))
                .train(texts);
    }

    @Test
    void learnsTheHandComputedMerge() {
        // word counts: ab x3, ac x1; alphabet by count: a (4), ##b (3), ##c (1);
        // pairs: (a, ##b) 3, (a, ##c) 1, so the one merge is "ab"
        WordPieceVocabulary vocabulary = train(List.of("ab ab", "ab ac"), 9, 1);
        assertThat(vocabulary.tokens())
                .containsExactly(
                        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "##b", "##c", "ab");
        WordPieceTokenizer tokenizer = new WordPieceTokenizer(vocabulary, new TextNormalizer(true));
        assertThat(tokenizer.tokenize("AB ac abc")).containsExactly("ab", "a", "##c", "ab", "##c");

        // the merge is seen 3 times: a minimum of 4 stops before it
        assertThat(train(List.of("ab ab", "ab ac"), 9, 4).size()).isEqualTo(8);
        // no room for ##c: words with c are not learnt from and tokenise to [UNK]
        WordPieceVocabulary small = train(List.of("ab ab", "ab ac"), 7, 1);
        assertThat(small.tokens())
                .containsExactly("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "##b");
        assertThat(new WordPieceTokenizer(small, new TextNormalizer(true)).tokenize("ac ab"))
                .containsExactly("[UNK]", "a", "##b");
    }

    @Test
    void frequentWordsBecomeWholeTokensWithinTheRequestedSize() {
        WordPieceVocabulary vocabulary = train(CORPUS, 120, 2);
        assertThat(vocabulary.size()).isLessThanOrEqualTo(120);
        assertThat(vocabulary.tokens().subList(0, 5)).isEqualTo(WordPieceVocabulary.SPECIAL_TOKENS);
        assertThat(vocabulary.tokens()).contains("the", "dog", "fox", "t", "##e", ".");
        assertThat(vocabulary.version()).matches("[0-9a-f]{12}");
    }

    @Test
    void theSameCorpusAlwaysGivesTheSameVersion() {
        String first = train(CORPUS, 100, 2).sha256();
        assertThat(train(new ArrayList<>(CORPUS), 100, 2).sha256()).isEqualTo(first);
        assertThat(train(CORPUS.subList(0, 5), 100, 2).sha256()).isNotEqualTo(first);
        assertThat(train(CORPUS, 101, 2).sha256()).isNotEqualTo(first);
    }

    @Test
    void tokenizerRoundTripsTheTrainingText() {
        WordPieceVocabulary vocabulary = train(CORPUS, 150, 2);
        TextNormalizer normalizer = new TextNormalizer(true);
        WordPieceTokenizer tokenizer = new WordPieceTokenizer(vocabulary, normalizer);
        for (String text : CORPUS) {
            int[] ids = tokenizer.ids(text);
            assertThat(ids).doesNotContain(WordPieceVocabulary.UNK_ID);
            assertThat(tokenizer.decode(ids)).isEqualTo(String.join(" ", normalizer.words(text)));
        }
    }

    @Test
    void commandLineToolTrainsOnTheSelectedSplitOfAJsonlFile() throws Exception {
        Path corpus = dir.resolve("corpus.jsonl");
        List<String> lines = new ArrayList<>();
        for (String text : CORPUS) {
            lines.add("{\"text\": \"" + text + "\", \"split\": \"train\"}");
        }
        lines.add("{\"text\": \"zebra zebra zebra zebra\", \"split\": \"test\"}");
        lines.add("");
        Files.write(corpus, lines);
        Path vocabFile = dir.resolve("vocab.txt");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int status =
                WordPieceTrainer.run(
                        new String[] {
                            "--input",
                            corpus.toString(),
                            "--output",
                            vocabFile.toString(),
                            "--vocab-size",
                            "150",
                            "--where",
                            "split=train"
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        System.err);

        assertThat(status).isZero();
        WordPieceVocabulary vocabulary = WordPieceVocabulary.read(vocabFile);
        assertThat(vocabulary.tokens()).isEqualTo(train(CORPUS, 150, 2).tokens());
        assertThat(vocabulary.tokens()).doesNotContain("z", "zebra"); // "##z" comes from "lazy"
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("version " + vocabulary.version())
                .contains("from 6 texts");
    }

    @Test
    void commandLineToolReportsBadInput() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(WordPieceTrainer.run(new String[] {"--input"}, System.out, errors)).isEqualTo(2);
        assertThat(WordPieceTrainer.run(new String[] {"--vocab-size", "x"}, System.out, errors))
                .isEqualTo(2);

        Path broken = dir.resolve("broken.jsonl");
        Files.writeString(broken, "{\"text\": \"ok\"}\n{not json\n");
        String[] args = {"--input", broken.toString(), "--output", dir.resolve("v.txt").toString()};
        assertThat(WordPieceTrainer.run(args, System.out, errors)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("line 2 is not JSON");

        Path plain = dir.resolve("plain.txt");
        Files.write(plain, CORPUS);
        String[] text = {
            "--input",
            plain.toString(),
            "--output",
            dir.resolve("p.txt").toString(),
            "--vocab-size",
            "150"
        };
        assertThat(WordPieceTrainer.run(text, System.out, errors)).isZero();
        assertThat(WordPieceVocabulary.read(dir.resolve("p.txt")).tokens())
                .isEqualTo(train(CORPUS, 150, 2).tokens());
    }
}
