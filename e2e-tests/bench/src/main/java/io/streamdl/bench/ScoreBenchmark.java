package io.streamdl.bench;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.inference.Batch;
import io.streamdl.models.inference.Dl4jBackend;
import io.streamdl.models.inference.InferenceBackend;
import io.streamdl.models.inference.OnnxRuntimeBackend;
import io.streamdl.models.inference.Tensor;
import io.streamdl.models.onnx.OnnxExporter;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.ops.jobs.JobRunner;
import io.streamdl.ops.jobs.PipelineJobs;
import io.streamdl.schemas.avro.Features;
import io.streamdl.schemas.avro.ModelUpdate;
import io.streamdl.schemas.avro.Score;
import io.streamdl.schemas.registry.RestSchemaRegistryClient;
import io.streamdl.schemas.serde.AvroWireDeserializer;
import io.streamdl.schemas.serde.AvroWireSerializer;
import io.streamdl.schemas.serde.SerdeConfig;
import io.streamdl.scoring.CodecVerifier;
import io.streamdl.scoring.ModelLoader;
import io.streamdl.scoring.ScoreJob;
import io.streamdl.scoring.ScoreJobConfig;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The image CNN: bare DL4J and bare ONNX Runtime samples/s at batch 1, 8, 32 and 128, and Kafka →
 * ScoreJob (parallelism 1, exactly-once) → Kafka at a given batch size, in one run; then
 * event-to-score latency at half the pipeline's throughput, and update propagation (publish → first
 * score stamped with the new version).
 */
public final class ScoreBenchmark {
    private ScoreBenchmark() {}

    public static Report run(PrintStream out, int events, int pipelineBatch) throws Exception {
        ModelSpec spec = DefaultSpecs.image();
        ComputationGraph network = Architectures.build(spec);
        Random random = new Random(5);
        Report report = new Report("score", "./pipeline bench score");
        Map<String, Object> bare = new LinkedHashMap<>();
        byte[] onnx = OnnxExporter.export(network, spec);
        try (InferenceBackend ort =
                        OnnxRuntimeBackend.create(
                                spec, onnx, OnnxRuntimeBackend.Config.defaults());
                InferenceBackend dl4j = Dl4jBackend.create(spec, network)) {
            for (int batch : new int[] {1, 8, 32, 128}) {
                double o = rate(ort, spec, batch, random);
                double d = rate(dl4j, spec, batch, random);
                bare.put("batch" + batch, Map.of("onnxRuntime", o, "dl4j", d, "ratio", o / d));
                out.printf(
                        "bare batch %3d: ONNX Runtime %,.0f samples/s, DL4J %,.0f samples/s (%.1fx)%n",
                        batch, o, d, o / d);
            }
        }
        report.put("bare", bare);

        byte[] key = PipelineJobs.DEVELOPMENT_KEY.getBytes();
        ModelUpdateCodec codec = new ModelUpdateCodec(ModelUpdateCodec.Config.signed(key));
        try (BenchPlatform bench = new BenchPlatform(2);
                RestSchemaRegistryClient registry =
                        new RestSchemaRegistryClient(bench.platform.registryUrl());
                KafkaProducer<byte[], byte[]> producer = bench.producer()) {
            String url = bench.platform.registryUrl();
            AvroWireSerializer<Object> avro =
                    new AvroWireSerializer<>(registry, SerdeConfig.forValues(url));
            publish(producer, avro, codec.encode(spec, network, 1, null, Map.of()));
            for (int i = 0; i < events; i++) {
                send(producer, avro, "t-" + i, random, System.currentTimeMillis());
            }
            producer.flush();
            KafkaConsumer<byte[], byte[]> committed = bench.consumer("scores.image", true);
            ScoreJobConfig config =
                    ScoreJobConfig.of(
                            "image",
                            "image",
                            url,
                            Map.of(
                                    ScoreJobConfig.MAX_BATCH.key(),
                                    Integer.toString(pipelineBatch),
                                    ScoreJobConfig.MAX_WAIT.key(),
                                    "5"));
            new JobRunner(bench.platform, Duration.ofMillis(500))
                    .submit(
                            ScoreJob.onKafka(
                                    new PipelineJobs(bench.platform).kafka("bench-score"),
                                    config,
                                    new CodecVerifier(key, false),
                                    ModelLoader.onnxRuntime(Map.of())),
                            1);
            List<Long> times =
                    BenchPlatform.arrivals(committed, events, Duration.ofMinutes(5), null);
            double throughput =
                    (times.size() - 1)
                            / (Math.max(1, times.get(times.size() - 1) - times.get(0)) / 1000.0);
            double bareSame =
                    ((Map<String, Double>) bare.get("batch" + pipelineBatch)).get("onnxRuntime");
            out.printf(
                    "pipeline at batch %d: %,.0f scores/s (%d seen) = %.2f of bare ONNX Runtime%n",
                    pipelineBatch, throughput, times.size(), throughput / bareSame);
            report.put(
                    "pipeline",
                    Map.of(
                            "batch",
                            pipelineBatch,
                            "events",
                            events,
                            "scoresPerSecond",
                            throughput,
                            "ratioToBareOnnxRuntime",
                            throughput / bareSame));

            // Latency at half the measured throughput, read as soon as written (read_uncommitted)
            // and as committed; scoredTs - eventTs is the time inside the job.
            KafkaConsumer<byte[], byte[]> live = bench.consumer("scores.image", false);
            live.poll(Duration.ofMillis(100));
            seekToEnd(live);
            double rate = throughput / 2;
            long start = System.currentTimeMillis();
            int sent = 0;
            List<Long> inJob = new ArrayList<>();
            List<Long> visible = new ArrayList<>();
            AvroWireDeserializer<Score> scores =
                    AvroWireDeserializer.specific(registry, Score.class);
            while (System.currentTimeMillis() - start < 10_000) {
                long due = start + (long) (sent / rate * 1000);
                while (System.currentTimeMillis() >= due
                        && System.currentTimeMillis() - start < 10_000) {
                    send(producer, avro, "lat-" + sent, random, System.currentTimeMillis());
                    sent++;
                    due = start + (long) (sent / rate * 1000);
                }
                producer.flush();
                collect(live, scores, inJob, visible, 1);
            }
            long drain = System.currentTimeMillis() + 5000;
            while (visible.size() < sent && System.currentTimeMillis() < drain) {
                collect(live, scores, inJob, visible, 20);
            }
            Map<String, Object> latency = new LinkedHashMap<>();
            latency.put("rate", rate);
            latency.put("sent", sent);
            latency.put("received", visible.size());
            latency.put("inJobMs", percentiles(inJob));
            latency.put("eventToScoreVisibleMs", percentiles(visible));
            out.printf(
                    "latency at %,.0f events/s: in job %s ms; event to score readable %s ms%n",
                    rate, percentiles(inJob), percentiles(visible));
            report.put("latencyAtHalfThroughput", latency);

            // Update propagation: a new version every second while events flow.
            List<Long> propagation = new ArrayList<>();
            for (int v = 2; v <= 11; v++) {
                network.params().muli(1.01);
                ModelUpdate update = codec.encode(spec, network, v, (long) v - 1, Map.of());
                long published = publish(producer, avro, update);
                long seen = -1;
                long until = published + 5000;
                while (seen < 0 && System.currentTimeMillis() < until) {
                    for (int i = 0; i < 20; i++) {
                        send(
                                producer,
                                avro,
                                "upd-" + v + "-" + i + "-" + System.nanoTime(),
                                random,
                                System.currentTimeMillis());
                    }
                    producer.flush();
                    for (ConsumerRecord<byte[], byte[]> r : live.poll(Duration.ofMillis(20))) {
                        Score s = scores.deserialize(r.topic(), r.value());
                        if (s.getModelVersion() == v && seen < 0) {
                            seen = s.getScoredTs();
                        }
                    }
                }
                propagation.add(seen < 0 ? 5000 : seen - published);
                Thread.sleep(300);
            }
            out.printf(
                    "update propagation (publish ack -> first score with the version): %s ms%n",
                    percentiles(propagation));
            report.put(
                    "updatePropagationMs",
                    Map.of("samples", propagation, "percentiles", percentiles(propagation)));
            committed.close();
            live.close();
        }
        return report;
    }

