package io.streamdl.encoders.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamdl.encoders.EncodeException;
import io.streamdl.encoders.EncodeException.Reason;
import io.streamdl.encoders.testing.TestWavs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WavReaderTest {
    private static final double[] SAMPLES = {0, 0.5, -0.5, 0.25, -1, 0.999, 0.125, -0.0625};

    private static WavReader.WavAudio read(byte[] wav) {
        return WavReader.read(wav, 10);
    }

    private static void assertRefused(byte[] wav, Reason reason) {
        assertThatThrownBy(() -> read(wav))
                .isInstanceOf(EncodeException.class)
                .satisfies(e -> assertThat(((EncodeException) e).reason()).isEqualTo(reason));
    }

    private static void assertSamples(WavReader.WavAudio audio, double tolerance) {
        assertThat(audio.samples()).hasSize(SAMPLES.length);
        for (int i = 0; i < SAMPLES.length; i++) {
            assertThat((double) audio.samples()[i])
                    .as("sample %d", i)
                    .isCloseTo(SAMPLES[i], within(tolerance));
        }
    }

    @Test
    void readsEachPcmSampleFormat() {
        // tolerances: two quantisation steps of each format (the writer scales by 2^(b-1) - 1,
        // the reader by 2^(b-1))
        int[] bits = {8, 16, 24, 32};
        double[] tolerance = {2.0 / 127, 2.0 / 32767, 2.0 / 8388607, 1e-7}; // 32-bit: float output
        for (int i = 0; i < bits.length; i++) {
            WavReader.WavAudio audio = read(TestWavs.wav(1, 16000, bits[i], false, null, SAMPLES));
            assertThat(audio.sampleRate()).isEqualTo(16000);
            assertThat(audio.bitsPerSample()).isEqualTo(bits[i]);
            assertThat(audio.formatTag()).isEqualTo(WavReader.FORMAT_PCM);
            assertSamples(audio, tolerance[i]);
        }
    }

    @Test
    void sixteenBitValuesAreScaledBy32768() {
        byte[] wav = TestWavs.pcm16(8000, new double[] {1, -1});
        assertThat(read(wav).samples()).containsExactly(32767 / 32768f, -32767 / 32768f);
    }

    @Test
    void readsFloat32AndExtensibleFormats() {
        WavReader.WavAudio floats = read(TestWavs.wav(3, 44100, 32, false, null, SAMPLES));
        assertThat(floats.formatTag()).isEqualTo(WavReader.FORMAT_IEEE_FLOAT);
        assertSamples(floats, 1e-7);
        assertSamples(read(TestWavs.wav(3, 48000, 32, true, null, SAMPLES)), 1e-7);
        WavReader.WavAudio extensible = read(TestWavs.wav(1, 22050, 16, true, null, SAMPLES));
        assertThat(extensible.sampleRate()).isEqualTo(22050);
        assertSamples(extensible, 2.0 / 32767);
    }

    @Test
    void mixesStereoDownToTheMeanAndSkipsOtherChunks() {
        double[] left = new double[10];
        double[] right = new double[10];
        Arrays.fill(left, 0.5);
        Arrays.fill(right, -0.25);
        byte[] oddChunk = "INFOISFT\0\0\0\0x".getBytes(StandardCharsets.US_ASCII);
        WavReader.WavAudio audio = read(TestWavs.wav(1, 16000, 16, false, oddChunk, left, right));
        assertThat(audio.channels()).isEqualTo(2);
        for (float sample : audio.samples()) {
            assertThat(sample).isCloseTo(0.125f, within(1e-4f));
        }
        assertThat(audio.seconds()).isCloseTo(10 / 16000.0, within(1e-12));
    }

    @Test
    void nonWavBytesAreNotWav() {
        assertRefused(new byte[0], Reason.NOT_WAV);
        assertRefused("ID3\u0004 an mp3 file".getBytes(StandardCharsets.US_ASCII), Reason.NOT_WAV);
        byte[] avi = TestWavs.pcm16(16000, SAMPLES);
        System.arraycopy("AVI ".getBytes(StandardCharsets.US_ASCII), 0, avi, 8, 4);
        assertRefused(avi, Reason.NOT_WAV);
        byte[] rifx = TestWavs.pcm16(16000, SAMPLES);
        rifx[3] = 'X';
        assertRefused(rifx, Reason.UNSUPPORTED_AUDIO_FORMAT);
    }

    @Test
    void otherSampleFormatsAreUnsupported() {
        assertRefused(
                withShort(TestWavs.pcm16(16000, SAMPLES), 20, 2), Reason.UNSUPPORTED_AUDIO_FORMAT);
        assertRefused(
                withShort(TestWavs.pcm16(16000, SAMPLES), 20, 7), Reason.UNSUPPORTED_AUDIO_FORMAT);
        byte[] twelveBit = withShort(TestWavs.pcm16(16000, SAMPLES), 34, 12);
        assertRefused(twelveBit, Reason.UNSUPPORTED_AUDIO_FORMAT);
        byte[] float64 = withShort(TestWavs.wav(3, 16000, 32, false, null, SAMPLES), 34, 64);
        assertRefused(withShort(float64, 32, 8), Reason.UNSUPPORTED_AUDIO_FORMAT);
        byte[] threeChannels = withShort(TestWavs.pcm16(16000, SAMPLES), 22, 3);
        assertRefused(threeChannels, Reason.UNSUPPORTED_AUDIO_FORMAT);
        byte[] slow = withInt(TestWavs.pcm16(16000, SAMPLES), 24, 2000);
        assertRefused(slow, Reason.UNSUPPORTED_AUDIO_FORMAT);
        byte[] badGuid = TestWavs.wav(1, 16000, 16, true, null, SAMPLES);
        badGuid[20 + 40 - 1] ^= 1;
        assertRefused(badGuid, Reason.UNSUPPORTED_AUDIO_FORMAT);
    }

    @Test
    void malformedFilesAreCorrupt() {
        byte[] wav = TestWavs.pcm16(16000, SAMPLES);
        assertRefused(withShort(wav, 32, 4), Reason.CORRUPT_AUDIO); // block align
        assertRefused(Arrays.copyOf(wav, wav.length - 1), Reason.CORRUPT_AUDIO); // truncated
        assertRefused(Arrays.copyOf(wav, 36), Reason.CORRUPT_AUDIO); // no data chunk
        assertRefused(Arrays.copyOf(wav, 12), Reason.CORRUPT_AUDIO); // no fmt chunk
        assertRefused(withInt(wav, 40, 15), Reason.CORRUPT_AUDIO); // half a frame
        assertRefused(withInt(wav, 16, 1000), Reason.CORRUPT_AUDIO); // fmt longer than file
        byte[] dataFirst = wav.clone();
        System.arraycopy("data".getBytes(StandardCharsets.US_ASCII), 0, dataFirst, 12, 4);
        assertRefused(dataFirst, Reason.CORRUPT_AUDIO);
        byte[] nan = TestWavs.wav(3, 16000, 32, false, null, SAMPLES);
        assertRefused(withInt(nan, 48, Float.floatToIntBits(Float.NaN)), Reason.CORRUPT_AUDIO);
    }

    @Test
    void emptyAndOverlongClipsAreRefused() {
        assertRefused(TestWavs.pcm16(16000, new double[0]), Reason.EMPTY_AUDIO);
        byte[] elevenSeconds = TestWavs.pcm16(8000, new double[88_000]);
        assertRefused(elevenSeconds, Reason.AUDIO_TOO_LONG);
        assertThat(WavReader.read(elevenSeconds, 11).seconds()).isEqualTo(11.0);
    }

    private static byte[] withShort(byte[] wav, int at, int value) {
        byte[] copy = wav.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) value);
        return copy;
    }

    private static byte[] withInt(byte[] wav, int at, int value) {
        byte[] copy = wav.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return copy;
    }
}
