package io.streamdl.models.arch;

import java.util.Map;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adds a learned position embedding {@link #POSITIONS} ({@code [1, channels, length]}) to a
 * sequence in NCW layout, so the attention layers that follow can tell positions apart. The
 * sequence length is fixed (the text encoder pads to its maximum length).
 */
public class PositionEmbeddingLayer extends SameDiffLayer {
    public static final String POSITIONS = "positions";

    /** Standard deviation of the initial embedding, of the order of the token embeddings. */
    private static final double INIT_STD = 0.05;

    private long size;
    private long length;

    /** For DL4J's configuration JSON only. */
    protected PositionEmbeddingLayer() {}

    /**
     * @param size number of channels, or 0 to take it from the input type
     * @param length the fixed sequence length
     */
    public PositionEmbeddingLayer(long size, long length) {
        this.size = size;
        this.length = length;
    }

    public long getSize() {
        return size;
    }

    public long getLength() {
        return length;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (!(inputType instanceof InputType.InputTypeRecurrent r)) {
            throw new IllegalStateException(
                    "PositionEmbeddingLayer '"
                            + getLayerName()
                            + "' needs recurrent input, got "
                            + inputType);
        }
        if (size <= 0 || override) {
            size = r.getSize();
        }
        if (r.getTimeSeriesLength() > 0 && r.getTimeSeriesLength() != length) {
            throw new IllegalStateException(
                    "PositionEmbeddingLayer '"
                            + getLayerName()
                            + "' has length "
                            + length
                            + " but its input has "
                            + r.getTimeSeriesLength()
                            + " steps");
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return InputTypeUtil.getPreprocessorForInputTypeRnnLayers(
                inputType, RNNFormat.NCW, getLayerName());
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.clear();
        params.addWeightParam(POSITIONS, 1, size, length);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        INDArray p = params.get(POSITIONS);
        p.assign(Nd4j.randn(p.dataType(), p.shape()).muli(INIT_STD));
    }

    @Override
    public SDVariable defineLayer(
            SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
        return input.add(params.get(POSITIONS));
    }
}
