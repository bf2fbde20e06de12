package io.streamdl.ops.registry;

import io.streamdl.schemas.registry.CompatibilityLevel;
import io.streamdl.schemas.registry.RegisteredSchema;
import io.streamdl.schemas.registry.RegistryException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;

/**
 * The registry's state and rules, with Confluent's semantics: ids are global and belong to a
 * schema's canonical form, versions count up per subject, deletes are soft unless permanent, and
 * compatibility is decided by Avro's {@link SchemaCompatibility}. Every change is appended to the
 * {@link RegistryLog} before it is applied, so a restart rebuilds the same state.
 */
final class SchemaStore {
    static final CompatibilityLevel DEFAULT_LEVEL = CompatibilityLevel.BACKWARD;

    private final RegistryLog log;
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, Integer> idsByCanonical = new HashMap<>();
    private final Map<String, TreeMap<Integer, Entry>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = DEFAULT_LEVEL;
    private int maxId;

    private record Entry(int version, int id, boolean deleted) {}

    SchemaStore(RegistryLog log) {
        this.log = log;
        log.replay(this::apply);
    }

    synchronized RegisteredSchema register(String subject, String schemaText) {
        Schema schema = parse(schemaText);
        String canonical = schema.toString();
        TreeMap<Integer, Entry> versions = subjects.get(subject);
        if (versions != null) {
            for (Entry e : versions.values()) {
                if (!e.deleted() && canonical.equals(schemasById.get(e.id()).toString())) {
                    return new RegisteredSchema(subject, e.version(), e.id(), schema);
                }
            }
        }
        List<String> problems =
                incompatibilities(subject, schema, activeVersions(subject), level(subject));
        if (!problems.isEmpty()) {
            throw new RegistryException(
                    409,
                    RegistryException.INCOMPATIBLE,
                    "Schema being registered is incompatible with an earlier schema for subject \""
                            + subject
                            + "\", details: "
                            + problems);
        }
        Integer existing = idsByCanonical.get(canonical);
        int id = existing != null ? existing : maxId + 1;
        int version = versions == null || versions.isEmpty() ? 1 : versions.lastKey() + 1;
        commit(new RegistryRecord.SchemaVersion(subject, version, id, canonical, false));
        return new RegisteredSchema(subject, version, id, schemasById.get(id));
    }

    synchronized RegisteredSchema lookup(
            String subject, String schemaText, boolean includeDeleted) {
        Schema schema = parse(schemaText);
        TreeMap<Integer, Entry> versions = subjectOrThrow(subject, includeDeleted);
        String canonical = schema.toString();
        for (Entry e : versions.descendingMap().values()) {
            if ((includeDeleted || !e.deleted())
                    && canonical.equals(schemasById.get(e.id()).toString())) {
                return new RegisteredSchema(subject, e.version(), e.id(), schemasById.get(e.id()));
            }
        }
        throw new RegistryException(404, RegistryException.SCHEMA_NOT_FOUND, "Schema not found");
    }

