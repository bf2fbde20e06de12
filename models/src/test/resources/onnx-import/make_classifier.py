#!/usr/bin/env python3
"""Writes a small image classifier with onnx.helper, and numpy's forward pass of it.

A model made outside this code base, for the import tests: nothing here shares code with the
pipeline's own exporter. The graph is Flatten -> Gemm -> Relu -> Gemm -> Softmax with weights from
a seeded numpy generator; its input is 'pixels' float[batch, 1, size, size] and its output
'class_probs' float[batch, classes], so the names are not the pipeline's.

usage: make_classifier.py OUT_DIR [--size 28] [--classes 10] [--count 4] [--seed 7]
                          [--inputs FILE]

Writes OUT_DIR/classifier.onnx; OUT_DIR/inputs.f32, the inputs of the forward pass (COUNT images
from N(0, 1), or those of FILE), and OUT_DIR/outputs.f32, numpy's output for them: float32
little-endian, C order.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HIDDEN = 32


def build(size, classes, seed):
    rng = np.random.default_rng(seed)
    features = size * size
    w1 = rng.normal(0.0, 1.0 / np.sqrt(features), (HIDDEN, features)).astype(np.float32)
    b1 = rng.normal(0.0, 0.1, HIDDEN).astype(np.float32)
    w2 = rng.normal(0.0, 1.0 / np.sqrt(HIDDEN), (classes, HIDDEN)).astype(np.float32)
    b2 = rng.normal(0.0, 0.1, classes).astype(np.float32)
    nodes = [
        helper.make_node("Flatten", ["pixels"], ["flat"], axis=1),
        helper.make_node("Gemm", ["flat", "fc1_w", "fc1_b"], ["fc1"], transB=1),
        helper.make_node("Relu", ["fc1"], ["hidden"]),
        helper.make_node("Gemm", ["hidden", "fc2_w", "fc2_b"], ["logits"], transB=1),
        helper.make_node("Softmax", ["logits"], ["class_probs"], axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "foreign_classifier",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["batch", 1, size, size])],
        [helper.make_tensor_value_info("class_probs", TensorProto.FLOAT, ["batch", classes])],
        initializer=[
            numpy_helper.from_array(w1, "fc1_w"),
            numpy_helper.from_array(b1, "fc1_b"),
            numpy_helper.from_array(w2, "fc2_w"),
            numpy_helper.from_array(b2, "fc2_b"),
        ],
    )
    model = helper.make_model(
        graph,
        producer_name="make_classifier.py",
        opset_imports=[helper.make_opsetid("", 13)],
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model, (w1, b1, w2, b2)


def forward(x, weights):
    w1, b1, w2, b2 = (w.astype(np.float64) for w in weights)
    flat = x.reshape(x.shape[0], -1).astype(np.float64)
    hidden = np.maximum(flat @ w1.T + b1, 0.0)
    logits = hidden @ w2.T + b2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out_dir")
    p.add_argument("--size", type=int, default=28)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--count", type=int, default=4)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--inputs", help="float32 little-endian images to run instead of random ones")
    a = p.parse_args()

    model, weights = build(a.size, a.classes, a.seed)
    if a.inputs:
        x = np.fromfile(a.inputs, dtype="<f4").reshape(-1, 1, a.size, a.size)
    else:
        x = np.random.default_rng(a.seed + 1).normal(0.0, 1.0, (a.count, 1, a.size, a.size))
        x = x.astype(np.float32)
    y = forward(x, weights)

    os.makedirs(a.out_dir, exist_ok=True)
    onnx.save(model, os.path.join(a.out_dir, "classifier.onnx"))
    x.astype("<f4").tofile(os.path.join(a.out_dir, "inputs.f32"))
    y.astype("<f4").tofile(os.path.join(a.out_dir, "outputs.f32"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
