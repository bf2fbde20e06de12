package io.streamdl.bench;

import io.streamdl.bench.LearnCorpusBenchmark.Modality;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.datasets.KeywordClips;
import io.streamdl.ingest.datasets.Split;
import io.streamdl.ingest.datasets.TextCorpus;
import io.streamdl.schemas.avro.RawEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A data set cut for {@link LearnCorpusBenchmark}: the keyword clips (audio) or the Debian package
 * descriptions (text), as labelled examples in a training and a test split.
 *
 * @param classes the model's labels, in index order
 * @param fileOrder how the data set orders its training split
 */
record LearnCorpus(
        String origin,
        boolean sample,
        List<String> classes,
        List<LearnCorpus.Example> train,
        List<LearnCorpus.Example> test,
        String fileOrder) {

    /** One labelled example; its event is built (and audio read) only when sent. */
    record Example(String label, BiFunction<String, Long, RawEvent> event) {}

    /**
     * The training stream: the first examples of the training split in the order they are sent.
     *
     * @param shuffled whether the split was shuffled because its file order is sorted by class
     * @param orderText the order, in words, for the report
     */
    record Training(List<Example> examples, boolean shuffled, String orderText) {
        List<String> labels() {
            return examples.stream().map(Example::label).toList();
        }
    }

    /**
     * The data set: {@code data} when given (it must exist), else the modality's default location
     * when the full set is there, else the bundled sample.
     */
    static LearnCorpus of(Modality modality, Path data) {
        if (data != null && !Files.exists(data)) {
            throw new IllegalArgumentException("no data set at " + data);
        }
        return switch (modality) {
            case AUDIO -> keywords(data != null ? data : fullKeywords(modality.defaultData));
            case TEXT ->
                    text(
                            data != null
                                    ? data
                                    : Files.isRegularFile(modality.defaultData)
                                            ? modality.defaultData
                                            : null);
        };
    }

    /**
     * The first {@code events} training examples in the order they are sent: file order, unless
     * that is sorted by class, then a shuffle with {@code seed}.
     */
    Training training(int events, long seed) {
        List<String> fileLabels = train.stream().map(Example::label).toList();
        boolean shuffled = LearnStats.groupedByClass(fileLabels);
        int[] order =
                shuffled
                        ? LearnStats.shuffledOrder(fileLabels.size(), seed)
                        : LearnStats.identity(fileLabels.size());
        if (events < 1) {
            throw new IllegalArgumentException("--events must be positive, not " + events);
        }
        int n = Math.min(events, order.length);
        List<Example> examples = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            examples.add(train.get(order[i]));
        }
        String orderText =
                shuffled
                        ? String.format(
                                "fixed-seed shuffle (java.util.Random seed %d, Fisher-Yates) of the"
                                        + " training split, because its %s is sorted by class (%d"
                                        + " runs for %d classes)",
                                seed,
                                fileOrder,
                                LearnStats.runs(fileLabels),
                                new HashSet<>(fileLabels).size())
                        : String.format(
                                "%s, not shuffled (%d label runs in %d events)",
                                fileOrder, LearnStats.runs(fileLabels), fileLabels.size());
        return new Training(examples, shuffled, orderText);
    }

    List<String> testLabels() {
        return test.stream().map(Example::label).toList();
    }

    private static Path fullKeywords(Path dir) {
        return Files.isRegularFile(dir.resolve(KeywordClips.MANIFEST))
                        || Files.isDirectory(dir.resolve("train"))
                ? dir
                : null;
    }

    private static LearnCorpus keywords(Path dir) {
        KeywordClips clips = dir == null ? KeywordClips.sample() : KeywordClips.load(dir);
        boolean manifest = dir == null || Files.isRegularFile(dir.resolve(KeywordClips.MANIFEST));
        List<Example> train = new ArrayList<>();
        List<Example> test = new ArrayList<>();
        for (KeywordClips.Clip clip : clips.clips()) {
            Example e =
                    new Example(
                            clip.label(),
                            (id, ts) ->
                                    Events.audio(id, ts, "keywords", clips.wav(clip), Map.of()));
            (clip.split() == Split.TRAIN ? train : test).add(e);
        }
        return new LearnCorpus(
                clips.origin(),
                dir == null,
                clips.labels(),
                train,
                test,
                manifest
                        ? "manifest order (make-keywords.sh writes the clips word by word)"
                        : "path order (<split>/<word>/<file>.wav)");
    }

    private static LearnCorpus text(Path jsonl) {
        TextCorpus corpus = jsonl == null ? TextCorpus.sample() : TextCorpus.load(jsonl);
        List<Example> train = new ArrayList<>();
        List<Example> test = new ArrayList<>();
        for (TextCorpus.Doc doc : corpus.docs()) {
            Example e =
                    new Example(
                            doc.label(),
                            (id, ts) ->
                                    Events.text(
                                            id,
                                            ts,
                                            "debian",
                                            doc.text(),
                                            Map.of("package", doc.id())));
            (doc.split() == Split.TRAIN ? train : test).add(e);
        }
        return new LearnCorpus(
                corpus.origin(),
                jsonl == null,
                corpus.labels(),
                train,
                test,
                "file order (DebianTextPrep writes the documents sorted by package name, so"
                        + " neighbours are often of one package family and one section)");
    }
}
