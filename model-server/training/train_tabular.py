#!/usr/bin/env python3
"""Train the tabular reference models on the Breast Cancer Wisconsin (Diagnostic) data.

Why this data: it is the tabular classification set that ships inside scikit-learn's wheel on PyPI
(``sklearn/datasets/data/breast_cancer.csv``; Debian's ``python3-sklearn`` has the same file), so the
project obtains it offline from a package registry; 569 rows of 30 real-valued measurements, two classes
(0 malignant, 1 benign). UCI ML repository, W. N. Street, W. H. Wolberg, O. L. Mangasarian (1995), CC BY 4.0.

Two models of the SAME small MLP:

* ``standard`` -- ordinary training (Adam, full batch).
* ``robust``   -- PGD adversarial training at L-inf eps = 0.1 *of each column's range* (the threat model's
  epsilon for a tabular input described by model.input.features).

Model contract: input float32 [N, 30], raw measurements in the units of the CSV; the model standardises
them itself (mean and std of the training split are constants inside it); output float32 logits [N, 2].
TorchScript by tracing; ONNX (opset 13, input ``input``, output ``logits``, dynamic batch axis) when
``--onnx`` is given.

Outputs (in --out): tabular-standard.pt, tabular-robust.pt (and .onnx), breast-cancer.npz (x, y: the test
split, 114 rows; x_train, y_train: the training split, the attacker's pool), tabular-metrics.json (clean and
PGD accuracies, each column's range and name, sha256 of every file).

Usage (torch 2.7.1 on CPU, e.g. scripts/python-env mlserver's venv):

    python model-server/training/train_tabular.py --csv breast_cancer.csv --out model-server/models

Deterministic: one thread, seeds set, deterministic algorithms.
"""
import argparse
import hashlib
import json
import math
import os

import numpy as np
import torch
from torch import nn

NAMES = [
    "mean_radius", "mean_texture", "mean_perimeter", "mean_area", "mean_smoothness", "mean_compactness",
    "mean_concavity", "mean_concave_points", "mean_symmetry", "mean_fractal_dimension",
    "radius_error", "texture_error", "perimeter_error", "area_error", "smoothness_error", "compactness_error",
    "concavity_error", "concave_points_error", "symmetry_error", "fractal_dimension_error",
    "worst_radius", "worst_texture", "worst_perimeter", "worst_area", "worst_smoothness", "worst_compactness",
    "worst_concavity", "worst_concave_points", "worst_symmetry", "worst_fractal_dimension",
]


class Mlp(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
        self.net = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 2))

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


def load(csv):
    with open(csv) as f:
        header = f.readline().strip().split(",")
        assert int(header[0]) == 569 and int(header[1]) == 30, header
        data = np.loadtxt(f, delimiter=",", dtype=np.float64)
    return data[:, :30].astype(np.float32), data[:, 30].astype(np.int64)


def pgd(model, x, y, lo, span, eps, steps, step):
    """L-inf PGD in each column's range units: |delta_j| <= eps * span_j, inside [lo, lo + span]."""
    delta = (torch.rand_like(x) * 2 - 1) * eps * span
    for _ in range(steps):
        delta.requires_grad_(True)
        loss = nn.functional.cross_entropy(model(x + delta), y)
        grad, = torch.autograd.grad(loss, delta)
        delta = (delta + step * span * grad.sign()).detach()
        delta = torch.max(torch.min(delta, eps * span), -eps * span)
        delta = torch.max(torch.min(x + delta, lo + span), lo) - x
    return (x + delta).detach()


def accuracy(model, x, y):
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def decimal(v):
    return ("%.6f" % v).rstrip("0").rstrip(".")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--csv", required=True)
    p.add_argument("--out", default="model-server/models")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=400)
    p.add_argument("--eps", type=float, default=0.1)
    p.add_argument("--onnx", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    torch.use_deterministic_algorithms(True)
    x, y = load(a.csv)
    lo_all, hi_all = x.min(0), x.max(0)
    order = np.random.default_rng(a.seed).permutation(len(y))
    test, train = order[:114], order[114:]
    xt, yt = torch.tensor(x[train]), torch.tensor(y[train])
    xe, ye = torch.tensor(x[test]), torch.tensor(y[test])
    mean, std = x[train].mean(0), x[train].std(0)
    lo = torch.tensor(lo_all)
    span = torch.tensor(hi_all - lo_all)
    # Each column's range for model.input.features: decimal strings (at most 6 places) around every value.
    columns = [{"name": n, "min": decimal(math.floor(float(l) * 1e6) / 1e6), "max": decimal(math.ceil(float(h) * 1e6) / 1e6)}
               for n, l, h in zip(NAMES, lo_all, hi_all)]
    metrics = {"data": os.path.basename(a.csv), "train": len(train), "test": len(test), "eps": a.eps, "columns": columns}
    os.makedirs(a.out, exist_ok=True)
    np.savez_compressed(os.path.join(a.out, "breast-cancer.npz"), x=x[test], y=y[test], x_train=x[train], y_train=y[train])
    for kind in ("standard", "robust"):
        torch.manual_seed(a.seed)
        model = Mlp(mean, std)
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        for epoch in range(a.epochs):
            batch = pgd(model, xt, yt, lo, span, a.eps, 7, 2.5 * a.eps / 7) if kind == "robust" and epoch >= 50 else xt
            opt.zero_grad()
            nn.functional.cross_entropy(model(batch), yt).backward()
            opt.step()
        model.eval()
        torch.manual_seed(a.seed + 1)
        adv = pgd(model, xe, ye, lo, span, a.eps, 20, a.eps / 8)
        metrics[kind] = {"clean_accuracy": accuracy(model, xe, ye), "pgd20_accuracy": accuracy(model, adv, ye)}
        traced = torch.jit.trace(model, xe[:4])
        pt = os.path.join(a.out, "tabular-%s.pt" % kind)
        traced.save(pt)
        assert torch.equal(torch.jit.load(pt)(xe), model(xe))
        metrics[kind]["torchscript_sha256"] = sha256(pt)
        if a.onnx:
            onnx_path = os.path.join(a.out, "tabular-%s.onnx" % kind)
            torch.onnx.export(model, xe[:4], onnx_path, input_names=["input"], output_names=["logits"],
                              dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13, dynamo=False)
            metrics[kind]["onnx_sha256"] = sha256(onnx_path)
    metrics["dataset_sha256"] = sha256(os.path.join(a.out, "breast-cancer.npz"))
    with open(os.path.join(a.out, "tabular-metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    print(json.dumps({k: metrics[k] for k in ("standard", "robust")}, indent=2))


if __name__ == "__main__":
    main()
