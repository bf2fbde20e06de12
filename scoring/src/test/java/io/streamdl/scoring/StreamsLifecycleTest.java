package io.streamdl.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** Which static group membership an app gets from its settings. */
class StreamsLifecycleTest {
    private static final String MAIN_INSTANCE =
            StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);

    @Test
    void anAppWithItsOwnStateFolderIsAStaticMemberNamedByHostAndFolder() {
        Properties a = StreamsLifecycle.withStaticMembership("app", state("/data/a/streams"));
        Properties again = StreamsLifecycle.withStaticMembership("app", state("/data/a/./streams"));
        Properties b = StreamsLifecycle.withStaticMembership("app", state("/data/b/streams"));
        assertThat(a.getProperty(MAIN_INSTANCE)).matches("app-.+-[0-9a-f]{12}");
        assertThat(again.getProperty(MAIN_INSTANCE))
                .as("the same folder, however it is spelled")
                .isEqualTo(a.getProperty(MAIN_INSTANCE));
        assertThat(b.getProperty(MAIN_INSTANCE))
                .as("another folder, another member")
                .isNotEqualTo(a.getProperty(MAIN_INSTANCE));
        assertThat(
                        StreamsLifecycle.withStaticMembership("other", state("/data/a/streams"))
                                .getProperty(MAIN_INSTANCE))
                .startsWith("other-");
    }

    @Test
    void noStateFolderOrAnIdOfTheUsersOwnLeavesTheSettingsAlone() {
        Properties none = new Properties();
        none.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        assertThat(StreamsLifecycle.withStaticMembership("app", none)).isEqualTo(none);
        for (String key :
                new String[] {
                    ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                    StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                    MAIN_INSTANCE
                }) {
            Properties own = state("/data/a/streams");
            own.put(key, "mine");
            assertThat(StreamsLifecycle.withStaticMembership("app", own)).isEqualTo(own);
        }
    }

    private static Properties state(String dir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        p.put(StreamsConfig.STATE_DIR_CONFIG, Path.of(dir).toString());
        return p;
    }
}
