#!/usr/bin/env python3
"""Derive, from a colour reference model that normalises itself, a model that takes normalised inputs.

cifar-robust.pt takes pixels in [0, 1] and normalises each channel inside. Many models are exported the other way
round: they take (pixel - mean[c]) / std[c] and leave the normalisation to the caller (torchvision's Normalize in the
data pipeline). This script wraps the same network so that it takes normalised inputs: forward(z) = model(z * std +
mean), with the 4-place decimals that model.input.normalization states (so the composed function is the pixel model's).
The weights are the same; the tests check that the analysis of the derived model with model.input.normalization
gives the pixel model's figures.

    python model-server/training/export_normalized.py --model model-server/models/cifar-robust.pt \
        --metrics model-server/models/cifar-metrics.json --out model-server/models/cifar-robust-normalized.pt
"""
import argparse
import hashlib
import json

import torch


class TakesNormalised(torch.nn.Module):
    def __init__(self, model, mean, std):
        super().__init__()
        self.model = model
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1))

    def forward(self, z):
        return self.model(z * self.std + self.mean)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--metrics", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    torch.set_num_threads(1)
    metrics = json.load(open(a.metrics))
    mean = [float("%.4f" % v) for v in metrics["mean"]]
    std = [float("%.4f" % v) for v in metrics["std"]]
    model = torch.jit.load(a.model).eval()
    wrapped = TakesNormalised(model, mean, std).eval()
    x = torch.rand(4, 3, 32, 32)
    z = (x - wrapped.mean) / wrapped.std
    traced = torch.jit.trace(wrapped, z)
    traced.save(a.out)
    assert torch.allclose(torch.jit.load(a.out)(z), model(x), atol=1e-4)
    print(json.dumps({"mean": ["%.4f" % v for v in mean], "std": ["%.4f" % v for v in std],
                      "sha256": hashlib.sha256(open(a.out, "rb").read()).hexdigest()}))


if __name__ == "__main__":
    main()
