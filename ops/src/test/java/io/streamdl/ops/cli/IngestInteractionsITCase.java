package io.streamdl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.ingest.interactions.ItemCatalogue;
import io.streamdl.ingest.interactions.SimulatedInteraction;
import io.streamdl.ingest.interactions.SimulatorConfig;
import io.streamdl.ingest.interactions.UserSimulator;
import io.streamdl.ops.config.PlatformConfig;
import io.streamdl.ops.platform.Platform;
import io.streamdl.ops.testing.TestingKafka;
import io.streamdl.schemas.avro.Interaction;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./pipeline ingest interactions} against the embedded broker and registry: what arrives on
 * {@code interactions} is, user by user and in order, the simulator's stream for the seed, in the
 * wire format, keyed by user id.
 */
class IngestInteractionsITCase {
    @TempDir Path dataDir;

    @Test
    void theSimulatedStreamArrivesKeyedByUserInEachUsersOrder() {
        try (Platform platform = Platform.start(PlatformConfig.ephemeral(dataDir, 1));
                RestSchemaRegistryClient registry =
                        new RestSchemaRegistryClient(platform.registryUrl())) {
            TestingCli.Run run =
                    TestingCli.run(
                            "ingest",
                            "interactions",
                            "--users",
                            "40",
                            "--rate",
                            "2000",
                            "--count",
                            "500",
                            "--drift-at",
                            "250",
                            "--seed",
                            "9",
                            "-c",
                            "kafka.bootstrap.servers=" + platform.bootstrapServers(),
                            "-c",
                            "schema.registry.url=" + platform.registryUrl());
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("Sent 500 interactions of 40 users");

            AvroWireDeserializer<Interaction> reader =
                    AvroWireDeserializer.specific(registry, Interaction.class);
            List<ConsumerRecord<byte[], byte[]>> records =
                    TestingKafka.readCommitted(
                            platform.bootstrapServers(),
                            Topics.INTERACTIONS.name(),
                            l -> l.size() >= 500,
                            Duration.ofSeconds(60),
                            Duration.ofSeconds(1));
            assertThat(records).hasSize(500);
            Map<String, List<Interaction>> received = new HashMap<>();
            Map<String, Integer> partitionOf = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                Interaction i = reader.deserialize(r.topic(), r.value());
                String key = new String(r.key(), StandardCharsets.UTF_8);
                assertThat(key).isEqualTo(i.getUserId());
                assertThat(partitionOf.computeIfAbsent(key, k -> r.partition()))
                        .isEqualTo(r.partition());
                received.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
            }

            UserSimulator expected =
                    new UserSimulator(
                            ItemCatalogue.fashionMnistTest(),
                            new SimulatorConfig(40, 2000, 9, 250, 0));
            Map<String, List<String>> expectedPerUser = new HashMap<>();
            for (int n = 0; n < 500; n++) {
                SimulatedInteraction x = expected.next();
                expectedPerUser
                        .computeIfAbsent(x.userId(), k -> new ArrayList<>())
                        .add(x.itemId() + "/" + x.kind().wireName());
            }
            assertThat(received.keySet()).isEqualTo(expectedPerUser.keySet());
            received.forEach(
                    (user, list) -> {
                        assertThat(list)
                                .extracting(i -> i.getItemId() + "/" + i.getKind())
                                .as(user)
                                .isEqualTo(expectedPerUser.get(user));
                        assertThat(list).extracting(Interaction::getTs).as(user).isSorted();
                    });
        }
    }
}
