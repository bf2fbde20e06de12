package io.streamdl.ops.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamdl.schemas.registry.CompatibilityLevel;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One entry of the registry's log, stored in the compacted {@code _schemas} topic as a JSON key and
 * value in the shape Confluent's registry uses, so that compaction keeps exactly the newest state
 * of every subject version and config.
 */
sealed interface RegistryRecord {
    ObjectMapper JSON = new ObjectMapper();

    /** The compaction key. */
    String key();

    /** The value; null is a tombstone. */
    String value();

    /**
     * A subject version: registered, soft-deleted ({@code deleted}), or gone ({@code schema} null).
     */
    record SchemaVersion(String subject, int version, int id, String schema, boolean deleted)
            implements RegistryRecord {
        @Override
        public String key() {
            return JSON.createObjectNode()
                    .put("keytype", "SCHEMA")
                    .put("subject", subject)
                    .put("version", version)
                    .put("magic", 1)
                    .toString();
        }

        @Override
        public String value() {
            if (schema == null) {
                return null;
            }
            return JSON.createObjectNode()
                    .put("subject", subject)
                    .put("version", version)
                    .put("id", id)
                    .put("schema", schema)
                    .put("deleted", deleted)
                    .toString();
        }
    }

    /** A compatibility level, global when {@code subject} is null; a null level removes it. */
    record Config(String subject, CompatibilityLevel level) implements RegistryRecord {
        @Override
        public String key() {
            ObjectNode key = JSON.createObjectNode().put("keytype", "CONFIG");
            if (subject == null) {
                key.putNull("subject");
            } else {
                key.put("subject", subject);
            }
            return key.put("magic", 0).toString();
        }

        @Override
        public String value() {
            return level == null
                    ? null
                    : JSON.createObjectNode().put("compatibilityLevel", level.name()).toString();
        }
    }

    /** Parses a key and value read back from the log; null for entries of kinds we do not use. */
    static RegistryRecord parse(String key, String value) {
        try {
            JsonNode k = JSON.readTree(key);
            JsonNode v = value == null ? null : JSON.readTree(value);
            String subject = k.path("subject").isNull() ? null : k.path("subject").asText(null);
            switch (k.path("keytype").asText()) {
                case "SCHEMA":
                    if (v == null) {
                        return new SchemaVersion(subject, k.path("version").asInt(), 0, null, true);
                    }
                    return new SchemaVersion(
                            v.path("subject").asText(),
                            v.path("version").asInt(),
                            v.path("id").asInt(),
                            v.path("schema").asText(),
                            v.path("deleted").asBoolean(false));
                case "CONFIG":
                    return new Config(
                            subject,
                            v == null
                                    ? null
                                    : CompatibilityLevel.parse(
                                            v.path("compatibilityLevel").asText()));
                default:
                    return null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable entry in the schema log: " + key, e);
        }
    }
}
