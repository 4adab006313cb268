"""Mollified density K_eps * mu^N at all N particles: ours vs the exact direct sum, chapter 02's numpy fast path,
KDEpy's FFTKDE (grid output + interpolation to the particles) and scipy's gaussian_kde, in one run.

Columns: ours (chaos_book.mollifiers.DensityWorkspace: numba binning + FFT + numba interpolation, threads), the same
algorithm in plain numpy (bincount + FFT + np.interp, the "vectorised numpy floor"), the exact windowed sum (chapter 02),
KDEpy FFTKDE (triweight kernel with the same support, grid of the same spacing, np.interp to the particles) and
scipy.stats.gaussian_kde (bandwidth = eps, evaluated at the particles; O(N^2), so only at N = 1e4).
Particles: N standard normal samples; eps = 0.05 (kernel support [-eps, eps]); rtol = 1e-4.
Relative error: max_i |fast - exact| / max_i |exact| over a random subset of 400 particles (all of them when N <= 1e4),
each method against the exact sum with its own kernel. Times: best of `repeats` (the machine is shared; see the load).
Run: .venv/bin/python benchmarks/bench_mollify.py [--sizes 1e4 1e5 1e6 1e7] [--threads 2]
"""
import argparse, os, time
import numpy as np
from scipy.stats import gaussian_kde
try:
    from KDEpy import FFTKDE
except ImportError:                       # KDEpy is a dev extra; without it its columns read "-"
    FFTKDE = None
from scipy import fft as _fft
from chaos_book.mollifiers import K_eps, mollify, DensityWorkspace, density_grid, density_at, _bin_chunk, _sum_rows, _khat

EPS, RTOL = 0.05, 1e-4


def best(f, repeats):
    f()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return min(ts)


def exact_compact(x, at, eps, K):
    "Direct windowed sum of K_eps(at - x_j) / N for a compact kernel K on [-1, 1]."
    xs = np.sort(x)
    lo, hi = np.searchsorted(xs, at - eps), np.searchsorted(xs, at + eps)
    return np.array([K((a - xs[l:h]) / eps).sum() for a, l, h in zip(at, lo, hi)]) / (eps * x.size)


def numpy_density(x, eps, h):
    "Plain numpy binning (bincount) + scipy FFT + linear interpolation at the particles: the same algorithm, not compiled."
    m = int(np.floor(eps / h))
    x0 = x.min() - (m + 1) * h
    G = int(np.ceil((x.max() - x0) / h)) + m + 2
    s = (x - x0) / h
    i = np.floor(s).astype(np.intp)
    f = s - i
    c = (np.bincount(i, 1 - f, minlength=G + 1) + np.bincount(i + 1, f, minlength=G + 1))[:G] / x.size
    taps = K_eps(h * np.arange(-m, m + 1), eps)
    L = _fft.next_fast_len(G + 2 * m, real=True)
    F = _fft.irfft(_fft.rfft(c, L) * _fft.rfft(taps, L), L)[m:m + G]
    return F[i] + (F[i + 1] - F[i]) * f                   # uniform grid: direct index, no search


def triweight(u): return np.where(np.abs(u) < 1, 35 / 32 * (1 - u * u) ** 3, 0.0)


def rel_err(approx, exact): return np.abs(approx - exact).max() / np.abs(exact).max()


