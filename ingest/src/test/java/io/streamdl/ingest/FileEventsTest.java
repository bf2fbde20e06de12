package io.streamdl.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.schemas.avro.ImagePayload;
import io.streamdl.schemas.avro.TextPayload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileEventsTest {
    @TempDir Path dir;

    @Test
    void walksDirectoriesAndMakesOneEventPerFileOrJsonLine() throws IOException {
        Files.createDirectories(dir.resolve("nested"));
        byte[] png = ImageCodecs.png(new byte[28 * 28], 28, 28);
        Files.write(dir.resolve("nested/a.png"), png);
        Files.write(dir.resolve("b.JPG"), new byte[] {(byte) 0xff, (byte) 0xd8});
        Files.writeString(dir.resolve("notes.md"), "skipped");
        Files.writeString(
                dir.resolve("t.jsonl"),
                "{\"id\":\"x1\",\"text\":\"an editor\",\"label\":\"editors\"}\n\n{\"text\":\"a game\"}\n");

        List<Path> images = FileEvents.files(FileEvents.Kind.IMAGES, List.of(dir));
        assertThat(images)
                .extracting(p -> p.getFileName().toString())
                .containsExactly("b.JPG", "a.png");
        List<FileEvents.Labelled> events = new ArrayList<>();
        for (Path p : images) {
            FileEvents.read(FileEvents.Kind.IMAGES, p, 5L, events::add);
        }
        assertThat(events)
                .extracting(e -> ((ImagePayload) e.event().getPayload()).getContentType())
                .containsExactly("image/jpeg", "image/png");
        assertThat(((ImagePayload) events.get(1).event().getPayload()).getData().array())
                .isEqualTo(png);

        List<FileEvents.Labelled> texts = new ArrayList<>();
        for (Path p : FileEvents.files(FileEvents.Kind.TEXT, List.of(dir))) {
            FileEvents.read(FileEvents.Kind.TEXT, p, 5L, texts::add);
        }
        assertThat(texts).hasSize(2);
        assertThat(texts.get(0).event().getId()).isEqualTo("x1");
        assertThat(texts.get(0).label()).isEqualTo("editors");
        assertThat(((TextPayload) texts.get(1).event().getPayload()).getText()).isEqualTo("a game");
        assertThat(texts.get(1).label()).isNull();
    }

    @Test
    void badInputIsNamedWithFileAndLine() throws IOException {
        assertThatThrownBy(
                        () ->
                                FileEvents.files(
                                        FileEvents.Kind.AUDIO, List.of(dir.resolve("missing"))))
                .hasMessageContaining("missing");
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"text\":\"ok\"}\n{\"txt\":\"no text field\"}\n");
        assertThatThrownBy(() -> FileEvents.read(FileEvents.Kind.TEXT, bad, 0L, e -> {}))
                .hasMessageContaining("bad.jsonl line 2")
                .hasMessageContaining("\"text\"");
    }
}
