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

/**
 * Layer normalisation of a sequence in DL4J's NCW layout ({@code [batch, channels, time]}): every
 * time step is normalised over its channels, then scaled by {@link #GAIN} and shifted by {@link
 * #BIAS} (both {@code [1, channels, 1]}). DL4J 1.0.0-M2.1 has no such layer ({@code
 * DenseLayer.hasLayerNorm} normalises a dense layer's pre-activations instead), so this one is
 * written in SameDiff, which also gives it gradients.
 */
public class LayerNormLayer extends SameDiffLayer {
    public static final String GAIN = "gain";
    public static final String BIAS = "bias";

    private long size;
    private double epsilon;

    /** For DL4J's configuration JSON only. */
    protected LayerNormLayer() {}

    /**
     * @param size number of channels, or 0 to take it from the input type
     * @param epsilon added to the variance before the square root
     */
    public LayerNormLayer(long size, double epsilon) {
        this.size = size;
        this.epsilon = epsilon;
    }

    public long getSize() {
        return size;
    }

    public double getEpsilon() {
        return epsilon;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (!(inputType instanceof InputType.InputTypeRecurrent r)) {
            throw new IllegalStateException(
                    "LayerNormLayer '"
                            + getLayerName()
                            + "' needs recurrent input, got "
                            + inputType);
        }
        if (size <= 0 || override) {
            size = r.getSize();
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
        params.addWeightParam(GAIN, 1, size, 1);
        params.addBiasParam(BIAS, 1, size, 1);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get(GAIN).assign(1.0);
        params.get(BIAS).assign(0.0);
    }

    @Override
    public SDVariable defineLayer(
            SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable mean = input.mean(true, 1);
        SDVariable centered = input.sub(mean);
        SDVariable variance = centered.mul(centered).mean(true, 1);
        SDVariable normed = centered.div(sd.math().sqrt(variance.add(epsilon)));
        return normed.mul(params.get(GAIN)).add(params.get(BIAS));
    }
}
