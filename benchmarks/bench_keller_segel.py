"""One Euler-Maruyama step of the regularised Keller-Segel particles, ours against plain numpy, in the same run.

N = 1e6 particles (standard Gaussian cloud, mass 0.5 * 8 pi, chi = D = 1), a 512^2 mesh around them (1024^2 zero-padded FFT),
eps = 4 h, dt = 1e-3, no step control.
Ours: chaos_book.keller_segel.em_step (bounding box and mesh, numba deposit, field2d.field_free with scipy.fft on all workers,
numba gather, normals drawn on threads from 8 fixed streams, fused numba move).
Numpy: the same step written plainly: min/max, np.bincount deposit, np.fft.rfft2 / irfft2 on the doubled grid with the same
kernel transform (field2d.green, transformed once, not timed), fancy-indexed gather, Generator.standard_normal, array update.
Target (issue 9): <= 60 ms per step on the 2-core machine, and >= 2x numpy.
Run: .venv/bin/python benchmarks/bench_keller_segel.py [--n 1e6] [--grid 512] [--reps 5]
"""
import argparse, math, os, time
import numba
import numpy as np
from chaos_book.field2d import deposit, field_free, gather, green
from chaos_book.keller_segel import em_step, critical_mass, _mesh_for, _Noise, _em_move

MASS, CHI, D, DT = 0.5 * critical_mass(1.0, 1.0), 1.0, 1.0, 1e-3


def numpy_step(x, eps, G, rng, ghat_cache):
    "One particle-mesh Euler-Maruyama step in plain numpy; the same mesh rule as ours (G x G cells around the bounding box)."
    N = x.shape[0]
    lo, hi = x.min(0), x.max(0)
    span = max(float((hi - lo).max()), eps)
    h = span / (G - 4)
    corner = 0.5 * (lo + hi) - G * h / 2
    key = (G, round(h, 12))
    if key not in ghat_cache:                                  # the kernel transform, as field2d caches it (not timed)
        ghat_cache.clear()
        ghat_cache[key] = np.fft.rfft2(green((G, G), h, eps) * h * h)
    s = (x - corner) / h - 0.5
    ij = np.floor(s).astype(np.int64)
    f = s - ij
    i, j, fx, fy = ij[:, 0], ij[:, 1], f[:, 0], f[:, 1]
    idx = [(i, j, (1 - fx) * (1 - fy)), (i + 1, j, fx * (1 - fy)), (i, j + 1, (1 - fx) * fy), (i + 1, j + 1, fx * fy)]
    w = MASS / N
    rho = sum(np.bincount(a * G + b, weights=w * c, minlength=G * G) for a, b, c in idx).reshape(G, G) / h**2
    field = np.fft.irfft2(ghat_cache[key] * np.fft.rfft2(rho, s=(2 * G, 2 * G)), s=(2 * G, 2 * G))[:, :G, :G]
    b = np.stack([sum(c * field[k][a, bb] for a, bb, c in idx) for k in range(2)], 1)
    return x + DT * CHI * b + math.sqrt(2 * D * DT) * rng.standard_normal(x.shape)


def best(f, reps):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return min(ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=float, default=1e6)
    ap.add_argument("--grid", type=int, default=512)
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    n, G = int(a.n), a.grid
    x = np.random.default_rng(0).standard_normal((n, 2))
    span = float(np.ptp(x, axis=0).max())
    eps = 4 * span / (G - 4)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores, numba threads {numba.get_num_threads()}")
    ours = em_step(x, MASS, CHI, D, eps, DT, np.random.default_rng(1), mesh=G)       # compile + kernel transform (cached)
    cache = {}
    ref = numpy_step(x, eps, G, np.random.default_rng(1), cache)
    drift_ours = em_step(x, MASS, CHI, 1e-300, eps, DT, np.random.default_rng(1), mesh=G) - x      # D -> 0: the drift alone
    drift_np = (numpy_step(x, eps, G, np.random.default_rng(1), cache) - x) - math.sqrt(2 * D * DT) * np.random.default_rng(1).standard_normal(x.shape)
    err = np.abs(drift_ours - drift_np).max() / np.abs(drift_np).max()
    rows = []
    for th in sorted({1, numba.config.NUMBA_NUM_THREADS}):
        numba.set_num_threads(th)
        rows.append((f"ours, {th} thread{'s' * (th > 1)}", best(lambda: em_step(x, MASS, CHI, D, eps, DT, np.random.default_rng(2), mesh=G), a.reps)))
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    t_np = best(lambda: numpy_step(x, eps, G, np.random.default_rng(2), cache), max(2, a.reps // 2))
    print(f"\nOne Euler-Maruyama step, N = {n:.0e}, mesh {G}^2 (FFT {2 * G}^2), eps = {eps:.4g}, dt = {DT}; "
          f"drift ours vs numpy max rel. difference {err:.1e}")
    print("| path | ms per step | speed-up vs numpy | target <= 60 ms |")
    print("|---|---|---|---|")
    for name, t in rows: print(f"| {name} | {1e3 * t:.1f} | {t_np / t:.2f} | {'met' if t <= 0.060 else 'missed'} |")
    print(f"| numpy (bincount, np.fft, fancy gather, standard_normal) | {1e3 * t_np:.1f} | 1.00 | |")
    del ours, ref
    print("\nWhere our step goes (default threads, best of reps, ms):")
    w, out = np.full(n, MASS / n), np.empty_like(x)
    mesh = _mesh_for(x, eps, G)
    rho = deposit(x, w, mesh)
    f = field_free(rho, mesh, eps)
    b = gather(f, x, mesh)
    noise = _Noise(np.random.default_rng(3), n)
    phases = {"mesh (bounding box)": lambda: _mesh_for(x, eps, G), "deposit (field2d, validated)": lambda: deposit(x, w, mesh),
              "free-space solve (field2d, 3 FFTs of 1024^2)": lambda: field_free(rho, mesh, eps),
              "gather (field2d, validated)": lambda: gather(f, x, mesh), "normals (8 streams, threads)": noise.draw,
              "move + virial bookkeeping": lambda: _em_move(x, b, noise.z, MASS / n, DT, math.sqrt(2 * D * DT), out)}
    for name, fn in phases.items(): print(f"| {name} | {1e3 * best(fn, a.reps):.1f} |")
    noise.close()


if __name__ == "__main__":
    main()
