package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.models.codec.ModelUpdateCodec;
import io.streamdl.models.inference.Dl4jInputs;
import io.streamdl.models.spec.DType;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import io.streamdl.models.spec.TensorSpec;
import io.streamdl.schemas.avro.Features;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

class TrainableNetworkTest {
    /** Random features for any default classifier: images, log-mel frames, or token ids. */
    private static Features randomFeatures(ModelSpec spec, String id, Random r) {
        TensorSpec in = spec.inputs().get(0);
        int n = in.elementsPerEvent();
        ByteBuffer data = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            if (in.dtype() == DType.INT32) {
                data.putInt(r.nextInt(DefaultSpecs.TEXT_VOCAB_SIZE));
            } else {
                data.putFloat((float) r.nextGaussian());
            }
        }
        ByteBuffer mask = null;
        if (spec.inputs().size() > 1) {
            byte[] m = new byte[n];
            int length = 1 + r.nextInt(n);
            for (int i = 0; i < length; i++) {
                m[i] = 1;
            }
            mask = ByteBuffer.wrap(m);
        }
        return Features.newBuilder()
                .setEventId(id)
                .setTs(0L)
                .setEncodedBy(spec.name() + "@1")
                .setDtype(in.dtype().wireName())
                .setShape(in.shape())
                .setData(ByteBuffer.wrap(data.array()))
                .setMask(mask)
                .build();
    }

    private static MultiDataSet batch(ModelSpec spec, long seed) {
        Random r = new Random(seed);
        List<Features> features = new ArrayList<>();
        int[] labels = new int[4];
        for (int i = 0; i < labels.length; i++) {
            features.add(randomFeatures(spec, "x" + i, r));
            labels[i] = r.nextInt(spec.outputSize());
        }
        return Dl4jInputs.trainingData(
                spec, io.streamdl.models.inference.FeatureTensors.batch(features, spec), labels);
    }

    /** The change one SGD step at {@code rate} makes to each parameter. */
    private static float[] sgdStep(ModelSpec spec, MultiDataSet data, double rate) {
        TrainableNetwork net = TrainableNetwork.create(spec, TrainerSettings.Optimizer.SGD, 1.0);
        net.setLearningRate(rate);
        float[] before = net.params();
        Nd4j.getRandom().setSeed(99);
        ComputationGraph graph = net.graph();
        graph.fit(data);
        float[] after = net.params();
        float[] delta = new float[before.length];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = after[i] - before[i];
        }
        net.clear();
        return delta;
    }

    @Test
    void theLearningRateReachesEveryLayerIncludingSameDiffAndWrappedOnes() {
        for (ModelSpec spec : List.of(DefaultSpecs.text(), DefaultSpecs.audio())) {
            MultiDataSet data = batch(spec, 1);
            float[] small = sgdStep(spec, data, 0.001);
            float[] large = sgdStep(spec, data, 0.004);
            TrainableNetwork layout =
                    TrainableNetwork.create(spec, TrainerSettings.Optimizer.SGD, 1);
            long offset = 0;
            for (var e : layout.graph().paramTable().entrySet()) {
                INDArray p = e.getValue();
                double sumSmall = 0;
                double sumLarge = 0;
                for (long i = offset; i < offset + p.length(); i++) {
                    sumSmall += Math.abs(small[(int) i]);
                    sumLarge += Math.abs(large[(int) i]);
                }
                offset += p.length();
                if (sumSmall > 1e-9) {
                    assertThat(sumLarge / sumSmall)
                            .as(spec.name() + " parameter " + e.getKey())
                            .isBetween(3.9, 4.1);
                }
            }
            layout.clear();
        }
    }

    @Test
    void theTextAndAudioModelsTrainAndPublishToo() {
        ModelUpdateCodec codec = new ModelUpdateCodec(ModelUpdateCodec.Config.unsigned());
        TrainerSettings s =
                OnlineTrainerTest.settings(
                        "trainer.batch-size", "2", "trainer.publish.every-examples", "4");
        for (ModelSpec spec : List.of(DefaultSpecs.text(), DefaultSpecs.audio())) {
            Random r = new Random(2);
            TestingTrainerOutput out = new TestingTrainerOutput();
            try (OnlineTrainer t = OnlineTrainer.fresh(spec, s, codec)) {
                float[] initial = t.params();
                for (int i = 0; i < 4; i++) {
                    t.accept(
                            new LabelledExample(
                                    "x" + i,
                                    spec.labels().get(r.nextInt(spec.outputSize())),
                                    0,
                                    randomFeatures(spec, "x" + i, r)),
                            0,
                            out);
                }
                assertThat(t.steps()).as(spec.name()).isEqualTo(2);
                assertThat(out.versions()).as(spec.name()).containsExactly(1L);
                assertThat(t.params()).as(spec.name()).isNotEqualTo(initial);
                assertThat(codec.decode(out.updates.get(0), spec).version()).isEqualTo(1);
                byte[] snapshot = t.snapshot();
                try (OnlineTrainer restored = OnlineTrainer.restore(spec, s, codec, snapshot)) {
                    assertThat(restored.params()).isEqualTo(t.params());
                }
            }
        }
    }
}
