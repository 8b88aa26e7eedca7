#!/usr/bin/env python3
"""Computes the golden learning-rate tables that tests/pytorch_golden.rs checks against.

Each case pairs a PyTorch scheduler with the equivalent `[schedule]` of this project and
records the learning rate PyTorch gives at t = 0, 1, ..., n-1 (or, for ReduceLROnPlateau, after
each reported metric). Parameters are drawn from a seeded generator, so the file is
reproducible:

    pip install torch transformers timm
    python3 crates/burn-lr-schedules/tests/golden/pytorch_golden.py > crates/burn-lr-schedules/tests/golden/pytorch.json
"""
import json
import math
import random

import torch
from torch.optim import SGD
from torch.optim import lr_scheduler as S


def optimizer(lr):
    return SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def trace(opt, sched, n):
    """lr(0..n-1): the rate in force for each optimizer step."""
    lrs = []
    for _ in range(n):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


rng = random.Random(20261128)
cases = []


def case(name, pytorch, schedule, lrs, **extra):
    cases.append(dict(name=name, pytorch=pytorch, schedule=schedule, lrs=lrs, **extra))


def lr_value():
    return round(10 ** rng.uniform(-4, 0.5), 6)


for i in range(3):
    lr, gamma, step = lr_value(), rng.choice([0.1, 0.5, 0.7, 0.95]), rng.randint(1, 40)
    opt = optimizer(lr)
    case(f"step_{i}", f"StepLR(step_size={step}, gamma={gamma})",
         dict(kind="step", initial_lr=lr, gamma=gamma, step_size=step),
         trace(opt, S.StepLR(opt, step_size=step, gamma=gamma), 300))

for i in range(3):
    lr, gamma = lr_value(), rng.choice([0.1, 0.2, 0.5])
    ms = sorted(rng.sample(range(1, 250), rng.randint(1, 5)))
    opt = optimizer(lr)
    case(f"multistep_{i}", f"MultiStepLR(milestones={ms}, gamma={gamma})",
         dict(kind="multistep", initial_lr=lr, gamma=gamma, milestones=ms),
         trace(opt, S.MultiStepLR(opt, milestones=ms, gamma=gamma), 300))

for i in range(2):
    lr, gamma = lr_value(), rng.choice([0.99, 0.995, 0.9])
    opt = optimizer(lr)
    case(f"exponential_{i}", f"ExponentialLR(gamma={gamma})",
         dict(kind="exponential", initial_lr=lr, decay_rate=-math.log(gamma)),
         trace(opt, S.ExponentialLR(opt, gamma=gamma), 300))

for i in range(2):
    lr, sf, ef, total = lr_value(), rng.uniform(0.05, 1.0), rng.uniform(0.0, 1.0), rng.randint(5, 200)
    opt = optimizer(lr)
    case(f"linear_{i}", f"LinearLR(start_factor={sf}, end_factor={ef}, total_iters={total})",
         dict(kind="linear", start_lr=lr * sf, end_lr=lr * ef, total_steps=total),
         trace(opt, S.LinearLR(opt, start_factor=sf, end_factor=ef, total_iters=total), 250))

for i in range(2):
    lr, power, total = lr_value(), rng.choice([0.5, 1.0, 2.0, 3.0]), rng.randint(10, 200)
    opt = optimizer(lr)
    case(f"polynomial_{i}", f"PolynomialLR(total_iters={total}, power={power})",
         dict(kind="polynomial", initial_lr=lr, power=power, total_steps=total),
         trace(opt, S.PolynomialLR(opt, total_iters=total, power=power), total + 1))

for i in range(3):
    lr, t_max = lr_value(), rng.randint(5, 300)
    eta_min = 0.0 if i == 0 else round(lr * rng.uniform(0.0, 0.5), 8)
    opt = optimizer(lr)
    case(f"cosine_{i}", f"CosineAnnealingLR(T_max={t_max}, eta_min={eta_min})",
         dict(kind="cosine", max_lr=lr, min_lr=eta_min, total_steps=t_max),
         trace(opt, S.CosineAnnealingLR(opt, T_max=t_max, eta_min=eta_min), t_max + 1))

