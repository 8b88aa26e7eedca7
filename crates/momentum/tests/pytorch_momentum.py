#!/usr/bin/env python3
"""Golden trajectories for `tests/pytorch_parity.rs`: torch.optim.SGD and torch.optim.Adam/AdamW
in float64, with the momentum (SGD's `momentum`, Adam's `betas[0]`) and the learning rate set on
the param group before every step, as a momentum-cycling scheduler does.

    python3 crates/momentum/tests/pytorch_momentum.py > crates/momentum/tests/pytorch_momentum.json

Each case starts from PARAM0, applies the five gradients of GRADS (one per step) and records the
parameter after every step.
"""
import json

import torch

torch.set_default_dtype(torch.float64)

PARAM0 = [0.5, -1.25, 2.0, -0.75, 0.125, 3.0]
GRADS = [
    [0.1, -0.2, 0.3, -0.4, 0.5, 0.0],
    [-0.05, 0.6, 0.25, 1.5, -0.3, 0.01],
    [0.7, -0.1, -0.35, 0.2, 0.05, -2.0],
    [0.02, 0.03, 0.4, -0.9, 1.2, 0.5],
    [-0.6, 0.45, -0.15, 0.0, -0.8, 0.25],
]
LRS = [0.1, 0.2, 0.1, 0.05, 0.1]

# name, optimizer, constructor kwargs, momentum (or beta1) of each step.
CASES = [
    ("sgd", "SGD", dict(momentum=0.9), [0.95, 0.85, 0.9, 0.8, 0.9]),
    # A step at momentum 0 is plain SGD and leaves the buffer alone.
    ("sgd_zero_step", "SGD", dict(momentum=0.9), [0.95, 0.85, 0.0, 0.8, 0.9]),
    ("sgd_nesterov_decay", "SGD", dict(momentum=0.9, nesterov=True, weight_decay=0.01),
     [0.9, 0.8, 0.85, 0.95, 0.9]),
    ("adam", "Adam", dict(), [0.95, 0.9, 0.85, 0.9, 0.95]),
    ("adam_l2", "Adam", dict(weight_decay=0.01), [0.85, 0.9, 0.95, 0.9, 0.85]),
    ("adamw", "AdamW", dict(weight_decay=0.01), [0.95, 0.9, 0.85, 0.9, 0.95]),
]


def run(name, kwargs, momenta):
    param = torch.nn.Parameter(torch.tensor(PARAM0))
    optim = getattr(torch.optim, name)([param], lr=LRS[0], foreach=False, **kwargs)
    trajectory = []
    for grad, lr, m in zip(GRADS, LRS, momenta, strict=True):
        for group in optim.param_groups:
            group["lr"] = lr
            if "betas" in group:
                group["betas"] = (m, group["betas"][1])
            else:
                group["momentum"] = m
        param.grad = torch.tensor(grad)
        optim.step()
        trajectory.append(param.detach().tolist())
    return trajectory


cases = [dict(name=n, optimizer=o, kwargs=k, momenta=m, params=run(o, k, m)) for n, o, k, m in CASES]
print(json.dumps(dict(torch_version=torch.__version__, param0=PARAM0, grads=GRADS, lrs=LRS,
                      cases=cases), indent=1))
