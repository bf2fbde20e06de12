package io.streamdl.ops.cli;

import io.streamdl.schemas.avro.ModelEvent;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.scoring.lifecycle.LifecyclePublisher;
import io.streamdl.scoring.lifecycle.ModelEvents;
import io.streamdl.scoring.lifecycle.ModelTopicReader;
import io.streamdl.scoring.lifecycle.Rollbacks;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code ./pipeline models} commands that change what serves: rollback, pin, unpin, import.
 * Each checks everything before it publishes, so a refused command (one line on stderr, exit 2)
 * publishes nothing; then it waits (up to {@code --wait}) until the scorers report serving the
 * result and says how long that took.
 */
final class ModelsChange {
    private ModelsChange() {}

    /** Options every changing command shares. */
    static final class Wait {
        @Option(
                names = "--wait",
                description =
                        "How long to wait for the scorers to report serving the result (default 30s; 0s: do not wait).")
        Duration wait = Duration.ofSeconds(30);
    }

    @Command(
            name = "rollback",
            mixinStandardHelpOptions = true,
            description =
                    "Publish a signed copy of VERSION's weights as a new version (the newest plus one, parent VERSION), so every scorer and the trainer move to it and version numbers stay monotonic. A pin moves to the copy.")
    static final class Rollback implements Callable<Integer> {
        @CommandLine.Mixin PipelineCli.Common common = new PipelineCli.Common();
        @CommandLine.Mixin Wait wait = new Wait();

        @Parameters(index = "0", description = "The model.")
        String model;

        @Parameters(index = "1", description = "The version to go back to.")
        long version;

        @Override
        public Integer call() throws InterruptedException {
            ModelsContext ctx = ModelsContext.of(common);
            ctx.entry(model);
            long copy = republish(ctx, model, version, "rollback", wait.wait);
            return copy < 0 ? 1 : 0;
        }
    }

    @Command(
            name = "pin",
            mixinStandardHelpOptions = true,
            description =
                    "Scorers keep serving VERSION whatever the trainer publishes; the trainer keeps learning. VERSION must be on the topic: the newest is pinned as it is, an older one is first republished as a copy (like rollback) and the copy is pinned.")
    static final class Pin implements Callable<Integer> {
        @CommandLine.Mixin PipelineCli.Common common = new PipelineCli.Common();
        @CommandLine.Mixin Wait wait = new Wait();

        @Parameters(index = "0", description = "The model.")
        String model;

        @Parameters(index = "1", description = "The version to keep serving.")
        long version;

        @Override
        public Integer call() throws InterruptedException {
            ModelsContext ctx = ModelsContext.of(common);
            ctx.entry(model);
            ModelUpdate newest;
            ModelEvent pin;
            try (ModelTopicReader reader = ctx.reader()) {
                newest = reader.newest(model);
                if (reader.find(model, version) == null) {
                    throw new IllegalArgumentException(
                            "model '"
                                    + model
                                    + "' has no version "
                                    + version
                                    + " on its topic; nothing pinned ('./pipeline models list "
                                    + model
                                    + "' shows the versions)");
                }
                pin = ModelState.of(model, reader.events(model)).pin();
            }
            if (pin != null && pin.getVersion() == version) {
                System.out.printf("model %s is already pinned at version %d%n", model, version);
                return 0;
            }
            if (newest.getVersion() != version) {
                long copy = republish(ctx, model, version, "pin", wait.wait);
                return copy < 0 ? 1 : 0;
            }
            try (LifecyclePublisher publisher = ctx.publisher()) {
                publisher.publish(
                        ctx.event(
                                model,
                                ModelEvents.PINNED,
                                version,
                                pin == null ? null : pin.getVersion(),
                                "pinned by an operator: scorers keep serving version " + version));
            }
            System.out.printf(
                    "model %s pinned at version %d: the trainer keeps learning, scorers keep"
                            + " serving it until './pipeline models unpin %s'%n",
                    model, version, model);
            return awaitServing(ctx, model, version, wait.wait) ? 0 : 1;
        }
    }

    @Command(
            name = "unpin",
            mixinStandardHelpOptions = true,
            description = "Scorers serve the newest version again.")
    static final class Unpin implements Callable<Integer> {
        @CommandLine.Mixin PipelineCli.Common common = new PipelineCli.Common();
        @CommandLine.Mixin Wait wait = new Wait();

