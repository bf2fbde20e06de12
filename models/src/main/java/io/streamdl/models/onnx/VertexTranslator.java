package io.streamdl.models.onnx;

import static io.streamdl.models.onnx.OnnxGraph.attr;
import static io.streamdl.models.onnx.OnnxGraph.attrInts;

import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;

/**
 * Translates DL4J's non-layer vertices and preprocessors: element-wise (add, subtract, product,
 * average, max), merge and subset vertices, and the CNN→dense, RNN→dense and dense→RNN
 * preprocessors.
 */
final class VertexTranslator {
    private final ExportContext cx;
    private final OnnxGraph g;

    VertexTranslator(ExportContext cx) {
        this.cx = cx;
        this.g = cx.g;
    }

    /** Combines {@code xs}, the float inputs of vertex {@code name}, by {@code ew}'s op. */
    String elementWise(String name, ElementWiseVertex ew, List<String> xs) {
        return switch (ew.getOp()) {
            case Add -> chain("Add", name, xs);
            case Product -> chain("Mul", name, xs);
            case Max -> g.node("Max", name, xs);
            case Subtract -> {
                if (xs.size() != 2) {
                    throw cx.unsupported(name, "Subtract of " + xs.size() + " inputs");
                }
                yield g.node("Sub", name, xs);
            }
            case Average ->
                    g.node(
                            "Div",
                            name,
                            List.of(chain("Add", name + "_sum", xs), g.scalar(xs.size())));
        };
    }

    /** Concatenates {@code xs}, the float inputs of vertex {@code name}, along the merge axis. */
    String merge(String name, MergeVertex mv, List<String> xs) {
        return g.node("Concat", name, xs, attr("axis", (long) mv.getMergeAxis()));
    }

    /**
     * Keeps the slice {@code [from, to]} of axis 1 of {@code x}, the float input of vertex {@code
     * name}, as DL4J does: the features of dense and of NCW recurrent activations.
     */
    String subset(String name, SubsetVertex sv, String x) {
        // DL4J's bounds are inclusive, ONNX's end is exclusive
        return g.node(
                "Slice",
                name,
                List.of(x, g.longs(sv.getFrom()), g.longs(sv.getTo() + 1L), g.longs(1)));
    }

    private String chain(String op, String name, List<String> xs) {
        String acc = xs.get(0);
        for (int i = 1; i < xs.size(); i++) {
            acc = g.node(op, name, List.of(acc, xs.get(i)));
        }
        return acc;
    }

    String preprocess(String name, InputPreProcessor pp, String x, InputType inType) {
        if (pp instanceof CnnToFeedForwardPreProcessor cnn) {
            if (cnn.getFormat() != CNN2DFormat.NCHW) {
                throw cx.unsupported(name, "CnnToFeedForwardPreProcessor with " + cnn.getFormat());
            }
            return g.node("Flatten", name + "_flat", List.of(x), attr("axis", 1L));
        }
        if (pp instanceof RnnToFeedForwardPreProcessor rnn) {
            // DL4J passes 2-D input (after global pooling) through unchanged
            if (inType.getType() != InputType.Type.RNN) {
                return x;
            }
            long size = ((InputType.InputTypeRecurrent) inType).getSize();
            String nwc =
                    rnn.getRnnDataFormat() == RNNFormat.NWC
                            ? x
                            : g.node(
                                    "Transpose",
                                    name + "_nwc",
                                    List.of(x),
                                    attrInts("perm", 0, 2, 1));
            return g.node("Reshape", name + "_2d", List.of(nwc, g.longs(-1, size)));
        }
        if (pp instanceof FeedForwardToRnnPreProcessor && inType.getType() == InputType.Type.RNN) {
            return x;
        }
        throw cx.unsupported(name, "preprocessor " + pp.getClass().getSimpleName());
    }

    static InputType preprocessedType(InputPreProcessor pp, InputType inType) {
        boolean passThrough =
                (pp instanceof RnnToFeedForwardPreProcessor
                                && inType.getType() != InputType.Type.RNN)
                        || (pp instanceof FeedForwardToRnnPreProcessor
                                && inType.getType() == InputType.Type.RNN);
        return passThrough ? inType : pp.getOutputType(inType);
    }
}
