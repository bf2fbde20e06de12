package io.streamdl.scoring;

import io.streamdl.models.inference.FeatureTensors;
import io.streamdl.schemas.avro.ModelUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scorer's rules without Flink: which model scores an event, when a batch closes, and when a
 * newer model takes over. {@link MicroBatchScorer} feeds it events, verified updates and the time,
 * keeps its {@link #waiting()} events and {@link #serving()} / {@link #newestPending()} updates in
 * checkpointed state, and turns what it reports to an {@link Output} into records and metrics.
 *
 * <ul>
 *   <li>Until the first model is built, events are held, at most {@code maxHeld}; beyond that each
 *       arriving event is refused with {@link Output#noModel}.
 *   <li>With a model, an event that does not fit it is refused ({@link Output#misfit}); the others
 *       join the open batch, which closes at {@code maxBatch} events or {@code maxWaitMillis} after
 *       its first one and is then scored in one call ({@link Output#score}).
 *   <li>A verified update newer than every version served, building, queued or tried is handed to
 *       the {@link Builder}; the rest are stale and ignored. One build runs at a time; updates that
 *       arrive meanwhile replace each other, so only the newest of them is built next.
 *   <li>A finished build is taken at the next boundary: the next event, update or {@link #onTime}
 *       call. It first closes the open batch with the serving model, so no batch is scored by two
 *       versions, then serves the new model, closes the old one and releases the held events. A
 *       build that failed is reported ({@link Output#buildFailed}) and the serving model stays.
 * </ul>
 *
 * <p>Not thread-safe: every method but {@link #servingVersion()} must be called from one thread.
 * Only the {@link Builder}'s futures complete on another.
 *
 * @param <E> an event as the operator keeps it
 */
public final class HoldAndSwap<E> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HoldAndSwap.class);

    /** The {@link #servingVersion()} before any model is served. */
    public static final long NO_VERSION = -1L;

    /** Builds the model of a verified update somewhere other than the caller's thread. */
    @FunctionalInterface
    public interface Builder {
        /** Starts building; the future completes with the model or with the reason it failed. */
        CompletableFuture<LoadedModel> start(ModelUpdate verified);
    }

    /** Why an event does not fit a model, or null if it fits. */
    @FunctionalInterface
    public interface Fit<E> {
        FeatureTensors.Refusal misfit(E event, LoadedModel model);
    }

    /** Where the core sends what it decides. Called on the caller's thread, during the call. */
    public interface Output<E> {
        /** A closed batch, oldest event first, every one of which fits {@code model}. */
        void score(List<E> batch, LoadedModel model, long now);

        /** An event the serving model cannot take, and why. */
        void misfit(E event, FeatureTensors.Refusal why, long now);

        /** An event held for a model that never came before the input ended. */
        void endedWithoutModel(E event, long now);

        /** An event refused because no model is served yet and {@code maxHeld} are held. */
        void noModel(E event, int maxHeld, long now);

        /** {@code next} now serves, in place of {@code previousVersion} ({@link #NO_VERSION}). */
        void swapped(long previousVersion, LoadedModel next);

        /** The build of a verified update failed; the serving model, if any, stays. */
        void buildFailed(ModelUpdate update, Exception cause);
    }

    /** A build in progress: the update and the future of its model. */
    private record Build(ModelUpdate update, CompletableFuture<LoadedModel> model) {}

    private final int maxHeld;
    private final long pollMillis;
    private final Builder builder;
    private final Fit<E> fit;
    private final MicroBatch<E> batch;
    private final List<E> held = new ArrayList<>();

    private LoadedModel serving;
    private ModelUpdate servingUpdate;
    private Build building;
    private ModelUpdate queued;
    private long newestKnown = Long.MIN_VALUE;

    /** A copy of {@code serving.version()}, for metric reporters on other threads. */
    private volatile long servingVersion = NO_VERSION;

    /**
     * @param maxBatch a batch closes at this many events
     * @param maxWaitMillis or this long after its first event
     * @param maxHeld events held before the first model is built
     * @param pollMillis how often {@link #wakeUpAt} asks to look at a build in progress
     * @param builder builds models off the caller's thread
     * @param fit decides whether an event fits a model
     */
    public HoldAndSwap(
            int maxBatch,
            long maxWaitMillis,
            int maxHeld,
            long pollMillis,
            Builder builder,
            Fit<E> fit) {
        if (maxHeld < 0) {
            throw new IllegalArgumentException(
                    "scoring.hold.max-events must not be negative, not " + maxHeld);
        }
        if (pollMillis < 1) {
            throw new IllegalArgumentException("pollMillis must be at least 1, not " + pollMillis);
        }
        this.batch = new MicroBatch<>(maxBatch, maxWaitMillis);
        this.maxHeld = maxHeld;
        this.pollMillis = pollMillis;
        this.builder = builder;
        this.fit = fit;
    }

    /**
     * Serves {@code model}, built from {@code update} by the caller, before any event arrives: a
     * restored scorer goes on with the version it served when it was checkpointed.
     */
    public void restore(ModelUpdate update, LoadedModel model) {
        if (serving != null || !held.isEmpty()) {
            throw new IllegalStateException("restore() comes before any model or event");
        }
        serving = model;
        servingUpdate = update;
        servingVersion = model.version();
        newestKnown = Math.max(newestKnown, model.version());
    }

    /** Holds, refuses or batches one event (and first takes a finished build). */
    public void receive(E event, long now, Output<E> out) {
        takeFinishedBuild(now, out);
        if (serving == null) {
            if (held.size() < maxHeld) {
                held.add(event);
            } else {
                out.noModel(event, maxHeld, now);
            }
            return;
        }
        accept(event, now, out);
    }

    /**
     * Hands a verified update to the builder, or queues it behind the build in progress, unless it
     * is {@linkplain #isStale stale}.
     *
     * @return false if the update was stale and ignored
     */
    public boolean update(ModelUpdate verified, long now, Output<E> out) {
        takeFinishedBuild(now, out);
        if (isStale(verified.getVersion())) {
            return false;
        }
        newestKnown = verified.getVersion();
        if (building == null) {
            start(verified);
        } else {
            queued = verified;
        }
        return true;
    }

    /** Takes a finished build and closes the open batch if its deadline has passed. */
    public void onTime(long now, Output<E> out) {
        takeFinishedBuild(now, out);
        if (!batch.isEmpty() && batch.deadline() <= now) {
            flush(now, out);
        }
    }

    /**
     * At the end of the input: waits for the builds in progress and queued (on the caller's thread,
     * as nothing else is left to do), takes them, then scores the open batch. If no model could be
     * built, the held events are refused ({@link Output#endedWithoutModel}): nothing will ever
     * score them, and an event must not vanish.
     */
    public void finish(long now, Output<E> out) {
        while (building != null) {
            built().join();
            takeFinishedBuild(now, out);
        }
        flush(now, out);
        if (serving == null) {
            held.forEach(event -> out.endedWithoutModel(event, now));
            held.clear();
        }
    }

    /**
     * Whether a version would be ignored: it is not newer than every version this core serves, is
     * building, has queued or has tried to build.
     */
    public boolean isStale(long version) {
        return version <= newestKnown;
    }

    /**
     * When the caller should call {@link #onTime} next: the open batch's deadline or, while a model
     * builds, {@code pollMillis} from {@code now}, whichever is first; -1 if neither.
     */
    public long wakeUpAt(long now) {
        long deadline = batch.deadline();
        if (building == null) {
            return deadline;
        }
        long poll = now + pollMillis;
        return deadline < 0 ? poll : Math.min(deadline, poll);
    }

    /** Whether a build is in progress or finished but not yet taken. */
    public boolean isBuilding() {
        return building != null;
    }

    /**
     * Completes when the build in progress has ended, successfully or not (already complete if
     * there is none). Its model is taken at the next boundary, not by this future.
     */
    public CompletableFuture<Void> built() {
        return building == null
                ? CompletableFuture.completedFuture(null)
                : building.model().handle((model, error) -> null);
    }

    /** The events not yet scored, oldest first: held ones, or those of the open batch. */
    public List<E> waiting() {
        List<E> out = new ArrayList<>(held.size() + batch.size());
        out.addAll(held);
        out.addAll(batch.peek());
        return out;
    }

    /** The update whose model serves, or null before the first one is built. */
    public ModelUpdate serving() {
        return servingUpdate;
    }

    /**
     * The newest verified update that does not serve yet and has not failed: queued, else building;
     * null if none.
     */
    public ModelUpdate newestPending() {
        if (queued != null) {
            return queued;
        }
        return building == null ? null : building.update();
    }

    /** The serving model's version, or {@link #NO_VERSION}; safe to read from any thread. */
    public long servingVersion() {
        return servingVersion;
    }

    /**
     * Closes the serving model and forgets queued updates. A build still in progress closes its
     * model when it ends, so the caller should first let the builder's thread finish.
     */
    @Override
    public void close() {
        Build unfinished = building;
        building = null;
        queued = null;
        LoadedModel last = serving;
        serving = null;
        servingVersion = NO_VERSION;
        try {
            if (last != null) {
                last.close();
            }
        } finally {
            if (unfinished != null) {
                unfinished.model().whenComplete(HoldAndSwap::closeAbandoned);
            }
        }
    }

    private static void closeAbandoned(LoadedModel model, Throwable error) {
        if (model == null) {
            LOG.warn("a model build ended with an error after the scorer closed", error);
            return;
        }
        try {
            model.close();
        } catch (RuntimeException e) {
            LOG.warn("closing version {} after the scorer closed failed", model.version(), e);
        }
    }

    private void start(ModelUpdate verified) {
        building = new Build(verified, builder.start(verified));
    }

    private void accept(E event, long now, Output<E> out) {
        FeatureTensors.Refusal misfit = fit.misfit(event, serving);
        if (misfit != null) {
            out.misfit(event, misfit, now);
            return;
        }
        if (batch.add(event, now)) {
            flush(now, out);
        }
    }

    private void flush(long now, Output<E> out) {
        if (!batch.isEmpty()) {
            out.score(batch.drain(), serving, now);
        }
    }

    private void takeFinishedBuild(long now, Output<E> out) {
        if (building == null || !building.model().isDone()) {
            return;
        }
        Build done = building;
        building = null;
        LoadedModel next;
        try {
            next = done.model().join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e instanceof CompletionException ? e.getCause() : e;
            // An Error (out of memory, a missing native library) fails the task, as it would
            // have on the task thread; anything else is one bad update.
            if (cause instanceof Error error) {
                throw error;
            }
            out.buildFailed(done.update(), (Exception) cause);
            startQueued();
            return;
        }
        swap(done.update(), next, now, out);
        startQueued();
    }

    private void startQueued() {
        if (queued != null) {
            start(queued);
            queued = null;
        }
    }

    private void swap(ModelUpdate update, LoadedModel next, long now, Output<E> out) {
        LoadedModel previous = serving;
        flush(now, out);
        serving = next;
        servingUpdate = update;
        servingVersion = next.version();
        out.swapped(previous == null ? NO_VERSION : previous.version(), next);
        if (previous != null) {
            previous.close();
        }
        if (!held.isEmpty()) {
            List<E> released = new ArrayList<>(held);
            held.clear();
            for (E event : released) {
                accept(event, now, out);
            }
        }
    }
}
