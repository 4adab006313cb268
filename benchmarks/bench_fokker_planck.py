"""Fokker-Planck solver: ours (chaos_book.fokker_planck.solve) versus scipy's stiff ODE solver (solve_ivp, BDF, sparse
Jacobian) on the same finite-volume semi-discretisation. Prints time, accuracy (against the exact Barenblatt cell averages,
or against scipy at rtol=1e-10), mass error, min u, and the time ratio to our default.

Run: .venv/bin/python benchmarks/bench_fokker_planck.py [G]
"""
import sys
import time
import warnings

import numpy as np
from scipy.integrate import solve_ivp
from scipy.sparse import diags

from chaos_book.drivers import LinearDriver, TanhDriver
from chaos_book.fokker_planck import barenblatt, solve
from chaos_book.mollifiers import mollify_grid


def rhs_factory(driver, x, eps):
    "The semi-discrete right-hand side L[D(u)] u, written independently of the solver (flux form, zero-flux ends)."
    dx = x[1] - x[0]

    def f(t, u):
        v = mollify_grid(u, x, eps) if eps > 0 else u
        Phi = driver.h_inv(t, x, v) ** 2 * u
        F = np.diff(Phi)
        return np.concatenate([[F[0]], np.diff(F), [-F[-1]]]) / (2 * dx * dx)
    return f


def peer(driver, u0, x, eps, t0, T, rtol):
    "scipy solve_ivp BDF with the (banded for eps = 0) Jacobian sparsity."
    G = x.size
    bw = 1 if eps == 0 else 1 + int(np.ceil(eps / (x[1] - x[0]) + 0.5))
    sparsity = diags([np.ones(G - abs(k)) for k in range(-bw, bw + 1)], list(range(-bw, bw + 1)))
    t1 = time.perf_counter()
    sol = solve_ivp(rhs_factory(driver, x, eps), (t0, T), u0, method="BDF", rtol=rtol, atol=1e-10, jac_sparsity=sparsity)
    return sol.y[:, -1], time.perf_counter() - t1, sol.t.size - 1


def ours(driver, u0, x, eps, t0, T, **kw):
    t1 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        r = solve(driver, u0, x, eps, T, t0=t0, **kw)
    return r.u[-1], time.perf_counter() - t1, r.params["steps"]


def main(G=400):
    x = (np.arange(G) + 0.5) * (4.0 / G) - 2.0
    dx = x[1] - x[0]
    xw = (np.arange(G) + 0.5) * (24.0 / G) - 12.0
    bump = np.where(np.abs(xw) < 1, 0.75 * (1 - xw**2), 0.0)
    problems = [("Barenblatt, eps=0", LinearDriver(1.0, 0.0), barenblatt(x, 1.0), x, 0.0, 1.0, 2.0, barenblatt(x, 2.0)),
                ("Tanh, eps=0.5", TanhDriver(1.0, 0.5, 3.0), bump, xw, 0.5, 0.0, 0.5, None),
                ("Tanh, eps=0", TanhDriver(1.0, 0.5, 3.0), bump, xw, 0.0, 0.0, 0.5, None)]
    print(f"G = {G}")
    print(f"{'problem':18s} {'solver':34s} {'seconds':>8s} {'steps':>6s} {'L1 error':>9s} {'mass err':>9s} {'min u':>9s} {'time ratio':>10s}")
    for name, drv, u0, xg, eps, t0, T, exact in problems:
        dxg = xg[1] - xg[0]
        if exact is None:    # reference: the peer at a tight tolerance
            exact = peer(drv, u0, xg, eps, t0, T, 1e-10)[0]
        rows = [("ours implicit, adaptive rtol=1e-3", ours(drv, u0, xg, eps, t0, T, edge_tol=None)),
                ("ours midpoint, adaptive rtol=1e-2", ours(drv, u0, xg, eps, t0, T, method="midpoint", rtol=1e-2, edge_tol=None)),
                ("ours midpoint, dt = dx/4", ours(drv, u0, xg, eps, t0, T, dt=dxg / 4, method="midpoint", edge_tol=None)),
                ("scipy BDF, rtol=1e-4", peer(drv, u0, xg, eps, t0, T, 1e-4)),
                ("scipy BDF, rtol=1e-6", peer(drv, u0, xg, eps, t0, T, 1e-6))]
        base = rows[0][1][1]
        m0 = u0.sum() * dxg
        for label, (u, sec, steps) in rows:
            err = np.abs(u - exact).sum() * dxg
            print(f"{name:18s} {label:34s} {sec:8.2f} {steps:6d} {err:9.2e} {abs(u.sum() * dxg / m0 - 1):9.1e} "
                  f"{u.min():9.1e} {sec / base:10.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
