#!/usr/bin/env python3
"""Cross-check the exported ONNX models against metrics.json.

Runs each ``fashion-*.onnx`` with onnxruntime on the first 3 Fashion-MNIST
test images and compares the logits with ``first3_test_logits`` recorded by
train_fashion.py (computed by the in-memory PyTorch model).  Also checks the
sha256 of every file listed in metrics.json and the dynamic batch axis.

Needs ``onnxruntime`` and ``numpy`` (not torch), e.g. in a venv:

    python3 -m venv /tmp/ortvenv && /tmp/ortvenv/bin/pip install onnxruntime numpy
    /tmp/ortvenv/bin/python model-server/training/check_onnx.py --models model-server/models
"""
import argparse
import gzip
import hashlib
import json
import os
import struct

import numpy as np
import onnxruntime as ort


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    _, _, ndim = struct.unpack(">HBB", data[:4])
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default="model-server/models")
    p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    a = p.parse_args()
    with open(os.path.join(a.models, "metrics.json")) as f:
        m = json.load(f)
    x = read_idx(os.path.join(a.data_dir, "t10k-images-idx3-ubyte.gz"))
    x = (x.astype(np.float32) / 255.0)[:, None, :, :]
    y = read_idx(os.path.join(a.data_dir, "t10k-labels-idx1-ubyte.gz"))
    assert y[:3].tolist() == m["first3_test_labels"]
    ok = True
    for name, e in m["models"].items():
        for kind, fe in e["files"].items():
            path = os.path.join(a.models, fe["file"])
            h = hashlib.sha256(open(path, "rb").read()).hexdigest()
            good = h == fe["sha256"]
            ok &= good
            print("%-8s %-11s %s sha256 %s" % (name, kind, fe["file"], "OK" if good else "MISMATCH " + h))
        so = ort.InferenceSession(os.path.join(a.models, e["files"]["onnx"]["file"]),
                                  providers=["CPUExecutionProvider"])
        out3 = so.run(["logits"], {"input": x[:3]})[0]
        diff = float(np.abs(out3 - np.array(e["first3_test_logits"], dtype=np.float32)).max())
        out100 = so.run(["logits"], {"input": x[:100]})[0]  # dynamic batch
        ok &= diff < 1e-4 and out100.shape == (100, 10)
        print("%-8s onnxruntime %s: max |logit diff| vs torch on 3 test images %.3g; "
              "batch-100 output shape %s; argmax first 3 %s (labels %s)"
              % (name, ort.__version__, diff, out100.shape, out3.argmax(1).tolist(), y[:3].tolist()))
    print("ALL OK" if ok else "FAILED")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
