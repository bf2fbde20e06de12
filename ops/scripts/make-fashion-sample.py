#!/usr/bin/env python3
"""Cuts the Fashion-MNIST sample shipped in ingest/src/main/resources/samples/fashion-mnist
from the Debian package dataset-fashion-mnist (first 6,000 train and 1,000 test images)."""
import gzip
import struct
import sys

SRC = "/usr/share/datasets/fashion-mnist/"
OUT = sys.argv[1] if len(sys.argv) > 1 else "ingest/src/main/resources/samples/fashion-mnist/"


def cut(kind, n, name):
    images = gzip.open(SRC + f"{kind}-images-idx3-ubyte.gz").read()
    labels = gzip.open(SRC + f"{kind}-labels-idx1-ubyte.gz").read()
    magic, _, rows, cols = struct.unpack(">IIII", images[:16])
    assert magic == 0x803, "not an IDX3 image file"
    with gzip.GzipFile(OUT + name + "-images-idx3-ubyte.gz", "wb", mtime=0) as f:
        f.write(struct.pack(">IIII", 0x803, n, rows, cols) + images[16 : 16 + n * rows * cols])
    with gzip.GzipFile(OUT + name + "-labels-idx1-ubyte.gz", "wb", mtime=0) as f:
        f.write(struct.pack(">II", 0x801, n) + labels[8 : 8 + n])


cut("train", 6000, "train-sample")
cut("t10k", 1000, "t10k-sample")
