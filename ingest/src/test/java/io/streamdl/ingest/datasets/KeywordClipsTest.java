package io.streamdl.ingest.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeywordClipsTest {
    @TempDir Path dir;

    /** A 16-bit PCM WAV whose samples all equal {@code value}. */
    static byte[] wav(int rate, int channels, int frames, short value) {
        int data = frames * channels * 2;
        ByteBuffer b = ByteBuffer.allocate(44 + data).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + data);
        b.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
        b.putShort((short) 1).putShort((short) channels).putInt(rate);
        b.putInt(rate * channels * 2).putShort((short) (channels * 2)).putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(data);
        for (int i = 0; i < frames * channels; i++) {
            b.putShort(value);
        }
        return b.array();
    }

    private void clip(String path, short value) throws Exception {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, wav(16_000, 1, 16_000, value));
    }

    @Test
    void readsTheManifestInOrderWithSplitsAndVoices() throws Exception {
        clip("train/yes/yes_000_en-us_m1.wav", (short) 1);
        clip("test/yes/yes_001_en-gb_m3.wav", (short) 2);
        clip("train/go/go_000_en-029_f1.wav", (short) 3);
        Files.writeString(
                dir.resolve("manifest.jsonl"),
                """
                {"path":"train/yes/yes_000_en-us_m1.wav","label":"yes","split":"train","voice":"en-us+m1","speed":150,"pitch":40,"noise":"pink","noiseVol":0.010,"shift":12}
                {"path":"test/yes/yes_001_en-gb_m3.wav","label":"yes","split":"test","voice":"en-gb+m3","speed":181,"pitch":63}

                {"path":"train/go/go_000_en-029_f1.wav","label":"go","split":"train"}
                """);

        KeywordClips clips = KeywordClips.load(dir);

        assertThat(clips.size()).isEqualTo(3);
        assertThat(clips.clips())
                .containsExactly(
                        new KeywordClips.Clip(
                                "train/yes/yes_000_en-us_m1.wav",
                                "yes",
                                Split.TRAIN,
                                "en-us+m1",
                                150,
                                40),
                        new KeywordClips.Clip(
                                "test/yes/yes_001_en-gb_m3.wav",
                                "yes",
                                Split.TEST,
                                "en-gb+m3",
                                181,
                                63),
                        new KeywordClips.Clip(
                                "train/go/go_000_en-029_f1.wav", "go", Split.TRAIN, "", 0, -1));
        assertThat(clips.clips(Split.TRAIN))
                .extracting(KeywordClips.Clip::label)
                .containsExactly("yes", "go");
        assertThat(clips.clips(Split.TEST)).hasSize(1);
        assertThat(clips.labels()).isEqualTo(KeywordClips.WORDS).hasSize(20);
        assertThat(clips.labelIndex("zero")).isZero();
        assertThat(clips.labelIndex("go")).isEqualTo(19);
        assertThat(clips.labelIndex("yes")).isEqualTo(10);

        byte[] second = clips.wav(clips.clips().get(1));
        WavHeader h = WavHeader.parse(second);
        assertThat(h.frames()).isEqualTo(16_000);
        assertThat(ByteBuffer.wrap(second).order(ByteOrder.LITTLE_ENDIAN).getShort(h.dataOffset()))
                .isEqualTo((short) 2);
    }

    @Test
    void walksSplitAndWordDirectoriesWithoutAManifest() throws Exception {
        clip("train/up/b.wav", (short) 0);
        clip("train/up/a.wav", (short) 0);
        clip("test/down/c.wav", (short) 0);
        Files.writeString(dir.resolve("notes.txt"), "not a clip");

        KeywordClips clips = KeywordClips.load(dir);

        assertThat(clips.clips())
                .extracting(KeywordClips.Clip::path)
                .containsExactly("train/up/a.wav", "train/up/b.wav", "test/down/c.wav");
        assertThat(clips.clips(Split.TEST))
                .singleElement()
                .extracting(KeywordClips.Clip::label)
                .isEqualTo("down");
    }

    @Test
    void rejectsUnknownLabelsAndPathsOutsideTheDataSetWithTheirLine() throws Exception {
        Files.writeString(
                dir.resolve("manifest.jsonl"),
                "{\"path\":\"train/yes/a.wav\",\"label\":\"yes\",\"split\":\"train\"}\n"
                        + "{\"path\":\"train/maybe/a.wav\",\"label\":\"maybe\",\"split\":\"train\"}\n");
        assertThatThrownBy(() -> KeywordClips.load(dir))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("unknown label 'maybe'");

        Files.writeString(
                dir.resolve("manifest.jsonl"),
                "{\"path\":\"../secret.wav\",\"label\":\"yes\",\"split\":\"train\"}\n");
        assertThatThrownBy(() -> KeywordClips.load(dir))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("../secret.wav, which is not a file in");

        Files.writeString(
                dir.resolve("manifest.jsonl"),
                "{\"path\":\"train/yes/gone.wav\",\"label\":\"yes\",\"split\":\"train\"}\n");
        assertThatThrownBy(() -> KeywordClips.load(dir))
                .hasMessageContaining("train/yes/gone.wav, which is not a file in");

        Files.writeString(
                dir.resolve("manifest.jsonl"),
                "{\"path\":\"a.wav\",\"label\":\"yes\",\"split\":\"validation\"}\n");
        assertThatThrownBy(() -> KeywordClips.load(dir))
                .hasMessageContaining("line 1")
                .hasMessageContaining("train or test");
    }

    @Test
    void anEmptyDirectoryIsAnErrorButLoadOrSampleFallsBack() {
        assertThatThrownBy(() -> KeywordClips.load(dir)).hasMessageContaining("no clips");
        assertThat(KeywordClips.loadOrSample(dir).origin()).startsWith("bundled sample");
    }

    @Test
    void bundledSampleHasEveryWordInBothSplitsAsOneSecond16kHzMono16BitClips() {
        KeywordClips sample = KeywordClips.sample();

        assertThat(sample.size()).isGreaterThanOrEqualTo(40);
        assertThat(sample.clips())
                .allSatisfy(c -> assertThat(KeywordClips.WORDS).contains(c.label()));
        Set<String> trainWords =
                sample.clips(Split.TRAIN).stream()
                        .map(KeywordClips.Clip::label)
                        .collect(Collectors.toSet());
        Set<String> testWords =
                sample.clips(Split.TEST).stream()
                        .map(KeywordClips.Clip::label)
                        .collect(Collectors.toSet());
        assertThat(trainWords).containsExactlyInAnyOrderElementsOf(KeywordClips.WORDS);
        assertThat(testWords).containsExactlyInAnyOrderElementsOf(KeywordClips.WORDS);

        // Test speakers are unseen: no voice is in both splits.
        Set<String> trainVoices = new HashSet<>();
        sample.clips(Split.TRAIN).forEach(c -> trainVoices.add(c.voice()));
        assertThat(sample.clips(Split.TEST))
                .allSatisfy(c -> assertThat(trainVoices).doesNotContain(c.voice()));

        for (KeywordClips.Clip clip : sample.clips()) {
            byte[] bytes = sample.wav(clip);
            WavHeader h = WavHeader.parse(bytes);
            assertThat(List.of(h.sampleRate(), h.channels(), h.bitsPerSample(), h.frames()))
                    .as(clip.path())
                    .containsExactly(16_000, 1, 16, 16_000);
            assertThat(h.seconds()).isEqualTo(1.0);
            assertThat(peak(bytes, h)).as("%s is not silent", clip.path()).isGreaterThan(8_000);
        }
    }

    private static int peak(byte[] wav, WavHeader h) {
        ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        int peak = 0;
        for (int i = 0; i < h.frames(); i++) {
            peak = Math.max(peak, Math.abs(b.getShort(h.dataOffset() + 2 * i)));
        }
        return peak;
    }

    @Test
    void wavHeaderSkipsUnknownChunksAndRejectsNonPcm() {
        byte[] plain = wav(8_000, 2, 10, (short) 0);
        // Insert a LIST chunk of odd length (padded to even) between fmt and data.
        byte[] list = new byte[8 + 3 + 1];
        ByteBuffer.wrap(list)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put("LIST".getBytes(StandardCharsets.US_ASCII))
                .putInt(3);
        byte[] withList = new byte[plain.length + list.length];
        System.arraycopy(plain, 0, withList, 0, 36);
        System.arraycopy(list, 0, withList, 36, list.length);
        System.arraycopy(plain, 36, withList, 36 + list.length, plain.length - 36);

        WavHeader h = WavHeader.parse(withList);
        assertThat(h).isEqualTo(new WavHeader(8_000, 2, 16, 10, 44 + list.length));

        byte[] floatWav = wav(8_000, 1, 10, (short) 0);
        floatWav[20] = 3; // WAVE_FORMAT_IEEE_FLOAT
        assertThatThrownBy(() -> WavHeader.parse(floatWav)).hasMessageContaining("not integer PCM");
        assertThatThrownBy(() -> WavHeader.parse(new byte[] {1, 2, 3}))
                .hasMessageContaining("RIFF");
        byte[] truncated = java.util.Arrays.copyOf(plain, plain.length - 1);
        assertThatThrownBy(() -> WavHeader.parse(truncated))
                .hasMessageContaining("data chunk says");
    }
}
