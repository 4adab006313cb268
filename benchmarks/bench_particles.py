"""Particle-steps per second of the whole Euler-Maruyama simulation of (4) at N = 1e6, and where the time goes.

Ours (chaos_book.particles.simulate: numba binning + FFT + fused interpolate/draw/update, threads over fixed chunks)
against a straightforward numpy step (the same density algorithm in plain numpy: bincount + FFT + indexed interpolation, h_inv
at the particles, numpy's standard_normal), in one run. Driver LinearDriver(0.5, 1), eps = 0.05, dt = 1e-3, x0 ~ N(0, 1).
Run: .venv/bin/python benchmarks/bench_particles.py [--n 1e6] [--steps 20]
"""
import argparse, os, time
import numpy as np
from chaos_book.drivers import LinearDriver
from chaos_book.mollifiers import fast_grid_step
from bench_mollify import numpy_density          # plain numpy binning + FFT + interpolation (benchmarks/ is on sys.path)
from chaos_book.particles import simulate, _fill_chunk

EPS, DT = 0.05, 1e-3
DRV = LinearDriver(a=0.5, b=1.0)


def numpy_baseline(x0, steps, seed):
    "Euler-Maruyama written plainly in numpy; returns seconds per phase."
    x, rng, h = x0.copy(), np.random.default_rng(seed), fast_grid_step(EPS)
    tm = dict(density=0.0, h_inv=0.0, noise=0.0, update=0.0)
    for n in range(steps):
        c0 = time.perf_counter(); v = numpy_density(x, EPS, h)
        c1 = time.perf_counter(); nu = DRV.h_inv(n * DT, x, v)
        c2 = time.perf_counter(); z = rng.standard_normal(x.size)
        c3 = time.perf_counter(); x += nu * np.sqrt(DT) * z
        c4 = time.perf_counter()
        for k, d in zip(tm, (c1 - c0, c2 - c1, c3 - c2, c4 - c3)): tm[k] += d
    tm["total"] = sum(tm.values())
    return tm


def rng_only(n, reps=10):
    "Seconds for n normals: numpy Generator.standard_normal(out=) vs the same SFC64 stream drawn inside numba."
    g1, g2, buf = np.random.Generator(np.random.SFC64(0)), np.random.Generator(np.random.SFC64(0)), np.empty(n)
    best = lambda f: min((lambda t0: (f(), time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(reps))
    _fill_chunk(g2, buf, 0, n)
    return best(lambda: g1.standard_normal(out=buf)), best(lambda: _fill_chunk(g2, buf, 0, n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=float, default=1e6)
    ap.add_argument("--steps", type=int, default=20)
    a = ap.parse_args()
    n, steps = int(a.n), a.steps
    x0 = np.random.default_rng(0).standard_normal(n)
    simulate(DRV, EPS, x0[:1000], 2 * DT, DT, seed=0)                      # compile (cached after the first run)
    print(f"Euler-Maruyama for (4): N = {n:.0e}, {steps} steps, eps = {EPS}, dt = {DT}, "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    rows = []
    for threads in (1, 2):
        r = min((simulate(DRV, EPS, x0, steps * DT, DT, seed=1, threads=threads, method="fast") for _ in range(3)),
                key=lambda r: r.timings["total"])
        tm = dict(r.timings, total=r.timings["total"] - r.timings["setup"])      # per-step figures exclude the set-up
        rows.append((f"ours, {threads} thread{'s' * (threads > 1)}", tm, r.params["G_last"], r.timings["total"]))
    base = numpy_baseline(x0, max(3, steps // 4), 1)
    rows.append(("numpy baseline, 1 thread", base, None, base["total"]))
    phases = ["density", "h_inv", "noise", "em", "update", "other"]
    hdr = f"{'':<26}{'particle-steps/s':>17}{'ms/step':>9}" + "".join(f"{p:>9}" for p in phases) + f"{'with set-up':>13}"
    print(hdr); print("-" * len(hdr))
    for name, tm, G, whole in rows:
        k = steps if name.startswith("ours") else max(3, steps // 4)
        print(f"{name:<26}{k * n / tm['total']:>17.3e}{tm['total'] / k * 1e3:>9.2f}"
              + "".join(f"{tm[p] / k * 1e3:>9.2f}" if p in tm else f"{'-':>9}" for p in phases) + f"{k * n / whole:>13.3e}")
    print(f"(ours: 'em' = interpolate nu + draw N(0,1) + update + statistics, fused; 'density' = binning + FFT;"
          f" 'other' = loop overhead, final snapshot; grid G = {rows[0][2]} nodes; one-time set-up (input copy, snapshot"
          f" at 0, streams, first range) excluded except in the last column, the whole simulate call)")
    t_np, t_nb = rng_only(n)
    print(f"\nrandom numbers alone, {n:.0e} normals, 1 thread: numpy Generator.standard_normal(out=) {t_np * 1e3:.2f} ms,"
          f" same SFC64 stream drawn in numba {t_nb * 1e3:.2f} ms")
    best = max(rows[:2], key=lambda r: steps * n / r[1]["total"])
    print(f"best: {steps * n / best[1]['total']:.3e} particle-steps/s ({best[0]}); target 1e8; "
          f"speed-up over the numpy baseline {rows[2][1]['total'] / max(3, steps // 4) / (best[1]['total'] / steps):.1f}x")


if __name__ == "__main__":
    main()