    private static void collect(
            KafkaConsumer<byte[], byte[]> consumer,
            AvroWireDeserializer<Score> scores,
            List<Long> inJob,
            List<Long> visible,
            long pollMs) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(pollMs))) {
            long now = System.currentTimeMillis();
            Score s = scores.deserialize(r.topic(), r.value());
            if (s.getEventId().startsWith("lat-")) {
                inJob.add(s.getScoredTs() - s.getEventTs());
                visible.add(now - s.getEventTs());
            }
        }
    }

    private static void seekToEnd(KafkaConsumer<byte[], byte[]> consumer) {
        while (consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ofMillis(100));
        }
        consumer.seekToEnd(consumer.assignment());
        consumer.assignment().forEach(consumer::position);
    }

    static Map<String, Long> percentiles(List<Long> values) {
        if (values.isEmpty()) {
            return Map.of();
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        return Map.of(
                "p50",
                sorted[sorted.length / 2],
                "p99",
                sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)],
                "max",
                sorted[sorted.length - 1]);
    }

    private static double rate(InferenceBackend backend, ModelSpec spec, int batch, Random random) {
        float[] data = new float[batch * 784];
        for (int i = 0; i < data.length; i++) {
            data[i] = random.nextFloat();
        }
        long[] shape = spec.inputs().get(0).batchShape(batch);
        for (int i = 0; i < 20; i++) {
            backend.infer(Batch.of("input", Tensor.ofFloats(shape, data)));
        }
        long start = System.nanoTime();
        long n = 0;
        while (System.nanoTime() - start < 2_000_000_000L) {
            // Tensor creation and output read are part of each call, as in the scorer.
            backend.infer(Batch.of("input", Tensor.ofFloats(shape, data)));
            n += batch;
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer,
            AvroWireSerializer<Object> avro,
            String id,
            Random random,
            long ts) {
        ByteBuffer data = ByteBuffer.allocate(784 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 784; i++) {
            data.putFloat(random.nextFloat());
        }
        Features f =
                Features.newBuilder()
                        .setEventId(id)
                        .setTs(ts)
                        .setEncodedBy("image@bench")
                        .setDtype("float32")
                        .setShape(Arrays.asList(1, 1, 28, 28))
                        .setData(ByteBuffer.wrap(data.array()))
                        .build();
        producer.send(
                new ProducerRecord<>(
                        "features.image", id.getBytes(), avro.serialize("features.image", f)));
    }

    private static long publish(
            KafkaProducer<byte[], byte[]> producer, AvroWireSerializer<Object> avro, ModelUpdate u)
            throws Exception {
        producer.send(
                        new ProducerRecord<>(
                                "models.image",
                                "image".getBytes(),
                                avro.serialize("models.image", u)))
                .get();
        return System.currentTimeMillis();
    }

    public static Path runAndWrite(Path dir, PrintStream out, int events, int batch)
            throws Exception {
        Path file = run(out, events, batch).write(dir, "bench-score.json");
        out.println("report: " + file);
        return file;
    }
}
