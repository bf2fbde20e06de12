package io.streamdl.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * What a harness report says about the machine and the software it ran on, read at run time: the
 * cores and CPU model ({@code /proc/cpuinfo}), memory, JVM, OS, the versions of Kafka ({@code
 * AppInfoParser}), Flink ({@code EnvironmentInformation}), ONNX Runtime (its jar's manifest) and
 * DL4J (its jar's Maven properties), the git commit of the source tree, and the load average.
 */
final class MachineHeader {
    private MachineHeader() {}

    /** Everything but the load at the end and the timings, which the harness adds. */
    static Map<String, Object> read(Path sourceTree) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("cores", Runtime.getRuntime().availableProcessors());
        h.put("cpu", cpuModel());
        h.put("memory", memTotal());
        h.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
        h.put(
                "jvm",
                System.getProperty("java.vm.name")
                        + " "
                        + System.getProperty(
                                "java.runtime.version", System.getProperty("java.version")));
        h.put(
                "os",
                osName()
                        + " ("
                        + System.getProperty("os.name")
                        + " "
                        + System.getProperty("os.version")
                        + ", "
                        + System.getProperty("os.arch")
                        + ")");
        h.put("OMP_NUM_THREADS", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("kafka", AppInfoParser.getVersion());
        versions.put("flink", EnvironmentInformation.getVersion());
        versions.put("onnxruntime", manifestVersion(ai.onnxruntime.OrtEnvironment.class));
        versions.put("dl4j", pomVersion("org.deeplearning4j", "deeplearning4j-nn"));
        versions.put("nd4j", pomVersion("org.nd4j", "nd4j-native"));
        h.put("versions", versions);
        h.put("gitCommit", git(sourceTree));
        h.put("loadAverageStart", loadAverage());
        return h;
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or the JVM's 1 minute one. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format(
                    "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /**
     * A warning when the 1-minute load average at the start or the end is above the core count
     * (other work shared the CPU, so a ratio of two numbers measured at different moments is not
     * reliable), or null.
     */
    static String busyWarning(String loadAtStart, String loadAtEnd, int cores) {
        double worst = Math.max(firstLoad(loadAtStart), firstLoad(loadAtEnd));
        if (!(worst > cores)) {
            return null;
        }
        return String.format(
                java.util.Locale.ROOT,
                "the 1-minute load average reached %.1f on %d cores: other work shared the CPU,"
                        + " so ratios of numbers measured at different moments (bare vs pipeline)"
                        + " are not reliable in this report",
                worst,
                cores);
    }

    private static double firstLoad(String loadAverage) {
        try {
            return Double.parseDouble(loadAverage.trim().split("\\s+")[0]);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux: fall through to what the JVM knows
        }
        return System.getProperty("os.arch") + " (no /proc/cpuinfo)";
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return (kb >> 20) + " GiB";
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return "unknown";
    }

    private static String osName() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring(12).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // unknown
        }
        return System.getProperty("os.name");
    }

    static String manifestVersion(Class<?> c) {
        Package p = c.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    static String pomVersion(String group, String artifact) {
        String path = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = MachineHeader.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** {@code HEAD}'s commit, with "+ local changes" when the tree differs; or "unknown". */
    static String git(Path tree) {
        String head = run(tree, "git", "rev-parse", "HEAD");
        if (head == null || head.isBlank()) {
            return "unknown";
        }
        String status = run(tree, "git", "status", "--porcelain", "--untracked-files=no");
        return head.trim() + (status != null && !status.isBlank() ? " + local changes" : "");
    }

    private static String run(Path dir, String... command) {
        try {
            Process p =
                    new ProcessBuilder(List.of(command))
                            .directory(dir.toFile())
                            .redirectErrorStream(true)
                            .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
