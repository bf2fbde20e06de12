package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.schemas.flink.KafkaSettings;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

class TrainJobTest {
    @Test
    void everyOperatorIsNamedHasAUidAndTheTrainerRunsAlone() {
        TrainJobConfig config =
                TrainJobConfig.of(
                        "image",
                        "image",
                        "http://127.0.0.1:1",
                        Map.of("models.allow-unsigned", "true", "trainer.parallelism", "2"));
        TrainJob job =
                TrainJob.onKafka(
                        KafkaSettings.of("127.0.0.1:1", "http://127.0.0.1:1", "train-image"),
                        config);
        assertThat(job.name()).isEqualTo("TrainJob-image");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        job.build(env);
        StreamGraph graph = env.getStreamGraph();
        assertThat(graph.getStreamNodes()).hasSize(13);
        for (StreamNode node : graph.getStreamNodes()) {
            assertThat(node.getTransformationUID())
                    .as("uid of " + node.getOperatorName())
                    .isNotBlank();
        }
        assertThat(graph.getStreamNodes())
                .filteredOn(n -> n.getOperatorName().equals("online trainer"))
                .singleElement()
                .satisfies(
                        n -> {
                            assertThat(n.getParallelism()).isEqualTo(1);
                            assertThat(n.getMaxParallelism()).isEqualTo(1);
                        });
        StreamNode trainer =
                graph.getStreamNodes().stream()
                        .filter(n -> n.getOperatorName().equals("online trainer"))
                        .findFirst()
                        .orElseThrow();
        assertThat(trainer.getInEdges())
                .extracting(e -> graph.getStreamNode(e.getSourceId()))
                .as("examples and the model topic it follows")
                .hasSize(2)
                .anySatisfy(
                        n -> {
                            assertThat(n.getOperatorName()).contains("models.image");
                            assertThat(n.getParallelism()).isEqualTo(1);
                        });
        assertThat(graph.getStreamNodes())
                .filteredOn(n -> n.getOperatorName().equals("join features with labels"))
                .singleElement()
                .satisfies(n -> assertThat(n.getParallelism()).isEqualTo(2));
    }

    @Test
    void anAnomalyModelsJobReadsFeaturesAloneWithoutLabelsOrJoin() {
        TrainJobConfig config =
                TrainJobConfig.of(
                        "anomaly",
                        "image",
                        "http://127.0.0.1:1",
                        Map.of("models.allow-unsigned", "true"));
        TrainJob job =
                TrainJob.onKafka(
                        KafkaSettings.of("127.0.0.1:1", "http://127.0.0.1:1", "train-anomaly"),
                        config);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        job.build(env);
        StreamGraph graph = env.getStreamGraph();
        assertThat(graph.getStreamNodes())
                .extracting(StreamNode::getOperatorName)
                .contains("features as examples", "online trainer")
                .doesNotContain("events.labels", "decode and check labels")
                .noneMatch(name -> name.startsWith("join"));
        for (StreamNode node : graph.getStreamNodes()) {
            assertThat(node.getTransformationUID())
                    .as("uid of " + node.getOperatorName())
                    .isNotBlank();
        }
    }

    @Test
    void examplesTravelAsPojosWithAvroFeaturesNotAsKryoBlobs() {
        TypeInformation<LabelledExample> type = TypeInformation.of(LabelledExample.class);
        assertThat(type).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<LabelledExample> pojo = (PojoTypeInfo<LabelledExample>) type;
        assertThat(pojo.getTypeAt("features")).isInstanceOf(AvroTypeInfo.class);
    }
}
