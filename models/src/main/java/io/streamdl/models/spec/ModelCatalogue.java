package io.streamdl.models.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdl.schemas.labels.LabelSets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The models the pipeline runs, read from a catalogue file (JSON) instead of code: a user adds a
 * model for their own data, classes and sizes by adding an entry. The bundled catalogue ({@code
 * catalogue.json} on the class path, {@code models/src/main/resources/catalogue.json} in the
 * repository) holds the default models.
 *
 * <p>An entry has a {@code name}, the {@code encoder} whose features it reads, an architecture
 * {@code family} ({@code cnn}, {@code lstm}, {@code transformer}, {@code autoencoder}, {@code
 * forecaster}, {@code recs}) with its {@code params}, and {@code labels} (a label set's name, see
 * {@link LabelSets}, or a list); optionally {@code inputs} (by default those the encoder emits),
 * {@code outputs} (for models without labels, default 1), {@code seed}, {@code learningRate},
 * {@code trainer} (trainer keys that override the global ones for this model) and {@code enabled}
 * (default true). Unknown fields are refused, so a misspelt field never leaves a default silently
 * in place. Immutable.
 */
public final class ModelCatalogue {
    /** One model of the catalogue. */
    public record Entry(
            ModelSpec spec, String encoder, Map<String, String> trainer, boolean enabled) {
        public Entry {
            trainer = Map.copyOf(trainer);
        }

        public String name() {
            return spec.name();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP_FIELDS = Set.of("about", "models");
    private static final Set<String> ENTRY_FIELDS =
            Set.of(
                    "name",
                    "encoder",
                    "family",
                    "labels",
                    "params",
                    "inputs",
                    "outputs",
                    "seed",
                    "learningRate",
                    "trainer",
                    "enabled",
                    "about");
    private static final Map<String, ArchitectureKind> FAMILIES =
            Map.of(
                    "cnn", ArchitectureKind.IMAGE_CNN,
                    "lstm", ArchitectureKind.AUDIO_LSTM,
                    "transformer", ArchitectureKind.TEXT_TRANSFORMER,
                    "autoencoder", ArchitectureKind.AUTOENCODER,
                    "forecaster", ArchitectureKind.FORECASTER,
                    "recs", ArchitectureKind.RECS,
                    "next-item", ArchitectureKind.NEXT_ITEM);
    private static final long DEFAULT_SEED = 42L;
    private static final double DEFAULT_LEARNING_RATE = 1e-3;

    private final List<Entry> entries;
    private final String origin;

    private ModelCatalogue(List<Entry> entries, String origin) {
        this.entries = List.copyOf(entries);
        this.origin = origin;
    }

    private static final class Bundled {
        static final ModelCatalogue INSTANCE = readBundled();
    }

    /** The catalogue that ships with the pipeline. */
    public static ModelCatalogue bundled() {
        return Bundled.INSTANCE;
    }

    private static ModelCatalogue readBundled() {
        try (InputStream in = ModelCatalogue.class.getResourceAsStream("/catalogue.json")) {
            if (in == null) {
                throw new IllegalStateException(
                        "the bundled catalogue.json is not on the class path");
            }
            return parse(
                    new String(in.readAllBytes(), StandardCharsets.UTF_8), "bundled catalogue");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bundled catalogue", e);
        }
    }

    /**
     * Reads a catalogue file.
     *
     * @throws InvalidSpecException naming the file, the entry and what is wrong
     */
    public static ModelCatalogue load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InvalidSpecException("no model catalogue at " + file);
        } catch (IOException e) {
            throw new InvalidSpecException(
                    "cannot read model catalogue " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Parses catalogue JSON; {@code origin} names it in error messages. */
    public static ModelCatalogue parse(String json, String origin) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidSpecException(origin + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject() || !root.path("models").isArray()) {
            throw new InvalidSpecException(origin + ": expected an object with a 'models' array");
        }
        refuseUnknown(root, TOP_FIELDS, origin);
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        int index = 0;
        for (JsonNode node : root.get("models")) {
            String where = origin + ", model " + index++;
            Entry entry;
            try {
                entry = entry(node, where);
            } catch (InvalidSpecException e) {
                throw e.getMessage().startsWith(origin)
                        ? e
                        : new InvalidSpecException(where + ": " + e.getMessage(), e);
            }
            if (!names.add(entry.name())) {
                throw new InvalidSpecException(
                        where + ": model '" + entry.name() + "' is declared twice");
            }
            entries.add(entry);
        }
        if (entries.isEmpty()) {
            throw new InvalidSpecException(origin + ": the catalogue has no models");
        }
        return new ModelCatalogue(entries, origin);
    }

    private static Entry entry(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new InvalidSpecException(where + ": each model must be an object");
        }
        refuseUnknown(node, ENTRY_FIELDS, where);
        String name = text(node, "name", where, null);
        where = where + " ('" + name + "')";
        String familyName = text(node, "family", where, null);
        ArchitectureKind kind = FAMILIES.get(familyName);
        if (kind == null) {
            throw new InvalidSpecException(
                    where + ": unknown family '" + familyName + "'; known: " + FAMILIES.keySet());
        }
        String encoder = text(node, "encoder", where, "");
        boolean enabled = !node.has("enabled") || node.get("enabled").asBoolean(true);
        if (node.has("enabled") && !node.get("enabled").isBoolean()) {
            throw new InvalidSpecException(where + ": 'enabled' must be true or false");
        }
        if (enabled && encoder.isEmpty()) {
            throw new InvalidSpecException(where + ": an enabled model needs an 'encoder'");
        }
        List<String> labels = labels(node.get("labels"), where);
        int outputs = labels.isEmpty() ? integer(node, "outputs", where, 1) : labels.size();
        if (!labels.isEmpty() && node.has("outputs") && node.get("outputs").asInt() != outputs) {
            throw new InvalidSpecException(
                    where
                            + ": 'outputs' is "
                            + node.get("outputs")
                            + " but there are "
                            + outputs
                            + " labels");
        }
        ObjectNode spec = JSON.createObjectNode();
        spec.put("specVersion", ModelSpec.CURRENT_SPEC_VERSION);
        spec.put("name", name);
        spec.put("kind", kind.name());
        spec.set("inputs", node.has("inputs") ? node.get("inputs") : defaultInputs(encoder, where));
        spec.put("outputSize", outputs);
        ArrayNode labelNodes = spec.putArray("labels");
        labels.forEach(labelNodes::add);
        if (!node.path("params").isObject()) {
            throw new InvalidSpecException(where + ": 'params' must be an object");
        }
        spec.set("params", node.get("params"));
        spec.put("seed", node.has("seed") ? node.get("seed").asLong() : DEFAULT_SEED);
        spec.put(
                "learningRate",
                node.has("learningRate")
                        ? node.get("learningRate").asDouble()
                        : DEFAULT_LEARNING_RATE);
        ModelSpec modelSpec = ModelSpec.fromJson(spec.toString());
        return new Entry(modelSpec, encoder, trainer(node.get("trainer"), where), enabled);
    }

    /** The tensors {@code encoder} emits by default ({@link EncoderTensors}), as JSON. */
    private static JsonNode defaultInputs(String encoder, String where) {
        List<TensorSpec> inputs;
        try {
            inputs = EncoderTensors.of(encoder);
        } catch (InvalidSpecException e) {
            throw new InvalidSpecException(where + ": " + e.getMessage() + "; give 'inputs'", e);
        }
        ArrayNode out = JSON.createArrayNode();
        for (TensorSpec in : inputs) {
            ObjectNode n = out.addObject();
            n.put("name", in.name());
            n.put("dtype", in.dtype().wireName());
            ArrayNode shape = n.putArray("shape");
            in.shape().forEach(shape::add);
        }
        return out;
    }

    private static List<String> labels(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            try {
                return LabelSets.get(node.textValue());
            } catch (IllegalArgumentException e) {
                throw new InvalidSpecException(where + ": " + e.getMessage());
            }
        }
        if (!node.isArray()) {
            throw new InvalidSpecException(where + ": 'labels' must be a label set name or a list");
        }
        List<String> labels = new ArrayList<>();
        for (JsonNode l : node) {
            if (!l.isTextual() || l.textValue().isBlank()) {
                throw new InvalidSpecException(where + ": every label must be a non-empty string");
            }
            labels.add(l.textValue());
        }
        return labels;
    }