        @Parameters(index = "0", description = "The model.")
        String model;

        @Override
        public Integer call() throws InterruptedException {
            ModelsContext ctx = ModelsContext.of(common);
            ctx.entry(model);
            ModelEvent pin;
            ModelUpdate newest;
            try (ModelTopicReader reader = ctx.reader()) {
                pin = ModelState.of(model, reader.events(model)).pin();
                newest = reader.newest(model);
            }
            if (pin == null) {
                System.out.printf("model %s is not pinned; nothing to do%n", model);
                return 0;
            }
            try (LifecyclePublisher publisher = ctx.publisher()) {
                publisher.publish(
                        ctx.event(
                                model,
                                ModelEvents.UNPINNED,
                                pin.getVersion(),
                                null,
                                "unpinned by an operator: scorers serve the newest version"));
            }
            System.out.printf(
                    "model %s unpinned (was pinned at version %d)%n", model, pin.getVersion());
            return newest == null
                    ? 0
                    : awaitServing(ctx, model, newest.getVersion(), wait.wait) ? 0 : 1;
        }
    }

    @Command(
            name = "import",
            mixinStandardHelpOptions = true,
            description =
                    "Bring a model trained elsewhere: check an ONNX file's inputs and outputs against the encoder's tensor and the labels, sign it and publish it as the model's next version, served at once. It is served, not fine-tuned (it carries no DL4J parameters): the model's trainer keeps learning its own weights, and its next version replaces the import unless it is pinned (--pin).")
    static final class Import implements Callable<Integer> {
        @CommandLine.Mixin PipelineCli.Common common = new PipelineCli.Common();
        @CommandLine.Mixin Wait wait = new Wait();

        @Option(names = "--name", required = true, description = "The model it serves as.")
        String name;

        @Option(names = "--onnx", required = true, description = "The ONNX file.")
        java.nio.file.Path file;

        @Option(
                names = "--encoder",
                description = "The encoder whose tensor it reads (default: the model's).")
        String encoder;

        @Option(
                names = "--labels",
                split = ",",
                description = "Its classes, in output order (default: the model's labels).")
        java.util.List<String> labels;

        @Option(
                names = "--pin",
                description = "Pin it, so the trainer's versions do not replace it.")
        boolean pin;

