"""Tests for chaos_book.fokker_planck: exact solutions, observed orders, conservation laws, bad inputs."""
import warnings

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import erf

from chaos_book.drivers import ConstantVolatility, FunctionDriver, LinearDriver, TanhDriver
from chaos_book.fokker_planck import barenblatt, solve
from chaos_book.mollifiers import mollify_grid


def centres(L, G):
    "G cell centres of [-L, L]."
    return (np.arange(G) + 0.5) * (2 * L / G) - L


def order(dxs, errs):
    "Least-squares slope of log(err) against log(dx)."
    return np.polyfit(np.log(dxs), np.log(errs), 1)[0]


def gaussian_cell_averages(x, var):
    "Exact cell averages of the N(0, var) density (via erf)."
    dx, s = x[1] - x[0], np.sqrt(2 * var)
    return (erf((x + dx / 2) / s) - erf((x - dx / 2) / s)) / (2 * dx)


def barenblatt_general(x, t, m, kappa, mass=1.0):
    """Barenblatt-Pattle solution of u_t = kappa (u^m)_xx in n = 1 (Vazquez 2007, eq. (4.3)-(4.5)) by the general
    formula: alpha = n/(n(m-1)+2), beta = alpha/n, k = alpha(m-1)/(2mn); C fixed by the mass (numerical quadrature)."""
    n, tau = 1, kappa * t
    alpha = n / (n * (m - 1) + 2)
    beta, k = alpha / n, alpha * (m - 1) / (2 * m * n)
    unit = quad(lambda xi: max(1 - k * xi**2, 0) ** (1 / (m - 1)), -1 / np.sqrt(k), 1 / np.sqrt(k))[0]
    C = (mass / unit) ** ((m - 1) / (1 + (m - 1) / 2))          # mass(C) = C^{1/(m-1) + 1/2} * unit
    return tau**-alpha * np.maximum(C - k * (x * tau**-beta) ** 2, 0) ** (1 / (m - 1))


def test_barenblatt_reference_is_a_solution():
    "The test's own Barenblatt profile: unit mass and u_t = kappa (u^3)_xx inside the support."
    kappa, t, h = 0.5, 1.3, 1e-5
    x = np.linspace(-3, 3, 6001)
    u = barenblatt_general(x, t, 3, kappa)
    assert abs(u.sum() * (x[1] - x[0]) - 1) < 1e-5
    ut = (barenblatt_general(x, t + h, 3, kappa) - barenblatt_general(x, t - h, 3, kappa)) / (2 * h)
    rhs = kappa * np.gradient(np.gradient(u**3, x), x)
    inner = u > 0.3 * u.max()
    assert np.abs(ut - rhs)[inner].max() < 1e-4 * np.abs(ut).max()


def test_heat_kernel_second_order():
    "Constant volatility: exact Gaussian; observed L1 order in dx of the second-order-in-time scheme."
    sigma, var0, T = 0.8, 0.25, 1.0
    dxs, errs = [], []
    for G in (100, 200, 400, 800):
        x = centres(6.0, G)
        dx = x[1] - x[0]
        r = solve(ConstantVolatility(sigma), gaussian_cell_averages(x, var0), x, 0.0, T, dt=0.5 * dx, method="midpoint")
        errs.append(np.abs(r.u[-1] - gaussian_cell_averages(x, var0 + sigma**2 * T)).sum() * dx)
        dxs.append(dx)
    p = order(dxs, errs)
    assert 1.7 < p < 2.3, (p, errs)
    assert errs[-1] < 1e-4


def test_heat_kernel_implicit_first_order_in_time():
    "Backward Euler with dt proportional to dx: observed order 1 (the time error dominates)."
    sigma, var0, T = 1.0, 0.25, 0.5
    dxs, errs = [], []
    for G in (200, 400, 800):
        x = centres(6.0, G)
        dx = x[1] - x[0]
        r = solve(ConstantVolatility(sigma), gaussian_cell_averages(x, var0), x, 0.0, T, dt=0.5 * dx)
        errs.append(np.abs(r.u[-1] - gaussian_cell_averages(x, var0 + sigma**2 * T)).sum() * dx)
        dxs.append(dx)
    assert 0.8 < order(dxs, errs) < 1.2, errs


