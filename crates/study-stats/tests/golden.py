"""Writes golden.json: reference values for tests/golden.rs from SciPy and exact enumeration.

Run from this folder with SciPy and NumPy installed: `python golden.py > golden.json`.
The tests read the committed JSON and never run Python.
"""

import json
import math
import warnings
from fractions import Fraction

import numpy as np
from scipy import stats


def enc(x):
    """JSON has no infinity: write it as a string."""
    x = float(x)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def encs(xs):
    return [enc(x) for x in xs]


def scipy_wilcoxon(d, method):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(stats.wilcoxon(d, method=method).pvalue)


def wilcoxon_exact(d):
    """Tie-aware exact Wilcoxon: W+ over all 2^n sign assignments of the actual midranks."""
    nz = np.array([x for x in d if x != 0.0], dtype=float)
    n = len(nz)
    assert n <= 16
    ranks2 = np.rint(2 * stats.rankdata(np.abs(nz))).astype(np.int64)  # doubled midranks
    w2 = int(ranks2[nz > 0].sum())
    masks = np.arange(2**n, dtype=np.int64)
    bits = (masks[:, None] >> np.arange(n)) & 1
    sums = bits @ ranks2
    lower = int((sums <= w2).sum())
    upper = int((sums >= w2).sum())
    p = min(Fraction(1), Fraction(2 * min(lower, upper), 2**n))
    return n, w2 / 2, (n * (n + 1) - w2) / 2, p


def sign_flip_exact(d):
    """|mean| of every sign assignment against the observed, in exact decimal arithmetic, so
    that 0.1 + 0.2 and 0.3 tie as the decimal accuracies do."""
    q = [Fraction(repr(x)) for x in d]
    n = len(q)
    observed = abs(sum(q))
    hits = 0
    for mask in range(2**n):
        s = sum(x if mask >> i & 1 else -x for i, x in enumerate(q))
        hits += abs(s) >= observed
    return Fraction(hits, 2**n)


def frac(p):
    return f"{p.numerator}/{p.denominator}"


def wilcoxon_cases():
    rng = np.random.default_rng(20240611)
    no_ties = {
        "no_ties_n8": [1.2, -0.4, 2.5, 3.1, -0.7, 1.9, 0.8, 2.2],
        "no_ties_n12": [0.31, -1.42, 0.77, 2.05, -0.12, 1.18, -0.56, 0.93, 1.61, -2.37, 0.44, 1.87],
        "no_ties_n25": list(np.round(rng.normal(0.4, 1.0, 25), 4)),
        "no_ties_n50": list(np.round(rng.normal(0.2, 1.0, 50), 4)),
        "all_negative_n10": [-float(i) for i in range(1, 11)],
    }
    tied = {
        "ties_and_zeros": [0.5, -0.5, 1.0, 0.0, 1.0, 2.0, -1.0, 0.0, 3.0, 0.5, 1.5, 2.0],
        "heavy_ties_n16": [0.1, 0.2, 0.1, -0.1, 0.3, 0.2, 0.1, 0.0, -0.2, 0.1, 0.4, 0.1, 0.2, 0.0, 0.3, 0.1],
        "infinities": [math.inf, 1.2, -0.5, math.inf, 2.0, -math.inf, 0.7, 3.3, math.inf, 0.0],
        "ties_n7": [1.0, 1.0, -1.0, 2.0, 2.0, 0.0, 3.0],
        "ties_n9": [0.5, 0.5, 0.5, -0.5, 1.5, 1.5, 0.0, 0.0, 2.0],
        "infinities_both_signs": [-math.inf, -math.inf, -1.0, 0.2, -0.3, -0.4, 0.0, -0.7],
        "all_equal": [0.3] * 7,
        "one_pair": [2.5],
        "symmetric": [1.0, -1.0, 2.0, -2.0, 3.0, -3.0],
    }
    cases = []
    for name, d in no_ties.items():
        d = [float(x) for x in d]
        mags = [abs(x) for x in d if x != 0]
        assert len(set(mags)) == len(mags), name
        p = scipy_wilcoxon(d, "exact")
        case = {"name": name, "d": encs(d), "source": "scipy.stats.wilcoxon(d, method='exact')", "p": p}
        if len(d) <= 16:
            n, wp, wm, pe = wilcoxon_exact(d)
            assert float(pe) == p, name
            case["p_fraction"] = frac(pe)
        n = len(d)
        r = stats.rankdata(np.abs(d))
        case["n"] = n
        case["w_plus"] = float(r[np.array(d) > 0].sum())
        case["w_minus"] = float(r[np.array(d) < 0].sum())
        cases.append(case)
    for name, d in tied.items():
        n, wp, wm, pe = wilcoxon_exact(d)
        case = {
            "name": name,
            "d": encs(d),
            "source": "enumeration of all 2^n sign assignments of the midranks",
            "n": n,
            "w_plus": wp,
            "w_minus": wm,
            "p": float(pe),
            "p_fraction": frac(pe),
        }
        if n >= 2:
            exact, auto = scipy_wilcoxon(d, "exact"), scipy_wilcoxon(d, "auto")
            perm = scipy_wilcoxon(d, stats.PermutationMethod(n_resamples=2**len(d)))
            case["scipy_exact_p"] = exact
            case["scipy_auto_p"] = auto
            case["scipy_permutation_p"] = perm
            notes = []
            if exact != float(pe):
                notes.append(
                    "method='exact' uses the tie-free null of ranks 1..n and rounds a "
                    "half-integer W+ outwards, so it differs under ties"
                )
            if auto != float(pe):
                notes.append(
                    "method='auto' falls back to the normal approximation with ties "
                    "or zeros above 13 pairs"
                )
            if not math.isclose(perm, float(pe), rel_tol=1e-12):
                notes.append("PermutationMethod differs from the enumeration")
            case["comment"] = "; ".join(notes) if notes else "SciPy agrees"
        cases.append(case)
    return cases


