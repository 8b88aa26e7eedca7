"""The reference optimizers at their defaults on MNIST, for the comparison in docs/optimizers.md:
lenet (benches/reference/pytorch_mnist.py's, PyTorch's initialisation), 94 steps of batch 128
over the first 55,000 training images in a seeded order, validation accuracy on the last 5,000
(the experiment's split), for seeds 1-3.

    venv/bin/python crates/lr-free/tests/mnist_reference.py --data-dir ../shared/mnist
"""
import argparse
import os
import sys

import dadaptation
import prodigyopt
import schedulefree
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../benches/reference"))
from pytorch_mnist import Lenet, read_idx  # noqa: E402

OPTIMIZERS = {
    "schedule-free-sgd": lambda p: schedulefree.SGDScheduleFree(p),
    "schedule-free-adamw": lambda p: schedulefree.AdamWScheduleFree(p),
    "prodigy": lambda p: prodigyopt.Prodigy(p),
    "dadapt-adam": lambda p: dadaptation.DAdaptAdam(p),
    "dadapt-sgd": lambda p: dadaptation.DAdaptSGD(p),
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data-dir", default="../shared/mnist")
    p.add_argument("--steps", type=int, default=94)
    p.add_argument("--seeds", type=int, default=3)
    args = p.parse_args()
    torch.set_num_threads(2)
    xs = read_idx(f"{args.data_dir}/train-images-idx3-ubyte.gz")
    ys = read_idx(f"{args.data_dir}/train-labels-idx1-ubyte.gz")
    xt, yt, xv, yv = xs[:55000], ys[:55000], xs[55000:], ys[55000:]
    for name, make in OPTIMIZERS.items():
        accuracies = []
        for seed in range(1, args.seeds + 1):
            torch.manual_seed(seed)
            model = Lenet()
            opt = make(model.parameters())
            if hasattr(opt, "train"):
                opt.train()
            order = torch.randperm(len(xt))
            for step in range(args.steps):
                idx = order[step * 128 : (step + 1) * 128]
                opt.zero_grad(set_to_none=True)
                F.cross_entropy(model(xt[idx]), yt[idx]).backward()
                opt.step()
            if hasattr(opt, "eval"):
                opt.eval()
            with torch.no_grad():
                correct = sum((model(xv[i : i + 1000]).argmax(1) == yv[i : i + 1000]).sum().item() for i in range(0, 5000, 1000))
            accuracies.append(correct / 5000)
        print(name, " ".join(f"{a:.4f}" for a in accuracies), flush=True)


main()
