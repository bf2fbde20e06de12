package io.streamdl.ops.cli;

import io.streamdl.models.codec.ModelUpdateRejected;
import io.streamdl.models.onnx.OnnxModelInfo;
import io.streamdl.models.spec.ModelCatalogue;
import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.scoring.lifecycle.ModelTopicReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./pipeline models}: see every version of every model, and what serves now. */
@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description =
                "The models' versions on their topics and what each scorer serves; roll back, pin, export and import models.",
        subcommands = {
            ModelsCommand.ListVersions.class,
            ModelsCommand.Show.class,
            ModelsCommand.Export.class,
            ModelsChange.Rollback.class,
            ModelsChange.Pin.class,
            ModelsChange.Unpin.class,
            ModelsChange.Import.class
        })
final class ModelsCommand {
    static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    /** A version as {@code list} shows it, without its blobs. */
    record Version(
            long version,
            Long parent,
            long createdTs,
            String keyId,
            String format,
            long bytes,
            Map<String, Double> metrics) {
        static Version of(ModelUpdate u) {
            long size =
                    u.getParams().remaining() + (u.getOnnx() == null ? 0 : u.getOnnx().remaining());
            return new Version(
                    u.getVersion(),
                    u.getParentVersion(),
                    u.getCreatedTs(),
                    u.getSignerKeyId(),
                    u.getFormat(),
                    size,
                    new TreeMap<>(u.getMetrics()));
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description =
                    "Every model, its versions on models.<model> (parent, metrics at publication, created time, signer key id) and the version each scorer serves now, the pin and the candidate in shadow.")
    static final class ListVersions implements Callable<Integer> {
        @CommandLine.Mixin PipelineCli.Common common = new PipelineCli.Common();

        @Parameters(arity = "0..1", description = "Only this model.")
        String model;

        @Override
        public Integer call() {
            ModelsContext ctx = ModelsContext.of(common);
            List<String> models = new ArrayList<>();
            if (model != null) {
                models.add(ctx.entry(model).name());
            } else {
                ctx.catalogue.enabled().forEach(e -> models.add(e.name()));
            }
            PrintStream out = System.out;
            try (ModelTopicReader reader = ctx.reader()) {
                List<ModelEvent> events = reader.events(null);
                for (String m : models) {
                    List<Version> versions = new ArrayList<>();
                    reader.updates(
                            m,
                            u -> {
                                versions.add(Version.of(u));
                                return false;
                            });
                    versions.sort((a, b) -> Long.compare(a.version(), b.version()));
                    print(out, m, versions, ModelState.of(m, events));
                }
                if (reader.skipped() > 0) {
                    out.printf(
                            "(%d records on these topics did not decode or named another model;"
                                    + " skipped)%n",
                            reader.skipped());
                }
            }
            return 0;
        }

        private static void print(
                PrintStream out, String model, List<Version> versions, ModelState state) {
            out.printf(
                    "%s (models.%s): %d version(s) on the topic%n", model, model, versions.size());
            if (!versions.isEmpty()) {
                out.printf(
                        "  %7s %7s  %-19s  %-16s  %-16s %9s  %s%n",
                        "VERSION",
                        "PARENT",
                        "CREATED (UTC)",
                        "SIGNER KEY",
                        "FORMAT",
                        "SIZE",
                        "METRICS");
            }
            for (Version v : versions) {
                out.printf(
                        "  %7d %7s  %-19s  %-16s  %-16s %9s  %s%n",
                        v.version(),
                        v.parent() == null ? "-" : v.parent().toString(),
                        TIME.format(Instant.ofEpochMilli(v.createdTs())),
                        v.keyId() == null ? "-" : v.keyId(),
                        v.format(),
                        size(v.bytes()),
                        metrics(v.metrics()));
            }
            state.print(out);
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description =
                    "One version (default: the newest): spec, labels, metrics, sizes, ONNX opset and ports, signature check, and the lifecycle events about it.")
    static final class Show implements Callable<Integer> {
        @CommandLine.Mixin PipelineCli.Common common = new PipelineCli.Common();

        @Parameters(index = "0", description = "The model.")
        String model;

        @Parameters(index = "1", arity = "0..1", description = "The version (default: newest).")
        Long version;

        @Override
        public Integer call() {
            ModelsContext ctx = ModelsContext.of(common);
            ctx.entry(model);
            try (ModelTopicReader reader = ctx.reader()) {
                ModelUpdate u =
                        version == null ? reader.newest(model) : reader.find(model, version);
                if (u == null) {
                    throw new IllegalArgumentException(
                            version == null
                                    ? "model '" + model + "' has no version on its topic yet"
                                    : "model '"
                                            + model
                                            + "' has no version "
                                            + version
                                            + " on its topic; './pipeline models list "
                                            + model
                                            + "' shows those it has");
                }
                print(System.out, ctx, u, reader.events(model));
            }
            return 0;
        }

        private static void print(
                PrintStream out, ModelsContext ctx, ModelUpdate u, List<ModelEvent> events) {
            out.printf("model %s, version %d%n", u.getModel(), u.getVersion());
            out.printf(
                    "  parent       %s%n",
                    u.getParentVersion() == null ? "-" : u.getParentVersion());
            out.printf(
                    "  created      %s UTC%n", TIME.format(Instant.ofEpochMilli(u.getCreatedTs())));
            out.printf("  format       %s%n", u.getFormat());
            out.printf("  sha256       %s%n", u.getSha256());
            out.printf(
                    "  signature    %s (key %s): %s%n",
                    u.getSignature() == null ? "none" : "HMAC-SHA256",
                    u.getSignerKeyId() == null ? "unknown" : u.getSignerKeyId(),
                    check(ctx, u));
            out.printf(
                    "  size         ONNX %s, DL4J parameters %s%n",
                    u.getOnnx() == null ? "none" : size(u.getOnnx().remaining()),
                    size(u.getParams().remaining()));
            if (u.getOnnx() != null) {
                byte[] onnx = bytes(u.getOnnx());
                out.printf("  onnx         %s%n", OnnxFacts.opsets(onnx));
                try {
                    OnnxModelInfo info = OnnxModelInfo.parse(onnx);
                    info.inputs()
                            .forEach(p -> out.printf("  input        %s%n", OnnxFacts.port(p)));
                    info.outputs()
                            .forEach(p -> out.printf("  output       %s%n", OnnxFacts.port(p)));
                } catch (IllegalArgumentException e) {
                    out.printf("  onnx ports   unreadable: %s%n", e.getMessage());
                }
            }
            try {
                io.streamdl.models.spec.ModelSpec spec =
                        io.streamdl.models.spec.ModelSpec.fromJson(u.getArchitecture());
                out.printf("  kind         %s%n", spec.kind());
                out.printf("  labels       %s%n", spec.labels().isEmpty() ? "-" : spec.labels());
            } catch (RuntimeException e) {
                out.printf("  spec         unreadable: %s%n", e.getMessage());
            }
            out.printf("  metrics      %s%n", metrics(new TreeMap<>(u.getMetrics())));
            out.printf("  spec         %s%n", u.getArchitecture());
            for (ModelEvent e : events) {
                if (e.getVersion() != null && e.getVersion() == u.getVersion()
                        || e.getFromVersion() != null && e.getFromVersion() == u.getVersion()) {
                    out.printf(
                            "  event        %s %s v%s: %s (%s)%n",
                            TIME.format(Instant.ofEpochMilli(e.getTs())),
                            e.getKind(),
                            e.getVersion(),
                            e.getReason(),
                            e.getActor());
                }
            }
        }

        private static String check(ModelsContext ctx, ModelUpdate u) {
            try {
                ctx.codec().verify(u);
                return "verified with this pipeline's key";
            } catch (ModelUpdateRejected e) {
                return "REFUSED: " + e.getMessage();
            }
        }
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description =
                    "Write a version's ONNX model to a file (after checking its checksum and signature).")
    static final class Export implements Callable<Integer> {
        @CommandLine.Mixin PipelineCli.Common common = new PipelineCli.Common();

        @Parameters(index = "0", description = "The model.")
        String model;

        @Parameters(index = "1", description = "The version.")
        long version;

        @Option(names = "--onnx", required = true, description = "The file to write.")
        Path file;

        @Override
        public Integer call() throws IOException {
            ModelsContext ctx = ModelsContext.of(common);
            ctx.entry(model);
            ModelUpdate u;
            try (ModelTopicReader reader = ctx.reader()) {
                u = reader.find(model, version);
            }
            if (u == null) {
                throw new IllegalArgumentException(
                        "model '" + model + "' has no version " + version + " on its topic");
            }
            if (u.getOnnx() == null) {
                throw new IllegalArgumentException(
                        "version " + version + " of model '" + model + "' carries no ONNX model");
            }
            try {
                ctx.codec().verify(u);
            } catch (ModelUpdateRejected e) {
                throw new IllegalArgumentException(
                        "version "
                                + version
                                + " fails verification, not exported: "
                                + e.getMessage());
            }
            byte[] onnx = bytes(u.getOnnx());
            Files.write(file, onnx);
            System.out.printf(
                    "wrote %s: model %s version %d, %s, %s%n",
                    file, model, version, size(onnx.length), OnnxFacts.opsets(onnx));
            return 0;
        }
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }

    static String metrics(Map<String, Double> metrics) {
        if (metrics.isEmpty()) {
            return "-";
        }
        StringBuilder out = new StringBuilder();
        metrics.forEach(
                (k, v) -> {
                    if (out.length() > 0) {
                        out.append(' ');
                    }
                    out.append(k).append('=');
                    out.append(
                            v == Math.rint(v) && Math.abs(v) < 1e15
                                    ? Long.toString(v.longValue())
                                    : String.format(Locale.ROOT, "%.4g", v));
                });
        return out.toString();
    }

    /** For {@link ModelCatalogue} entries the command is about. */
    private ModelsCommand() {}
}
