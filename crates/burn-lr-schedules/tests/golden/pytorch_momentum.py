#!/usr/bin/env python3
"""Computes the golden momentum tables that tests/momentum_golden.rs checks against.

Each case pairs a PyTorch OneCycleLR or CyclicLR (cycle_momentum=True) with the equivalent
`[schedule]` of this project and records, for t = 0, 1, ..., n-1, the learning rate and the
momentum in force for each optimizer step: SGD's param_groups[0]["momentum"], or Adam's
param_groups[0]["betas"][0]. Parameters are drawn from a seeded generator, so the file is
reproducible (kept apart from pytorch_golden.py so that neither's draws move the other's):

    pip install torch
    python3 crates/burn-lr-schedules/tests/golden/pytorch_momentum.py > crates/burn-lr-schedules/tests/golden/pytorch_momentum.json
"""
import json
import random

import torch
from torch.optim import SGD, Adam
from torch.optim import lr_scheduler as S


def optimizer(kind, lr):
    param = [torch.nn.Parameter(torch.zeros(1))]
    return SGD(param, lr=lr, momentum=0.9) if kind == "sgd" else Adam(param, lr=lr)


def momentum_of(opt):
    group = opt.param_groups[0]
    return group["betas"][0] if "betas" in group else group["momentum"]


def trace(opt, sched, n):
    """(lr, momentum) for each of the first n optimizer steps."""
    lrs, momentums = [], []
    for _ in range(n):
        lrs.append(opt.param_groups[0]["lr"])
        momentums.append(momentum_of(opt))
        opt.step()
        sched.step()
    return lrs, momentums


rng = random.Random(20261129)
cases = []


def case(name, pytorch, kind, schedule, traced):
    lrs, momentums = traced
    cases.append(dict(name=name, pytorch=pytorch, optimizer=kind, schedule=schedule, lrs=lrs,
                      momentums=momentums))


def momentum_range():
    base = round(rng.uniform(0.5, 0.9), 4)
    return base, round(rng.uniform(base, 0.999), 4)


for strategy in ["cos", "linear"]:
    for three_phase in [False, True]:
        for i, kind in enumerate(["sgd", "adam"]):
            max_lr, total = round(10 ** rng.uniform(-4, 0.5), 6), rng.randint(40, 600)
            pct = rng.uniform(0.1, 0.45)
            div, final_div = rng.choice([10.0, 25.0, 3.0]), rng.choice([1e4, 100.0, 1.0])
            # The first case of each shape keeps PyTorch's default momenta.
            base, top = (0.85, 0.95) if i == 0 else momentum_range()
            opt = optimizer(kind, max_lr)
            sched = S.OneCycleLR(opt, max_lr=max_lr, total_steps=total, pct_start=pct, div_factor=div,
                                 final_div_factor=final_div, anneal_strategy=strategy,
                                 three_phase=three_phase, base_momentum=base, max_momentum=top)
            schedule = dict(kind="one_cycle", max_lr=max_lr, total_steps=total, pct_start=pct,
                            div_factor=div, final_div_factor=final_div, anneal_strategy=strategy,
                            three_phase=three_phase)
            if i > 0:
                schedule.update(base_momentum=base, max_momentum=top)
            case(f"one_cycle_{strategy}_{'three' if three_phase else 'two'}_{kind}",
                 f"{kind}: OneCycleLR(max_lr={max_lr}, total_steps={total}, pct_start={pct}, div_factor={div}, "
                 f"final_div_factor={final_div}, anneal_strategy='{strategy}', three_phase={three_phase}, "
                 f"base_momentum={base}, max_momentum={top})",
                 kind, schedule, trace(opt, sched, total))

for mode in ["triangular", "triangular2", "exp_range"]:
    for i, kind in enumerate(["sgd", "adam"]):
        base_lr = round(10 ** rng.uniform(-4, 0.5), 6) / 10
        max_lr = base_lr * rng.uniform(2, 20)
        step = rng.randint(1, 80)
        gamma = rng.choice([0.99, 0.995, 0.999]) if mode == "exp_range" else 1.0
        base, top = (0.8, 0.9) if i == 0 else momentum_range()
        opt = optimizer(kind, base_lr)
        sched = S.CyclicLR(opt, base_lr=base_lr, max_lr=max_lr, step_size_up=step, step_size_down=step,
                           mode=mode, gamma=gamma, base_momentum=base, max_momentum=top)
        schedule = dict(kind="cyclical", base_lr=base_lr, max_lr=max_lr, step_size=step, mode=mode,
                        gamma=gamma)
        if i > 0:
            schedule.update(base_momentum=base, max_momentum=top)
        case(f"cyclical_{mode}_{kind}",
             f"{kind}: CyclicLR(base_lr={base_lr}, max_lr={max_lr}, step_size_up={step}, step_size_down={step}, "
             f"mode='{mode}', gamma={gamma}, base_momentum={base}, max_momentum={top})",
             kind, schedule, trace(opt, sched, 500))

# Warm-up in front of one-cycle: OneCycleLR sets the momentum when built, LinearLR leaves it.
for kind in ["sgd", "adam"]:
    max_lr, total, warm = round(10 ** rng.uniform(-4, 0.5), 6), rng.randint(40, 300), rng.randint(1, 40)
    factor = rng.uniform(0.01, 0.5)
    opt = optimizer(kind, max_lr)
    linear = S.LinearLR(opt, start_factor=factor, total_iters=warm)
    one_cycle = S.OneCycleLR(opt, max_lr=max_lr, total_steps=total)
    sched = S.SequentialLR(opt, [linear, one_cycle], milestones=[warm])
    # LinearLR ramps from the rate OneCycleLR left in the group, max_lr / 25.
    case(f"warmup_one_cycle_{kind}",
         f"{kind}: SequentialLR([LinearLR(start_factor={factor}, total_iters={warm}), "
         f"OneCycleLR(max_lr={max_lr}, total_steps={total})], milestones=[{warm}])",
         kind,
         dict(kind="warmup", warmup_steps=warm, start_lr=max_lr / 25 * factor,
              after=dict(kind="one_cycle", max_lr=max_lr, total_steps=total)),
         trace(opt, sched, warm + total))

print(json.dumps(dict(torch_version=torch.__version__, cases=cases), indent=1))
