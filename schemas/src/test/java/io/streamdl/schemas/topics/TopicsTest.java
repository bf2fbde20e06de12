package io.streamdl.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsTest {
    @Test
    void namesAreUniqueAndModelTopicsAreCompactedAndLarge() {
        List<TopicSpec<?>> all = Topics.all();
        assertThat(new HashSet<>(all.stream().map(TopicSpec::name).toList())).hasSize(all.size());
        assertThat(all)
                .extracting(TopicSpec::name)
                .contains(
                        "events.raw",
                        "events.labels",
                        "features.image",
                        "models.image",
                        "scores.recs",
                        "dlq",
                        "dashboard.metrics",
                        "items.embeddings",
                        "features.recs",
                        "models.events",
                        "scores.image.shadow");
        for (TopicSpec<?> spec : all) {
            boolean model =
                    spec.name().startsWith("models.") && !spec.name().equals("models.events");
            assertThat(spec.compacted())
                    .as(spec.name())
                    .isEqualTo(model || spec.name().equals("items.embeddings"));
            if (model) {
                assertThat(Integer.parseInt(spec.config().get("max.message.bytes")))
                        .isGreaterThanOrEqualTo(32 << 20);
            }
        }
    }

    @Test
    void refusesNamesThatWouldMakeOddTopics() {
        assertThatThrownBy(() -> Topics.models("Image Model")).hasMessageContaining("Image Model");
        assertThatThrownBy(() -> Topics.scores("")).isInstanceOf(IllegalArgumentException.class);
    }
}
