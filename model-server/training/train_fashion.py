#!/usr/bin/env python3
"""Train the two robustml-operator reference models on Fashion-MNIST.

Produces two models of the SAME small CNN architecture:

* ``standard`` -- ordinary (clean) training with Adam.
* ``robust``   -- PGD adversarial training (Madry et al.) at L-inf eps=0.1.

Both are evaluated on the full 10k Fashion-MNIST test set (clean accuracy,
FGSM eps=0.1 accuracy, PGD-20 eps=0.1 step 0.01 random-start accuracy) and
exported as TorchScript (``.pt``) and ONNX (``.onnx``) files, and a
``metrics.json`` summary is written.

Model contract (relied upon by the Java model-server):
    input : float32 tensor [N, 1, 28, 28], pixel values in [0, 1]
            (ONNX input name ``input``, dynamic batch axis 0)
    output: float32 logits [N, 10]
            (ONNX output name ``logits``, dynamic batch axis 0)
    No normalisation outside the model, no dropout / batch-norm (so train
    and eval mode behave identically, e.g. for input-gradient computation).

Classes (Fashion-MNIST label order):
    0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat,
    5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot

Data: read from the Debian package ``dataset-fashion-mnist``
(``/usr/share/datasets/fashion-mnist/*-ubyte.gz``, idx format) with plain
gzip + numpy; nothing is downloaded at run time (override with --data-dir).

Usage (from the repository root; Debian's torch lives under /usr/bin/python3):

    /usr/bin/python3 model-server/training/train_fashion.py --out model-server/models

Options:
    --out DIR            output directory (default: model-server/models)
    --data-dir DIR       Fashion-MNIST idx directory
    --seed N             random seed (default 0)
    --std-epochs N       clean training epochs for 'standard' (default 5)
    --robust-epochs N    PGD adversarial-training epochs for 'robust'
    --robust-clean-epochs N  clean warm-up epochs before adversarial training
    --robust-subset N    number of training images used per adversarial epoch
                         (0 = all 60000)
    --only {standard,robust,both}
    --time-epoch         only time adversarial training on a small subset
                         and exit (used to size the budget)

Determinism: CPU only, one thread (torch.set_num_threads(1)), all seeds set,
torch.use_deterministic_algorithms(True).  Re-running with the same torch
version on the same CPU type is expected to give bit-identical weights.
"""

import argparse
import gzip
import hashlib
import json
import os
import random
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

EPS = 0.1
DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------
def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError("unsupported idx file %s (dtype 0x%02x)" % (path, dtype))
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims)


