package io.streamdl.ops.registry;

import java.util.function.Consumer;

/** Where the registry's state is made durable. Appends return once the entry is durable. */
interface RegistryLog extends AutoCloseable {
    /** Feeds every stored entry, oldest first, to {@code sink}. */
    void replay(Consumer<RegistryRecord> sink);

    void append(RegistryRecord record);

    @Override
    default void close() {}

    /** Keeps nothing beyond the process: for tests and throwaway registries. */
    static RegistryLog inMemory() {
        return new RegistryLog() {
            private final java.util.List<RegistryRecord> entries = new java.util.ArrayList<>();

            @Override
            public synchronized void replay(Consumer<RegistryRecord> sink) {
                entries.forEach(sink);
            }

            @Override
            public synchronized void append(RegistryRecord record) {
                entries.add(record);
            }
        };
    }
}
