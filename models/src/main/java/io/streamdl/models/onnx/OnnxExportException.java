package io.streamdl.models.onnx;

/**
 * A network the exporter cannot translate faithfully: an unsupported layer, vertex, preprocessor,
 * activation or option. The message names the vertex and what is not supported; the exporter never
 * writes an approximate graph instead.
 */
public class OnnxExportException extends RuntimeException {
    public OnnxExportException(String message) {
        super(message);
    }
}