    synchronized Schema byId(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new RegistryException(
                    404, RegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return schema;
    }

    synchronized RegisteredSchema version(String subject, String version, boolean includeDeleted) {
        Entry entry = entry(subject, version, includeDeleted);
        return new RegisteredSchema(
                subject, entry.version(), entry.id(), schemasById.get(entry.id()));
    }

    synchronized List<String> subjects(boolean includeDeleted) {
        List<String> out = new ArrayList<>();
        subjects.forEach(
                (s, v) -> {
                    if (v.values().stream().anyMatch(e -> includeDeleted || !e.deleted())) {
                        out.add(s);
                    }
                });
        return out;
    }

    synchronized List<Integer> versions(String subject, boolean includeDeleted) {
        List<Integer> out = new ArrayList<>();
        subjectOrThrow(subject, includeDeleted)
                .values()
                .forEach(
                        e -> {
                            if (includeDeleted || !e.deleted()) {
                                out.add(e.version());
                            }
                        });
        return out;
    }

    /** Soft-deletes every live version; permanently removes soft-deleted ones when asked. */
    synchronized List<Integer> deleteSubject(String subject, boolean permanent) {
        TreeMap<Integer, Entry> versions = subjectOrThrow(subject, permanent);
        List<Integer> affected = new ArrayList<>();
        if (permanent) {
            if (versions.values().stream().anyMatch(e -> !e.deleted())) {
                throw new RegistryException(
                        404,
                        40405,
                        "Subject '"
                                + subject
                                + "' was not deleted first before being permanently deleted");
            }
            for (Entry e : List.copyOf(versions.values())) {
                commit(new RegistryRecord.SchemaVersion(subject, e.version(), e.id(), null, true));
                affected.add(e.version());
            }
            if (subjectLevels.containsKey(subject)) {
                commit(new RegistryRecord.Config(subject, null));
            }
            return affected;
        }
        for (Entry e : List.copyOf(versions.values())) {
            if (!e.deleted()) {
                commit(
                        new RegistryRecord.SchemaVersion(
                                subject,
                                e.version(),
                                e.id(),
                                schemasById.get(e.id()).toString(),
                                true));
                affected.add(e.version());
            }
        }
        return affected;
    }

    synchronized int deleteVersion(String subject, String version, boolean permanent) {
        Entry entry = entry(subject, version, permanent);
        if (permanent && !entry.deleted()) {
            throw new RegistryException(
                    404,
                    40407,
                    "Subject '"
                            + subject
                            + "' Version "
                            + entry.version()
                            + " was not deleted first before being permanently deleted");
        }
        String schema = permanent ? null : schemasById.get(entry.id()).toString();
        commit(
                new RegistryRecord.SchemaVersion(
                        subject, entry.version(), entry.id(), schema, true));
        return entry.version();
    }

    /** The reasons {@code schemaText} may not follow {@code version} of {@code subject}. */
    synchronized List<String> checkCompatibility(
            String subject, String version, String schemaText) {
        Schema schema = parse(schemaText);
        TreeMap<Integer, Entry> versions = subjects.get(subject);
        boolean none = versions == null || versions.values().stream().allMatch(Entry::deleted);
        if (none && "latest".equals(version)) {
            return List.of();
        }
        CompatibilityLevel level = level(subject);
        List<Schema> against = new ArrayList<>();
        if (level.transitive() && "latest".equals(version)) {
            against.addAll(activeVersions(subject));
        } else {
            against.add(schemasById.get(entry(subject, version, false).id()));
        }
        return incompatibilities(subject, schema, against, level);
    }

    synchronized CompatibilityLevel level(String subject) {
        if (subject != null && subjectLevels.containsKey(subject)) {
            return subjectLevels.get(subject);
        }
        return globalLevel;
    }

    synchronized CompatibilityLevel subjectLevel(String subject) {
        CompatibilityLevel level = subjectLevels.get(subject);
        if (level == null) {
            throw new RegistryException(
                    404,
                    40408,
                    "Subject '"
                            + subject
                            + "' does not have subject-level compatibility configured");
        }
        return level;
    }

    synchronized void setLevel(String subject, CompatibilityLevel level) {
        commit(new RegistryRecord.Config(subject, level));
    }

    synchronized CompatibilityLevel deleteSubjectLevel(String subject) {
        CompatibilityLevel old = subjectLevel(subject);
        commit(new RegistryRecord.Config(subject, null));
        return old;
    }

    private void commit(RegistryRecord record) {
        try {
            log.append(record);
        } catch (RuntimeException e) {
            throw new RegistryException(
                    500,
                    RegistryException.STORE_ERROR,
                    "Error while storing to the schema log: " + e.getMessage(),
                    e);
        }
        apply(record);
    }

    private void apply(RegistryRecord record) {
        if (record instanceof RegistryRecord.SchemaVersion v) {
            TreeMap<Integer, Entry> versions =
                    subjects.computeIfAbsent(v.subject(), s -> new TreeMap<>());
            if (v.schema() == null) {
                versions.remove(v.version());
                if (versions.isEmpty()) {
                    subjects.remove(v.subject());
                }
                return;
            }
            Schema schema =
                    idsByCanonical.containsKey(v.schema())
                            ? schemasById.get(idsByCanonical.get(v.schema()))
                            : new Schema.Parser().parse(v.schema());
            schemasById.putIfAbsent(v.id(), schema);
            idsByCanonical.putIfAbsent(v.schema(), v.id());
            maxId = Math.max(maxId, v.id());
            versions.put(v.version(), new Entry(v.version(), v.id(), v.deleted()));
        } else if (record instanceof RegistryRecord.Config c) {
            if (c.subject() == null) {
                globalLevel = c.level() == null ? DEFAULT_LEVEL : c.level();
            } else if (c.level() == null) {
                subjectLevels.remove(c.subject());
            } else {
                subjectLevels.put(c.subject(), c.level());
            }
        }
    }

    private List<Schema> activeVersions(String subject) {
        List<Schema> out = new ArrayList<>();
        TreeMap<Integer, Entry> versions = subjects.get(subject);
        if (versions != null) {
            versions.values()
                    .forEach(
                            e -> {
                                if (!e.deleted()) {
                                    out.add(schemasById.get(e.id()));
                                }
                            });
        }
        return out;
    }

    /** Checks the newest of {@code previous}, or all of them for a transitive level. */
    private static List<String> incompatibilities(
            String subject, Schema candidate, List<Schema> previous, CompatibilityLevel level) {
        if (level == CompatibilityLevel.NONE || previous.isEmpty()) {
            return List.of();
        }
        List<Schema> against =
                level.transitive() ? previous : List.of(previous.get(previous.size() - 1));
        List<String> problems = new ArrayList<>();
        for (Schema old : against) {
            if (level.checksBackward()) {
                describe(
                        SchemaCompatibility.checkReaderWriterCompatibility(candidate, old),
                        "BACKWARD",
                        problems);
            }
            if (level.checksForward()) {
                describe(
                        SchemaCompatibility.checkReaderWriterCompatibility(old, candidate),
                        "FORWARD",
                        problems);
            }
        }
        return problems;
    }

    private static void describe(
            SchemaCompatibility.SchemaPairCompatibility result,
            String direction,
            List<String> problems) {
        if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            result.getResult()
                    .getIncompatibilities()
                    .forEach(
                            i ->
                                    problems.add(
                                            "{"
                                                    + direction
                                                    + ": "
                                                    + i.getType()
                                                    + " at '"
                                                    + i.getLocation()
                                                    + "': "
                                                    + i.getMessage()
                                                    + "}"));
        }
    }

