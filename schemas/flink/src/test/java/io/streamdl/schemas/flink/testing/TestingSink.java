package io.streamdl.schemas.flink.testing;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink that keeps what reaches it in this JVM, under the test run and its own name, so that the
 * test reads it after the job has finished.
 */
public final class TestingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Queue<Object>> RECEIVED = new ConcurrentHashMap<>();

    private final String key;

    public TestingSink(String run, String name) {
        this.key = run + "/" + name;
        RECEIVED.putIfAbsent(key, new ConcurrentLinkedQueue<>());
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new Writer<>(RECEIVED.get(key));
    }

    @SuppressWarnings("unchecked")
    public List<T> received() {
        return (List<T>) List.copyOf(RECEIVED.get(key));
    }

    /** Forgets what every sink of test run {@code run} received. */
    public static void drop(String run) {
        RECEIVED.keySet().removeIf(k -> k.startsWith(run + "/"));
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final Queue<Object> queue;

        Writer(Queue<Object> queue) {
            this.queue = queue;
        }

        @Override
        public void write(T element, Context context) {
            queue.add(element);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
    }
}