for i, t_mult in enumerate([1, 2, 3]):
    lr, t0 = lr_value(), rng.randint(1, 60)
    eta_min = round(lr * rng.uniform(0.0, 0.3), 8)
    opt = optimizer(lr)
    case(f"cosine_restarts_{i}", f"CosineAnnealingWarmRestarts(T_0={t0}, T_mult={t_mult}, eta_min={eta_min})",
         dict(kind="cosine_restarts", max_lr=lr, min_lr=eta_min, first_cycle_steps=t0, cycle_mult=t_mult),
         trace(opt, S.CosineAnnealingWarmRestarts(opt, T_0=t0, T_mult=t_mult, eta_min=eta_min), 400))

for mode in ["triangular", "triangular2", "exp_range"]:
    for i in range(2):
        base = lr_value() / 10
        max_lr = base * rng.uniform(2, 20)
        step = rng.randint(1, 80)
        gamma = rng.choice([0.99, 0.995, 0.999]) if mode == "exp_range" else 1.0
        opt = optimizer(base)
        sched = S.CyclicLR(opt, base_lr=base, max_lr=max_lr, step_size_up=step, step_size_down=step,
                           mode=mode, gamma=gamma, cycle_momentum=False)
        case(f"cyclical_{mode}_{i}",
             f"CyclicLR(base_lr={base}, max_lr={max_lr}, step_size_up={step}, step_size_down={step}, mode='{mode}', gamma={gamma})",
             dict(kind="cyclical", base_lr=base, max_lr=max_lr, step_size=step, mode=mode, gamma=gamma),
             trace(opt, sched, 500))

for strategy in ["cos", "linear"]:
    for three_phase in [False, True]:
        for i in range(2):
            max_lr, total = lr_value(), rng.randint(40, 600)
            pct = rng.uniform(0.1, 0.45)
            div, final_div = rng.choice([10.0, 25.0, 3.0]), rng.choice([1e4, 100.0, 1.0])
            opt = optimizer(max_lr)
            sched = S.OneCycleLR(opt, max_lr=max_lr, total_steps=total, pct_start=pct, div_factor=div,
                                 final_div_factor=final_div, anneal_strategy=strategy,
                                 three_phase=three_phase, cycle_momentum=False)
            case(f"one_cycle_{strategy}_{'three' if three_phase else 'two'}_{i}",
                 f"OneCycleLR(max_lr={max_lr}, total_steps={total}, pct_start={pct}, div_factor={div}, "
                 f"final_div_factor={final_div}, anneal_strategy='{strategy}', three_phase={three_phase})",
                 dict(kind="one_cycle", max_lr=max_lr, total_steps=total, pct_start=pct, div_factor=div,
                      final_div_factor=final_div, anneal_strategy=strategy, three_phase=three_phase),
                 trace(opt, sched, total))

for i in range(2):
    lr, sf, warm, t_max = lr_value(), rng.uniform(0.0, 0.5), rng.randint(1, 50), rng.randint(20, 200)
    opt = optimizer(lr)
    sched = S.SequentialLR(opt, [S.LinearLR(opt, start_factor=max(sf, 1e-8), end_factor=1.0, total_iters=warm),
                                 S.CosineAnnealingLR(opt, T_max=t_max)], milestones=[warm])
    case(f"warmup_cosine_{i}",
         f"SequentialLR([LinearLR(start_factor={max(sf, 1e-8)}, total_iters={warm}), CosineAnnealingLR(T_max={t_max})], milestones=[{warm}])",
         dict(kind="warmup", warmup_steps=warm, start_lr=lr * max(sf, 1e-8),
              after=dict(kind="cosine", max_lr=lr, total_steps=t_max)),
         trace(opt, sched, warm + t_max + 1))

for i, (mode, th_mode) in enumerate([("min", "rel"), ("min", "abs"), ("max", "rel"), ("max", "abs")]):
    lr = lr_value()
    params = dict(mode=mode, factor=rng.choice([0.1, 0.5, 0.3]), patience=rng.randint(0, 4),
                  threshold=rng.choice([1e-4, 1e-2, 0.05]), threshold_mode=th_mode,
                  cooldown=rng.randint(0, 3), min_lr=lr * rng.choice([0.0, 1e-3, 0.05]))
    opt = optimizer(lr)
    sched = S.ReduceLROnPlateau(opt, **params)
    # A noisy metric that improves, then stalls: every branch of the rule is taken.
    metrics, lrs, level = [], [], 1.0
    for epoch in range(120):
        level *= 0.97 if epoch < 30 else 1.0
        m = level * (1 + rng.uniform(-0.03, 0.03))
        m = m if mode == "min" else 1 - m
        metrics.append(m)
        sched.step(m)
        lrs.append(opt.param_groups[0]["lr"])
    case(f"plateau_{mode}_{th_mode}", f"ReduceLROnPlateau({params})",
         dict(kind="plateau", initial_lr=lr, **params), lrs, metrics=metrics)

