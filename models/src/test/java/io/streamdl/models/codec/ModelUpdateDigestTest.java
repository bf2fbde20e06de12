package io.streamdl.models.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.schemas.avro.ModelUpdate;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelUpdateDigestTest {
    private static final byte[] PARAMS = {1, 2, 3};

    @Test
    void isTheChecksumThePreSplitCodecComputed() {
        // values printed by ModelUpdateCodec.sha256Hex at commit 834c6da
        assertThat(ModelUpdateDigest.sha256Hex("m", 1, null, "{}", "f", PARAMS, null))
                .isEqualTo("bd6c542ad316f4f665e418d9045193166e3e90deb75d4bda6b79ed1973d9f8c4");
        assertThat(ModelUpdateDigest.sha256Hex("m", 1, 0L, "{}", "f", new byte[0], new byte[] {9}))
                .isEqualTo("1e03891bd593eec7945d276174ad33e904d9f47154be301d4c5610c2e8a31189");
    }

    @Test
    void ofAnUpdateHashesItsContentAndMatchesTheLegacyRecord() {
        ModelUpdate legacy = LegacyUpdate.read();

        assertThat(ModelUpdateDigest.sha256Hex(legacy)).isEqualTo(LegacyUpdate.SHA256);
        // the checksum and signature the record carries are not part of its content
        ModelUpdate resigned =
                ModelUpdate.newBuilder(legacy).setSha256("00").setSignature("11").build();
        assertThat(ModelUpdateDigest.sha256Hex(resigned)).isEqualTo(LegacyUpdate.SHA256);
        // nor is when it was written or what metrics came with it
        ModelUpdate later = ModelUpdate.newBuilder(legacy).setCreatedTs(0L).build();
        assertThat(ModelUpdateDigest.sha256Hex(later)).isEqualTo(LegacyUpdate.SHA256);
    }

    @Test
    void everyFieldAndEveryFieldBoundaryChangesTheChecksum() {
        List<String> digests =
                List.of(
                        ModelUpdateDigest.sha256Hex("m", 1, null, "{}", "f", PARAMS, null),
                        ModelUpdateDigest.sha256Hex("n", 1, null, "{}", "f", PARAMS, null),
                        ModelUpdateDigest.sha256Hex("m", 2, null, "{}", "f", PARAMS, null),
                        // an absent parent is not parent 0
                        ModelUpdateDigest.sha256Hex("m", 1, 0L, "{}", "f", PARAMS, null),
                        ModelUpdateDigest.sha256Hex("m", 1, null, "{ }", "f", PARAMS, null),
                        ModelUpdateDigest.sha256Hex("m", 1, null, "{}", "g", PARAMS, null),
                        ModelUpdateDigest.sha256Hex("m", 1, null, "{}", "f", new byte[] {1}, null),
                        // absent ONNX bytes are not empty ONNX bytes
                        ModelUpdateDigest.sha256Hex("m", 1, null, "{}", "f", PARAMS, new byte[0]),
                        // moving bytes from one field into the next is not the same content
                        ModelUpdateDigest.sha256Hex(
                                "m", 1, null, "{}", "f", new byte[] {1, 2}, new byte[] {3}),
                        ModelUpdateDigest.sha256Hex("m", 1, null, "{}f", "", PARAMS, null),
                        ModelUpdateDigest.sha256Hex("", 1, null, "m{}", "f", PARAMS, null));

        Set<String> distinct = new HashSet<>(digests);
        assertThat(distinct).hasSameSizeAs(digests);
        assertThat(digests).allSatisfy(d -> assertThat(d).matches("[0-9a-f]{64}"));
    }

    @Test
    void matchesComparesHexOfAnyCaseAndRefusesAnythingElse() {
        String sha = ModelUpdateDigest.sha256Hex("m", 1, null, "{}", "f", PARAMS, null);
        char last = sha.charAt(sha.length() - 1);
        String flipped = sha.substring(0, sha.length() - 1) + (last == '0' ? '1' : '0');

        assertThat(ModelUpdateDigest.matches(sha, sha)).isTrue();
        assertThat(ModelUpdateDigest.matches(sha, sha.toUpperCase())).isTrue();
        assertThat(ModelUpdateDigest.matches(sha, flipped)).isFalse();
        assertThat(ModelUpdateDigest.matches(sha, sha.substring(1))).isFalse();
        assertThat(ModelUpdateDigest.matches(sha, sha + "0")).isFalse();
        assertThat(ModelUpdateDigest.matches(sha, "")).isFalse();
        assertThat(ModelUpdateDigest.matches(sha, null)).isFalse();
    }

    @Test
    void readsBuffersWithoutMovingThem() {
        ByteBuffer buffer = ByteBuffer.wrap(new byte[] {7, 8, 9});
        buffer.get();

        assertThat(ModelUpdateDigest.bytes(buffer)).containsExactly(8, 9);
        assertThat(buffer.position()).isEqualTo(1);
    }
}
