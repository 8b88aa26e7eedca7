"""Golden values for tests/golden.rs: SciPy 1.17 where it computes the quantity exactly, brute
force over every sign assignment where ties, zeros or infinities make SciPy's exact table
inapplicable. Run with a Python that has scipy and numpy: python golden.py > golden.json"""

import itertools
import json
import math

import numpy as np
from scipy import stats


def midranks(a):
    return stats.rankdata(a)  # average ranks for ties


def wilcoxon_brute(d):
    """Exact two-sided p of W+ over all sign assignments of the midranks (zeros dropped)."""
    d = [x for x in d if x != 0]
    n = len(d)
    mags = [abs(x) for x in d]
    # Infinite magnitudes are the largest, tied among themselves.
    big = max([m for m in mags if math.isfinite(m)], default=0) + 1
    ranks = midranks([m if math.isfinite(m) else big for m in mags])
    w = sum(r for r, x in zip(ranks, d) if x > 0)
    le = ge = 0
    for signs in itertools.product([0, 1], repeat=n):
        s = sum(r for r, b in zip(ranks, signs) if b)
        le += s <= w + 1e-9
        ge += s >= w - 1e-9
    total = 2 ** n
    return min(1.0, 2 * min(le, ge) / total), w


def sign_flip_brute(d):
    n = len(d)
    obs = abs(sum(d) / n)
    hits = 0
    for signs in itertools.product([1, -1], repeat=n):
        m = abs(sum(s * x for s, x in zip(signs, d)) / n)
        hits += m >= obs * (1 - 1e-12)
    return hits / 2 ** n


def kendall_w(scores):
    m = len(scores)
    n = len(scores[0])
    ranks = [stats.rankdata([-x for x in row]) for row in scores]
    totals = np.sum(ranks, axis=0)
    s = float(np.sum((totals - totals.mean()) ** 2))
    ties = 0.0
    for row in scores:
        _, counts = np.unique(row, return_counts=True)
        ties += float(np.sum(counts ** 3 - counts))
    return 12 * s / (m * m * (n ** 3 - n) - m * ties)


def holm(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    running = 0.0
    for k, i in enumerate(order):
        running = max(running, min(1.0, (m - k) * p[i]))
        out[i] = running
    return out


no_ties = [
    [1.2, -0.4, 2.3, 0.7, 1.9, -0.1, 0.5, 3.1],
    [0.31, 0.12, -0.52, 0.93, 0.44, 0.27, -0.08, 0.65, 0.71, 0.19],
    [-1.0, -2.0, -3.0, -4.0, -5.0, -6.0, -7.0, -8.0, -9.0, -10.0],
    [0.5, -0.25, 0.125, 1.5, -2.5, 3.25, 0.75, -0.6, 1.1, 2.2, -0.9, 0.33],
]
ties = [
    [1.0, 1.0, -1.0, 2.0, 2.0, 0.0, 3.0],
    [0.5, 0.5, 0.5, -0.5, 1.5, 1.5, 0.0, 0.0, 2.0],
    [float("inf"), 1.0, -2.0, float("inf"), 3.0, 0.5],
    [float("-inf"), float("-inf"), -1.0, 0.2, -0.3, -0.4, 0.0, -0.7],
]
cases = {"wilcoxon": [], "sign_flip": [], "t": [], "holm": [], "kendall_w": [], "tau_b": []}
for d in no_ties:
    r = stats.wilcoxon(d, method="exact")
    p_brute, w = wilcoxon_brute(d)
    assert abs(r.pvalue - p_brute) < 1e-12, (d, r.pvalue, p_brute)
    cases["wilcoxon"].append({"d": d, "p": p_brute, "w_plus": w, "source": "scipy exact = brute force"})
for d in ties:
    p_brute, w = wilcoxon_brute(d)
    cases["wilcoxon"].append({"d": [x if math.isfinite(x) else ("inf" if x > 0 else "-inf") for x in d], "p": p_brute, "w_plus": w, "source": "brute force over the midranks"})
for d in no_ties[:2] + [[0.3, 0.1, -0.2, 0.4, 0.5, -0.05, 0.25]]:
    cases["sign_flip"].append({"d": d, "p": sign_flip_brute(d)})
for v in [[1.0, 2.0, 3.0], [0.5, 0.7, 0.2, 0.9, 1.4], no_ties[3]]:
    n = len(v)
    mean = float(np.mean(v))
    se = float(np.std(v, ddof=1)) / math.sqrt(n)
    q = float(stats.t.ppf(0.975, n - 1))
    cases["t"].append({"v": v, "mean": mean, "low": mean - q * se, "high": mean + q * se})
for p in [[0.01, 0.04, 0.03, 0.5], [0.2, 0.001, 0.04, 0.04, 0.9]]:
    cases["holm"].append({"p": p, "adjusted": holm(p)})
for scores in [
    [[1, 2, 3, 4], [1, 3, 2, 4], [2, 1, 3, 4]],
    [[90.1, 89.5, 89.5, 88.0, 91.0], [85.0, 86.0, 84.0, 84.0, 87.5], [99.0, 98.9, 99.1, 98.0, 99.2]],
]:
    cases["kendall_w"].append({"scores": scores, "w": kendall_w(scores)})
for x, y in [([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), ([1, 1, 2, 3, 3, 4], [1, 2, 2, 3, 4, 4])]:
    cases["tau_b"].append({"x": x, "y": y, "tau": float(stats.kendalltau(x, y).statistic)})
print(json.dumps(cases, indent=1))
