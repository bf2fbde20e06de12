package io.streamdl.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;

/**
 * Watches a cluster's open transactions while a case runs: every few seconds it lists the ONGOING
 * ones and keeps, per transactional id, the longest it saw one open and the partitions it held. A
 * transaction left open by a dead producer holds back every read_committed reader of its partitions
 * until the broker times it out, so these are the first thing to look at when a reader's output
 * stops short. A failed listing (a broker down) is skipped, not fatal.
 */
final class LingeringTransactions implements AutoCloseable {
    private static final long EVERY_MS = 3_000;

    /** Per transactional id: {longest open ms, partitions it held}. */
    private final Map<String, Object[]> seen = new TreeMap<>();

    private final Admin admin;
    private final Thread watcher;
    private volatile boolean closed;

    LingeringTransactions(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8_000);
        admin = Admin.create(p);
        watcher = new Thread(this::watch, "lingering-transactions");
        watcher.setDaemon(true);
        watcher.start();
    }

    private void watch() {
        while (!closed) {
            try {
                List<String> open = new ArrayList<>();
                for (TransactionListing t :
                        admin.listTransactions(
                                        new ListTransactionsOptions()
                                                .filterStates(List.of(TransactionState.ONGOING)))
                                .all()
                                .get(8, TimeUnit.SECONDS)) {
                    open.add(t.transactionalId());
                }
                if (!open.isEmpty()) {
                    long now = System.currentTimeMillis();
                    for (Map.Entry<String, TransactionDescription> d :
                            admin.describeTransactions(open)
                                    .all()
                                    .get(8, TimeUnit.SECONDS)
                                    .entrySet()) {
                        long started = d.getValue().transactionStartTimeMs().orElse(now);
                        record(
                                d.getKey(),
                                now - started,
                                d.getValue().topicPartitions().toString());
                    }
                }
            } catch (Exception e) {
                // a broker down, or a transaction ended between listing and describing
            }
            try {
                Thread.sleep(EVERY_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void record(String id, long openMs, String partitions) {
        Object[] before = seen.get(id);
        if (before == null || (long) before[0] < openMs) {
            seen.put(id, new Object[] {openMs, partitions});
        }
    }

    /** The transactional ids seen open longer than {@code limit}: id, how long, partitions. */
    synchronized List<String> longerThan(Duration limit) {
        List<String> out = new ArrayList<>();
        seen.forEach(
                (id, v) -> {
                    if ((long) v[0] > limit.toMillis()) {
                        out.add(
                                String.format(
                                        "%s open %.0f s on %s", id, (long) v[0] / 1000.0, v[1]));
                    }
                });
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        watcher.interrupt();
        watcher.join(10_000);
        admin.close(Duration.ofSeconds(5));
    }
}
