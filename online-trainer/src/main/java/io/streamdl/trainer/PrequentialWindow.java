package io.streamdl.trainer;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Accuracy and mean loss of the last {@code capacity} prequential (test-then-train) predictions: a
 * ring buffer of (correct, loss, time) with running sums. Not thread-safe.
 */
public final class PrequentialWindow {
    private final int capacity;
    private final boolean[] correct;
    private final float[] loss;
    private final long[] time;
    private int start;
    private int size;
    private int correctCount;
    private double lossSum;

    public PrequentialWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("window capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.correct = new boolean[capacity];
        this.loss = new float[capacity];
        this.time = new long[capacity];
    }

    /** Adds one prediction's outcome, evicting the oldest when full. */
    public void add(boolean wasCorrect, float exampleLoss, long at) {
        if (size == capacity) {
            if (correct[start]) {
                correctCount--;
            }
            lossSum -= loss[start];
            start = (start + 1) % capacity;
            size--;
        }
        int i = (start + size) % capacity;
        correct[i] = wasCorrect;
        loss[i] = exampleLoss;
        time[i] = at;
        if (wasCorrect) {
            correctCount++;
        }
        lossSum += exampleLoss;
        size++;
        if (start == 0 && size == capacity) {
            resum();
        }
    }

    /** Predictions in the window. */
    public int count() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    /** The fraction of correct predictions, or NaN for an empty window. */
    public double accuracy() {
        return size == 0 ? Double.NaN : (double) correctCount / size;
    }

    /** The mean loss, or NaN for an empty window. */
    public double meanLoss() {
        return size == 0 ? Double.NaN : lossSum / size;
    }

    /** When the oldest prediction in the window was made, or {@code fallback} if it is empty. */
    public long oldestTime(long fallback) {
        return size == 0 ? fallback : time[start];
    }

    /** Writes the window's contents, oldest first. */
    void writeTo(DataOutput out) throws IOException {
        out.writeInt(size);
        for (int k = 0; k < size; k++) {
            int i = (start + k) % capacity;
            out.writeBoolean(correct[i]);
            out.writeFloat(loss[i]);
            out.writeLong(time[i]);
        }
    }

    /**
     * Reads what {@link #writeTo} wrote into a window of {@code capacity}, which may differ from
     * the writer's: only the newest entries that fit are kept.
     */
    static PrequentialWindow readFrom(DataInput in, int capacity) throws IOException {
        PrequentialWindow w = new PrequentialWindow(capacity);
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("negative window size " + n);
        }
        for (int k = 0; k < n; k++) {
            w.add(in.readBoolean(), in.readFloat(), in.readLong());
        }
        return w;
    }

    /** Recomputes the loss sum so rounding errors of the running sum cannot accumulate. */
    private void resum() {
        double sum = 0;
        for (float l : loss) {
            sum += l;
        }
        lossSum = sum;
    }
}
