"Tests for chaos_book.mollifiers: kernels, exact and fast mollification, grid mollification, nu_eps, bad input."
import warnings

import matplotlib
matplotlib.use("Agg")
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from numpy.testing import assert_allclose
from scipy.integrate import quad

from chaos_book.drivers import LinearDriver, TanhDriver
from chaos_book.mollifiers import (KERNELS, STANDARD, TWIN, K_eps, Mollifier, dK_eps, fast_grid_step, grid_taps,
                                   mollify, mollify_grid, nu_eps, DensityWorkspace, density_grid, density_at)

RNG = np.random.default_rng(7)
ALL = list(KERNELS.values())


# --- kernels --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("K", ALL, ids=lambda K: K.name)
def test_kernel_unit_mass_symmetry_support(K):
    s = np.linspace(-1, 1, 20001)
    assert abs(np.trapezoid(K.K(s), s) - 1) < 1e-13          # trapezoid: independent of the library's quad
    assert_allclose(K.K(s), K.K(-s), rtol=0, atol=0)
    assert (K.K(s) >= 0).all()
    out = np.array([-5, -1.0, -1 - 1e-12, 1.0, 1 + 1e-9, 3.0])
    assert (K.K(out) == 0).all() and (K.dK(out) == 0).all() and (K.d2K(out) == 0).all()
    inside = s[(np.abs(s) < 0.99) & (s != 0)]
    assert (K.K(inside) > 0).all()
    assert_allclose(K.dK(s), -K.dK(-s), atol=1e-14 * np.abs(K.dK(s)).max())


def test_standard_bump_constant():
    Z = quad(lambda x: np.exp(-1 / (1 - x * x)), -1, 1, epsabs=1e-15, limit=200)[0]
    assert STANDARD.Z == pytest.approx(Z, rel=1e-13)
    assert STANDARD.K(0.0) == pytest.approx(np.exp(-1) / Z, rel=1e-12)
    assert TWIN.K(0.0) == 0


@pytest.mark.parametrize("K", ALL, ids=lambda K: K.name)
def test_kernel_derivatives_and_primitive(K):
    s, d = np.linspace(-0.999, 0.999, 3001), 1e-6
    assert_allclose(K.dK(s), (K.K(s + d) - K.K(s - d)) / (2 * d), atol=1e-7 * np.abs(K.dK(s)).max())
    assert_allclose(K.d2K(s), (K.dK(s + d) - K.dK(s - d)) / (2 * d), atol=1e-7 * np.abs(K.d2K(s)).max())
    pts = np.array([-1.0, -0.5, 0.0, 0.2, 0.77, 1.0])
    ref = [quad(lambda r: float(K.K(r)), -1, p, epsabs=1e-15, limit=200)[0] for p in pts]
    assert_allclose(K.P(pts), ref, atol=1e-13)


@pytest.mark.parametrize("eps", [1e-3, 0.05, 0.7])
def test_K_eps_scaling(eps):
    x = np.linspace(-eps, eps, 20001)
    assert abs(np.trapezoid(K_eps(x, eps), x) - 1) < 1e-12
    assert K_eps(eps * (1 + 1e-9), eps) == 0 and K_eps(-eps * (1 + 1e-9), eps) == 0
    assert K_eps(0.3 * eps, eps) == pytest.approx(STANDARD.K(0.3) / eps, rel=1e-15)
    assert dK_eps(0.3 * eps, eps) == pytest.approx(STANDARD.dK(0.3) / eps**2, rel=1e-15)


# --- K_eps * mu^N -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["exact", "fast", "auto"])
def test_mollify_dirac_is_shifted_kernel(method):
    y, eps = 0.37, 0.2
    at = np.linspace(-0.5, 1.0, 301)
    got = mollify([y], eps, at, weights=[1.0], method=method)
    assert np.abs(got - K_eps(at - y, eps)).max() <= 1e-4 * K_eps(0, eps)
    if method == "exact":
        assert_allclose(got, K_eps(at - y, eps), rtol=1e-15, atol=0)


@pytest.mark.parametrize("deriv", [0, 1, 2])
def test_exact_path_against_dense_sum(deriv):
    y, w = RNG.normal(size=300), RNG.uniform(0, 2, 300)
    at = RNG.uniform(-4, 4, (7, 11))
    dense = (w * K_eps(at[..., None] - y, 0.3, deriv=deriv)).sum(-1)
    got = mollify(y, 0.3, at, weights=w, method="exact", deriv=deriv)
    assert got.shape == at.shape
    assert_allclose(got, dense, rtol=1e-12, atol=1e-12 * np.abs(dense).max())


