"""W1 (and W2) at N = 1e4, 1e5, 1e6: chaos_book.wasserstein against scipy.stats.wasserstein_distance and POT's
ot.wasserstein_1d, in the same run, on time and on error.

(a) samples vs samples: two Gaussian sample sets (time; the values must agree to round-off).
(b) samples vs a density: N samples of N(0, 1) against the N(0, 1) density on a grid of 16001 points on [-8, 8].
    The error is measured against the exact W1 between the empirical measure and the Gaussian itself,
    computed in closed form without any grid (chaos_book.wasserstein.gaussian_w1).
    scipy and POT take the grid density as weighted points (v_values = grid, v_weights = density).
(c) sliced W2 between two point clouds in R^2 and R^3 (N = 1e4, 1e5, 256 directions): chaos_book.wasserstein.sliced_wasserstein
    against POT's ot.sliced_wasserstein_distance given the same directions (time; the values must agree to round-off).
Targets (issue): W1 at N = 1e6 in <= 30 ms with relative error <= 1e-4.

Run: .venv/bin/python benchmarks/bench_wasserstein.py
"""
import time

import numpy as np
import ot
import scipy.stats

from chaos_book.wasserstein import _directions, gaussian_w1, sliced_wasserstein, wasserstein


def best_ms(f, repeat):
    "Best wall time of f() over repeat calls, in ms, and its value."
    times = []
    for _ in range(repeat):
        t = time.perf_counter(); value = f(); times.append(time.perf_counter() - t)
    return 1e3 * min(times), float(value)


def row(case, N, method, ms, ours_ms, value, ref):
    err = f"{abs(value / ref - 1):9.1e}" if ref is not None else " " * 9
    print(f"{case:<24} {N:>8.0e} {method:<22} {ms:10.2f} {ms / ours_ms:8.1f} {value:14.10f} {err}")


def main():
    rng = np.random.default_rng(0)
    x = np.linspace(-8, 8, 16001)
    density = np.exp(-x**2 / 2)
    wasserstein(x[:5], x[:3]); wasserstein(x[:5], (x, density)); wasserstein(x[:5], x[:3], p=2)   # compile (numba)
    print(f"{'case':<24} {'N':>8} {'method':<22} {'time ms':>10} {'ratio':>8} {'value':>14} {'rel.err':>9}")
    for N in (10**4, 10**5, 10**6):
        repeat = 3 if N == 10**6 else 10
        a, b = rng.normal(size=N), rng.normal(0.1, 1.2, size=N)
        a_sorted, b_sorted = np.sort(a), np.sort(b)
        ours, w = best_ms(lambda: wasserstein(a, b), repeat)
        row("W1 samples-samples", N, "ours", ours, ours, w, None)
        row("", N, "ours (presorted)", *best_ms(lambda: wasserstein(a_sorted, b_sorted), repeat)[:1], ours, w, None)
        for name, f in (("scipy", lambda: scipy.stats.wasserstein_distance(a, b)),
                        ("POT", lambda: ot.wasserstein_1d(a, b, p=1))):
            ms, v = best_ms(f, repeat)
            row("", N, name, ms, ours, v, w)
        ours2, w2 = best_ms(lambda: wasserstein(a, b, p=2), repeat)
        row("W2 samples-samples", N, "ours", ours2, ours2, w2, None)
        ms, v = best_ms(lambda: ot.wasserstein_1d(a, b, p=2) ** 0.5, repeat)
        row("", N, "POT", ms, ours2, v, w2)

        y = rng.normal(size=N)
        y_sorted = np.sort(y)
        exact = gaussian_w1(y)
        ms_exact = best_ms(lambda: gaussian_w1(y), repeat)[0]
        ours, v = best_ms(lambda: wasserstein(y, (x, density)), repeat)
        row("W1 samples-density", N, "ours", ours, ours, v, exact)
        ms, v = best_ms(lambda: wasserstein(y_sorted, (x, density)), repeat)
        row("", N, "ours (presorted)", ms, ours, v, exact)
        row("", N, "exact (closed form)", ms_exact, ours, exact, exact)
        for name, f in (("scipy (weighted grid)", lambda: scipy.stats.wasserstein_distance(y, x, v_weights=density)),
                        ("POT (weighted grid)", lambda: ot.wasserstein_1d(y, x, np.full(N, 1 / N), density / density.sum(), p=1))):
            ms, v = best_ms(f, repeat)
            row("", N, name, ms, ours, v, exact)
        ms, v = best_ms(lambda: wasserstein(y, (x, density), p=2), repeat)
        row("W2 samples-density", N, "ours", ms, ms, v, None)
    print("ratio = time / time of 'ours' (unsorted input) in the same block; rel.err vs the exact value "
          "(samples-samples: vs ours; samples-density: vs the closed form)")
    sliced()


def sliced():
    "Sliced W2, ours against POT on the same directions."
    rng = np.random.default_rng(1)
    sliced_wasserstein(rng.normal(size=(5, 2)), rng.normal(size=(4, 2)), n_projections=2, seed=0)      # compile
    print(f"\n{'case':<24} {'N':>8} {'method':<22} {'time ms':>10} {'ratio':>8} {'value':>14} {'rel.err':>9}")
    for d in (2, 3):
        for N in (10**4, 10**5):
            a, b = rng.normal(size=(N, d)), 1.2 * rng.normal(size=(N, d)) + 0.1
            theta = _directions(d, 256, np.random.default_rng(7))
            ours, v = best_ms(lambda: sliced_wasserstein(a, b, n_projections=256, seed=7), 3)
            row(f"SW2 R^{d}, 256 dirs", N, "ours", ours, ours, v, None)
            ms, w = best_ms(lambda: ot.sliced_wasserstein_distance(a, b, p=2, projections=theta.T), 1)
            row("", N, "POT (same directions)", ms, ours, w, v)


if __name__ == "__main__":
    main()
