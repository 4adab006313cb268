"""Tests for chaos_book.diagnostics: the terms of the energy estimates against closed forms, integration by parts and
finite differences in time along solutions."""
import warnings

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest
from scipy.integrate import quad

from chaos_book.diagnostics import energy_terms, terms_along
from chaos_book.drivers import ConstantVolatility, LinearDriver
from chaos_book.fokker_planck import solve
from chaos_book.mollifiers import K_eps, STANDARD, TWIN


def gaussian(x, s):
    "N(0, s^2) density and its first two derivatives."
    g = np.exp(-x**2 / (2 * s * s)) / np.sqrt(2 * np.pi * s * s)
    return g, -x / s**2 * g, (x**2 / s**4 - 1 / s**2) * g


X = np.linspace(-4, 4, 1601)


def test_heat_closed_form():
    "Constant volatility: T1 = -sigma^2/2 ||u''||^2 = -sigma^2/2 * 3/(8 sqrt(pi) s^5), T2 = T3 = 0, J = sigma^4 I."
    s, sigma = 0.5, 1.3
    u, _, _ = gaussian(X, s)
    e = energy_terms(ConstantVolatility(sigma), u, X, 0.0)
    assert e["T1"] == pytest.approx(-0.5 * sigma**2 * 3 / (8 * np.sqrt(np.pi) * s**5), rel=2e-4)   # O(dx^2) = 4e-5
    assert e["T2"] == 0 and e["T3"] == 0 and abs(e["L2_cross"]) < 1e-30
    assert e["I"] == pytest.approx(0.5 / (4 * np.sqrt(np.pi) * s**3), rel=1e-4)
    assert e["J"] == pytest.approx(sigma**4 * e["I"], rel=1e-12)


@pytest.mark.parametrize("a,b", [(1.0, 0.5), (2.0, 0.1)])
def test_linear_driver_integration_by_parts(a, b):
    "eps = 0, Example 2.5: dI/dt = -1/2 int Phi'(u) u''^2 + 1/6 int Phi''' u'^4 with Phi = (u+b)^2 u / a^2 (exact derivatives)."
    u, ux, uxx = gaussian(X, 0.5)
    dPhi = ((u + b) ** 2 + 2 * u * (u + b)) / a**2
    dx = X[1] - X[0]
    ibp = ((-0.5 * dPhi * uxx**2 + ux**4 / a**2) * dx).sum()
    e = energy_terms(LinearDriver(a, b), u, X, 0.0)
    assert e["dIdt"] == pytest.approx(ibp, rel=2e-4)        # centred differences, dx = 5e-3: O(dx^2) ~ 4e-5
    # L^2 identity: d/dt int u^2 = -int u_x d_x Phi(u) = -int Phi'(u) u_x^2
    assert e["L2_dissip"] + e["L2_cross"] == pytest.approx(-(dPhi * ux**2 * dx).sum(), rel=2e-4)
    assert e["L2_cross"] <= 0                             # the term the paper drops has a good sign here


def test_second_order_in_dx():
    "T1 = -1/2 int D u_xx^2 converges at order 2 to the exact integral (Example 2.5, eps = 0), by adaptive quadrature."
    a, b = 1.0, 0.5
    def integrand(y):
        u, _, uxx = gaussian(y, 0.5)
        return -0.5 * ((u + b) / a) ** 2 * uxx**2
    exact = quad(integrand, -np.inf, np.inf, epsabs=1e-14, epsrel=1e-13, limit=200)[0]    # tails beyond 8 sd: < 1e-13
    e = []
    for G in (201, 401, 801):
        x = np.linspace(-4, 4, G)
        e.append(abs(energy_terms(LinearDriver(a, b), gaussian(x, 0.5)[0], x, 0.0)["T1"] - exact))
    rates = np.log2(np.array(e[:-1]) / e[1:])
    assert np.all((rates > 1.9) & (rates < 2.1)), (rates, e)
    assert e[-1] < 1e-3 * abs(exact)


@pytest.mark.parametrize("kernel,rel", [(STANDARD, 5e-4), (TWIN, 5e-3)], ids=["standard", "twin"])
def test_T3crit_uses_mollified_uxx(kernel, rel):
    """T3crit = -1/2 int u u_xx dD/dv (K_eps * u_xx), everything from the exact Gaussian: K_eps * u and K_eps * u_xx
    by 200-point Gauss-Legendre on [x - eps, x + eps] (agrees with scipy's quad to 1e-11, 300x faster).
    The grid error (eps = 18 dx) is larger for the twin kernel, whose K'' is steeper."""
    eps, a, b = 0.3, 1.0, 0.4
    x = np.linspace(-2.5, 2.5, 301)
    u, _, uxx = gaussian(x, 0.4)
    s, w = np.polynomial.legendre.leggauss(200)
    y = x[:, None] + eps * s
    v, _, Kuxx = ((w * K_eps(x[:, None] - y, eps, kernel) * g).sum(1) * eps for g in gaussian(y, 0.4))
    dDdv = 2 * (v + b) / a**2
    ref = (-0.5 * u * uxx * dDdv * Kuxx).sum() * (x[1] - x[0])
    assert energy_terms(LinearDriver(a, b), u, x, eps, kernel=kernel)["T3crit"] == pytest.approx(ref, rel=rel)