def test_barenblatt_observed_orders():
    "Linear driver with b = 0 is the porous-medium equation m = 3: order 2 inside the support, ~3/2 globally (front)."
    a, t0, T = 1.0, 1.0, 2.0
    kappa = 1 / (2 * a**2)
    dxs, e_in, e_all = [], [], []
    for G in (100, 200, 400, 800, 1600):
        x = centres(2.0, G)
        dx = x[1] - x[0]
        fine = lambda t: barenblatt_general(x[:, None] + dx * (np.arange(20) + 0.5)[None, :] / 20 - dx / 2, t, 3, kappa).mean(1)
        with pytest.warns(UserWarning, match=r"2\.4\(iv\)"):
            r = solve(LinearDriver(a, 0.0), fine(t0), x, 0.0, T, dt=0.25 * dx, t0=t0, method="midpoint")
        err = np.abs(r.u[-1] - fine(T)) * dx
        R = np.sqrt(12 / (np.pi * np.sqrt(3))) * (kappa * T) ** 0.25       # front position at T
        e_in.append(err[np.abs(x) < 0.8 * R].sum()); e_all.append(err.sum()); dxs.append(dx)
        assert r.history["min"].min() >= 0
    p_in, p_all = order(dxs, e_in), order(dxs, e_all)
    assert 1.7 < p_in < 2.3, (p_in, e_in)
    assert 1.2 < p_all < 1.8, (p_all, e_all)          # least squares: local rates oscillate (front vs cell edges)


@pytest.mark.parametrize("method", ["implicit", "lagged"])
@pytest.mark.parametrize("eps", [0.0, 0.4])
def test_mass_and_positivity_one_huge_step(method, eps):
    "Rough data, a single step dt = T: mass conserved to round-off, u >= 0."
    rng = np.random.default_rng(1)
    x = centres(10.0, 500)
    u0 = rng.uniform(0, 1, x.size) * (np.abs(x) < 2) * (rng.uniform(size=x.size) < 0.5)
    r = solve(LinearDriver(1.0, 3.0), u0, x, eps, 5.0, dt=5.0, method=method, edge_tol=None)
    m = r.history["mass"]
    assert abs(m[-1] - m[0]) < 1e-13 * m[0]
    assert r.u[-1].min() >= 0 and r.params["steps"] == 1


@pytest.mark.parametrize("eps", [0.0, 0.3])
def test_mass_and_positivity_many_steps(eps):
    "Adaptive run on rough data with a nonlinear driver: mass drift below 1e-12, min >= 0 at every step."
    rng = np.random.default_rng(2)
    x = centres(15.0, 400)
    u0 = rng.uniform(0, 2, x.size) * (np.abs(x) < 1.5)
    r = solve(TanhDriver(1.0, 0.5, 3.0), u0, x, eps, 0.3, rtol=1e-2)
    m = r.history["mass"]
    assert np.abs(m - m[0]).max() < 1e-12 * m[0]
    assert r.history["min"].min() >= 0
    assert r.params["steps"] > 50


def test_discrete_maximum_principle_eps0():
    "eps = 0, monotone D u: the implicit scheme keeps max u <= max u0 even with huge steps (Lemma 4.2, discrete)."
    rng = np.random.default_rng(3)
    x = centres(8.0, 300)
    u0 = rng.uniform(0, 1, x.size) * (np.abs(x) < 2)
    r = solve(TanhDriver(1.0, 0.5, 3.0), u0, x, 0.0, 2.0, dt=0.5, edge_tol=None)
    assert r.history["max"].max() <= u0.max() * (1 + 1e-8)


def test_lagged_unstable_implicit_stable_for_degenerate_driver():
    "b = 0 and large steps: the lagged scheme overshoots the maximum, the implicit one does not."
    x = centres(2.0, 200)
    u0 = barenblatt_general(x, 1.0, 3, 0.5)
    dt = 20 * (x[1] - x[0]) ** 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        lag = solve(LinearDriver(1.0, 0.0), u0, x, 0.0, 3.0, dt=dt, t0=1.0, method="lagged")
        imp = solve(LinearDriver(1.0, 0.0), u0, x, 0.0, 3.0, dt=dt, t0=1.0)
    assert lag.history["max"].max() > 1.2 * u0.max()
    assert imp.history["max"].max() <= u0.max() * (1 + 1e-8)


