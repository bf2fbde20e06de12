package io.streamdl.bench;

import io.streamdl.ops.registry.SchemaRegistryServer;
import io.streamdl.schemas.avro.ImagePayload;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Serialize + deserialize throughput of a {@code RawEvent} carrying a 3 KB image: through the
 * registry serde (Confluent framing, a real REST client against the embedded registry, caches warm)
 * against plain Avro binary without framing. The two are measured in alternating rounds in one run,
 * and the median of each is compared.
 */
public final class SerdeBenchmark {
    private static final int ROUNDS = 7;
    private static final long ROUND_NANOS = 1_000_000_000L;

    private SerdeBenchmark() {}

    public static Report run(PrintStream out) throws IOException {
        byte[] image = new byte[3 * 1024];
        new Random(7).nextBytes(image);
        RawEvent event =
                RawEvent.newBuilder()
                        .setId("bench-0001")
                        .setTs(1_764_000_000_000L)
                        .setSource("bench")
                        .setPayload(new ImagePayload("image/png", 28, 28, ByteBuffer.wrap(image)))
                        .setAttributes(Map.of("split", "train"))
                        .build();

        try (SchemaRegistryServer registry = SchemaRegistryServer.startInMemory("127.0.0.1", 0);
                RestSchemaRegistryClient client = new RestSchemaRegistryClient(registry.url())) {
            AvroWireSerializer<RawEvent> wireOut =
                    new AvroWireSerializer<>(client, SerdeConfig.forValues(registry.url()));
            AvroWireDeserializer<RawEvent> wireIn =
                    AvroWireDeserializer.specific(client, RawEvent.class);
            PlainAvro plain = new PlainAvro();

            Runnable wire =
                    () -> {
                        if (wireIn.deserialize("events.raw", wireOut.serialize("events.raw", event))
                                == null) {
                            throw new AssertionError();
                        }
                    };
            Runnable avro =
                    () -> {
                        if (plain.read(plain.write(event)) == null) {
                            throw new AssertionError();
                        }
                    };
            int wireBytes = wireOut.serialize("events.raw", event).length;
            int avroBytes = plain.write(event).length;
            long callsBefore = client.requestCount();

            out.println("warming up ...");
            measure(wire, 2 * ROUND_NANOS);
            measure(avro, 2 * ROUND_NANOS);
            double[] wireRates = new double[ROUNDS];
            double[] avroRates = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                wireRates[r] = measure(wire, ROUND_NANOS);
                avroRates[r] = measure(avro, ROUND_NANOS);
                out.printf(
                        "round %d: registry serde %,.0f rec/s, plain Avro %,.0f rec/s%n",
                        r + 1, wireRates[r], avroRates[r]);
            }
            double wireMedian = median(wireRates);
            double avroMedian = median(avroRates);
            long registryCalls = client.requestCount() - callsBefore;
            double ratio = wireMedian / avroMedian;
            out.printf(
                    "median: registry serde %,.0f rec/s, plain Avro %,.0f rec/s, ratio %.3f (target >= 0.9); registry calls during the run: %d%n",
                    wireMedian, avroMedian, ratio, registryCalls);
            return new Report("serde", "./pipeline bench serde")
                    .put("record", "RawEvent with a 3072-byte image payload")
                    .put("wireFormatBytes", wireBytes)
                    .put("plainAvroBytes", avroBytes)
                    .put("rounds", ROUNDS)
                    .put("registrySerdeRecordsPerSecond", wireRates)
                    .put("plainAvroRecordsPerSecond", avroRates)
                    .put("registrySerdeMedian", wireMedian)
                    .put("plainAvroMedian", avroMedian)
                    .put("ratio", ratio)
                    .put("target", 0.9)
                    .put("registryCallsDuringRun", registryCalls);
        }
    }

    /** Round trips per second over about {@code nanos}. */
    private static double measure(Runnable roundTrip, long nanos) {
        long n = 0;
        long start = System.nanoTime();
        long elapsed;
        do {
            for (int i = 0; i < 256; i++) {
                roundTrip.run();
            }
            n += 256;
            elapsed = System.nanoTime() - start;
        } while (elapsed < nanos);
        return n * 1e9 / elapsed;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** The baseline: the same datum writer and reader, reused the same way, without framing. */
    private static final class PlainAvro {
        private final SpecificDatumWriter<RawEvent> writer =
                new SpecificDatumWriter<>(RawEvent.class);
        private final SpecificDatumReader<RawEvent> reader =
                new SpecificDatumReader<>(RawEvent.class);
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(4096);
        private BinaryEncoder encoder;
        private BinaryDecoder decoder;

        byte[] write(RawEvent event) {
            buffer.reset();
            encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
            try {
                writer.write(event, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return buffer.toByteArray();
        }

        RawEvent read(byte[] bytes) {
            decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
            try {
                return reader.read(null, decoder);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public static Path runAndWrite(Path reportDir, PrintStream out) throws IOException {
        Path file = run(out).write(reportDir, "bench-serde.json");
        out.println("report: " + file);
        return file;
    }
}