    private Entry entry(String subject, String version, boolean includeDeleted) {
        TreeMap<Integer, Entry> versions = subjectOrThrow(subject, includeDeleted);
        if ("latest".equals(version) || "-1".equals(version)) {
            for (Entry e : versions.descendingMap().values()) {
                if (includeDeleted || !e.deleted()) {
                    return e;
                }
            }
            throw new RegistryException(
                    404, RegistryException.VERSION_NOT_FOUND, "Version " + version + " not found.");
        }
        int number;
        try {
            number = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            number = 0;
        }
        if (number < 1) {
            throw new RegistryException(
                    422,
                    RegistryException.INVALID_VERSION,
                    "The specified version '"
                            + version
                            + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
        }
        Entry entry = versions.get(number);
        if (entry == null || (entry.deleted() && !includeDeleted)) {
            throw new RegistryException(
                    404, RegistryException.VERSION_NOT_FOUND, "Version " + version + " not found.");
        }
        return entry;
    }

    private TreeMap<Integer, Entry> subjectOrThrow(String subject, boolean includeDeleted) {
        TreeMap<Integer, Entry> versions = subjects.get(subject);
        if (versions == null
                || (!includeDeleted && versions.values().stream().allMatch(Entry::deleted))) {
            throw new RegistryException(
                    404,
                    RegistryException.SUBJECT_NOT_FOUND,
                    "Subject '" + subject + "' not found.");
        }
        return versions;
    }

    private static Schema parse(String text) {
        if (text == null || text.isBlank()) {
            throw new RegistryException(422, RegistryException.INVALID_SCHEMA, "Empty schema");
        }
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException | NullPointerException | IllegalArgumentException e) {
            throw new RegistryException(
                    422,
                    RegistryException.INVALID_SCHEMA,
                    "Invalid schema " + text + ", details: " + e.getMessage());
        }
    }
}
