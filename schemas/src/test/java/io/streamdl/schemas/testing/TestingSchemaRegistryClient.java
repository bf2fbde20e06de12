package io.streamdl.schemas.testing;

import io.streamdl.schemas.registry.CompatibilityLevel;
import io.streamdl.schemas.registry.RegisteredSchema;
import io.streamdl.schemas.registry.RegistryException;
import io.streamdl.schemas.registry.SchemaRegistryClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * An in-memory registry for unit tests: ids, subjects and versions as a real registry assigns them,
 * no compatibility checks, and a count of calls so tests can prove caching.
 */
public final class TestingSchemaRegistryClient implements SchemaRegistryClient {
    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<String, Integer> idByCanonical = new HashMap<>();
    private final Map<String, List<Integer>> subjects = new LinkedHashMap<>();
    private final AtomicInteger calls = new AtomicInteger();
    private int nextId = 1;

    public int calls() {
        return calls.get();
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        calls.incrementAndGet();
        int id = idByCanonical.computeIfAbsent(schema.toString(), s -> nextId++);
        byId.putIfAbsent(id, schema);
        List<Integer> ids = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!ids.contains(id)) {
            ids.add(id);
        }
        return id;
    }

    @Override
    public synchronized Schema getById(int id) {
        calls.incrementAndGet();
        Schema schema = byId.get(id);
        if (schema == null) {
            throw new RegistryException(
                    404, RegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema lookup(String subject, Schema schema) {
        calls.incrementAndGet();
        List<Integer> ids = ids(subject);
        Integer id = idByCanonical.get(schema.toString());
        if (id == null || !ids.contains(id)) {
            throw new RegistryException(
                    404, RegistryException.SCHEMA_NOT_FOUND, "Schema not found");
        }
        return new RegisteredSchema(subject, ids.indexOf(id) + 1, id, schema);
    }

    @Override
    public synchronized RegisteredSchema latest(String subject) {
        return version(subject, "latest");
    }

    @Override
    public synchronized RegisteredSchema version(String subject, String version) {
        calls.incrementAndGet();
        List<Integer> ids = ids(subject);
        int v = "latest".equals(version) ? ids.size() : Integer.parseInt(version);
        if (v < 1 || v > ids.size()) {
            throw new RegistryException(
                    404, RegistryException.VERSION_NOT_FOUND, "Version not found");
        }
        int id = ids.get(v - 1);
        return new RegisteredSchema(subject, v, id, byId.get(id));
    }

    @Override
    public boolean isCompatible(String subject, String version, Schema schema) {
        return true;
    }

    @Override
    public synchronized List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    @Override
    public synchronized List<Integer> versions(String subject) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= ids(subject).size(); i++) {
            out.add(i);
        }
        return out;
    }

    @Override
    public synchronized List<Integer> deleteSubject(String subject) {
        List<Integer> versions = versions(subject);
        subjects.remove(subject);
        return versions;
    }

    @Override
    public CompatibilityLevel compatibility(String subject) {
        return CompatibilityLevel.NONE;
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
        throw new UnsupportedOperationException(
                "the testing registry does not check compatibility");
    }

    private List<Integer> ids(String subject) {
        List<Integer> ids = subjects.get(subject);
        if (ids == null) {
            throw new RegistryException(
                    404,
                    RegistryException.SUBJECT_NOT_FOUND,
                    "Subject '" + subject + "' not found.");
        }
        return ids;
    }
}