        @Override
        public Integer call() throws InterruptedException {
            ModelsContext ctx = ModelsContext.of(common);
            io.streamdl.models.spec.ModelCatalogue.Entry entry = ctx.entry(name);
            String enc = encoder == null ? entry.encoder() : encoder;
            if (!enc.equals(entry.encoder())) {
                throw new IllegalArgumentException(
                        "model '"
                                + name
                                + "' is scored on features."
                                + entry.encoder()
                                + ", not features."
                                + enc
                                + "; nothing published");
            }
            java.util.List<String> classes = labels == null ? entry.spec().labels() : labels;
            byte[] onnx;
            try {
                onnx = java.nio.file.Files.readAllBytes(file);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e);
            }
            ModelEvent currentPin;
            ModelUpdate update;
            try (ModelTopicReader reader = ctx.reader();
                    LifecyclePublisher publisher = ctx.publisher()) {
                ModelUpdate newest = reader.newest(name);
                currentPin = ModelState.of(name, reader.events(name)).pin();
                long version = newest == null ? 1 : newest.getVersion() + 1;
                try {
                    update =
                            io.streamdl.models.onnx.OnnxImport.build(
                                    name,
                                    onnx,
                                    enc,
                                    classes,
                                    version,
                                    null,
                                    Map.of(ModelEvents.IMPORTED_METRIC, 1.0),
                                    ctx.codec());
                } catch (io.streamdl.models.codec.ModelUpdateRejected e) {
                    throw new IllegalArgumentException(
                            file + " is refused, nothing published: " + e.getMessage());
                }
                publisher.publish(update);
                publisher.publish(
                        ctx.event(
                                name,
                                ModelEvents.IMPORTED,
                                version,
                                newest == null ? null : newest.getVersion(),
                                "imported from " + file.getFileName() + " by an operator"));
                if (pin || currentPin != null) {
                    publisher.publish(
                            ctx.event(
                                    name,
                                    ModelEvents.PINNED,
                                    version,
                                    currentPin == null ? null : currentPin.getVersion(),
                                    "pinned by an operator at the imported version " + version));
                }
            }
            System.out.printf(
                    "model %s: %s imported as version %d (%s, %d classes, %s)%s%n",
                    name,
                    file,
                    update.getVersion(),
                    OnnxFacts.opsets(onnx),
                    classes.size(),
                    ModelsCommand.size(onnx.length),
                    pin || currentPin != null
                            ? ", pinned"
                            : "; served, not fine-tuned: the trainer's next version replaces it"
                                    + " (use --pin to keep it)");
            return awaitServing(ctx, name, update.getVersion(), wait.wait) ? 0 : 1;
        }
    }

    /**
     * Publishes a copy of {@code version} as the newest plus one (pinning the copy if the model is
     * pinned, or if {@code why} is "pin") and waits for the scorers.
     *
     * @return the copy's version, or -1 if the scorers did not report it in time
     */
    static long republish(ModelsContext ctx, String model, long version, String why, Duration wait)
            throws InterruptedException {
        Rollbacks.Published p;
        ModelEvent pin;
        try (ModelTopicReader reader = ctx.reader();
                LifecyclePublisher publisher = ctx.publisher()) {
            pin = ModelState.of(model, reader.events(model)).pin();
            checkExists(reader, model, version);
            boolean pinCopy = pin != null || why.equals("pin");
            p = Rollbacks.publishCopy(reader, publisher, ctx.codec(), model, version, Map.of());
            publisher.publish(
                    ModelEvents.of(
                            model,
                            ModelEvents.ROLLED_BACK,
                            p.copy().getVersion(),
                            p.previousNewest(),
                            "version "
                                    + p.copy().getVersion()
                                    + " is a copy of version "
                                    + version
                                    + " ("
                                    + why
                                    + " by an operator; the newest was "
                                    + p.previousNewest()
                                    + ")",
                            Map.of(ModelEvents.ROLLBACK_OF, (double) version),
                            ModelsContext.actor(),
                            System.currentTimeMillis()));
            if (pinCopy) {
                // a pinned gate holds the copy until this names it
                publisher.publish(
                        ctx.event(
                                model,
                                ModelEvents.PINNED,
                                p.copy().getVersion(),
                                pin == null ? null : pin.getVersion(),
                                "pinned by an operator at version "
                                        + p.copy().getVersion()
                                        + ", a copy of version "
                                        + version));
            }
            System.out.printf(
                    "model %s: version %d published, a signed copy of version %d (parent %d)%s%n",
                    model, p.copy().getVersion(), version, version, pinCopy ? ", and pinned" : "");
        }
        return awaitServing(ctx, model, p.copy().getVersion(), wait) ? p.copy().getVersion() : -1;
    }

    private static void checkExists(ModelTopicReader reader, String model, long version) {
        if (reader.find(model, version) == null) {
            throw new IllegalArgumentException(
                    "model '"
                            + model
                            + "' has no version "
                            + version
                            + " on its topic; nothing published ('./pipeline models list "
                            + model
                            + "' shows the versions)");
        }
    }

    /**
     * Waits until every scorer that has reported serving {@code model} reports {@code version}.
     *
     * @return whether they did within {@code wait} (true at once for a zero wait)
     */
    static boolean awaitServing(ModelsContext ctx, String model, long version, Duration wait)
            throws InterruptedException {
        if (wait.isZero()) {
            return true;
        }
        long start = System.nanoTime();
        long deadline = start + wait.toNanos();
        ModelState state;
        try (ModelTopicReader reader = ctx.reader()) {
            while (true) {
                state = ModelState.of(model, reader.events(model));
                long serving =
                        state.servingByScorer().values().stream()
                                .filter(e -> e.getVersion() == version)
                                .count();
                int scorers = state.servingByScorer().size();
                if (scorers > 0 && serving == scorers) {
                    System.out.printf(
                            Locale.ROOT,
                            "all %d scorer(s) of %s serve version %d, %.1f s after the command"
                                    + " published%n",
                            scorers,
                            model,
                            version,
                            (System.nanoTime() - start) / 1e9);
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    System.err.printf(
                            "error: after %s, %d of %d scorer(s) of %s report version %d (is the"
                                    + " pipeline running?)%n",
                            wait, serving, scorers, model, version);
                    return false;
                }
                Thread.sleep(200);
            }
        }
    }
}
