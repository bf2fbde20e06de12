package io.streamdl.ops.cli;

import java.io.PrintStream;

/**
 * Runs the benchmark a {@link BenchRequest} names and writes its report. The benchmarks live in the
 * module {@code e2e-tests/bench}, which depends on ops, so the CLI cannot name them: it loads the
 * implementation {@link #IMPLEMENTATION} by class name when that module is on the class path and
 * instantiates it through a public no-argument constructor.
 */
public interface BenchRunner {
    /** The class the CLI loads; it must implement this interface. */
    String IMPLEMENTATION = "io.streamdl.bench.BenchMain";

    /**
     * Runs the benchmark, printing progress and the report's path to {@code out}.
     *
     * @throws IllegalArgumentException if an option's value cannot be used (the CLI prints it as a
     *     one-line error and exits with 2)
     */
    void run(BenchRequest request, PrintStream out) throws Exception;
}
