package io.streamdl.ops.registry;

import java.util.concurrent.CountDownLatch;

/**
 * The schema registry as a process of its own, as the local cluster runs it: {@code RegistryMain
 * host port bootstrapServers}. Its state is the {@code _schemas} topic, so a restart loses nothing;
 * it runs until it is stopped.
 */
public final class RegistryMain {
    private RegistryMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: RegistryMain HOST PORT BOOTSTRAP_SERVERS");
            System.exit(2);
        }
        SchemaRegistryServer server =
                SchemaRegistryServer.startOnKafka(args[0], Integer.parseInt(args[1]), args[2]);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    server.close();
                                    stopped.countDown();
                                },
                                "registry-shutdown"));
        System.out.println("schema registry serving at " + server.url());
        stopped.await();
    }
}
