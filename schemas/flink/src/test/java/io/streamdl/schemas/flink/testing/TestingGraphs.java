package io.streamdl.schemas.flink.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;

/** Checks of a job's stream graph that every job's test makes. */
public final class TestingGraphs {
    private TestingGraphs() {}

    /**
     * Every node of {@code graph} has a name and a uid (so savepoints survive upgrades and the
     * Flink UI reads like the diagram), and the graph holds the operators named {@code expected}.
     */
    public static void assertNamedWithUids(StreamGraph graph, String... expected) {
        assertThat(graph.getStreamNodes()).isNotEmpty();
        for (StreamNode node : graph.getStreamNodes()) {
            assertThat(node.getOperatorName()).as("name of node " + node.getId()).isNotBlank();
            assertThat(node.getTransformationUID())
                    .as("uid of " + node.getOperatorName())
                    .isNotBlank();
        }
        assertThat(graph.getStreamNodes())
                .extracting(StreamNode::getOperatorName)
                .contains(expected);
    }
}