def test_sum_matches_time_derivative_along_solve():
    "Along a solve of (9) (eps = 0.2): finite differences of I in time agree with T1 + T2 + T3."
    x = np.linspace(-3, 3, 1200)
    u0 = np.exp(-(x + 0.4) ** 2 / 0.1) + 0.8 * np.exp(-(x - 0.5) ** 2 / 0.05)
    u0 /= u0.sum() * (x[1] - x[0])
    drv = LinearDriver(1.0, 0.5 * u0.max())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = solve(drv, u0, x, 0.2, 0.005, save_at=np.linspace(0, 0.005, 41), method="midpoint", rtol=1e-4)
    tr = terms_along(r, drv)
    assert set(tr) >= {"t", "T1", "T2", "T3", "T3crit", "I", "J"} and tr["T1"].shape == r.t.shape
    fd = np.diff(tr["I"]) / np.diff(tr["t"])
    assert np.abs(fd / (0.5 * (tr["dIdt"][1:] + tr["dIdt"][:-1])) - 1).max() < 5e-3
    l2 = np.diff([(u * u).sum() * (x[1] - x[0]) for u in r.u]) / np.diff(r.t)
    mid = 0.5 * ((tr["L2_dissip"] + tr["L2_cross"])[1:] + (tr["L2_dissip"] + tr["L2_cross"])[:-1])
    assert np.abs(l2 / mid - 1).max() < 1e-3


def test_bad_input():
    u, _, _ = gaussian(X, 0.5)
    drv = LinearDriver(1.0, 1.0)
    with pytest.raises(ValueError, match="eps must be"): energy_terms(drv, u, X, -1.0)
    with pytest.raises(ValueError, match=r"u must have the shape of x, \(1601,\), got shape \(1600,\)"): energy_terms(drv, u[:-1], X, 0.0)
    with pytest.raises(ValueError, match=r"u must have the shape of x, \(1601,\), got shape \(1601, 1\)"): energy_terms(drv, u[:, None], X, 0.0)
    with pytest.raises(ValueError, match=r"x must be a 1D grid .* got shape \(1601, 1\)"): energy_terms(drv, u, X[:, None], 0.0)
    with pytest.raises(ValueError, match="uniform"): energy_terms(drv, u, X**3, 0.0)
    bad = u.copy(); bad[3] = np.nan
    with pytest.raises(ValueError, match="finite"): energy_terms(drv, bad, X, 0.0)
    with pytest.raises(ValueError, match="x must be finite"): energy_terms(drv, u, np.where(X > 0, np.nan, X), 0.0)
    with pytest.raises(ValueError, match="at least 5"): energy_terms(drv, u[:4], X[:4], 0.0)


def test_terms_along_bad_input():
    "terms_along needs a solve result whose snapshots have shape (len(t), len(x))."
    from types import SimpleNamespace
    x = np.linspace(-3, 3, 64)
    u, _, _ = gaussian(x, 0.5)
    drv = LinearDriver(1.0, 1.0)
    good = SimpleNamespace(x=x, t=np.array([0.0, 0.1]), u=np.stack([u, u]), params={"eps": 0.0})
    assert terms_along(good, drv)["T1"].shape == (2,)
    with pytest.raises(ValueError, match="res must be a fokker_planck.solve result"): terms_along(u, drv)
    bad = SimpleNamespace(x=x, t=np.array([0.0, 0.1]), u=np.stack([u, u, u]), params={"eps": 0.0})
    with pytest.raises(ValueError, match=r"res.u must have shape \(len\(res.t\), len\(res.x\)\) = \(2, 64\), got \(3, 64\)"):
        terms_along(bad, drv)
    with pytest.raises(ValueError, match=r"= \(2, 64\), got \(2, 32\)"):
        terms_along(SimpleNamespace(x=x, t=good.t, u=good.u[:, ::2], params={"eps": 0.0}), drv)


def test_bad_driver_eps_and_t():
    "A non-driver is a TypeError; eps and t that are not finite numbers are ValueErrors naming them."
    u, _, _ = gaussian(X, 0.5)
    drv = LinearDriver(1.0, 1.0)
    with pytest.raises(TypeError, match="driver must be a chaos_book.drivers.Driver"): energy_terms(None, u, X, 0.0)
    with pytest.raises(TypeError, match="got float"): energy_terms(1.0, u, X, 0.0)
    with pytest.raises(ValueError, match="eps must be a finite number, got 'a'"): energy_terms(drv, u, X, "a")
    with pytest.raises(ValueError, match="eps must be finite and >= 0, got inf"): energy_terms(drv, u, X, np.inf)
    with pytest.raises(ValueError, match="t must be a finite number, got nan"): energy_terms(drv, u, X, 0.0, t=np.nan)
    with pytest.raises(ValueError, match="t must be a finite number, got 'z'"): energy_terms(drv, u, X, 0.0, t="z")


def test_public_api_documented():
    "__all__ holds the public callables only, each with a numpydoc docstring (Parameters, Returns, Raises)."
    import chaos_book.diagnostics as d
    assert d.__all__ == ["energy_terms", "terms_along"]
    for name in d.__all__:
        doc = getattr(d, name).__doc__
        for section in ("Parameters", "Returns", "Raises"):
            assert f"{section}\n    {'-' * len(section)}" in doc, (name, section)
        assert "above" not in doc and "below" not in doc, name
