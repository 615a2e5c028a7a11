#!/usr/bin/env python3
"""Derive, from a colour reference model that takes NCHW input, the same network taking NHWC (channels last).

Keras and TensorFlow models, and ONNX exports of them, take images as [N, height, width, channels]. This script
wraps cifar-robust.pt so that it takes that layout: forward(x) = model(x.permute(0, 3, 1, 2)). The weights are the
same; the tests check that the analysis of the derived model with model.input.layout NHWC gives the NCHW model's
figures.

    python model-server/training/export_channels_last.py --model model-server/models/cifar-robust.pt \
        --out model-server/models/cifar-robust-nhwc.pt
"""
import argparse
import hashlib
import json

import torch


class ChannelsLast(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x.permute(0, 3, 1, 2))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    torch.set_num_threads(1)
    model = torch.jit.load(a.model).eval()
    x = torch.rand(4, 3, 32, 32)
    traced = torch.jit.trace(ChannelsLast(model).eval(), x.permute(0, 2, 3, 1).contiguous())
    traced.save(a.out)
    assert torch.allclose(torch.jit.load(a.out)(x.permute(0, 2, 3, 1).contiguous()), model(x), atol=1e-5)
    print(json.dumps({"sha256": hashlib.sha256(open(a.out, "rb").read()).hexdigest()}))


if __name__ == "__main__":
    main()
