package io.streamdl.bench;

import io.streamdl.encoders.EncoderRegistry;
import io.streamdl.encoders.job.EncodeJob;
import io.streamdl.ingest.Events;
import io.streamdl.ingest.FashionMnist;
import io.streamdl.ingest.ImageCodecs;
import io.streamdl.ingest.datasets.KeywordClips;
import io.streamdl.ingest.datasets.TextCorpus;
import io.streamdl.ops.jobs.JobRunner;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.schemas.avro.RawEvent;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Encodes per second, per modality: the bare encoder in a loop on one thread, and Kafka → EncodeJob
 * (parallelism 1, exactly-once) → Kafka, in the same run on the same events. The pipeline rate is
 * taken between the first and last features record seen by a read_committed consumer, with the
 * input already waiting in events.raw.
 */
public final class EncodeBenchmark {
    private EncodeBenchmark() {}

    public static Report run(PrintStream out, int images) throws Exception {
        return run(out, images, images / 5, 3.0, true);
    }

    /**
     * @param images image and text events
     * @param clips audio events
     * @param bareSeconds how long each bare encoder is timed
     * @param committed whether the features are read read_committed (when the job's transactions
     *     commit) or as the job writes them (its processing rate, whatever the commit interval)
     */
    public static Report run(
            PrintStream out, int images, int clips, double bareSeconds, boolean committed)
            throws Exception {
        Map<String, List<RawEvent>> events = events(images, clips);
        Report report = new Report("encode", "./pipeline bench encode");
        try (BenchPlatform bench = new BenchPlatform(2)) {
            Map<String, String> settings = new PipelineJobs(bench.platform).encoderSettings();
            EncoderRegistry encoders = EncoderRegistry.fromSettings(settings);

            Map<String, Double> bare = new LinkedHashMap<>();
            for (var e : events.entrySet()) {
                bare.put(e.getKey(), bareRate(encoders, e.getValue(), bareSeconds));
                out.printf("bare %s encoder: %,.0f encodes/s%n", e.getKey(), bare.get(e.getKey()));
            }

            Map<String, Object> results = new LinkedHashMap<>();
            JobRunner runner = new JobRunner(bench.platform, Duration.ofMillis(500));
            try (RestSchemaRegistryClient registry =
                            new RestSchemaRegistryClient(bench.platform.registryUrl());
                    KafkaProducer<byte[], byte[]> producer = bench.producer()) {
                AvroWireSerializer<RawEvent> avro =
                        new AvroWireSerializer<>(
                                registry, SerdeConfig.forValues(bench.platform.registryUrl()));
                // One modality at a time: its events wait in events.raw, the job starts (from
                // the group's committed offsets), and its rate is taken between the first and
                // last features record a read_committed consumer sees.
                for (var e : events.entrySet()) {
                    for (RawEvent event : e.getValue()) {
                        producer.send(
                                new ProducerRecord<>(
                                        "events.raw",
                                        event.getId().getBytes(),
                                        avro.serialize("events.raw", event)));
                    }
                    producer.flush();
                    KafkaConsumer<byte[], byte[]> consumer =
                            bench.consumer("features." + e.getKey(), committed);
                    var job =
                            runner.submit(
                                    EncodeJob.onKafka(
                                            new PipelineJobs(bench.platform).kafka("bench-encode"),
                                            encoders),
                                    1);
                    List<Long> times =
                            BenchPlatform.arrivals(
                                    consumer, e.getValue().size(), Duration.ofMinutes(5), null);
                    consumer.close();
                    bench.platform.embeddedFlink().cluster().cancelJob(job).get();
                    double span = Math.max(1, times.get(times.size() - 1) - times.get(0)) / 1000.0;
                    double rate = (times.size() - 1) / span;
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("events", e.getValue().size());
                    r.put("featuresSeen", times.size());
                    r.put("bareEncodesPerSecond", bare.get(e.getKey()));
                    r.put("pipelineEncodesPerSecond", rate);
                    r.put("ratio", rate / bare.get(e.getKey()));
                    results.put(e.getKey(), r);
                    out.printf(
                            "%s: bare %,.0f/s, pipeline %,.0f/s (%d seen), ratio %.2f%n",
                            e.getKey(),
                            bare.get(e.getKey()),
                            rate,
                            times.size(),
                            rate / bare.get(e.getKey()));
                }
            }
            report.put("modalities", results)
                    .put(
                            "note",
                            "one modality at a time, EncodeJob parallelism 1, exactly-once sinks, checkpoints every 500 ms; the image target is >= 0.7 of bare");
        }
        return report;
    }

    /**
     * Real events per modality: {@code images} Fashion-MNIST training images as PNG, {@code
     * clipCount} keyword clips of the bundled sample, and {@code images} Debian descriptions.
     */
    static Map<String, List<RawEvent>> events(int images, int clipCount) {
        Map<String, List<RawEvent>> events = new LinkedHashMap<>();
        FashionMnist mnist = FashionMnist.load(FashionMnist.Split.TRAIN);
        List<RawEvent> imageEvents = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            int k = i % mnist.size();
            imageEvents.add(
                    Events.image(
                            "img-" + i,
                            i,
                            "bench",
                            "image/png",
                            ImageCodecs.png(mnist.image(k), 28, 28),
                            28,
                            28,
                            Map.of()));
        }
        events.put("image", imageEvents);
        KeywordClips clips = KeywordClips.sample();
        List<RawEvent> audioEvents = new ArrayList<>();
        for (int i = 0; i < clipCount; i++) {
            audioEvents.add(
                    Events.audio(
                            "aud-" + i,
                            i,
                            "bench",
                            clips.wav(clips.clips().get(i % clips.size())),
                            Map.of()));
        }
        events.put("audio", audioEvents);
        TextCorpus corpus = TextCorpus.sample();
        List<RawEvent> textEvents = new ArrayList<>();
        // Typical descriptions: the few longer than the encoder's limit would be dead letters.
        List<String> texts =
                corpus.docs().stream()
                        .map(TextCorpus.Doc::text)
                        .filter(t -> t.length() < 5000)
                        .toList();
        for (int i = 0; i < images; i++) {
            textEvents.add(
                    Events.text("txt-" + i, i, "bench", texts.get(i % texts.size()), Map.of()));
        }
        events.put("text", textEvents);

        return events;
    }

    static double bareRate(EncoderRegistry encoders, List<RawEvent> events, double seconds) {
        for (int i = 0; i < Math.min(events.size(), 2000); i++) {
            encoders.encode(events.get(i)); // warm-up
        }
        long start = System.nanoTime();
        int n = 0;
        while (System.nanoTime() - start < (long) (seconds * 1e9)) {
            encoders.encode(events.get(n % events.size()));
            n++;
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    public static Path runAndWrite(Path dir, PrintStream out, int images) throws Exception {
        Path file = run(out, images).write(dir, "bench-encode.json");
        out.println("report: " + file);
        return file;
    }
}
