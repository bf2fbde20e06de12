package io.streamdl.encoders.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncodeException.Reason;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random text: nothing but an {@link EncodeException} may escape, and outputs are well-formed. */
class TextEncoderPropertyTest {
    private static final TextEncoder ENCODER =
            new TextEncoder(
                    TextEncoderConfig.defaults().withMaxLength(32).withMaxChars(500),
                    new WordPieceTrainer(new WordPieceTrainer.Config(150, 2, true))
                            .train(WordPieceTrainerTest.CORPUS));

    /** Code points from every corner: ASCII, controls, combining marks, CJK, emoji, surrogates. */
    private static final int[][] RANGES = {
        {0x00, 0x7F}, {0x80, 0x2FF}, {0x300, 0x36F}, {0x2000, 0x206F}, {0x4E00, 0x4E80},
        {0xD800, 0xDFFF}, {0xFB00, 0xFB06}, {0xFF00, 0xFF5E}, {0x1F600, 0x1F64F}, {0xE0000, 0xE007F}
    };

    @Test
    void randomTextsOnlyEverRaiseEncodeException() {
        Random random = new Random(42);
        Map<Reason, Integer> reasons = new EnumMap<>(Reason.class);
        int accepted = 0;
        for (int i = 0; i < 2000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(i % 20 == 0 ? 600 : 60);
            for (int k = 0; k < length; k++) {
                int[] range = RANGES[random.nextInt(RANGES.length)];
                int cp = range[0] + random.nextInt(range[1] - range[0] + 1);
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    text.append((char) cp); // an unpaired surrogate
                } else {
                    text.appendCodePoint(cp);
                }
            }
            try {
                TextEncoder.Encoded encoded = ENCODER.encode(text.toString());
                accepted++;
                assertThat(encoded.ids()).hasSize(32);
                for (int k = 0; k < 32; k++) {
                    assertThat(encoded.ids()[k]).isBetween(0, ENCODER.vocabulary().size() - 1);
                    assertThat(encoded.ids()[k] == WordPieceVocabulary.PAD_ID)
                            .isEqualTo(encoded.mask()[k] == 0);
                }
            } catch (EncodeException e) {
                reasons.merge(e.reason(), 1, Integer::sum);
            } catch (Throwable t) {
                throw new AssertionError("case " + i + " let " + t + " escape", t);
            }
        }
        assertThat(accepted).isGreaterThan(1000);
        assertThat(reasons).containsKeys(Reason.EMPTY_TEXT, Reason.TEXT_TOO_LONG);
    }
}
