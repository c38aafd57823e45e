#!/usr/bin/env python3
"""The NumPy reference for `ntkscope-bench sampling`: the same job as ntkscope's sampled check, written
the straightforward way.

The paper's Figure 1 network (Fan & Wang 2020, eq. (1)): n samples with iid N(0, 1/d0) inputs,
d0 = round(n/3), L = 5 hidden layers of width 2n, sigma = arctan normalised to E sigma = 0,
E sigma^2 = 1, iid N(0, 1) weights; every CK Gram X_l^T X_l (l = 0..L) and the exact NTK by its closed
form (Appendix G.1), K = X_L^T X_L + sum_l (S_l^T S_l) * (X_{l-1}^T X_{l-1}), with the backward
recursion S_L = diag(w) sigma'(H_L)/sqrt(d_L), S_{l-1} = (W_l^T S_l) * sigma'(H_{l-1})/sqrt(d_{l-1});
the eigenvalues of all seven matrices by numpy.linalg.eigvalsh. Weights are drawn once and kept
(as one would write it), in NumPy's default float64 unless --dtype float32.

Prints one JSON object: the stage times in seconds (wall clock), the peak resident memory in bytes
(ru_maxrss) and, per kernel, the mean and largest eigenvalue (a sanity check against ntkscope's numbers,
which come from a different random network and so agree only to sampling error).
"""
import argparse
import json
import resource
import time

import numpy as np


def normalised_arctan():
    """sigma(x) = scale * arctan(x) (arctan is odd, so the shift is 0); scale from Gauss-Hermite quadrature."""
    x, w = np.polynomial.hermite_e.hermegauss(200)
    w = w / w.sum()
    scale = 1.0 / np.sqrt(np.sum(w * np.arctan(x) ** 2))
    return scale


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=3000)
    p.add_argument("--depth", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    a = p.parse_args()
    dt = np.dtype(a.dtype)
    n, L = a.n, a.depth
    d0 = max(1, round(n / 3))
    widths = [d0] + [2 * n] * L
    scale = normalised_arctan()
    rng = np.random.default_rng(a.seed)
    times = {"input": 0.0, "forward": 0.0, "grams": 0.0, "ntk": 0.0, "eigenvalues": 0.0}
    eig = {}
    t_all = time.perf_counter()

    t = time.perf_counter()
    x = (rng.standard_normal((d0, n), dtype=dt) / np.sqrt(d0)).astype(dt)
    times["input"] += time.perf_counter() - t

    def spectrum(name, g):
        t = time.perf_counter()
        ev = np.linalg.eigvalsh(g)
        times["eigenvalues"] += time.perf_counter() - t
        eig[name] = {"mean": float(ev.mean()), "max": float(ev[-1])}

    grams, weights, derivs = [], [None], [None]
    t = time.perf_counter()
    g = x.T @ x
    times["grams"] += time.perf_counter() - t
    grams.append(g)
    spectrum("ck0", g)
    for l in range(1, L + 1):
        t = time.perf_counter()
        w = rng.standard_normal((widths[l], widths[l - 1]), dtype=dt)
        h = w @ x
        s = dt.type(1 / np.sqrt(widths[l]))
        derivs.append((scale * s) / (1 + h * h))
        x = (scale * s) * np.arctan(h)
        weights.append(w)
        del h
        times["forward"] += time.perf_counter() - t
        t = time.perf_counter()
        g = x.T @ x
        times["grams"] += time.perf_counter() - t
        grams.append(g)
        spectrum(f"ck{l}", g)

    t = time.perf_counter()
    out = rng.standard_normal(widths[L], dtype=dt)
    k = grams[L].copy()
    s = out[:, None] * derivs[L]
    for l in range(L, 0, -1):
        k += (s.T @ s) * grams[l - 1]
        if l > 1:
            s = (weights[l].T @ s) * derivs[l - 1]
    times["ntk"] += time.perf_counter() - t
    spectrum("ntk", k)
    times["total"] = time.perf_counter() - t_all
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"n": n, "dtype": a.dtype, "numpy": np.__version__, "times": times,
                      "peak_bytes": peak, "spectra": eig}))


if __name__ == "__main__":
    main()