    private static Map<String, String> trainer(JsonNode node, String where) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null) {
            return out;
        }
        if (!node.isObject()) {
            throw new InvalidSpecException(where + ": 'trainer' must be an object of trainer keys");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().startsWith("trainer.")) {
                throw new InvalidSpecException(
                        where + ": '" + e.getKey() + "' is not a trainer key (trainer.*)");
            }
            if (!e.getValue().isValueNode()) {
                throw new InvalidSpecException(where + ": '" + e.getKey() + "' must be a value");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static String text(JsonNode node, String field, String where, String fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (fallback != null) {
                return fallback;
            }
            throw new InvalidSpecException(where + ": '" + field + "' is missing");
        }
        if (!v.isTextual()) {
            throw new InvalidSpecException(where + ": '" + field + "' must be a string");
        }
        return v.textValue();
    }

    private static int integer(JsonNode node, String field, String where, int fallback) {
        JsonNode v = node.get(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isInt()) {
            throw new InvalidSpecException(where + ": '" + field + "' must be an integer");
        }
        return v.intValue();
    }

    private static void refuseUnknown(JsonNode node, Set<String> known, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new InvalidSpecException(
                        where
                                + ": unknown field '"
                                + f
                                + "'; known fields: "
                                + new java.util.TreeSet<>(known));
            }
        }
    }

    /** Every entry, in file order. */
    public List<Entry> entries() {
        return entries;
    }

    /** The entries that get jobs. */
    public List<Entry> enabled() {
        return entries.stream().filter(Entry::enabled).toList();
    }

    /**
     * The entry named {@code name}.
     *
     * @throws IllegalArgumentException if there is none
     */
    public Entry entry(String name) {
        return entries.stream()
                .filter(e -> e.name().equals(name))
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "no model '"
                                                + name
                                                + "' in "
                                                + origin
                                                + "; known: "
                                                + entries.stream().map(Entry::name).toList()));
    }

    /** Where the catalogue came from: a file path or "bundled catalogue". */
    public String origin() {
        return origin;
    }
}