def test_default_weights_are_a_probability_measure():
    y = RNG.normal(size=1000)
    x = np.linspace(-6, 6, 4001)
    assert abs(np.trapezoid(mollify(y, 0.2, x, method="exact"), x) - 1) < 1e-10
    assert_allclose(mollify(y, 0.2, x[::40]), mollify(y, 0.2, x[::40], weights=np.full(1000, 1e-3)), rtol=1e-12)


@pytest.mark.parametrize("K", ALL, ids=lambda K: K.name)
@pytest.mark.parametrize("deriv", [0, 1, 2])
@pytest.mark.parametrize("rtol", [1e-3, 1e-4])
def test_fast_path_meets_rtol(K, deriv, rtol):
    "Error measured as max|fast - exact| / (max|K_eps * mu| / eps^deriv) over the evaluation points."
    y = np.concatenate([RNG.normal(size=3000), RNG.uniform(2, 3, 500)])
    eps = 0.15
    at = np.concatenate([RNG.uniform(-5, 5, 2000), y[:200]])
    ex = mollify(y, eps, at, method="exact", kernel=K, deriv=deriv)
    fa = mollify(y, eps, at, method="fast", kernel=K, deriv=deriv, rtol=rtol)
    scale = mollify(y, eps, at, method="exact", kernel=K).max() / eps**deriv
    assert np.abs(fa - ex).max() <= rtol * scale


def test_fast_path_second_order():
    "Error falls about 4x per halving of the grid step."
    y, eps = RNG.normal(size=2000), 0.2
    at = RNG.uniform(-3, 3, 3000)
    ex = mollify(y, eps, at, method="exact")
    steps = eps / np.array([10, 20, 40, 80, 160])
    err = [np.abs(mollify(y, eps, at, method="fast", dx=h) - ex).max() for h in steps]
    slope = np.polyfit(np.log(steps), np.log(err), 1)[0]
    assert 1.8 < slope < 2.2, (slope, err)
    assert all(3 < a / b < 5 for a, b in zip(err[:-1], err[1:])), err     # local orders 1.6 .. 2.3


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(st.floats(-5, 5), min_size=1, max_size=40), st.floats(0.05, 2.0))
def test_fast_path_property(points, eps):
    y = np.array(points)
    at = np.linspace(-6, 6, 97)
    ex = mollify(y, eps, at, method="exact")
    assert np.abs(mollify(y, eps, at, method="fast") - ex).max() <= 1e-4 * mollify(y, eps, y, method="exact").max()
    assert (mollify(y, eps, at, method="fast") >= 0).all()


def test_auto_agrees_and_empty_input():
    y = RNG.normal(size=20000)
    at = np.linspace(-3, 3, 50)
    ex = mollify(y, 0.1, at, method="exact")
    assert np.abs(mollify(y, 0.1, at) - ex).max() <= 1e-4 * ex.max()
    assert_allclose(mollify([], 0.1, at), 0.0)


def test_fast_grid_step_scaling():
    assert fast_grid_step(0.2) == pytest.approx(2 * fast_grid_step(0.1))
    assert fast_grid_step(0.1, rtol=1e-6) == pytest.approx(fast_grid_step(0.1, rtol=1e-4) / 10)


# --- K_eps * u on a grid ----------------------------------------------------------------------------------------------
def _gauss(x): return np.exp(-x**2 / 2) / np.sqrt(2 * np.pi)


