package io.streamdl.ingest.interactions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamdl.ingest.FashionMnist;
import org.junit.jupiter.api.Test;

class ItemCatalogueTest {
    @Test
    void everyImageIsAnItemWithItsClassAndAUnitContentVectorMadeFromItsPixels() {
        FashionMnist data = FashionMnist.sample(FashionMnist.Split.TEST);
        ItemCatalogue items = ItemCatalogue.of(data);
        ItemCatalogue again = ItemCatalogue.of(data);
        assertThat(items.size()).isEqualTo(data.size());
        int counted = 0;
        for (int c = 0; c < items.classCount(); c++) {
            for (int i : items.itemsOf(c)) {
                assertThat(items.classOf(i)).isEqualTo(c).isEqualTo(data.label(i));
            }
            counted += items.itemsOf(c).length;
        }
        assertThat(counted).isEqualTo(items.size());
        for (int i = 0; i < items.size(); i += 37) {
            float[] v = items.vector(i);
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            assertThat(norm).isCloseTo(1.0, within(1e-5));
            assertThat(again.vector(i)).isEqualTo(v);
        }
        assertThat(ItemCatalogue.itemId(17)).isEqualTo("item-17");
        assertThat(items.indexOf("item-17")).isEqualTo(17);
        assertThat(items.indexOf("item-017")).isEqualTo(-1);
        assertThat(items.indexOf("item-" + items.size())).isEqualTo(-1);
        assertThat(items.indexOf("user-3")).isEqualTo(-1);
        assertThat(items.indexOf(null)).isEqualTo(-1);
    }

    @Test
    void imagesOfOneClassAreCloserThanImagesOfDifferentClasses() {
        ItemCatalogue items = ItemCatalogue.of(FashionMnist.sample(FashionMnist.Split.TEST));
        double same = 0;
        double other = 0;
        int sameN = 0;
        int otherN = 0;
        for (int i = 0; i < items.size(); i += 7) {
            for (int j = i + 1; j < items.size(); j += 11) {
                double cos = 0;
                float[] a = items.vector(i);
                float[] b = items.vector(j);
                for (int d = 0; d < a.length; d++) {
                    cos += a[d] * b[d];
                }
                if (items.classOf(i) == items.classOf(j)) {
                    same += cos;
                    sameN++;
                } else {
                    other += cos;
                    otherN++;
                }
            }
        }
        assertThat(same / sameN).isGreaterThan(other / otherN + 0.2);
    }
}