# Cases below were appended later: the seeded draws of the cases above stay as they were.

from transformers import get_inverse_sqrt_schedule  # noqa: E402
import transformers  # noqa: E402
from timm.scheduler import CosineLRScheduler  # noqa: E402
import timm  # noqa: E402

# Hugging Face's inverse square root, a LambdaLR over the optimizer's rate; warmup_steps = 0 and
# an explicit timescale (also below warmup_steps) included.
for i, (warm, timescale) in enumerate([(None, None), (None, "draw"), (0, None), (0, "draw"), (None, "small")]):
    lr = lr_value()
    warm = rng.randint(1, 200) if warm is None else warm
    if timescale == "draw":
        timescale = rng.randint(1, 2000)
    elif timescale == "small":
        timescale = rng.randint(1, max(1, warm // 2))
    opt = optimizer(lr)
    schedule = dict(kind="inverse_sqrt", peak_lr=lr, warmup_steps=warm)
    if timescale is not None:
        schedule["timescale"] = timescale
    case(f"inverse_sqrt_{i}",
         f"transformers {transformers.__version__} get_inverse_sqrt_schedule(num_warmup_steps={warm}, timescale={timescale})",
         schedule, trace(opt, get_inverse_sqrt_schedule(opt, num_warmup_steps=warm, timescale=timescale), 600))

# REX has no library implementation: the paper's own form of the factor,
# (1 − z) / (½ + ½(1 − z)), an independent rewriting of the crate's (1 − p) / (1 − p/2).
for i in range(3):
    max_lr, total = lr_value(), rng.randint(1, 400)
    min_lr = 0.0 if i == 0 else round(max_lr * rng.uniform(0.0, 0.5), 8)

    def rex(t):
        z = min(t, total) / total
        return min_lr + (max_lr - min_lr) * ((1 - z) / (0.5 + 0.5 * (1 - z)))

    case(f"rex_{i}", f"REX formula (Chen et al. 2022), total_steps={total}",
         dict(kind="rex", max_lr=max_lr, min_lr=min_lr, total_steps=total),
         [rex(t) for t in range(total + 50)])

# timm's CosineLRScheduler, stepped once per step with t_in_epochs. cycle_mul = 3 stops before
# t = 121·t_initial, where timm's floating-point cycle index (a logarithm) puts a cycle start in
# the cycle before; cycle_mul 1 and 2 agree with the integer cycles for these lengths.
for i, (mul, limit) in enumerate([(1, 1), (1, 3), (1, None), (2, 2), (2, None), (3, None)]):
    lr, t0 = lr_value(), rng.randint(1, 60)
    lr_min = round(lr * rng.uniform(0.0, 0.3), 8)
    decay = rng.choice([1.0, 0.5, 0.8, 0.95, 0.3])
    n = min(500, 121 * t0 - 1)
    opt = optimizer(lr)
    sched = CosineLRScheduler(opt, t_initial=t0, lr_min=lr_min, cycle_mul=mul, cycle_decay=decay,
                              cycle_limit=limit if limit is not None else 10**9, warmup_t=0,
                              t_in_epochs=True)
    lrs = []
    for t in range(n):
        sched.step(t)
        lrs.append(opt.param_groups[0]["lr"])
    schedule = dict(kind="cosine_restarts", max_lr=lr, min_lr=lr_min, first_cycle_steps=t0,
                    cycle_mult=mul, cycle_decay=decay)
    if limit is not None:
        schedule["cycle_limit"] = limit
    case(f"timm_cosine_restarts_{i}",
         f"timm {timm.__version__} CosineLRScheduler(t_initial={t0}, lr_min={lr_min}, cycle_mul={mul}, "
         f"cycle_decay={decay}, cycle_limit={limit or 'unlimited'})",
         schedule, lrs)

print(json.dumps(dict(torch_version=torch.__version__, cases=cases), indent=1))