@pytest.mark.parametrize("deriv", [0, 1, 2])
def test_mollify_grid_second_order(deriv):
    "O(dx^2) against quadrature of K_eps^(deriv) * u (asymptotic once eps >~ 40 dx)."
    eps, pts = 0.6, np.array([-1.0, -0.3, 0.0, 0.5, 1.2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = np.array([quad(lambda s: float(K_eps(p - s, eps, deriv=deriv) * _gauss(s)), p - eps, p + eps,
                             epsabs=1e-14, epsrel=1e-13, limit=200)[0] for p in pts])
    errs = []
    for n in (1281, 2561, 5121):
        x = np.linspace(-8, 8, n)
        idx = np.abs(x[:, None] - pts).argmin(0)
        errs.append(np.abs(mollify_grid(_gauss(x), x, eps, deriv=deriv)[idx] - ref).max())
    rates = np.log2(np.array(errs[:-1]) / errs[1:])
    assert (rates > 1.8).all() and (rates < 2.4).all(), errs


def test_mollify_grid_mass_snapshots_and_limit():
    x = np.linspace(-10, 10, 1001)
    u = np.stack([_gauss(x), _gauss(x - 1) * 2])
    m = mollify_grid(u, x, 0.4)
    assert m.shape == u.shape
    assert_allclose(m.sum(-1), u.sum(-1), rtol=1e-13)
    assert_allclose(mollify_grid(u, x, 0.4, deriv=1).sum(-1), 0, atol=1e-12)
    with pytest.warns(UserWarning, match="not resolved"):
        small = mollify_grid(u, x, 0.2 * (x[1] - x[0]))
    assert_allclose(small, u, atol=1e-15)                        # eps << dx: u itself


def test_grid_taps_are_cell_integrals():
    dx, eps = 0.013, 0.05
    T = grid_taps(dx, eps)
    L = T.size // 2
    ref = [quad(lambda s: float(K_eps(s, eps)), (m - 0.5) * dx, (m + 0.5) * dx, epsabs=1e-15)[0] for m in range(-L, L + 1)]
    assert_allclose(T, ref, atol=1e-14)


# --- nu_eps, equation (5) ---------------------------------------------------------------------------------------------
def test_nu_eps_linear_closed_form():
    y = RNG.normal(size=500)
    x = np.linspace(-2, 2, 9)
    d = LinearDriver(2.0, lambda x: 3 + np.cos(x))
    assert_allclose(nu_eps(d, 0.0, x, y, 0.3, method="exact"), (mollify(y, 0.3, x, method="exact") + 3 + np.cos(x)) / 2,
                    rtol=1e-14)
    t = TanhDriver(1.0, 0.5, 2.0)
    nu = nu_eps(t, 0.0, x, y, 0.3)
    assert_allclose(t.h(0.0, x, nu), mollify(y, 0.3, x), atol=1e-12)


# --- bad input --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call,match", [
    (lambda: K_eps(0.1, 0.0), "eps must be"),
    (lambda: K_eps(0.1, -1.0), "eps must be"),
    (lambda: K_eps(0.1, np.nan), "eps must be"),
    (lambda: K_eps(np.array([0.0, np.nan]), 0.1), "x must be finite, got nan at index 1"),   # not a silent 0
    (lambda: dK_eps(np.nan, 0.1), "x must be finite"),
    (lambda: grid_taps(0.0, 0.1), "dx must be a finite number > 0"),
    (lambda: grid_taps(-0.01, 0.1), "dx must be"),
    (lambda: mollify([0.0, 1.0], 0.0), "eps must be"),
    (lambda: mollify_grid(np.ones(5), np.arange(5.0), -0.1), "eps must be"),
    (lambda: nu_eps(LinearDriver(1, 1), 0, 0.0, [0.0], 0), "eps must be"),
    (lambda: mollify([0.0, np.inf], 0.1), "points must be finite.*index 1"),
    (lambda: mollify([0.0, 1.0], 0.1, at=[np.nan]), "at must be finite"),
    (lambda: mollify([0.0, 1.0], 0.1, weights=[1.0, -0.5]), "weights must be >= 0.*index 1"),
    (lambda: mollify([0.0, 1.0], 0.1, weights=[1.0]), r"weights must have shape \(N,\) = \(2,\), one entry per point"),
    (lambda: mollify([0.0, 1.0], 0.1, method="fft"), "method must be"),
    (lambda: mollify([0.0, 1.0], 0.1, kernel="gauss"), "kernel must be"),
    (lambda: mollify([0.0, 1.0], 0.1, deriv=3), "deriv must be"),
    (lambda: mollify([0.0, 1.0], 0.1, rtol=2.0), "rtol must be"),
    (lambda: mollify([0.0, 1.0], 0.1, dx=0.0), "dx must be"),
    (lambda: mollify([0.0, 1e9], 1e-3, method="fast"), "fast path would need"),
    (lambda: mollify_grid(np.ones(4), np.array([0.0, 1.0, 2.0, 3.5]), 0.5), "uniform"),
    (lambda: mollify_grid(np.ones(4), np.array([0.0, 1.0, 0.5, 1.5]), 0.5), "uniform"),
    (lambda: mollify_grid(np.ones(3), np.arange(4.0), 0.5), "last axis"),
    (lambda: Mollifier("bad", k=-1.0), "k must be"),
    (lambda: Mollifier("bad", m=0.5), "m must be"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------ DensityWorkspace (the fast path, reused)
@pytest.mark.parametrize("eps", [0.5, 0.05, 0.005])
def test_fast_density_matches_exact_gaussian_crowd(eps):
    x = np.random.default_rng(0).standard_normal(20_000)
    with DensityWorkspace(eps) as ws:
        density_grid(ws, x)
        fast = density_at(ws, x[:2000])
    exact = mollify(x, eps, at=x[:2000], method="exact")
    assert np.abs(fast - exact).max() <= 1e-4 * exact.max()

def test_fast_density_point_masses_worst_case_and_weights():
    "A few point masses, evaluated everywhere on their support (not only at the particles)."
    pts, w = np.array([0.0123, 0.3, 0.30007, 2.0]), np.array([0.1, 0.2, 0.3, 0.4])
    eps = 0.01
    y = (pts[:, None] + np.linspace(-1.2 * eps, 1.2 * eps, 4001)).ravel()
    with DensityWorkspace(eps) as ws:
        density_grid(ws, pts, weights=w)
        fast = density_at(ws, y)
    exact = mollify(pts, eps, at=y, weights=w, method="exact")
    assert np.abs(fast - exact).max() <= 1e-4 * exact.max()

def test_fast_density_error_is_second_order_in_h():
    "Observed order of the grid error for a single point mass (worst case): slope 2 in h."
    eps, pt = 0.1, np.array([0.01234567])
    y = pt + np.linspace(-eps, eps, 20_001)
    exact = mollify(pt, eps, at=y, method="exact")
    hs, errs = [], []
    for rtol in (1e-2, 3e-3, 1e-3, 3e-4):
        with DensityWorkspace(eps, rtol=rtol) as ws:
            density_grid(ws, pt)
            errs.append(np.abs(density_at(ws, y) - exact).max() / exact.max())
            hs.append(ws.h)
        assert errs[-1] <= rtol
    order = np.polyfit(np.log(hs), np.log(errs), 1)[0]
    assert 1.8 < order < 2.2, order

def test_density_workspace_rejects_non_finite():
    with DensityWorkspace(0.1) as ws, pytest.raises(ValueError, match="finite"):
        density_grid(ws, np.array([0.0, np.nan]))


@pytest.mark.parametrize("call,match", [
    (lambda ws, x: density_grid(ws, x, weights=np.ones(3)), r"weights must have shape \(N,\) = \(10,\), one entry per point, got shape \(3,\)"),   # no read past the end
    (lambda ws, x: density_grid(ws, x, weights=np.full(10, np.nan)), "weights must be finite"),
    (lambda ws, x: density_grid(ws, x, weights=-np.ones(10)), "weights must be >= 0"),
    (lambda ws, x: density_at(ws, x, out=np.empty(3)), "out must have the shape of y"),                     # no write past the end
    (lambda ws, x: density_at(ws, x.reshape(2, 5)), "y must be 1-D"),
])
def test_density_workspace_bad_input(call, match):
    with DensityWorkspace(0.1) as ws, pytest.raises(ValueError, match=match):
        call(ws, np.linspace(0.0, 1.0, 10))


def test_density_workspace_span_names_first_non_finite():
    "span is numpy's (min, max); with NaN or inf anywhere (any chunk) it names the first bad index."
    x = np.random.default_rng(2).standard_normal(300_001)        # threaded path, uneven chunks
    with DensityWorkspace(0.05, n_chunks=3, threads=2) as ws:
        assert ws.span(x) == (x.min(), x.max())
        for bad in ({250_000: np.nan, 280_000: np.inf}, {100_000: -np.inf, 5: np.nan}, {300_000: np.inf}):
            y = x.copy()
            for i, v in bad.items(): y[i] = v
            with pytest.raises(ValueError, match=f"at index {min(bad)}$"):
                ws.span(y)


def test_density_workspace_same_result_any_threads():
    x = np.random.default_rng(1).standard_normal(300_000)       # large enough for the threaded path
    with DensityWorkspace(0.05, threads=1) as a, DensityWorkspace(0.05, threads=2) as b:
        assert np.array_equal(density_grid(a, x), density_grid(b, x))
        assert np.array_equal(density_at(a, x[:5000]), density_at(b, x[:5000]))


def test_bin_linear_drops_points_off_the_grid():
    "Points outside the grid are dropped instead of written out of bounds."
    from chaos_book.mollifiers import _bin_linear
    c = _bin_linear(np.array([-1.0, 0.25, 5.0]), np.ones(3), 0.0, 0.5, 4)
    assert_allclose(c, [0.5, 0.5, 0.0, 0.0])


# --- mass at the grid ends (issue 12, item 17) ------------------------------------------------------------------------
@pytest.mark.parametrize("eps", [0.05, 0.1, 0.2])
def test_grid_mass_lost_at_the_ends_matches_closed_form(eps):
    "u = 1 on [0, 1]: the kernel spreads eps int_0^1 s K(s) ds past each end, where u_h is zero (error O(dx^2))."
    x = (np.arange(2000) + 0.5) / 2000
    kept = mollify_grid(np.ones(x.size), x, eps).sum() / x.size
    lost = 2 * eps * quad(lambda s: s * float(STANDARD.K(s)), 0, 1, epsabs=1e-14)[0]
    assert abs(kept - (1 - lost)) < 0.2 * (x[1] - x[0]) ** 2 / eps          # midpoint error of the moment: 0.069 dx^2/eps measured
    u = np.where(np.abs(x - 0.5) < 0.5 - eps - 2 * (x[1] - x[0]), 1.0, 0.0)      # vanishes within eps of the ends
    assert abs(mollify_grid(u, x, eps).sum() - u.sum()) < 1e-12 * u.sum()


# --- array shapes (issue 11, item 7) -----------------------------------------------------------------------------
@pytest.mark.parametrize("call,match", [
    (lambda: mollify(np.zeros((3, 2)), 0.1), r"points must be a 1-D array of shape \(N,\), got shape \(3, 2\)"),
    (lambda: mollify(np.zeros(3), 0.1, weights=np.ones((3, 1))), r"weights must have shape \(N,\) = \(3,\)"),
    (lambda: mollify(np.zeros(3), 0.1, weights=np.ones(4)), r"weights must have shape \(N,\) = \(3,\)"),
    (lambda: mollify(np.zeros(3), np.ones(2)), r"eps must be a number, got an array of shape \(2,\)"),
    (lambda: K_eps(np.zeros(3), np.ones(2)), r"eps must be a number"),
    (lambda: grid_taps(np.ones(2), 0.1), r"dx must be a finite number > 0"),
    (lambda: mollify_grid(np.ones(5), np.ones((5, 1)), 0.1), r"x must be a 1-D grid.*shape \(5, 1\)"),
    (lambda: mollify_grid(np.ones(4), np.linspace(0, 1, 5), 0.5), r"u must have the grid on its last axis"),
    (lambda: nu_eps(LinearDriver(1.0, 1.0), 0.0, np.zeros(2), np.zeros((3, 2)), 0.1), r"points must be a 1-D array"),
    (lambda: fast_grid_step(np.ones(2)), r"eps must be a number"),
])
def test_wrong_shapes_name_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_workspace_wrong_shapes_name_the_parameter():
    with DensityWorkspace(0.1, threads=1) as ws:
        with pytest.raises(ValueError, match=r"x must be a 1-D array of positions, shape \(N,\), got shape \(2, 3\)"):
            density_grid(ws, np.zeros((2, 3)))
        with pytest.raises(ValueError, match=r"weights must have shape \(N,\) = \(3,\)"):
            density_grid(ws, np.zeros(3), weights=np.ones((1, 3)))
        density_grid(ws, np.zeros(3))
        with pytest.raises(ValueError, match=r"y must be 1-D"):
            density_at(ws, np.zeros((2, 2)))
        with pytest.raises(ValueError, match=r"f must be 1-D grid values, shape \(G,\)"):
            density_at(ws, np.zeros(2), f=np.zeros((2, ws.G)))
        with pytest.raises(ValueError, match=r"out must have the shape of y"):
            density_at(ws, np.zeros(2), out=np.zeros(3))
    with pytest.raises(ValueError, match=r"eps must be a number"):
        DensityWorkspace(np.ones(2))


def test_density_grid_memory_guard_gives_the_estimate():
    # issue 19: a span of 1e12 at eps = 0.1 would be a 4e15-node grid; refused before allocating, with the estimate
    from chaos_book.mollifiers import DensityWorkspace, density_grid
    with DensityWorkspace(0.1) as ws, pytest.raises(ValueError, match=r"density grid of 4.1\de\+15 nodes would need about .* GiB"):
        density_grid(ws, np.array([0.0, 1e12]))
    with DensityWorkspace(0.1, max_bytes=1e5) as ws:
        with pytest.raises(ValueError, match="limit of"):
            density_grid(ws, np.array([0.0, 100.0]))
    with DensityWorkspace(0.1, max_bytes=1e9) as ws:
        assert density_grid(ws, np.array([0.0, 100.0])).size == ws.G > 0
