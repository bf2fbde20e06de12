package io.streamdl.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** A benchmark's numbers with the machine they were measured on, written as JSON. */
public final class Report {
    private final Map<String, Object> root = new LinkedHashMap<>();
    private final Map<String, Object> results = new LinkedHashMap<>();

    public Report(String benchmark, String command) {
        root.put("benchmark", benchmark);
        root.put("command", command);
        root.put("measuredAt", Instant.now().toString());
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
        machine.put(
                "java",
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put(
                "loadAverage", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        try {
            machine.put("host", InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            machine.put("host", "unknown");
        }
        root.put("machine", machine);
        root.put("results", results);
    }

    public Report put(String key, Object value) {
        results.put(key, value);
        return this;
    }

    /** The results put so far, in order (the harness reads a benchmark's numbers from here). */
    public Map<String, Object> results() {
        return results;
    }

    public Path write(Path dir, String fileName) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(fileName);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(file.toFile(), root);
        return file;
    }
}
