#!/usr/bin/env python3
"""The peer of SquareVersusArtBenchmark: ART's SquareAttack (L-inf, untargeted) on a TorchScript model.

Reads the first --n Fashion-MNIST test images (idx files, pixels / 255), wraps the model in ART's
PyTorchClassifier (logits, clip_values [0, 1]) and runs SquareAttack(norm=inf, eps, max_iter, p_init,
nb_restarts) once per seed (numpy's global generator seeded, as ART draws from it). Prints one JSON line
per seed: the success rate over the images the model classifies correctly, and their count.

    python art_square.py --model fashion-standard.pt --data /usr/share/datasets/fashion-mnist \
        --n 500 --eps 0.1 --max-iter 100 --p-init 0.8 --seeds 0 1 2
"""
import argparse
import gzip
import json
import os

import numpy as np
import torch
from art.attacks.evasion import SquareAttack
from art.estimators.classification import PyTorchClassifier


def idx(path, offset):
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--n", type=int, default=500)
    p.add_argument("--eps", type=float, default=0.1)
    p.add_argument("--max-iter", type=int, default=100)
    p.add_argument("--p-init", type=float, default=0.8)
    p.add_argument("--restarts", type=int, default=1)
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    a = p.parse_args()
    torch.set_num_threads(1)
    x = idx(os.path.join(a.data, "t10k-images-idx3-ubyte.gz"), 16).reshape(-1, 1, 28, 28)[:a.n].astype(np.float32) / 255
    y = idx(os.path.join(a.data, "t10k-labels-idx1-ubyte.gz"), 8)[:a.n].astype(np.int64)
    model = torch.jit.load(a.model).eval()
    classifier = PyTorchClassifier(model=model, loss=torch.nn.CrossEntropyLoss(), input_shape=(1, 28, 28), nb_classes=10,
                                   clip_values=(0.0, 1.0))
    clean = classifier.predict(x, batch_size=a.n).argmax(1)
    right = clean == y
    for seed in a.seeds:
        np.random.seed(seed)
        attack = SquareAttack(estimator=classifier, norm=np.inf, eps=a.eps, max_iter=a.max_iter, p_init=a.p_init,
                              nb_restarts=a.restarts, batch_size=a.n, verbose=False)
        adv = attack.generate(x[right], y=y[right])
        fooled = classifier.predict(adv, batch_size=a.n).argmax(1) != y[right]
        assert np.all(np.abs(adv - x[right]) <= a.eps + 1e-6)
        print(json.dumps({"seed": seed, "correct": int(right.sum()), "success": float(fooled.mean())}), flush=True)


if __name__ == "__main__":
    main()
