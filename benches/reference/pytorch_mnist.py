#!/usr/bin/env python3
"""PyTorch reference for `experiments bench` and for accuracy comparisons.

The same networks as `experiments --model lenet | pytorch-example | mlp`, the same optimizers with the
same hyper-parameters, the same batch size and thread count.

  bench: train --warmup steps, then time --steps steps on random data already in memory (as the
         Burn side holds MNIST on the device), and print one line `images_per_second=X`.
  train: PyTorch's MNIST recipe on the real files (IDX, gzip) in --data-dir, printing the test
         accuracy after every epoch.

Needs only `torch` (CPU wheel: pip install torch --index-url https://download.pytorch.org/whl/cpu).
"""

import argparse
import gzip
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Lenet(nn.Module):
    """conv 5x5 24, pool, conv 3x3 32, pool, fc 800->256, fc 10: 215,194 parameters."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 24, 5)
        self.conv2 = nn.Conv2d(24, 32, 3)
        self.fc1 = nn.Linear(32 * 5 * 5, 256)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


class PytorchExample(nn.Module):
    """PyTorch's examples/mnist CNN: 1,199,882 parameters."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = self.dropout1(F.max_pool2d(x, 2))
        x = self.dropout2(F.relu(self.fc1(torch.flatten(x, 1))))
        return self.fc2(x)


class Mlp(nn.Module):
    """fc 784->256, fc 256->256, fc 10, ReLU between: 269,322 parameters."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 256)
        self.fc3 = nn.Linear(256, 10)

    def forward(self, x):
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc3(F.relu(self.fc2(x)))


MODELS = {"lenet": Lenet, "pytorch-example": PytorchExample, "mlp": Mlp}


def optimizer(name, params, lr):
    """The optimizers of experiments/src/optim.rs, same hyper-parameters."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, eps=1e-8)
    if name == "adadelta":
        return torch.optim.Adadelta(params, lr=lr)
    sys.exit(f"error: unknown optimizer {name}")


def bench(args):
    torch.manual_seed(0)
    device = torch.device(args.device)
    model = MODELS[args.model]().to(device)
    opt = optimizer(args.optimizer, model.parameters(), args.lr)
    x = torch.randn(args.batch_size, 1, 28, 28, device=device)
    y = torch.randint(0, 10, (args.batch_size,), device=device)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        # Read the loss back each step, as the Burn loop does for its metrics.
        return loss.item()

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = time.perf_counter() - start
    print(f"images_per_second={args.steps * args.batch_size / seconds:.1f}")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        t = torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8)
        return t.view(count, 1, rows, cols).float().div(255.0).sub(0.1307).div(0.3081)
    return torch.frombuffer(bytearray(data[8:]), dtype=torch.uint8).long()


def train(args):
    d = args.data_dir
    xs, ys = read_idx(f"{d}/train-images-idx3-ubyte.gz"), read_idx(f"{d}/train-labels-idx1-ubyte.gz")
    xt, yt = read_idx(f"{d}/t10k-images-idx3-ubyte.gz"), read_idx(f"{d}/t10k-labels-idx1-ubyte.gz")
    torch.manual_seed(args.seed)
    model = MODELS[args.model]()
    opt = optimizer(args.optimizer, model.parameters(), args.lr)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        model.train()
        start = time.perf_counter()
        for idx in torch.randperm(len(xs)).split(args.batch_size):
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(xs[idx]), ys[idx]).backward()
            opt.step()
        seconds = time.perf_counter() - start
        sched.step()
        model.eval()
        with torch.no_grad():
            correct = sum(
                (model(xt[i : i + 1000]).argmax(1) == yt[i : i + 1000]).sum().item()
                for i in range(0, len(xt), 1000)
            )
        print(
            f"epoch {epoch}: test accuracy {correct / len(xt):.4f}, "
            f"{len(xs) / seconds:.0f} images/s",
            flush=True,
        )


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["bench", "train"])
    p.add_argument("--model", choices=list(MODELS), default="lenet")
    p.add_argument("--optimizer", default="adam")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--data-dir", default="../shared/mnist")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--gamma", type=float, default=0.7)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--device", default="cpu", help="cpu, or cuda for the GPU check")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    bench(args) if args.mode == "bench" else train(args)


if __name__ == "__main__":
    main()
