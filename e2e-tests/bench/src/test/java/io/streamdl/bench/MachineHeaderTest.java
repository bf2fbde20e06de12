package io.streamdl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MachineHeaderTest {
    @Test
    void aLoadAboveTheCoreCountAtStartOrEndIsFlagged() {
        assertThat(MachineHeader.busyWarning("0.50 0.40 0.30", "1.90 1.00 1.00", 2)).isNull();
        assertThat(MachineHeader.busyWarning("13.77 8.47 7.75", "1.00 1.00 1.00", 2))
                .contains("13.8 on 2 cores");
        assertThat(MachineHeader.busyWarning("1.0 1.0 1.0", "2.5 1.0 1.0", 2)).contains("2.5");
        assertThat(MachineHeader.busyWarning("?", "?", 2)).isNull();
    }

    @Test
    void theHeaderNamesTheLibrariesVersionsReadFromTheJars() {
        var header = MachineHeader.read(Path.of("."));
        assertThat(header)
                .containsKeys("cores", "cpu", "jvm", "os", "gitCommit", "loadAverageStart");
        assertThat(header.get("versions").toString())
                .contains("kafka=4.", "flink=2.", "onnxruntime=1.", "dl4j=1.0.0");
    }
}
