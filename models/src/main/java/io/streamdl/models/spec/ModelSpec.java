package io.streamdl.models.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a model is: its name (the suffix of its {@code models.<name>} and {@code scores.<name>}
 * topics), its architecture kind and hyper-parameters, its inputs per event, its output size and
 * class labels, and the seed and learning rate it starts training with. The JSON form ({@link
 * #toJson()}) travels in {@code ModelUpdate.architecture}, so an update says exactly which network
 * its parameters belong to.
 *
 * <p>{@code specVersion} is the revision of the architecture definition for the kind: a builder
 * change that alters layers or parameter layout must raise {@link #CURRENT_SPEC_VERSION}, so an old
 * reader refuses a spec it would otherwise build differently.
 *
 * <p>Instances are immutable and validated: an inconsistent spec cannot be constructed.
 */
public record ModelSpec(
        int specVersion,
        String name,
        ArchitectureKind kind,
        List<TensorSpec> inputs,
        int outputSize,
        List<String> labels,
        ArchitectureParams params,
        long seed,
        double learningRate) {

    /** The newest architecture definition this code builds. */
    public static final int CURRENT_SPEC_VERSION = 1;

    /** The name of the single output of every exported model. */
    public static final String OUTPUT_NAME = "output";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Set<String> FIELDS =
            Set.of(
                    "specVersion",
                    "name",
                    "kind",
                    "inputs",
                    "outputSize",
                    "labels",
                    "params",
                    "seed",
                    "learningRate");
    private static final Set<String> INPUT_FIELDS = Set.of("name", "dtype", "shape");

    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                    .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                    .build();

    public ModelSpec {
        if (specVersion < 1 || specVersion > CURRENT_SPEC_VERSION) {
            throw new InvalidSpecException(
                    "specVersion "
                            + specVersion
                            + " is not supported: this build reads versions 1 to "
                            + CURRENT_SPEC_VERSION);
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidSpecException(
                    "model name '" + name + "' must match " + NAME.pattern());
        }
        if (kind == null || params == null) {
            throw new InvalidSpecException("model '" + name + "' needs a kind and params");
        }
        if (params.kind() != kind) {
            throw new InvalidSpecException(
                    "model '" + name + "' is " + kind + " but has " + params.kind() + " params");
        }
        if (inputs == null || labels == null) {
            throw new InvalidSpecException("model '" + name + "' needs inputs and labels");
        }
        inputs = List.copyOf(inputs);
        labels = List.copyOf(labels);
        if (inputs.stream().map(TensorSpec::name).distinct().count() != inputs.size()) {
            throw new InvalidSpecException("model '" + name + "' has duplicate input names");
        }
        if (labels.stream().distinct().count() != labels.size()) {
            throw new InvalidSpecException("model '" + name + "' has duplicate labels");
        }
        if (!(learningRate > 0.0 && Double.isFinite(learningRate))) {
            throw new InvalidSpecException(
                    "model '" + name + "' learningRate must be positive, got " + learningRate);
        }
        try {
            params.checkSignature(inputs, outputSize, labels);
        } catch (InvalidSpecException e) {
            throw new InvalidSpecException("model '" + name + "': " + e.getMessage(), e);
        }
    }

    /** The input called {@code inputName}. */
    public TensorSpec input(String inputName) {
        for (TensorSpec in : inputs) {
            if (in.name().equals(inputName)) {
                return in;
            }
        }
        throw new IllegalArgumentException("model '" + name + "' has no input '" + inputName + "'");
    }

    /** Whether the output is a probability per class (rather than one score per event). */
    public boolean isClassifier() {
        return !labels.isEmpty();
    }

    /**
     * Whether {@code other} can replace this model without its users noticing: same name, inputs,
     * output size and labels. The architecture behind that interface may differ.
     */
    public boolean sameInterfaceAs(ModelSpec other) {
        return name.equals(other.name)
                && inputs.equals(other.inputs)
                && outputSize == other.outputSize
                && labels.equals(other.labels);
    }

    /** This spec as compact JSON, fields in a fixed order. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("specVersion", specVersion);
        root.put("name", name);
        root.put("kind", kind.name());
        ArrayNode ins = root.putArray("inputs");
        for (TensorSpec in : inputs) {
            ObjectNode node = ins.addObject();
            node.put("name", in.name());
            node.put("dtype", in.dtype().wireName());
            ArrayNode shape = node.putArray("shape");
            in.shape().forEach(shape::add);
        }
        root.put("outputSize", outputSize);
        ArrayNode labelsNode = root.putArray("labels");
        labels.forEach(labelsNode::add);
        root.set("params", AutoencoderParams.withoutDefaults(JSON.valueToTree(params)));
        root.put("seed", seed);
        root.put("learningRate", learningRate);
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write spec '" + name + "' as JSON", e);
        }
    }

    /**
     * Parses and validates a spec. Unknown fields, missing fields and values of the wrong type are
     * refused, so a spec written by a newer or different writer is never half-understood.
     *
     * @throws InvalidSpecException naming what is wrong
     */
    public static ModelSpec fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidSpecException("spec is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidSpecException("spec must be a JSON object");
        }
        checkFields(root, FIELDS, "spec");
        int specVersion = intField(root, "specVersion");
        String name = textField(root, "name");
        ArchitectureKind kind;
        try {
            kind = ArchitectureKind.valueOf(textField(root, "kind"));
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(
                    "unknown kind '"
                            + root.get("kind").asText()
                            + "': expected one of "
                            + List.of(ArchitectureKind.values()),
                    e);
        }
        List<TensorSpec> inputs = new ArrayList<>();
        for (JsonNode in : arrayField(root, "inputs")) {
            if (!in.isObject()) {
                throw new InvalidSpecException("each of 'inputs' must be an object");
            }
            checkFields(in, INPUT_FIELDS, "input");
            List<Integer> shape = new ArrayList<>();
            for (JsonNode d : arrayField(in, "shape")) {
                if (!d.isInt()) {
                    throw new InvalidSpecException("input shape values must be integers: " + in);
                }
                shape.add(d.intValue());
            }
            DType dtype;
            try {
                dtype = DType.fromWireName(textField(in, "dtype"));
            } catch (IllegalArgumentException e) {
                throw new InvalidSpecException(e.getMessage(), e);
            }
            inputs.add(new TensorSpec(textField(in, "name"), dtype, shape));
        }
        List<String> labels = new ArrayList<>();
        for (JsonNode label : arrayField(root, "labels")) {
            if (!label.isTextual()) {
                throw new InvalidSpecException("labels must be strings");
            }
            labels.add(label.textValue());
        }
        JsonNode paramsNode = root.get("params");
        if (paramsNode == null || !paramsNode.isObject()) {
            throw new InvalidSpecException("spec field 'params' must be an object");
        }
        ArchitectureParams params;
        try {
            params =
                    JSON.treeToValue(
                            AutoencoderParams.withDefaults(kind, paramsNode),
                            ArchitectureParams.typeOf(kind));
        } catch (JsonProcessingException e) {
            throw new InvalidSpecException("invalid params for " + kind + ": " + rootMessage(e), e);
        }
        JsonNode seed = root.get("seed");
        if (seed == null || !seed.isIntegralNumber() || !seed.canConvertToLong()) {
            throw new InvalidSpecException("spec field 'seed' must be an integer");
        }
        JsonNode lr = root.get("learningRate");
        if (lr == null || !lr.isNumber()) {
            throw new InvalidSpecException("spec field 'learningRate' must be a number");
        }
        return new ModelSpec(
                specVersion,
                name,
                kind,
                inputs,
                intField(root, "outputSize"),
                labels,
                params,
                seed.longValue(),
                lr.doubleValue());
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof JsonProcessingException j) {
            return j.getOriginalMessage();
        }
        return t.getMessage();
    }

    private static void checkFields(JsonNode node, Set<String> allowed, String what) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new InvalidSpecException(
                        "unknown " + what + " field '" + f + "'; known fields: " + allowed);
            }
        }
        for (String f : allowed) {
            if (!node.has(f) || node.get(f).isNull()) {
                throw new InvalidSpecException(what + " field '" + f + "' is missing");
            }
        }
    }

    private static int intField(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isInt()) {
            throw new InvalidSpecException("spec field '" + field + "' must be an integer");
        }
        return v.intValue();
    }

    private static String textField(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new InvalidSpecException("spec field '" + field + "' must be a string");
        }
        return v.textValue();
    }

    private static JsonNode arrayField(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw new InvalidSpecException("spec field '" + field + "' must be an array");
        }
        return v;
    }
}
