package io.streamdl.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

class PrequentialWindowTest {
    @Test
    void theWindowSlidesOverTheLastPredictions() {
        PrequentialWindow w = new PrequentialWindow(4);
        assertThat(w.accuracy()).isNaN();
        assertThat(w.oldestTime(99)).isEqualTo(99);
        w.add(true, 0.1f, 1);
        w.add(false, 2.0f, 2);
        assertThat(w.accuracy()).isEqualTo(0.5);
        assertThat(w.meanLoss()).isCloseTo(1.05, within(1e-6));
        w.add(true, 0.1f, 3);
        w.add(true, 0.1f, 4);
        w.add(true, 0.3f, 5);
        assertThat(w.count()).isEqualTo(4);
        assertThat(w.accuracy()).isEqualTo(0.75);
        assertThat(w.oldestTime(0)).isEqualTo(2);
        w.add(true, 0.1f, 6);
        assertThat(w.accuracy()).isEqualTo(1.0);
        assertThat(w.meanLoss()).isCloseTo(0.15, within(1e-6));
    }

    @Test
    void itRoundTripsAndShrinksToASmallerCapacity() throws Exception {
        PrequentialWindow w = new PrequentialWindow(5);
        for (int i = 0; i < 7; i++) {
            w.add(i % 3 == 0, i, i * 10L);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        w.writeTo(new DataOutputStream(bytes));

        PrequentialWindow same =
                PrequentialWindow.readFrom(
                        new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), 5);
        assertThat(same.accuracy()).isEqualTo(w.accuracy());
        assertThat(same.meanLoss()).isEqualTo(w.meanLoss());
        assertThat(same.oldestTime(0)).isEqualTo(20);

        PrequentialWindow smaller =
                PrequentialWindow.readFrom(
                        new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), 2);
        assertThat(smaller.count()).isEqualTo(2);
        assertThat(smaller.oldestTime(0)).isEqualTo(50);
        assertThat(smaller.meanLoss()).isEqualTo(5.5);
    }
}
