package io.streamdl.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One scenario of the benchmark harness: {@link #run} measures once and returns a table; the
 * harness repeats it, summarises the runs cell by cell, and calls {@link #finish} to state the
 * method, set the targets beside their figures and draw the plots.
 */
interface Scenario {
    String name();

    String title();

    RunTable run(Context context, int run) throws Exception;

    void finish(ScenarioResult result, Context context) throws Exception;

    /** The most runs this scenario makes, whatever --runs says. */
    default int maxRuns() {
        return Integer.MAX_VALUE;
    }

    /**
     * What every scenario may read: the sizes (quick or full), where the report goes, the results
     * of the scenarios that ran before, and the settings the report's header lists.
     */
    final class Context {
        final boolean quick;
        final Path dir;
        final PrintStream out;
        final Map<String, ScenarioResult> done = new LinkedHashMap<>();
        final Map<String, Object> config = new LinkedHashMap<>();

        Context(boolean quick, Path dir, PrintStream out) {
            this.quick = quick;
            this.dir = dir;
            this.out = out;
        }

        /** {@code quick} in a quick run, else {@code full}. */
        int size(int quickSize, int fullSize) {
            return quick ? quickSize : fullSize;
        }

        double size(double quickSize, double fullSize) {
            return quick ? quickSize : fullSize;
        }

        /** Records a setting a scenario ran with, for the header. */
        void setting(String scenario, String key, Object value) {
            config.put(scenario + "." + key, value);
        }
    }
}
