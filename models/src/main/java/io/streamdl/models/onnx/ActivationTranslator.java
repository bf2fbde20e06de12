package io.streamdl.models.onnx;

import static io.streamdl.models.onnx.OnnxGraph.attr;

import java.util.List;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftPlus;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;

/**
 * Translates DL4J activation functions into ONNX operators: identity, ReLU, leaky ReLU, ELU,
 * sigmoid, hard sigmoid, tanh, hard tanh, softplus, softsign, swish and softmax.
 */
final class ActivationTranslator {
    private final ExportContext cx;
    private final OnnxGraph g;

    ActivationTranslator(ExportContext cx) {
        this.cx = cx;
        this.g = cx.g;
    }

    /**
     * Applies {@code a} to {@code x}. Softmax runs over the feature axis, which must be the last
     * one: {@code type} tells the layout of {@code x}.
     */
    String apply(String name, IActivation a, String x, InputType type, boolean own) {
        String out = own ? name : name + "_act";
        if (a == null || a instanceof ActivationIdentity) {
            return own ? g.node("Identity", out, List.of(x)) : x;
        }
        if (a instanceof ActivationReLU r) {
            if (!plainRelu(r)) {
                throw cx.unsupported(name, "ReLU with max, threshold or negative slope");
            }
            return g.node("Relu", out, List.of(x));
        }
        if (a instanceof ActivationLReLU l) {
            return g.node("LeakyRelu", out, List.of(x), attr("alpha", (float) l.getAlpha()));
        }
        if (a instanceof ActivationELU e) {
            return g.node("Elu", out, List.of(x), attr("alpha", (float) e.getAlpha()));
        }
        if (a instanceof ActivationSigmoid) {
            return g.node("Sigmoid", out, List.of(x));
        }
        if (a instanceof ActivationHardSigmoid) {
            // DL4J: min(1, max(0, 0.2 x + 0.5)), ONNX's defaults
            return g.node("HardSigmoid", out, List.of(x), attr("alpha", 0.2f), attr("beta", 0.5f));
        }
        if (a instanceof ActivationTanH) {
            return g.node("Tanh", out, List.of(x));
        }
        if (a instanceof ActivationHardTanH) {
            return g.node("Clip", out, List.of(x, g.scalar(-1f), g.scalar(1f)));
        }
        if (a instanceof ActivationSoftPlus) {
            return g.node("Softplus", out, List.of(x));
        }
        if (a instanceof ActivationSoftSign) {
            return g.node("Softsign", out, List.of(x));
        }
        if (a instanceof ActivationSwish) {
            return g.node("Mul", out, List.of(x, g.node("Sigmoid", name + "_sig", List.of(x))));
        }
        if (a instanceof ActivationSoftmax) {
            if (type.getType() != InputType.Type.FF) {
                throw cx.unsupported(name, "softmax over " + type.getType() + " activations");
            }
            return g.node("Softmax", out, List.of(x), attr("axis", -1L));
        }
        throw cx.unsupported(name, "activation " + a);
    }

    static boolean plainRelu(ActivationReLU r) {
        return (r.getMax() == null || r.getMax().isInfinite())
                && (r.getThreshold() == null || r.getThreshold() == 0.0)
                && (r.getNegativeSlope() == null || r.getNegativeSlope() == 0.0);
    }
}
