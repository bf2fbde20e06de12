package io.streamdl.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class FashionMnistTest {
    @Test
    void bundledSampleHasEveryClassAndReadsAsImages() throws Exception {
        FashionMnist train = FashionMnist.sample(FashionMnist.Split.TRAIN);
        FashionMnist test = FashionMnist.sample(FashionMnist.Split.TEST);
        assertThat(train.size()).isEqualTo(6000);
        assertThat(test.size()).isEqualTo(1000);
        Set<Integer> labels = new HashSet<>();
        for (int i = 0; i < train.size(); i++) {
            labels.add(train.label(i));
        }
        assertThat(labels).hasSize(10);
        // The first training image of Fashion-MNIST is an ankle boot.
        assertThat(train.className(0)).isEqualTo("Ankle boot");

        byte[] pixels = train.image(0);
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(ImageCodecs.png(pixels, 28, 28)));
        assertThat(png.getWidth()).isEqualTo(28);
        for (int i = 0; i < pixels.length; i++) {
            assertThat(png.getRaster().getSample(i % 28, i / 28, 0)).isEqualTo(pixels[i] & 0xff);
        }
        ByteBuffer idx = ByteBuffer.wrap(ImageCodecs.idx(pixels, 28, 28));
        assertThat(idx.getInt()).isEqualTo(0x803);
        assertThat(idx.getInt()).isEqualTo(1);
        assertThat(idx.getInt()).isEqualTo(28);
        assertThat(idx.getInt()).isEqualTo(28);
        assertThat(idx.remaining()).isEqualTo(784);
    }

    @Test
    void theSampleIsThePrefixOfTheFullDataSetWhenInstalled() {
        if (!Files.isDirectory(FashionMnist.DEBIAN_DIR)) {
            return; // .ci/run installs dataset-fashion-mnist; a bare machine only has the sample
        }
        FashionMnist full = FashionMnist.load(FashionMnist.Split.TRAIN);
        assertThat(full.size()).isEqualTo(60_000);
        FashionMnist sample = FashionMnist.sample(FashionMnist.Split.TRAIN);
        for (int i = 0; i < sample.size(); i += 997) {
            assertThat(full.image(i)).isEqualTo(sample.image(i));
            assertThat(full.label(i)).isEqualTo(sample.label(i));
        }
        assertThat(FashionMnist.load(FashionMnist.Split.TEST).size()).isEqualTo(10_000);
    }
}
