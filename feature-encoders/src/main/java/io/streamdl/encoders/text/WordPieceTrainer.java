package io.streamdl.encoders.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Learns a {@link WordPieceVocabulary} from a corpus.
 *
 * <p>The words of each text ({@link TextNormalizer#words}) are counted. The initial vocabulary is
 * the special tokens plus every character seen, as a word start ({@code c}) or inside a word
 * ({@code ##c}), most frequent first (if there are more characters than room, the rarest are left
 * out and words containing them are not learnt from). Then, until the vocabulary has {@code
 * vocabSize} tokens, the adjacent pair of symbols that occurs most often across all words (weighted
 * by word count) is merged into a new token ({@code a} + {@code ##b} gives {@code ab}); merging
 * stops early when the best pair occurs fewer than {@code minFrequency} times. This is
 * byte-pair-encoding training written in WordPiece form, as Hugging Face's WordPiece trainer does;
 * the tokens are then applied by greedy longest match ({@link WordPieceTokenizer}). Ties go to the
 * lexicographically smaller new token, so the same corpus always gives the same vocabulary, and so
 * the same version.
 *
 * <p>{@link #main} is the command-line tool that writes a vocabulary file from the training split.
 */
public final class WordPieceTrainer {

    /**
     * How to train.
     *
     * @param vocabSize the number of tokens wanted, special tokens included
     * @param minFrequency pairs seen fewer times than this are not merged
     * @param lowercase whether the normaliser lower-cases (must match the encoder's setting)
     */
    public record Config(int vocabSize, int minFrequency, boolean lowercase) {
        public Config {
            if (vocabSize <= WordPieceVocabulary.SPECIAL_TOKENS.size() || vocabSize > 1_000_000) {
                throw new IllegalArgumentException(
                        "vocab-size must be from "
                                + (WordPieceVocabulary.SPECIAL_TOKENS.size() + 1)
                                + " to 1000000, got "
                                + vocabSize);
            }
            if (minFrequency < 1) {
                throw new IllegalArgumentException(
                        "min-frequency must be at least 1, got " + minFrequency);
            }
        }
    }

    private final Config config;
    private final TextNormalizer normalizer;

    public WordPieceTrainer(Config config) {
        this.config = config;
        this.normalizer = new TextNormalizer(config.lowercase());
    }

    /** Learns a vocabulary from {@code texts} (the training split only). */
    public WordPieceVocabulary train(Iterable<String> texts) {
        TreeMap<String, Long> wordCounts = new TreeMap<>();
        for (String text : texts) {
            for (String word : normalizer.words(text)) {
                if (word.codePointCount(0, word.length()) <= TextNormalizer.MAX_WORD_CHARS) {
                    wordCounts.merge(word, 1L, Long::sum);
                }
            }
        }
        Symbols symbols = new Symbols();
        List<int[]> words = new ArrayList<>();
        List<Long> frequencies = new ArrayList<>();
        Map<Integer, Long> symbolCounts = new HashMap<>();
        for (Map.Entry<String, Long> entry : wordCounts.entrySet()) {
            int[] sequence = symbols.split(entry.getKey());
            for (int symbol : sequence) {
                symbolCounts.merge(symbol, entry.getValue(), Long::sum);
            }
            words.add(sequence);
            frequencies.add(entry.getValue());
        }

        List<Integer> alphabet = new ArrayList<>(symbolCounts.keySet());
        alphabet.sort(
                Comparator.<Integer>comparingLong(s -> -symbolCounts.get(s))
                        .thenComparing(symbols::name));
        int room = config.vocabSize() - WordPieceVocabulary.SPECIAL_TOKENS.size();
        Set<Integer> kept = new HashSet<>(alphabet.subList(0, Math.min(room, alphabet.size())));
        LinkedHashSet<String> vocabulary = new LinkedHashSet<>(WordPieceVocabulary.SPECIAL_TOKENS);
        for (int symbol : alphabet.subList(0, Math.min(room, alphabet.size()))) {
            vocabulary.add(symbols.name(symbol));
        }

        Merger merger = new Merger(symbols);
        for (int w = 0; w < words.size(); w++) {
            if (Arrays.stream(words.get(w)).allMatch(kept::contains)) {
                merger.addWord(words.get(w), frequencies.get(w));
            }
        }
        while (vocabulary.size() < config.vocabSize()) {
            String token = merger.mergeBest(config.minFrequency());
            if (token == null) {
                break;
            }
            vocabulary.add(token);
        }
        return WordPieceVocabulary.of(new ArrayList<>(vocabulary));
    }

    /** Interned symbol strings. */
    private static final class Symbols {
        private final List<String> names = new ArrayList<>();
        private final Map<String, Integer> ids = new HashMap<>();

        int id(String name) {
            return ids.computeIfAbsent(
                    name,
                    n -> {
                        names.add(n);
                        return names.size() - 1;
                    });
        }

        String name(int id) {
            return names.get(id);
        }

        int[] split(String word) {
            int[] codePoints = word.codePoints().toArray();
            int[] sequence = new int[codePoints.length];
            for (int i = 0; i < codePoints.length; i++) {
                String c = new String(Character.toChars(codePoints[i]));
                sequence[i] = id(i == 0 ? c : WordPieceVocabulary.CONTINUATION + c);
            }
            return sequence;
        }

        String merged(int a, int b) {
            return name(a) + name(b).substring(WordPieceVocabulary.CONTINUATION.length());
        }
    }

    /** A pair and its count when queued; stale once the pair's count has changed. */
    private record Candidate(long count, int first, int second, String token) {}

    /**
     * Pair counts over the distinct words, with an index from each pair to the words holding it, so
     * that a merge only revisits the words it changes.
     */
    private static final class Merger {
        private final Symbols symbols;
        private final List<int[]> words = new ArrayList<>();
        private final List<Long> frequencies = new ArrayList<>();
        private final Map<Long, Long> pairCounts = new HashMap<>();
        private final Map<Long, Set<Integer>> pairWords = new HashMap<>();
        private final PriorityQueue<Candidate> queue =
                new PriorityQueue<>(
                        Comparator.comparingLong((Candidate c) -> -c.count())
                                .thenComparing(Candidate::token)
                                .thenComparingInt(Candidate::first)
                                .thenComparingInt(Candidate::second));
        private boolean queued;

        Merger(Symbols symbols) {
            this.symbols = symbols;
        }

        void addWord(int[] sequence, long frequency) {
            int index = words.size();
            words.add(sequence);
            frequencies.add(frequency);
            for (int i = 0; i + 1 < sequence.length; i++) {
                long pair = pair(sequence[i], sequence[i + 1]);
                pairCounts.merge(pair, frequency, Long::sum);
                pairWords.computeIfAbsent(pair, p -> new HashSet<>()).add(index);
            }
        }

        /** Merges the most frequent pair and returns its token, or null if none is left. */
        String mergeBest(int minFrequency) {
            if (!queued) {
                pairCounts.forEach((pair, count) -> enqueue(pair, count));
                queued = true;
            }
            Candidate best;
            while (true) {
                best = queue.poll();
                if (best == null) {
                    return null;
                }
                Long current = pairCounts.get(pair(best.first(), best.second()));
                if (current != null && current == best.count()) {
                    break;
                }
            }
            if (best.count() < minFrequency) {
                return null;
            }
            int merged = symbols.id(best.token());
            long pair = pair(best.first(), best.second());
            Map<Long, Long> delta = new HashMap<>();
            for (int w : new ArrayList<>(pairWords.getOrDefault(pair, Set.of()))) {
                int[] before = words.get(w);
                int[] after = merge(before, best.first(), best.second(), merged);
                if (after.length == before.length) {
                    continue;
                }
                long frequency = frequencies.get(w);
                Set<Long> afterPairs = new HashSet<>();
                for (int i = 0; i + 1 < after.length; i++) {
                    long p = pair(after[i], after[i + 1]);
                    delta.merge(p, frequency, Long::sum);
                    afterPairs.add(p);
                    pairWords.computeIfAbsent(p, k -> new HashSet<>()).add(w);
                }
                for (int i = 0; i + 1 < before.length; i++) {
                    long p = pair(before[i], before[i + 1]);
                    delta.merge(p, -frequency, Long::sum);
                    if (!afterPairs.contains(p)) {
                        Set<Integer> holders = pairWords.get(p);
                        if (holders != null) {
                            holders.remove(w);
                        }
                    }
                }
                words.set(w, after);
            }
            delta.forEach(
                    (p, change) -> {
                        if (change == 0) {
                            return;
                        }
                        long count = pairCounts.getOrDefault(p, 0L) + change;
                        if (count <= 0) {
                            pairCounts.remove(p);
                            pairWords.remove(p);
                        } else {
                            pairCounts.put(p, count);
                            enqueue(p, count);
                        }
                    });
            return best.token();
        }

        private void enqueue(long pair, long count) {
            int first = (int) (pair >>> 32);
            int second = (int) pair;
            queue.add(new Candidate(count, first, second, symbols.merged(first, second)));
        }

        private static int[] merge(int[] sequence, int first, int second, int merged) {
            int[] out = new int[sequence.length];
            int n = 0;
            for (int i = 0; i < sequence.length; i++) {
                if (i + 1 < sequence.length && sequence[i] == first && sequence[i + 1] == second) {
                    out[n++] = merged;
                    i++;
                } else {
                    out[n++] = sequence[i];
                }
            }
            return Arrays.copyOf(out, n);
        }

        private static long pair(int first, int second) {
            return ((long) first << 32) | (second & 0xFFFFFFFFL);
        }
    }

    /**
     * Trains a vocabulary from files and writes it.
     *
     * <pre>
     * WordPieceTrainer --input FILE [--input FILE ...] --output FILE
     *     [--vocab-size N] [--min-frequency N] [--cased]
     *     [--format auto|jsonl|text] [--field NAME] [--where KEY=VALUE]
     * </pre>
     *
     * Text files give one text per line; JSONL files (auto-detected by a {@code .jsonl} or {@code
     * .ndjson} name) give the string field {@code --field} (default {@code text}) of each object,
     * only of objects whose field KEY has the string value VALUE when {@code --where} is given
     * (e.g. {@code --where split=train}). Defaults: vocab size 8000, min frequency 2, lower-casing
     * on.
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** {@link #main} without exiting: returns 0 on success, 2 on a usage error, 1 on I/O errors. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(
                    "usage: WordPieceTrainer --input FILE [--input FILE ...] --output FILE"
                            + " [--vocab-size N] [--min-frequency N] [--cased]"
                            + " [--format auto|jsonl|text] [--field NAME] [--where KEY=VALUE]");
            return 2;
        }
        try {
            List<String> texts = new ArrayList<>();
            for (Path input : arguments.inputs) {
                readTexts(input, arguments, texts);
            }
            WordPieceVocabulary vocabulary = new WordPieceTrainer(arguments.config).train(texts);
            vocabulary.write(arguments.output);
            out.println(
                    "wrote "
                            + vocabulary.size()
                            + " tokens, version "
                            + vocabulary.version()
                            + ", learnt from "
                            + texts.size()
                            + " texts, to "
                            + arguments.output);
            return 0;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static void readTexts(Path input, Arguments arguments, List<String> texts)
            throws IOException {
        String name = input.getFileName().toString();
        boolean jsonl =
                arguments.format.equals("jsonl")
                        || (arguments.format.equals("auto")
                                && (name.endsWith(".jsonl") || name.endsWith(".ndjson")));
        ObjectMapper json = new ObjectMapper();
        try (BufferedReader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (!jsonl) {
                    texts.add(line);
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = json.readTree(line);
                } catch (IOException e) {
                    throw new IOException(
                            input + " line " + number + " is not JSON: " + e.getMessage(), e);
                }
                if (arguments.whereKey != null
                        && !arguments.whereValue.equals(
                                node.path(arguments.whereKey).asText(null))) {
                    continue;
                }
                JsonNode text = node.get(arguments.field);
                if (text == null || !text.isTextual()) {
                    throw new IOException(
                            input
                                    + " line "
                                    + number
                                    + " has no string field '"
                                    + arguments.field
                                    + "'");
                }
                texts.add(text.asText());
            }
        }
    }

    private static final class Arguments {
        final List<Path> inputs = new ArrayList<>();
        Path output;
        Config config;
        String format = "auto";
        String field = "text";
        String whereKey;
        String whereValue;

        static Arguments parse(String[] args) {
            Arguments a = new Arguments();
            int vocabSize = 8000;
            int minFrequency = 2;
            boolean lowercase = true;
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--cased")) {
                    lowercase = false;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + flag);
                }
                String value = args[++i];
                switch (flag) {
                    case "--input" -> a.inputs.add(Path.of(value));
                    case "--output" -> a.output = Path.of(value);
                    case "--vocab-size" -> vocabSize = integer(flag, value);
                    case "--min-frequency" -> minFrequency = integer(flag, value);
                    case "--field" -> a.field = value;
                    case "--format" -> {
                        if (!List.of("auto", "jsonl", "text").contains(value)) {
                            throw new IllegalArgumentException(
                                    "--format must be auto, jsonl or text, got " + value);
                        }
                        a.format = value;
                    }
                    case "--where" -> {
                        int eq = value.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException(
                                    "--where needs KEY=VALUE, got " + value);
                        }
                        a.whereKey = value.substring(0, eq);
                        a.whereValue = value.substring(eq + 1);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            if (a.inputs.isEmpty() || a.output == null) {
                throw new IllegalArgumentException("--input and --output are required");
            }
            a.config = new Config(vocabSize, minFrequency, lowercase);
            return a;
        }

        private static int integer(String flag, String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " needs an integer, got " + value);
            }
        }
    }
}
