package io.streamdl.models.spec;

import java.util.List;

/**
 * A LeNet-style CNN: conv(k x k, {@code conv1Channels}, padded to keep the size) → [batch norm] →
 * ReLU → max-pool 2 → conv(k x k, {@code conv2Channels}, unpadded) → [batch norm] → ReLU → max-pool
 * 2 → dense({@code denseUnits}, ReLU, dropout) → softmax.
 *
 * @param dropout drop probability applied to the input of the softmax layer while training
 */
public record ImageCnnParams(
        int conv1Channels,
        int conv2Channels,
        int kernelSize,
        int denseUnits,
        boolean batchNorm,
        double dropout)
        implements ArchitectureParams {

    public ImageCnnParams {
        ArchitectureParams.require(
                conv1Channels > 0 && conv2Channels > 0 && denseUnits > 0,
                "IMAGE_CNN channel and unit counts must be positive");
        ArchitectureParams.require(
                kernelSize > 0 && kernelSize % 2 == 1,
                "IMAGE_CNN kernelSize must be odd and positive, got " + kernelSize);
        ArchitectureParams.requireDropout(dropout);
    }

    @Override
    public ArchitectureKind kind() {
        return ArchitectureKind.IMAGE_CNN;
    }

    @Override
    public void checkSignature(List<TensorSpec> inputs, int outputSize, List<String> labels) {
        ArchitectureParams.requireSingleInput(inputs, "input", DType.FLOAT32, 3, kind());
        TensorSpec in = inputs.get(0);
        int h = finalSize(in.dim(1));
        int w = finalSize(in.dim(2));
        ArchitectureParams.require(
                h >= 1 && w >= 1,
                "IMAGE_CNN input "
                        + in.shape()
                        + " is too small for kernel "
                        + kernelSize
                        + " and two 2x2 poolings");
        ArchitectureParams.requireClassifierOutput(outputSize, labels, kind());
    }

    /** Height or width after conv1 (same size), pool, conv2 (valid) and pool. */
    private int finalSize(int size) {
        int afterConv2 = size / 2 - kernelSize + 1;
        return afterConv2 < 2 ? 0 : afterConv2 / 2;
    }
}
