package io.streamdl.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdl.schemas.avro.RawEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Turns files into events: PNG/JPEG/IDX images, WAV clips, and texts (a {@code .txt} file is one
 * event; each line of a {@code .jsonl} file with a {@code "text"} field is one, with its optional
 * {@code "id"} and {@code "label"}). Directories are walked; other files are skipped and counted.
 */
public final class FileEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Kind {
        IMAGES,
        AUDIO,
        TEXT
    }

    /** One event with its label, if the file carried one. */
    public record Labelled(RawEvent event, String label) {}

    private FileEvents() {}

    /** The files under {@code paths} that {@code kind} accepts, sorted for reproducible runs. */
    public static List<Path> files(Kind kind, List<Path> paths) {
        List<Path> out = new ArrayList<>();
        for (Path path : paths) {
            if (!Files.exists(path)) {
                throw new IllegalArgumentException("no such file or directory: " + path);
            }
            try (Stream<Path> walk = Files.walk(path)) {
                walk.filter(Files::isRegularFile)
                        .filter(p -> accepts(kind, p))
                        .sorted()
                        .forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + path, e);
            }
        }
        return out;
    }

    static boolean accepts(Kind kind, Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return switch (kind) {
            case IMAGES ->
                    name.endsWith(".png")
                            || name.endsWith(".jpg")
                            || name.endsWith(".jpeg")
                            || name.endsWith(".idx");
            case AUDIO -> name.endsWith(".wav");
            case TEXT -> name.endsWith(".txt") || name.endsWith(".jsonl");
        };
    }

    /**
     * Reads one file into its events (several for a {@code .jsonl}), handing each to {@code sink}.
     */
    public static void read(Kind kind, Path file, long now, Consumer<Labelled> sink)
            throws IOException {
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        Map<String, String> attrs = Map.of("file", file.toString());
        String id =
                "file-"
                        + Integer.toHexString(file.toAbsolutePath().toString().hashCode())
                        + "-"
                        + name;
        switch (kind) {
            case IMAGES -> {
                String type =
                        lower.endsWith(".png")
                                ? "image/png"
                                : lower.endsWith(".idx") ? "application/x-idx" : "image/jpeg";
                sink.accept(
                        new Labelled(
                                Events.image(
                                        id,
                                        now,
                                        "file",
                                        type,
                                        Files.readAllBytes(file),
                                        null,
                                        null,
                                        attrs),
                                null));
            }
            case AUDIO ->
                    sink.accept(
                            new Labelled(
                                    Events.audio(id, now, "file", Files.readAllBytes(file), attrs),
                                    null));
            case TEXT -> {
                if (lower.endsWith(".txt")) {
                    sink.accept(
                            new Labelled(
                                    Events.text(
                                            id,
                                            now,
                                            "file",
                                            Files.readString(file, StandardCharsets.UTF_8),
                                            attrs),
                                    null));
                    return;
                }
                int lineNo = 0;
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    lineNo++;
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode json;
                    try {
                        json = JSON.readTree(line);
                    } catch (IOException e) {
                        throw new IOException(
                                file + " line " + lineNo + " is not JSON: " + e.getMessage(), e);
                    }
                    if (!json.path("text").isTextual()) {
                        throw new IOException(file + " line " + lineNo + " has no \"text\" string");
                    }
                    String eventId = json.path("id").asText(id + "-" + lineNo);
                    String label = json.hasNonNull("label") ? json.get("label").asText() : null;
                    sink.accept(
                            new Labelled(
                                    Events.text(
                                            eventId,
                                            now,
                                            "file",
                                            json.get("text").asText(),
                                            Map.of(
                                                    "file",
                                                    file.toString(),
                                                    "line",
                                                    Integer.toString(lineNo))),
                                    label));
                }
            }
        }
    }
}
