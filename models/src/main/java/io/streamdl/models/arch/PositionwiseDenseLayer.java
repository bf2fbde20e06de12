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
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The same dense layer applied at every time step of an NCW sequence: {@code y[n, :, t] = act(x[n,
 * :, t] · W + b)} with {@link #WEIGHTS} {@code [nIn, nOut]} and {@link #BIAS} {@code [nOut]}, the
 * Transformer's position-wise feed-forward layer.
 *
 * <p>DL4J's {@code TimeDistributed(DenseLayer)} computes this too, but in 1.0.0-M2.1 it flattens
 * the feature mask in a different order from the activations, so with a mask and more than one
 * sequence per batch it zeroes the wrong time steps. This layer ignores the mask: padded steps are
 * excluded later by the attention and pooling layers.
 */
public class PositionwiseDenseLayer extends SameDiffLayer {
    public static final String WEIGHTS = "W";
    public static final String BIAS = "b";

    private long nIn;
    private long nOut;
    private long length;
    private Activation activation;

    /** For DL4J's configuration JSON only. */
    protected PositionwiseDenseLayer() {}

    /**
     * @param nIn input channels, or 0 to take them from the input type
     * @param activation one of identity, ReLU, sigmoid or tanh
     */
    public PositionwiseDenseLayer(long nIn, long nOut, Activation activation) {
        if (activation != Activation.IDENTITY
                && activation != Activation.RELU
                && activation != Activation.SIGMOID
                && activation != Activation.TANH) {
            throw new IllegalArgumentException(
                    "PositionwiseDenseLayer supports identity, relu, sigmoid and tanh, not "
                            + activation);
        }
        this.nIn = nIn;
        this.nOut = nOut;
        this.activation = activation;
    }

    public long getNIn() {
        return nIn;
    }

    public long getNOut() {
        return nOut;
    }

    public Activation getActivation() {
        return activation;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeRecurrent r = (InputType.InputTypeRecurrent) inputType;
        return InputType.recurrent(nOut, r.getTimeSeriesLength(), RNNFormat.NCW);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (!(inputType instanceof InputType.InputTypeRecurrent r)) {
            throw new IllegalStateException(
                    "PositionwiseDenseLayer '"
                            + getLayerName()
                            + "' needs recurrent input, got "
                            + inputType);
        }
        if (nIn <= 0 || override) {
            nIn = r.getSize();
        }
        if (r.getTimeSeriesLength() <= 0) {
            throw new IllegalStateException(
                    "PositionwiseDenseLayer '"
                            + getLayerName()
                            + "' needs a fixed sequence length");
        }
        length = r.getTimeSeriesLength();
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return InputTypeUtil.getPreprocessorForInputTypeRnnLayers(
                inputType, RNNFormat.NCW, getLayerName());
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.clear();
        params.addWeightParam(WEIGHTS, nIn, nOut);
        params.addBiasParam(BIAS, nOut);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        INDArray w = params.get(WEIGHTS);
        // He initialisation for ReLU, Glorot otherwise
        double std =
                activation == Activation.RELU
                        ? Math.sqrt(2.0 / nIn)
                        : Math.sqrt(2.0 / (nIn + nOut));
        w.assign(Nd4j.randn(w.dataType(), w.shape()).muli(std));
        params.get(BIAS).assign(0.0);
    }

    @Override
    public SDVariable defineLayer(
            SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
        // as rows of [N*T, C]: SameDiff's tensorMmul has no working gradient for [N,C,T]x[C,O]
        SDVariable rows = input.permute(0, 2, 1).reshape(-1, nIn);
        SDVariable y = rows.mmul(params.get(WEIGHTS)).add(params.get(BIAS));
        y =
                switch (activation) {
                    case RELU -> sd.nn.relu(y, 0.0);
                    case SIGMOID -> sd.nn.sigmoid(y);
                    case TANH -> sd.nn.tanh(y);
                    default -> y;
                };
        return y.reshape(-1, length, nOut).permute(0, 2, 1);
    }
}