def sign_flip_cases():
    vectors = {
        "distinct_n8": [1.2, -0.4, 2.5, 3.1, -0.7, 1.9, 0.8, 2.2],
        "decimal_ties_n10": [0.1, 0.2, 0.3, -0.1, 0.4, 0.2, -0.3, 0.5, 0.1, 0.6],
        "zeros": [0.0, 1.5, -0.5, 0.0, 2.0, 1.0],
        "all_equal": [0.3] * 6,
        "one": [1.7],
        "mixed_n16": [0.12, -0.35, 0.8, 0.05, -0.6, 1.1, 0.42, -0.08, 0.27, 0.9, -0.15, 0.33, 0.61, -0.44, 0.2, 0.74],
        "mean_zero": [1.0, -1.0, 0.5, -0.5],
    }
    out = []
    for name, d in vectors.items():
        p = sign_flip_exact(d)
        out.append({"name": name, "d": d, "p": float(p), "p_fraction": frac(p)})
    return out


def t_interval_cases():
    sets = [
        ([97.1, 97.4, 96.9, 97.3, 97.0], 0.95),
        ([91.25, 90.8, 91.6], 0.95),
        ([0.3, -0.1], 0.95),
        ([0.12, -0.35, 0.8, 0.05, -0.6, 1.1, 0.42, -0.08, 0.27, 0.9], 0.90),
        ([88.2, 89.1, 87.5, 88.8, 90.0, 88.4, 87.9], 0.99),
        (list(np.round(np.random.default_rng(7).normal(75.0, 2.0, 30), 2)), 0.95),
    ]
    out = []
    for values, level in sets:
        v = np.array(values, dtype=float)
        n = len(v)
        mean = float(v.mean())
        se = float(v.std(ddof=1)) / math.sqrt(n)
        q = float(stats.t.ppf((1 + level) / 2, n - 1))
        out.append({"values": [float(x) for x in v], "level": level, "mean": mean,
                    "low": mean - q * se, "high": mean + q * se, "half_width": q * se})
    return out


def holm(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted


def holm_cases():
    vectors = [
        [0.01, 0.04, 0.03, 0.005],
        [0.2, 0.001, 0.02, 0.02, 0.6],
        [0.5, 0.4, 0.3],
        [0.03],
        [0.011, 0.0042, 0.089, 0.0005, 0.047, 0.0211, 0.3],
    ]
    return [{"p": p, "adjusted": holm(p)} for p in vectors]


def kendall_w(scores):
    s = np.array(scores, dtype=float)
    m, n = s.shape
    ranks = np.array([stats.rankdata(-row) for row in s])  # rank 1 = highest score
    ties = 0.0
    for row in s:
        _, counts = np.unique(row, return_counts=True)
        ties += float((counts**3 - counts).sum())
    big_s = float(((ranks.sum(axis=0) - m * (n + 1) / 2) ** 2).sum())
    return 12 * big_s / (m**2 * (n**3 - n) - m * ties)


def kendall_w_cases():
    tables = {
        "no_ties_3x4": [[90.1, 88.0, 91.5, 85.2], [70.3, 69.9, 72.0, 65.1], [55.0, 56.2, 57.1, 50.0]],
        "ties_4x5": [
            [97.1, 97.1, 96.5, 95.0, 97.3],
            [88.0, 87.5, 87.5, 87.5, 89.0],
            [60.2, 61.0, 59.9, 58.0, 61.0],
            [75.0, 74.0, 76.0, 73.5, 75.0],
        ],
        "reversed_2x3": [[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]],
        "identical_3x4": [[4.0, 3.0, 2.0, 1.0]] * 3,
        "ties_5x6": [
            [10.0, 12.0, 12.0, 9.0, 15.0, 11.0],
            [20.0, 20.0, 21.0, 19.0, 25.0, 20.0],
            [5.0, 7.0, 6.0, 7.0, 8.0, 4.0],
            [33.0, 31.0, 35.0, 30.0, 36.0, 32.0],
            [1.0, 1.0, 1.0, 2.0, 3.0, 0.5],
        ],
    }
    return [{"name": k, "scores": v, "w": kendall_w(v)} for k, v in tables.items()]


def kendall_tau_cases():
    pairs = [
        ([90.1, 88.0, 91.5, 85.2, 87.0], [70.3, 69.9, 72.0, 65.1, 71.0]),
        ([97.1, 97.1, 96.5, 95.0, 97.3, 96.0], [88.0, 87.5, 87.5, 87.5, 89.0, 86.0]),
        ([1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0]),
        ([1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0], [2.0, 1.0, 1.0, 3.0, 3.0, 5.0, 4.0]),
    ]
    return [{"x": x, "y": y, "tau": float(stats.kendalltau(x, y).statistic)} for x, y in pairs]


golden = {
    "generator": "tests/golden.py with SciPy " + __import__("scipy").__version__ + ", NumPy " + np.__version__,
    "wilcoxon": wilcoxon_cases(),
    "sign_flip": sign_flip_cases(),
    "t_interval": t_interval_cases(),
    "holm": holm_cases(),
    "kendall_w": kendall_w_cases(),
    "kendall_tau_b": kendall_tau_cases(),
}
print(json.dumps(golden, indent=1, allow_nan=False))
