package io.streamdl.ops.cli;

import io.streamdl.models.onnx.OnnxModelInfo;
import java.util.ArrayList;
import java.util.List;
import onnx.Onnx;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;

/** What {@code models show} and {@code export} print about an ONNX model. */
final class OnnxFacts {
    private OnnxFacts() {}

    /** {@code IR 7, opset 13 (ai.onnx)}, or why the bytes are not readable. */
    static String opsets(byte[] onnx) {
        Onnx.ModelProto proto;
        try {
            proto = Onnx.ModelProto.parseFrom(onnx);
        } catch (InvalidProtocolBufferException e) {
            return "not a readable ONNX model: " + e.getMessage();
        }
        List<String> sets = new ArrayList<>();
        for (Onnx.OperatorSetIdProto op : proto.getOpsetImportList()) {
            sets.add(
                    op.getVersion()
                            + " ("
                            + (op.getDomain().isEmpty() ? "ai.onnx" : op.getDomain())
                            + ")");
        }
        String producer =
                proto.getProducerName().isEmpty() ? "" : ", made by " + proto.getProducerName();
        return "IR " + proto.getIrVersion() + ", opset " + String.join(", ", sets) + producer;
    }

    /** {@code name float[-1,1,28,28]}. */
    static String port(OnnxModelInfo.Port p) {
        String type =
                switch (p.elemType()) {
                    case 1 -> "float";
                    case 6 -> "int32";
                    case 7 -> "int64";
                    default -> "type " + p.elemType();
                };
        return p.name() + " " + type + p.dims().toString().replace(" ", "");
    }
}