def _moment_check(driver, eps, G, dt):
    "max |d/dt int x^2 u - int h_inv(t, x, v)^2 u dx| over snapshots every dt, relative to the rate."
    x = centres(12.0, G)
    dx = x[1] - x[0]
    s = np.linspace(0.0, 0.5, int(round(0.5 / dt)) + 1)
    r = solve(driver, gaussian_cell_averages(x, 0.3), x, eps, 0.5, dt=dt, save_at=s, method="midpoint")
    M2 = (x**2 * r.u).sum(1) * dx
    rate = np.gradient(M2, s, edge_order=2)
    v = np.array([mollify_grid(u, x, eps) if eps > 0 else u for u in r.u])
    rhs = (driver.h_inv(r.t[:, None], x, v) ** 2 * r.u).sum(1) * dx
    away = (s >= 0.1) & (s <= 0.45)           # skip the initial layer and the one-sided end differences
    return np.abs(rate - rhs)[away].max() / np.abs(rhs).max()


@pytest.mark.parametrize("driver,eps", [(LinearDriver(1.0, 2.0), 0.0), (LinearDriver(1.0, 2.0), 0.5),
                                        (TanhDriver(1.0, 0.5, 2.0), 0.0), (TanhDriver(1.0, 0.5, 2.0), 0.5)])
def test_second_moment_identity(driver, eps):
    "d/dt int x^2 u = int h_inv(t, x, K_eps * u)^2 u dx, checked on snapshots; the discrepancy shrinks with dt."
    coarse = _moment_check(driver, eps, 300, 0.02)
    fine = _moment_check(driver, eps, 300, 0.01)
    assert fine < 2.5e-4
    assert 0.2 < fine / coarse < 0.3, (coarse, fine)   # second order in dt: ratio 1/4 (first order would give 1/2)


def test_x_dependent_driver_reaches_its_stationary_state():
    "Zero-flux walls: the steady state has D(x, u) u constant, i.e. ((u + b(x))/a)^2 u = c (solved by bisection)."
    a, b = 1.0, lambda x: 1.0 + 0.5 * np.cos(2 * np.pi * x)
    x = centres(1.0, 200)
    dx = x[1] - x[0]
    driver = LinearDriver(a, b)
    r = solve(driver, np.full(x.size, 0.5), x, 0.0, 3.0, edge_tol=None, rtol=1e-2)

    def u_of(c):               # (u + b)^2 u = c a^2 is increasing in u >= 0: bisection per point
        lo, hi = np.zeros(x.size), np.full(x.size, 10.0)
        for _ in range(100):
            mid = (lo + hi) / 2
            big = (mid + b(x)) ** 2 * mid > c * a**2
            hi, lo = np.where(big, mid, hi), np.where(big, lo, mid)
        return (lo + hi) / 2
    lo, hi = 1e-6, 50.0
    for _ in range(100):      # mass of the steady state = initial mass
        c = (lo + hi) / 2
        lo, hi = (c, hi) if u_of(c).sum() * dx < 1.0 else (lo, c)
    # the scheme's flux is a difference of D u between cells, so its steady state is D u = const at the centres:
    # it matches the continuous one to round-off (a 1e-3 band would hide a wrong D(x, u) of that size)
    assert np.abs(r.u[-1] - u_of(c)).max() < 1e-9


def test_t_dependent_driver_is_a_time_change():
    "h = a(t) z - b gives D = ((u + b)/a(t))^2: u(t) = w(s(t)), s = int_0^t a(1)^2/a(r)^2 dr, w the a(1) solution."
    b, a_of = 2.0, lambda t: 1.0 + 0.5 * t
    drv = FunctionDriver(lambda t, x, z: a_of(t) * z - b, lambda t, x, z: a_of(t) + 0 * z, x_dependent=False)
    x = centres(12.0, 300)
    u0 = gaussian_cell_averages(x, 0.3)
    T = 1.0
    s = quad(lambda r: a_of(1.0) ** 2 / a_of(r) ** 2, 0, T)[0]
    r1 = solve(drv, u0, x, 0.0, T, dt=0.002, method="midpoint", check_driver=False)   # h_t = a'(t) z: (ii) fails for large z
    r2 = solve(LinearDriver(a_of(1.0), b), u0, x, 0.0, s, dt=0.002 * s / T, method="midpoint")
    assert np.abs(r1.u[-1] - r2.u[-1]).sum() * (x[1] - x[0]) < 1e-6     # O(dt^2) of two midpoint runs; u moves by ~1