def run(n, threads, rng):
    x = rng.standard_normal(n)
    sub = np.arange(n) if n <= 10_000 else rng.choice(n, 400, replace=False)
    rep = 20 if n <= 10**6 else 3
    row = {"N": n}
    ex = mollify(x, EPS, at=x[sub], method="exact")
    with DensityWorkspace(EPS, rtol=RTOL, threads=threads) as ws:
        out = np.empty(n)
        f = lambda: (density_grid(ws, x), density_at(ws, x, out=out))
        row["ours"] = best(f, rep)
        row["ours_err"], row["G"] = rel_err(out[sub], ex), ws.G
        G, h = ws.G, ws.h
    row["numpy"] = best(lambda: numpy_density(x, EPS, h), max(2, rep // 3))
    row["numpy_err"] = rel_err(numpy_density(x, EPS, h)[sub], ex)
    row["exact"] = best(lambda: mollify(x, EPS, method="exact"), 1) if n <= 10_000 else np.nan
    # KDEpy: triweight with the same support [-eps, eps] (bw = std = eps / 3) on a grid with the same spacing h
    if FFTKDE is not None:
        kde = FFTKDE(kernel="triweight", bw=EPS / 3)
        def kdepy():
            gx, gy = kde.fit(x).evaluate(int(np.ceil((np.ptp(x) + 4 * EPS) / h)))
            return np.interp(x, gx, gy)
        row["kdepy"] = best(kdepy, rep)
        row["kdepy_err"] = rel_err(kdepy()[sub], exact_compact(x, x[sub], EPS, triweight))
    else:
        row["kdepy"] = row["kdepy_err"] = np.nan
    if n <= 10_000:       # O(N^2): feasible only for small N
        gk = gaussian_kde(x, bw_method=0.05 / x.std())
        row["scipy"] = best(lambda: gk(x), 1)
    else:
        row["scipy"] = np.nan
    return row


def breakdown(n, threads, rng):
    "Where the time of ours goes at size n: best-of-10 ms per phase."
    x = rng.standard_normal(n)
    with DensityWorkspace(EPS, rtol=RTOL, threads=threads) as ws:
        density_grid(ws, x)
        G, inv_h, rows, out, w = ws.G, 1.0 / ws.h, ws._rows, np.empty(n), np.empty(0)
        L = _fft.next_fast_len(G + ws.m + 1, real=True)
        mass, spec = np.empty(G), np.empty(L // 2 + 1, dtype=complex)      # as in density_grid: reused buffers
        t = dict(range=best(lambda: ws.span(x), 10),
                 binning=best(lambda: ws.map(lambda c, i0, i1: _bin_chunk(x, w, i0, i1, ws.a, inv_h, rows[c, :G]), n), 10),
                 sum_rows=best(lambda: _sum_rows(rows, G, mass), 10),
                 fft=best(lambda: np.fft.irfft(np.fft.rfft(mass, L, out=spec).__imul__(_khat(ws, L, 1.0 / n)), L), 10),
                 interpolation=best(lambda: density_at(ws, x, out=out), 10))
    print(f"where the time goes at N = {n:.0e} (G = {G}, FFT length {L}): "
          + ", ".join(f"{k} {v * 1e3:.2f} ms" for k, v in t.items()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", type=float, default=[1e4, 1e5, 1e6, 1e7])
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    print(f"K_eps * mu^N at all particles, eps = {EPS}, rtol = {RTOL}, threads = {a.threads}, "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    hdr = (f"{'N':>9} {'G':>7} {'ours ms':>9} {'rel.err':>9} {'numpy ms':>9} {'np err':>8} {'KDEpy+interp ms':>16} {'KDEpy err':>10}"
           f" {'exact ms':>9} {'scipy kde ms':>13} {'KDEpy/ours':>11} {'numpy/ours':>11}")
    print(hdr); print("-" * len(hdr))
    for n in a.sizes:
        r = run(int(n), a.threads, rng)
        ms = lambda v: f"{v * 1e3:.2f}" if np.isfinite(v) else "-"
        print(f"{r['N']:>9.0e} {r['G']:>7} {ms(r['ours']):>9} {r['ours_err']:>9.1e} {ms(r['numpy']):>9} {r['numpy_err']:>8.1e} {ms(r['kdepy']):>16}"
              f" {r['kdepy_err']:>10.1e} {ms(r['exact']):>9} {ms(r['scipy']):>13} {r['kdepy'] / r['ours']:>11.1f}"
              f" {r['numpy'] / r['ours']:>11.1f}", flush=True)
    breakdown(10**6, a.threads, rng)


if __name__ == "__main__":
    main()
