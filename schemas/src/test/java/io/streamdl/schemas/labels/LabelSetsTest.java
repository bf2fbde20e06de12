package io.streamdl.schemas.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelSetsTest {
    @Test
    void theItemSetIsGeneratedAndItsIdsRoundTrip() {
        List<String> items = LabelSets.get(LabelSets.FASHION_MNIST_ITEMS);
        assertThat(items).hasSize(LabelSets.FASHION_MNIST_ITEM_COUNT).doesNotHaveDuplicates();
        assertThat(items.get(0)).isEqualTo("item-0");
        assertThat(items.get(9999)).isEqualTo("item-9999");
        for (int i : new int[] {0, 7, 42, 9999, 123_456_789}) {
            assertThat(LabelSets.itemIndex(LabelSets.itemId(i))).isEqualTo(i);
        }
    }

    @Test
    void anythingElseIsNotAnItemId() {
        for (String id :
                new String[] {
                    null,
                    "",
                    "item-",
                    "item-007",
                    "item--1",
                    "item-+1",
                    "item-1x",
                    "Item-1",
                    "item-1234567890",
                    "pizza"
                }) {
            assertThat(LabelSets.itemIndex(id)).as(String.valueOf(id)).isEqualTo(-1);
        }
        assertThatThrownBy(() -> LabelSets.itemId(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFileSetsStillRead() {
        assertThat(LabelSets.get(LabelSets.FASHION_MNIST)).hasSize(10);
        assertThatThrownBy(() -> LabelSets.get("nope"))
                .hasMessageContaining(LabelSets.FASHION_MNIST_ITEMS);
    }
}
