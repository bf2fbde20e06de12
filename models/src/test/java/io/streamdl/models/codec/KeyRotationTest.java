package io.streamdl.models.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.codec.ModelUpdateRejected.Reason;
import io.streamdl.schemas.avro.ModelUpdate;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

/**
 * A signing key rotated: the new key signs while the old one is still accepted, then the old one is
 * retired and what it signed is refused. Updates name their key, so each is checked with that key.
 */
class KeyRotationTest {
    private static final byte[] OLD =
            "the-old-key-of-32-bytes-length!!".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NEW =
            "the-new-key-of-32-bytes-length!!".getBytes(StandardCharsets.UTF_8);

    private static final ModelUpdateCodec BEFORE =
            new ModelUpdateCodec(ModelUpdateCodec.Config.signed(OLD));
    private static final ModelUpdateCodec DURING =
            new ModelUpdateCodec(new ModelUpdateCodec.Config(NEW, false, List.of(OLD)));
    private static final ModelUpdateCodec AFTER =
            new ModelUpdateCodec(ModelUpdateCodec.Config.signed(NEW));

    private static ModelUpdate update(ModelUpdateCodec codec, long version) {
        ComputationGraph network = Architectures.build(LegacyUpdate.TINY);
        return codec.encode(LegacyUpdate.TINY, network, version, null, Map.of());
    }

    @Test
    void duringARotationBothKeysVerifyAndOnlyTheNewOneSigns() {
        ModelUpdate old = update(BEFORE, 1);
        ModelUpdate fresh = update(DURING, 2);
        assertThat(old.getSignerKeyId()).isEqualTo(ModelUpdateSigner.keyId(OLD));
        assertThat(fresh.getSignerKeyId()).isEqualTo(ModelUpdateSigner.keyId(NEW));
        assertThat(DURING.verify(old).version()).isEqualTo(1);
        assertThat(DURING.verify(fresh).version()).isEqualTo(2);
        assertThat(AFTER.verify(fresh).version()).isEqualTo(2);
        // a scorer not yet given the new key refuses what it signed, naming the key
        assertRefused(BEFORE, fresh, Reason.UNKNOWN_KEY, ModelUpdateSigner.keyId(NEW));
    }

    @Test
    void afterTheRotationAnUpdateSignedWithTheRetiredKeyIsRefused() {
        ModelUpdate old = update(BEFORE, 1);
        assertRefused(AFTER, old, Reason.UNKNOWN_KEY, "a retired key?");
        // an update without a key id (written before key ids) is tried with every accepted key
        ModelUpdate legacy = ModelUpdate.newBuilder(old).setSignerKeyId(null).build();
        assertThat(DURING.verify(legacy).version()).isEqualTo(1);
        assertRefused(AFTER, legacy, Reason.BAD_SIGNATURE, "does not match");
        // naming the new key does not make the old signature pass
        ModelUpdate relabelled =
                ModelUpdate.newBuilder(old).setSignerKeyId(ModelUpdateSigner.keyId(NEW)).build();
        assertRefused(DURING, relabelled, Reason.BAD_SIGNATURE, "does not match");
    }

    @Test
    void acceptedKeysAreReadFromTheSettingsAndCheckedLikeTheKey() {
        ModelUpdateCodec.Config config =
                ModelUpdateCodec.Config.from(
                        Map.of(
                                ModelUpdateCodec.Config.HMAC_KEY,
                                new String(NEW, StandardCharsets.UTF_8),
                                ModelUpdateCodec.Config.ACCEPTED_KEYS,
                                new String(OLD, StandardCharsets.UTF_8) + ", "));
        assertThat(config.acceptedKeys()).hasSize(1);
        assertThat(config.acceptedKeys().get(0)).isEqualTo(OLD);
        assertThat(config.toString()).doesNotContain("the-old-key").contains("acceptedKeys=1");
        assertThat(new ModelUpdateCodec(config).verify(update(BEFORE, 3)).version()).isEqualTo(3);
        assertThatThrownBy(
                        () ->
                                ModelUpdateCodec.Config.from(
                                        Map.of(
                                                ModelUpdateCodec.Config.HMAC_KEY,
                                                new String(NEW, StandardCharsets.UTF_8),
                                                ModelUpdateCodec.Config.ACCEPTED_KEYS,
                                                "short")))
                .hasMessageContaining(ModelUpdateCodec.Config.ACCEPTED_KEYS)
                .hasMessageContaining("5 bytes");
    }

    private static void assertRefused(
            ModelUpdateCodec codec, ModelUpdate update, Reason reason, String message) {
        assertThatThrownBy(() -> codec.verify(update))
                .isInstanceOfSatisfying(
                        ModelUpdateRejected.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(message);
    }
}