def test_result_layout_and_save_times():
    x = centres(16.0, 400)
    r = solve(LinearDriver(1.0, 2.0), gaussian_cell_averages(x, 0.5), x, 0.5, 1.0, save_at=[0.0, 0.1, 0.35], rtol=1e-2)
    assert np.array_equal(r.t, [0.0, 0.1, 0.35, 1.0]) and r.u.shape == (4, x.size)
    for key in ("t", "mass", "min", "max", "l2", "h1_semi", "h2_semi", "dt_l2", "second_moment", "edge_mass"):
        assert r.history[key].shape == r.history["t"].shape
    assert np.all(np.isfinite(np.stack([r.history[k] for k in r.history])))
    for tk, uk in zip(r.t, r.u):              # snapshots are states that were recorded in the history
        i = np.flatnonzero(r.history["t"] == tk)
        assert i.size == 1 and r.history["max"][i[0]] == uk.max()
    assert np.array_equal(r.u[-1], solve(LinearDriver(1.0, 2.0), gaussian_cell_averages(x, 0.5), x, 0.5, 1.0, rtol=1e-2,
                                         save_at=[0.0, 0.1, 0.35]).u[-1])       # deterministic


def test_history_norms_match_closed_forms_for_a_gaussian():
    x = centres(8.0, 2000)
    r = solve(ConstantVolatility(1.0), np.exp(-x**2 / 2) / np.sqrt(2 * np.pi), x, 0.0, 1e-9, dt=1e-9)
    h = {k: v[0] for k, v in r.history.items()}
    assert abs(h["l2"] ** 2 - 1 / (2 * np.sqrt(np.pi))) < 1e-5
    assert abs(h["h1_semi"] ** 2 - 1 / (4 * np.sqrt(np.pi))) < 1e-5
    assert abs(h["h2_semi"] ** 2 - 3 / (8 * np.sqrt(np.pi))) < 1e-4
    assert abs(h["dt_l2"] ** 2 - 3 / (32 * np.sqrt(np.pi))) < 1e-4       # u_t = u_xx / 2
    assert abs(h["second_moment"] - 1) < 1e-6


# ---------------------------------------------------------------- bad inputs
def test_bad_grid():
    d, u0 = LinearDriver(1.0, 2.0), lambda x: np.exp(-x**2)
    with pytest.raises(ValueError, match="uniform"):
        solve(d, u0, np.r_[np.linspace(-5, 0, 50), np.linspace(0.2, 5, 50)], 0.0, 1.0)
    with pytest.raises(ValueError, match="at least 8"):
        solve(d, u0, np.linspace(-5, 5, 5), 0.0, 1.0)


def test_domain_too_short_is_reported():
    x = centres(3.0, 200)
    with pytest.raises(ValueError, match="too short"):
        solve(LinearDriver(1.0, 2.0), gaussian_cell_averages(x, 0.2), x, 0.0, 2.0)
    with pytest.warns(UserWarning, match="too short"):
        r = solve(LinearDriver(1.0, 2.0), gaussian_cell_averages(x, 0.2), x, 0.0, 2.0, on_edge="warn")
    assert r.history["edge_mass"][-1] > 1e-8


@pytest.mark.parametrize("u0,match", [(lambda x: -np.exp(-x**2), ">= 0"), (lambda x: np.where(x > 0, np.exp(-x**2), np.nan), "finite"),
                                      (lambda x: np.where(x > 0, np.inf, np.exp(-x**2)), "finite"),
                                      (lambda x: 0 * x, "positive mass"), (lambda x: np.ones(3), "shape")])
def test_bad_initial_data(u0, match):
    with pytest.raises(ValueError, match=match):
        solve(LinearDriver(1.0, 2.0), u0, centres(5.0, 100), 0.0, 1.0)


