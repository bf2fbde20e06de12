package io.streamdl.ops.registry;

import io.streamdl.ops.security.HttpSecurity;
import io.streamdl.ops.security.Principal;
import io.streamdl.ops.security.SecurityMaterial;
import io.streamdl.schemas.security.KafkaClientSecurity;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The schema registry as a process of its own, as the local cluster runs it: {@code RegistryMain
 * host port bootstrapServers [securityDir]}: with a security folder, it reaches Kafka over SASL_SSL
 * as the {@code registry} principal and serves HTTPS with the folder's broker certificate, behind
 * basic auth of {@link SecurityMaterial#HTTP_USER} and the folder's HTTP password. Its state is the
 * {@code _schemas} topic, so a restart loses nothing; it runs until it is stopped.
 */
public final class RegistryMain {
    private RegistryMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: RegistryMain HOST PORT BOOTSTRAP_SERVERS [SECURITY_DIR]");
            System.exit(2);
        }
        SecurityMaterial material =
                args.length == 4 && !args[3].isBlank()
                        ? SecurityMaterial.existing(Path.of(args[3]))
                        : null;
        SchemaRegistryServer server =
                SchemaRegistryServer.startOnKafka(
                        args[0],
                        Integer.parseInt(args[1]),
                        args[2],
                        material == null
                                ? KafkaClientSecurity.PLAINTEXT
                                : material.client(Principal.REGISTRY),
                        material == null ? HttpSecurity.NONE : HttpSecurity.of(material));
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
