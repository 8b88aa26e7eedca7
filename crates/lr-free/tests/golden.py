"""Golden trajectories for crates/lr-free, from the reference implementations, in float64.

    python3 -m venv venv && venv/bin/pip install torch schedulefree==1.4.1 prodigyopt==1.1.2 dadaptation==3.2
    venv/bin/python crates/lr-free/tests/golden.py crates/lr-free/tests/golden.json

Two fixed problems: a linear regression (5 inputs, bias, mean squared error, full batch) and a
two-layer tanh MLP (4 -> 8 -> 3, cross-entropy, batches of 16 rows taken in turn). Each case
records every parameter after every step (PyTorch's layout: a Linear weight is [out, in]), the
optimizer's estimate (d, or schedule-free's averaging weight c), and for schedule-free the
evaluation weights x after the last step.
"""
import json
import math
import sys

import dadaptation
import prodigyopt
import schedulefree
import torch

torch.set_default_dtype(torch.float64)
STEPS = 100


def linear_problem():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(32, 5, generator=g)
    w = torch.tensor([[0.5, -1.0, 2.0, 0.0, 1.5]])
    y = x @ w.T + 0.3 + 0.1 * torch.randn(32, 1, generator=g)
    model = torch.nn.Linear(5, 1)
    with torch.no_grad():
        model.weight.copy_(0.1 * torch.randn(1, 5, generator=g))
        model.bias.fill_(0.0)
    return {"x": x, "y": y}, model, lambda m, t: torch.mean((m(x) - y) ** 2)


def mlp_problem():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(48, 4, generator=g)
    labels = (x[:, 0] + x[:, 1] * x[:, 2] > 0).long() + (x[:, 3] > 0.5).long()
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(0.5 * torch.randn(p.shape, generator=g))

    def loss(m, t):
        rows = slice((t % 3) * 16, (t % 3) * 16 + 16)
        return torch.nn.functional.cross_entropy(m(x[rows]), labels[rows])

    return {"x": x, "labels": labels}, model, loss


def cosine(t):
    return 0.5 * (1 + math.cos(math.pi * t / STEPS))


def warmup_linear(t):
    return min(1.0, (t + 1) / 20)


MULTIPLIERS = {"constant": lambda t: 1.0, "cosine": cosine, "warmup": warmup_linear}

# (name, problem, optimizer, settings, lr, multiplier)
CASES = [
    ("sf-sgd-linear", "linear", "sf-sgd", {}, 0.05, "constant"),
    ("sf-sgd-mlp", "mlp", "sf-sgd", {"momentum": 0.8, "weight_decay": 1e-3, "warmup_steps": 10, "r": 0.5}, 0.5, "cosine"),
    ("sf-adamw-linear", "linear", "sf-adamw", {"warmup_steps": 5}, 0.01, "constant"),
    ("sf-adamw-mlp", "mlp", "sf-adamw", {"weight_decay": 0.01, "warmup_steps": 10, "weight_lr_power": 1.0}, 0.01, "cosine"),
    ("prodigy-linear", "linear", "prodigy", {}, 1.0, "constant"),
    ("prodigy-mlp", "mlp", "prodigy", {"weight_decay": 0.01}, 1.0, "cosine"),
    ("prodigy-mlp-coupled", "mlp", "prodigy", {"weight_decay": 1e-3, "decouple": False, "use_bias_correction": True, "safeguard_warmup": True, "d_coef": 0.5, "growth_rate": 1.15}, 1.0, "warmup"),
    ("prodigy-mlp-no-momentum", "mlp", "prodigy", {"betas": (0.0, 0.99), "beta3": 0.95}, 0.5, "constant"),
    ("dadapt-adam-linear", "linear", "dadapt-adam", {}, 1.0, "constant"),
    ("dadapt-adam-mlp", "mlp", "dadapt-adam", {"weight_decay": 1e-3, "decouple": True, "use_bias_correction": True}, 1.0, "cosine"),
    ("dadapt-sgd-linear", "linear", "dadapt-sgd", {}, 1.0, "constant"),
    ("dadapt-sgd-mlp", "mlp", "dadapt-sgd", {"momentum": 0.9, "weight_decay": 1e-4, "growth_rate": 1.2}, 1.0, "cosine"),
]


def make(kind, params, settings, lr):
    if kind == "sf-sgd":
        return schedulefree.SGDScheduleFree(params, lr=lr, **settings)
    if kind == "sf-adamw":
        return schedulefree.AdamWScheduleFree(params, lr=lr, **settings)
    if kind == "prodigy":
        return prodigyopt.Prodigy(params, lr=lr, **settings)
    if kind == "dadapt-adam":
        return dadaptation.DAdaptAdam(params, lr=lr, **settings)
    if kind == "dadapt-sgd":
        return dadaptation.DAdaptSGD(params, lr=lr, **settings)
    raise ValueError(kind)


def flat(model):
    return [p.detach().flatten().tolist() for p in model.parameters()]


def estimate(kind, opt):
    group = opt.param_groups[0]
    if kind.startswith("sf-"):
        k = group["k"]
        weight = k ** group["r"] * group["lr_max"] ** group["weight_lr_power"]
        return weight / group["weight_sum"]
    return group["d"]


def run(case):
    name, problem, kind, settings, lr, multiplier = case
    data, model, loss_of = {"linear": linear_problem, "mlp": mlp_problem}[problem]()
    initial = flat(model)
    opt = make(kind, model.parameters(), settings, lr)
    if kind.startswith("sf-"):
        opt.train()
    rates, params, estimates, losses = [], [], [], []
    for t in range(STEPS):
        rate = lr * MULTIPLIERS[multiplier](t)
        for group in opt.param_groups:
            group["lr"] = rate
        opt.zero_grad()
        loss = loss_of(model, t)
        loss.backward()
        opt.step()
        rates.append(rate)
        losses.append(loss.item())
        params.append(flat(model))
        estimates.append(estimate(kind, opt))
    out = {
        "name": name, "problem": problem, "optimizer": kind,
        "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()},
        "rates": rates, "initial": initial, "params": params, "estimates": estimates, "losses": losses,
    }
    if kind.startswith("sf-"):
        opt.eval()
        out["x"] = flat(model)
    return out


def main():
    problems = {}
    for name, make_problem in [("linear", linear_problem), ("mlp", mlp_problem)]:
        data, _, _ = make_problem()
        problems[name] = {k: v.tolist() for k, v in data.items()}
    cases = [run(c) for c in CASES]
    # (Prodigy and D-Adaptation print a line about decoupled weight decay; the file is an argument.)
    json.dump({
        "versions": {"torch": torch.__version__, "schedulefree": "1.4.1", "prodigyopt": "1.1.2", "dadaptation": "3.2"},
        "steps": STEPS, "problems": problems, "cases": cases,
    }, open(sys.argv[1], "w"), separators=(",", ":"))


main()