def test_bad_scalars():
    d, x, u0 = LinearDriver(1.0, 2.0), centres(8.0, 100), lambda x: np.exp(-x**2)
    for kw, match in [(dict(eps=-1.0), "eps"), (dict(eps=np.nan), "eps"), (dict(T=0.0), "T must"), (dict(dt=-1.0), "dt"),
                      (dict(save_at=[2.0]), "save_at"), (dict(method="rk4"), "method"), (dict(rtol=2.0), "rtol"),
                      (dict(dt_max=0.0), "dt_max"), (dict(on_edge="ignore"), "on_edge"),
                      (dict(edge_tol=np.nan), "edge_tol must be None or finite"), (dict(newton_tol=-1.0), "newton_tol"),
                      (dict(max_iter=0), "max_iter and max_steps must be integers >= 1"), (dict(max_steps=2.5), "max_steps")]:
        args = dict(eps=0.0, T=1.0) | kw
        with pytest.raises(ValueError, match=match):
            solve(d, u0, x, **args)


def test_unresolved_eps_warns():
    x = centres(8.0, 100)
    with pytest.warns(UserWarning, match=r"4 dx.*grid-dependent kernel"):     # says what the result then means
        solve(LinearDriver(1.0, 2.0), lambda x: np.exp(-x**2), x, 0.2, 0.1)


def test_driver_failing_i_to_iii_is_an_error():
    cubic = FunctionDriver(lambda t, x, z: z**3 - 1.0, lambda t, x, z: 3 * z**2, x_dependent=False, t_dependent=False)
    with pytest.raises(ValueError, match=r"fails Assumption 2\.4 \("):
        solve(cubic, lambda x: np.exp(-x**2), centres(8.0, 100), 0.0, 0.1)


def test_degenerate_driver_warns_and_runs():
    x = centres(2.0, 100)
    with pytest.warns(UserWarning, match=r"degenerate"):
        r = solve(LinearDriver(1.0, 0.0), barenblatt_general(x, 1.0, 3, 0.5), x, 0.0, 1.1, t0=1.0)
    assert r.history["min"].min() >= 0


def test_constant_volatility_runs_without_assumption_warnings():
    x = centres(8.0, 100)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = solve(ConstantVolatility(1.0), lambda x: np.exp(-x**2), x, 0.0, 0.1)
    assert r.params["assumptions"] is None


def test_exported_barenblatt_matches_the_general_formula():
    "chaos_book's closed-form cell averages against the test's general formula, averaged by fine quadrature."
    from chaos_book.fokker_planck import barenblatt
    x = centres(2.0, 64)
    dx = x[1] - x[0]
    sub = x[:, None] + dx * (np.arange(400) + 0.5)[None, :] / 400 - dx / 2
    for a, t, mass in [(1.0, 1.0, 1.0), (0.7, 2.5, 0.6)]:
        ref = barenblatt_general(sub, t, 3, 1 / (2 * a * a), mass).mean(1)
        assert np.abs(barenblatt(x, t, a, mass) - ref).max() < 1e-4 * ref.max()
        assert abs(barenblatt(x, t, a, mass).sum() * dx - mass) < 1e-12
    assert np.allclose(barenblatt(x, 1.0, average=False), barenblatt_general(x, 1.0, 3, 0.5))
    for kw, match in [(dict(t=0.0), "t must be finite and > 0"), (dict(t=np.nan), "t must"), (dict(a=0.0), "a must"),
                      (dict(mass=-1.0), "mass must")]:
        with pytest.raises(ValueError, match=match):                  # no NaN (or zeros) for a time or a mass outside the model
            barenblatt(x, **(dict(t=1.0) | kw))


def test_adaptive_midpoint_is_accurate_and_positive():
    "Adaptive midpoint on the heat kernel: error at the spatial level, u >= 0, exact mass, few steps."
    x = centres(8.0, 400)
    dx = x[1] - x[0]
    r = solve(ConstantVolatility(1.0), gaussian_cell_averages(x, 0.1), x, 0.0, 1.0, method="midpoint", rtol=1e-2)
    err = np.abs(r.u[-1] - gaussian_cell_averages(x, 1.1)).sum() * dx
    assert err < 2e-4 and r.history["min"].min() >= 0 and r.params["steps"] < 400
    assert abs(r.history["mass"][-1] - r.history["mass"][0]) < 1e-13