def load_split(data_dir, prefix):
    x = read_idx(os.path.join(data_dir, prefix + "-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(data_dir, prefix + "-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(x.astype(np.float32) / 255.0).unsqueeze(1)  # [N,1,28,28]
    y = torch.from_numpy(y.astype(np.int64))
    return x, y


# --------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------
class FashionCNN(nn.Module):
    """conv(1->16,3,p1)+ReLU+maxpool2 -> conv(16->32,3,p1)+ReLU+maxpool2
    -> fc(32*7*7 -> 100)+ReLU -> fc(100 -> 10).  Input in [0,1]."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 7 * 7, 100)
        self.fc2 = nn.Linear(100, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


ARCH = ("FashionCNN: Conv2d(1,16,3,pad=1)+ReLU+MaxPool2 -> Conv2d(16,32,3,pad=1)+ReLU+MaxPool2"
        " -> Linear(1568,100)+ReLU -> Linear(100,10); input [N,1,28,28] in [0,1], output logits [N,10]")


# --------------------------------------------------------------------------
# attacks
# --------------------------------------------------------------------------
def fgsm(model, x, y, eps):
    x = x.clone().requires_grad_(True)
    loss = F.cross_entropy(model(x), y)
    g, = torch.autograd.grad(loss, x)
    return (x + eps * g.sign()).clamp(0, 1).detach()


def pgd(model, x, y, eps, step, steps, gen):
    delta = (torch.rand(x.shape, generator=gen) * 2 - 1) * eps
    xa = (x + delta).clamp(0, 1)
    for _ in range(steps):
        xa.requires_grad_(True)
        loss = F.cross_entropy(model(xa), y)
        g, = torch.autograd.grad(loss, xa)
        xa = xa.detach() + step * g.sign()
        xa = torch.min(torch.max(xa, x - eps), x + eps).clamp(0, 1)
    return xa.detach()


# --------------------------------------------------------------------------
# train / eval
# --------------------------------------------------------------------------
def batches(n, bs, gen, shuffle=True):
    idx = torch.randperm(n, generator=gen) if shuffle else torch.arange(n)
    for i in range(0, n, bs):
        yield idx[i:i + bs]


def train_epoch(model, opt, x, y, bs, gen, adv=None):
    model.train()
    tot, correct, loss_sum = 0, 0, 0.0
    for b in batches(len(x), bs, gen):
        xb, yb = x[b], y[b]
        if adv is not None:
            xb = adv(model, xb, yb)
        out = model(xb)
        loss = F.cross_entropy(out, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += len(b)
        correct += (out.argmax(1) == yb).sum().item()
        loss_sum += loss.item() * len(b)
    return loss_sum / tot, correct / tot


def accuracy(model, x, y, attack=None, bs=500):
    model.eval()
    correct = 0
    for i in range(0, len(x), bs):
        xb, yb = x[i:i + bs], y[i:i + bs]
        if attack is not None:
            xb = attack(model, xb, yb)
        with torch.no_grad():
            correct += (model(xb).argmax(1) == yb).sum().item()
    return correct / len(x)


def evaluate(model, xt, yt, seed):
    gen = torch.Generator().manual_seed(seed + 1000)
    t = time.time()
    clean = accuracy(model, xt, yt)
    f = accuracy(model, xt, yt, lambda m, a, b: fgsm(m, a, b, EPS))
    p = accuracy(model, xt, yt, lambda m, a, b: pgd(m, a, b, EPS, 0.01, 20, gen))
    return {"clean_accuracy": clean, "fgsm_accuracy_eps0.1": f,
            "pgd20_accuracy_eps0.1": p, "eval_time_s": round(time.time() - t, 1)}


def seed_all(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train_standard(x, y, args, log):
    seed_all(args.seed)
    model = FashionCNN()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(args.seed)
    t0 = time.time()
    for ep in range(args.std_epochs):
        l, a = train_epoch(model, opt, x, y, 128, gen)
        log("[standard] epoch %d/%d loss %.4f train_acc %.4f (%.0fs)"
            % (ep + 1, args.std_epochs, l, a, time.time() - t0))
    recipe = ("Adam lr=1e-3, batch 128, %d epochs on all 60000 training images, clean cross-entropy"
              % args.std_epochs)
    return model, time.time() - t0, {"epochs": args.std_epochs, "recipe": recipe}


def train_robust(x, y, args, log):
    seed_all(args.seed)
    model = FashionCNN()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(args.seed)
    agen = torch.Generator().manual_seed(args.seed + 1)
    steps = 7
    step = 2.5 * EPS / steps
    adv = lambda m, a, b: pgd(m, a, b, EPS, step, steps, agen)
    n = args.robust_subset if args.robust_subset else len(x)
    recipe = ("%d clean warm-up epoch(s) (Adam lr=1e-3, batch 128, 60000 images), then %d epoch(s) of "
              "PGD adversarial training (Madry): each epoch %d training images drawn by a fresh random permutation, "
              "loss on adversarial examples only, PGD-%d L-inf eps=%.2f step=%.5f (2.5*eps/%d), "
              "uniform random start, clamp [0,1]; Adam lr=1e-3, batch 128"
              % (args.robust_clean_epochs, args.robust_epochs, n, steps, EPS, step, steps))
    t0 = time.time()
    for ep in range(args.robust_clean_epochs):
        l, a = train_epoch(model, opt, x, y, 128, gen)
        log("[robust] clean warm-up epoch %d/%d loss %.4f train_acc %.4f (%.0fs)"
            % (ep + 1, args.robust_clean_epochs, l, a, time.time() - t0))
    for ep in range(args.robust_epochs):
        sel = torch.randperm(len(x), generator=gen)[:n]
        l, a = train_epoch(model, opt, x[sel], y[sel], 128, gen, adv=adv)
        log("[robust] PGD-%d epoch %d/%d on %d images: adv loss %.4f adv train_acc %.4f (%.0fs)"
            % (steps, ep + 1, args.robust_epochs, n, l, a, time.time() - t0))
    return model, time.time() - t0, {"epochs": args.robust_clean_epochs + args.robust_epochs,
                                     "clean_epochs": args.robust_clean_epochs,
                                     "adversarial_epochs": args.robust_epochs,
                                     "adversarial_subset_per_epoch": n,
                                     "recipe": recipe}


# --------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------
def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export(model, name, out_dir, xt, log):
    model.eval()
    example = xt[:1].clone()
    pt = os.path.join(out_dir, "fashion-%s.pt" % name)
    onnx_path = os.path.join(out_dir, "fashion-%s.onnx" % name)
    traced = torch.jit.trace(model, example)
    traced.save(pt)
    torch.onnx.export(model, example, onnx_path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      do_constant_folding=True)
    # reload TorchScript and compare with the in-memory model
    loaded = torch.jit.load(pt)
    with torch.no_grad():
        xs = xt[:8]
        ref = model(xs)
        got = loaded(xs)
        diff = (ref - got).abs().max().item()
    log("[%s] TorchScript reload max |logit diff| on 8 test images: %.3g" % (name, diff))
    onnx_check = "not checked (python 'onnx' package not installed)"
    try:
        import onnx  # optional; export itself does not need it
        m = onnx.load(onnx_path)
        onnx.checker.check_model(m)
        onnx_check = "onnx.checker.check_model passed (onnx %s)" % onnx.__version__
    except ImportError:
        pass
    log("[%s] ONNX: %s" % (name, onnx_check))
    return {
        "files": {
            "torchscript": {"file": os.path.basename(pt), "sha256": sha256(pt),
                            "size_bytes": os.path.getsize(pt)},
            "onnx": {"file": os.path.basename(onnx_path), "sha256": sha256(onnx_path),
                     "size_bytes": os.path.getsize(onnx_path), "opset": 13,
                     "input_name": "input", "output_name": "logits", "dynamic_batch_axis": 0,
                     "check": onnx_check},
        },
        "torchscript_reload_max_abs_diff": diff,
        "first3_test_logits": ref[:3].tolist(),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="model-server/models")
    p.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--std-epochs", type=int, default=5)
    p.add_argument("--robust-clean-epochs", type=int, default=1)
    p.add_argument("--robust-epochs", type=int, default=4)
    p.add_argument("--robust-subset", type=int, default=0)
    p.add_argument("--only", choices=["standard", "robust", "both"], default="both")
    p.add_argument("--time-epoch", action="store_true")
    args = p.parse_args()

    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    deterministic = True
    try:
        torch.use_deterministic_algorithms(True)
    except Exception as e:  # pragma: no cover
        deterministic = "failed: %s" % e

    def log(msg):
        print(msg, flush=True)

    log("torch %s, numpy %s, threads %d, deterministic=%s"
        % (torch.__version__, np.__version__, torch.get_num_threads(), deterministic))
    x, y = load_split(args.data_dir, "train")
    xt, yt = load_split(args.data_dir, "t10k")
    log("train %s test %s" % (tuple(x.shape), tuple(xt.shape)))

    if args.time_epoch:
        seed_all(args.seed)
        model = FashionCNN()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        gen = torch.Generator().manual_seed(0)
        t = time.time()
        train_epoch(model, opt, x[:3000], y[:3000], 128, gen)
        tc = time.time() - t
        t = time.time()
        train_epoch(model, opt, x[:3000], y[:3000], 128, gen,
                    adv=lambda m, a, b: pgd(m, a, b, EPS, 2.5 * EPS / 7, 7, gen))
        ta = time.time() - t
        t = time.time()
        evaluate(model, xt[:1000], yt[:1000], 0)
        te = time.time() - t
        log("3000 imgs: clean epoch %.1fs, PGD-7 epoch %.1fs; eval on 1000 test imgs %.1fs" % (tc, ta, te))
        log("extrapolated: clean 60k epoch %.0fs, PGD-7 60k epoch %.0fs, full eval %.0fs"
            % (tc * 20, ta * 20, te * 10))
        return

    os.makedirs(args.out, exist_ok=True)
    metrics_path = os.path.join(args.out, "metrics.json")
    metrics = {}
    if os.path.exists(metrics_path) and args.only != "both":
        with open(metrics_path) as f:
            metrics = json.load(f)
    metrics.update({
        "dataset": "Fashion-MNIST (Debian dataset-fashion-mnist, %s)" % args.data_dir,
        "test_set_size": len(xt),
        "input": "float32 [N,1,28,28], pixels in [0,1] (raw uint8/255, no normalisation)",
        "output": "float32 logits [N,10]",
        "classes": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        "architecture": ARCH,
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "attacks": {"fgsm": "single step, L-inf eps=0.1, clamp [0,1]",
                    "pgd20": "20 steps, L-inf eps=0.1, step 0.01, uniform random start, clamp [0,1]"},
        "first3_test_labels": yt[:3].tolist(),
    })
    metrics.setdefault("models", {})

    trainers = {"standard": train_standard, "robust": train_robust}
    names = ["standard", "robust"] if args.only == "both" else [args.only]
    for name in names:
        model, train_time, info = trainers[name](x, y, args, log)
        ev = evaluate(model, xt, yt, args.seed)
        log("[%s] clean %.4f  FGSM(0.1) %.4f  PGD-20(0.1) %.4f  (train %.0fs, eval %.0fs)"
            % (name, ev["clean_accuracy"], ev["fgsm_accuracy_eps0.1"],
               ev["pgd20_accuracy_eps0.1"], train_time, ev["eval_time_s"]))
        ex = export(model, name, args.out, xt, log)
        entry = {"seed": args.seed, "torch_version": torch.__version__,
                 "training_time_s": round(train_time, 1), "threads": 1,
                 "deterministic_algorithms": deterministic}
        entry.update(info)
        entry.update(ev)
        entry.update(ex)
        metrics["models"][name] = entry
        with open(metrics_path, "w") as f:
            json.dump(metrics, f, indent=2)
            f.write("\n")
    log("wrote %s" % metrics_path)


if __name__ == "__main__":
    main()
