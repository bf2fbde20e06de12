package io.streamdl.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.models.arch.Architectures;
import io.streamdl.models.spec.DefaultSpecs;
import io.streamdl.models.spec.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The exported bytes of every default spec and of the parity test's variants match SHA-256s
 * recorded from a known-good exporter ({@value #GOLDEN}), so a refactoring of the exporter cannot
 * change its output unnoticed. A deliberate change to the output re-records the file.
 */
class OnnxExporterGoldenTest {
    static final String GOLDEN = "onnx-export-sha256.txt";

    @Test
    void exportedBytesMatchRecordedHashes() throws IOException {
        Map<String, String> actual = new LinkedHashMap<>();
        DefaultSpecs.all().forEach((name, spec) -> actual.put("default " + name, sha256(spec)));
        OnnxParityTest.specs()
                .map(Arguments::get)
                .forEach(a -> actual.put("parity " + a[0], sha256((ModelSpec) a[1])));
        assertThat(actual).isEqualTo(recorded());
    }

    private static Map<String, String> recorded() throws IOException {
        Map<String, String> hashes = new LinkedHashMap<>();
        try (InputStream in = OnnxExporterGoldenTest.class.getResourceAsStream(GOLDEN)) {
            assertThat(in).as(GOLDEN).isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    int space = line.indexOf(' ');
                    hashes.put(line.substring(space + 1), line.substring(0, space));
                }
            }
        }
        return hashes;
    }

    private static String sha256(ModelSpec spec) {
        try {
            byte[] model = OnnxExporter.export(Architectures.build(spec), spec);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
