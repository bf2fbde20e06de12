package io.streamdl.models.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ModelUpdateSignerTest {
    private static final String SHA =
            ModelUpdateDigest.sha256Hex("m", 1, null, "{}", "f", new byte[] {1, 2, 3}, null);

    @Test
    void computesHmacSha256AsRfc4231Specifies() {
        // RFC 4231, test case 1: a 20-byte key of 0x0b over "Hi There"
        byte[] key = new byte[20];
        Arrays.fill(key, (byte) 0x0b);
        assertThat(new ModelUpdateSigner(key).sign("Hi There"))
                .isEqualTo("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

        // RFC 4231, test case 2: a key shorter than the hash
        assertThat(
                        new ModelUpdateSigner("Jefe".getBytes(StandardCharsets.US_ASCII))
                                .sign("what do ya want for nothing?"))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void signsTheLegacyRecordsChecksumAsThePreSplitCodecDid() {
        ModelUpdateSigner signer = new ModelUpdateSigner(LegacyUpdate.KEY);

        assertThat(signer.sign(LegacyUpdate.SHA256)).isEqualTo(LegacyUpdate.SIGNATURE);
        assertThat(signer.verify(LegacyUpdate.SHA256, LegacyUpdate.SIGNATURE)).isTrue();
    }

    @Test
    void verifiesItsOwnSignatureInEitherCase() {
        ModelUpdateSigner signer = new ModelUpdateSigner(LegacyUpdate.KEY);
        String signature = signer.sign(SHA);

        assertThat(signature).matches("[0-9a-f]{64}");
        assertThat(signer.verify(SHA, signature)).isTrue();
        assertThat(signer.verify(SHA, signature.toUpperCase())).isTrue();
    }

    @Test
    void refusesATamperedSignatureChecksumOrKey() {
        ModelUpdateSigner signer = new ModelUpdateSigner(LegacyUpdate.KEY);
        String signature = signer.sign(SHA);
        String otherSha =
                ModelUpdateDigest.sha256Hex("m", 2, null, "{}", "f", new byte[] {1, 2, 3}, null);
        byte[] otherKey = LegacyUpdate.KEY.clone();
        otherKey[0] ^= 1;

        assertThat(signer.verify(SHA, flipLastDigit(signature))).isFalse();
        assertThat(signer.verify(otherSha, signature)).isFalse();
        assertThat(signer.verify(SHA, signature.substring(0, 62))).isFalse();
        assertThat(signer.verify(SHA, signature + "00")).isFalse();
        assertThat(signer.verify(SHA, "")).isFalse();
        assertThat(new ModelUpdateSigner(otherKey).verify(SHA, signature)).isFalse();
        assertThat(new ModelUpdateSigner(otherKey).sign(SHA)).isNotEqualTo(signature);
    }

    @Test
    void reportsAMalformedSignatureApartFromAWrongOne() {
        ModelUpdateSigner signer = new ModelUpdateSigner(LegacyUpdate.KEY);

        assertThatThrownBy(() -> signer.verify(SHA, "not hex!"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> signer.verify(SHA, "abc"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesToSignTextThatIsNotAscii() {
        ModelUpdateSigner signer = new ModelUpdateSigner(LegacyUpdate.KEY);

        // "é" and "?" would otherwise both be signed as the byte '?'
        assertThatThrownBy(() -> signer.sign("caf\u00e9"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copiesTheKeyAndNeverPrintsIt() {
        byte[] key = LegacyUpdate.KEY.clone();
        ModelUpdateSigner signer = new ModelUpdateSigner(key);
        String before = signer.sign(SHA);
        Arrays.fill(key, (byte) 0);

        assertThat(signer.sign(SHA)).isEqualTo(before);
        assertThat(signer.toString())
                .doesNotContain(new String(LegacyUpdate.KEY, StandardCharsets.UTF_8))
                .doesNotContain("test-key");
        assertThatThrownBy(() -> signer.verify(SHA, "zz"))
                .satisfies(
                        e -> assertThat(String.valueOf(e.getMessage())).doesNotContain("test-key"));
    }

    @Test
    void refusesAMissingOrEmptyKey() {
        assertThatThrownBy(() -> new ModelUpdateSigner(null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ModelUpdateSigner(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String flipLastDigit(String hex) {
        char last = hex.charAt(hex.length() - 1);
        return hex.substring(0, hex.length() - 1) + (last == '0' ? '1' : '0');
    }
}