@pytest.mark.parametrize("eps", [0.05, 0.3, 1.0])
def test_mollified_field_is_mollify_grid(eps):
    "The solver's K_eps * u (cached taps) is the mollifiers chapter's mollify_grid, to round-off."
    from chaos_book.fokker_planck import _Coefficients
    x = np.linspace(-3, 3, 301)
    u = np.exp(-x**2) * (1 + 0.5 * np.sin(7 * x))
    assert np.abs(_Coefficients(LinearDriver(1.0, 1.0), x, eps).v(u) - mollify_grid(u, x, eps)).max() < 1e-14


# ---------------------------------------------------------------- issue 12, item 18: eps below the cell size
@pytest.mark.parametrize("frac,is_7", [(0.3, True), (0.5, True), (0.7, False), (2.0, False)])
def test_small_eps_warning_says_equation_7_only_below_half_a_cell(frac, is_7):
    "The taps are [0, 1, 0] exactly when eps <= dx/2; at 0.7 dx they are 0.025 / 0.949 / 0.025."
    from chaos_book.mollifiers import grid_taps
    x = centres(8.0, 100)
    dx = x[1] - x[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = solve(LinearDriver(1.0, 2.0), lambda x: np.exp(-x**2), x, frac * dx, 0.2, dt=0.01)
        r0 = solve(LinearDriver(1.0, 2.0), lambda x: np.exp(-x**2), x, 0.0, 0.2, dt=0.01)
    msgs = [str(w.message) for w in caught if "4 dx" in str(w.message)]
    assert len(msgs) == 1 and ("result is that of the paper's equation (7)" in msgs[0]) == is_7
    taps = grid_taps(dx, frac * dx)
    assert (np.abs(taps - np.pad([1.0], (taps.size - 1) // 2)).max() < 1e-14) == is_7
    diff = np.abs(r.u[-1] - r0.u[-1]).max() / r0.u[-1].max()
    assert diff < 1e-12 if is_7 else diff > 1e-8          # round-off vs a real change of the equation


# ---------------------------------------------------------------- issue 11, item 7: array shapes
@pytest.mark.parametrize("kw,match", [
    (dict(eps=np.zeros(2)), r"eps must be a number, got an array of shape \(2,\)"),
    (dict(T=np.ones(2)), r"T must be a number"),
    (dict(t0=np.zeros(1)), r"t0 must be a number"),
    (dict(dt=np.full(3, 0.1)), r"dt must be a number"),
    (dict(rtol=np.full(2, 1e-3)), r"rtol must be a number"),
    (dict(dt_max=np.ones(2)), r"dt_max must be a number"),
    (dict(edge_tol=np.ones(2)), r"edge_tol must be a number"),
    (dict(newton_tol=np.ones(2)), r"newton_tol must be a number"),
    (dict(save_at=np.zeros((2, 2))), r"save_at must be a time or a 1-D array of times, shape \(k,\), got shape \(2, 2\)"),
    (dict(u0=np.ones((100, 1))), r"u0 must have the shape of x \(100,\), got \(100, 1\)"),
    (dict(x=centres(5.0, 100).reshape(10, 10)), r"x must be a 1D grid of at least 8 cell centres, got shape \(10, 10\)"),
])
def test_solve_wrong_shapes_name_the_parameter(kw, match):
    args = dict(driver=LinearDriver(1.0, 2.0), u0=lambda x: np.exp(-x**2), x=centres(5.0, 100), eps=0.0, T=0.5) | kw
    with pytest.raises(ValueError, match=match):
        solve(**args)


def test_barenblatt_wrong_shapes_name_the_parameter():
    x = centres(2.0, 50)
    with pytest.raises(ValueError, match=r"x must be a 1-D grid of cell centres, shape \(G,\)"):
        barenblatt(x.reshape(5, 10), 1.0)
    with pytest.raises(ValueError, match=r"t must broadcast against x of shape \(50,\), got shape \(3,\)"):
        barenblatt(x, np.ones(3))
    with pytest.raises(ValueError, match=r"a must be a number"):
        barenblatt(x, 1.0, a=np.ones(2))
    assert barenblatt(x, np.array([1.0, 2.0])[:, None]).shape == (2, 50)     # broadcasting t against x is allowed


# ---------------------------------------------------------------- issue 19: a plain function is not a driver
@pytest.mark.parametrize("driver", [lambda t, x, z: z - 2.0, None, 3.0])
def test_non_driver_is_a_type_error_naming_driver(driver):
    with pytest.raises(TypeError, match=r"driver must be a chaos_book\.drivers\.Driver.*FunctionDriver"):
        solve(driver, lambda x: np.exp(-x**2), centres(8.0, 100), 0.0, 0.1)


def test_wrapped_function_is_accepted():
    "The same h as a FunctionDriver solves, and agrees with LinearDriver(1, 2) (the same h = z - 2)."
    x = centres(8.0, 100)
    f = FunctionDriver(lambda t, x, z: z - 2.0, lambda t, x, z: 1.0 + 0 * z, x_dependent=False, t_dependent=False)
    r_f = solve(f, lambda x: np.exp(-x**2), x, 0.0, 0.1, dt=0.01)
    r_l = solve(LinearDriver(1.0, 2.0), lambda x: np.exp(-x**2), x, 0.0, 0.1, dt=0.01)
    assert np.abs(r_f.u[-1] - r_l.u[-1]).max() < 1e-9 * r_l.u[-1].max()


# ---------------------------------------------------------------- issue 18/19: save_at rule, memory guard
def test_save_at_is_sorted_deduplicated_and_ends_with_T():
    x = centres(16.0, 160)
    r = solve(LinearDriver(1.0, 2.0), lambda x: np.exp(-x**2), x, 0.0, 0.5, dt=0.01, save_at=[0.3, 0.1, 0.3, 0.0])
    assert np.array_equal(r.t, [0.0, 0.1, 0.3, 0.5]) and r.u.shape == (4, x.size)
    assert np.array_equal(solve(LinearDriver(1.0, 2.0), lambda x: np.exp(-x**2), x, 0.0, 0.5, dt=0.01).t, [0.0, 0.5])
    for bad in ([], [np.nan], [-0.1], [0.6]):
        with pytest.raises(ValueError, match="save_at"):
            solve(LinearDriver(1.0, 2.0), lambda x: np.exp(-x**2), x, 0.0, 0.5, save_at=bad)


def test_snapshot_memory_is_guarded():
    "10**6 saved times on 10**4 cells would be about 150 GiB: refused before any step, with the estimate."
    x = centres(10.0, 10_000)
    with pytest.raises(ValueError, match=r"snapshots of 1000000 saved times on 10000 cells would need about 149 GiB"):
        solve(LinearDriver(1.0, 2.0), lambda x: np.exp(-x**2), x, 0.0, 1.0, save_at=np.linspace(0, 1, 10**6))
    with pytest.raises(ValueError, match="limit of"):
        solve(LinearDriver(1.0, 2.0), lambda x: np.exp(-x**2), x, 0.0, 1.0, save_at=np.linspace(0, 1, 100),
              max_bytes=1e6)


# ---------------------------------------------------------------- issue 18: the public API and its docstrings
def test_public_names_and_numpydoc_docstrings():
    import chaos_book.fokker_planck as fp
    assert sorted(fp.__all__) == ["FPResult", "barenblatt", "solve"]
    sections = {"FPResult": ("Attributes",), "solve": ("Parameters", "Returns", "Raises"),
                "barenblatt": ("Parameters", "Returns", "Raises")}
    for name, needed in sections.items():
        doc = getattr(fp, name).__doc__
        assert doc and doc.strip().splitlines()[0].endswith("."), name          # a one-line summary
        for sec in needed:
            assert f"\n    {sec}\n    {'-' * len(sec)}\n" in doc, (name, sec)
        assert "above" not in doc and "below" not in doc, name                  # nothing that points at notebook text
    for field in ("x", "t", "u", "history", "params"):
        assert f"\n    {field} :" in fp.FPResult.__doc__, field
