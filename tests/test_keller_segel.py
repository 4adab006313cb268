"Tests of chaos_book.keller_segel against independent truths: the virial identity, the heat kernel, Newton's theorem, conservation."
import math
import numpy as np
import pytest
from chaos_book.field2d import direct_field, mass_fraction
import numba
from chaos_book.keller_segel import critical_mass, virial_rate, simulate, solve_pde, concentration, em_step

MC = 8 * math.pi


def gaussian(M, s2=1.0):
    return lambda X, Y: M / (2 * np.pi * s2) * np.exp(-(X ** 2 + Y ** 2) / (2 * s2))


def slope(r):
    return np.polyfit(r.t, r.second_moment, 1)[0]


# ------------------------------------------------------------------ constants
@pytest.mark.parametrize("chi, D, c_d", [(1.0, 1.0, 1.0), (1.3, 0.7, 1.0), (2.0, 1.0, 2 * math.pi)])
def test_virial_rate_vanishes_at_critical_mass(chi, D, c_d):
    M = critical_mass(chi, D, c_d)
    assert abs(virial_rate(M, chi, D, c_d)) < 1e-12 * 4 * D * M
    assert virial_rate(0.9 * M, chi, D, c_d) > 0 > virial_rate(1.1 * M, chi, D, c_d)

def test_virial_rate_contract():
    "The fixed API: 4 D M - chi M^2 / (2 pi)."
    assert virial_rate(3.0, 0.5, 2.0) == pytest.approx(24.0 - 0.5 * 9 / (2 * math.pi), rel=1e-15)
    assert critical_mass(1.0, 1.0, 2 * math.pi) == pytest.approx(4.0, rel=1e-15)


# ------------------------------------------------------------------ PDE
def test_pde_heat_kernel():
    "chi = 0: a Gaussian of variance s2 has variance s2 + 2 D t (tolerance: O(h^2) scheme error at h = 0.19, measured 2e-4)."
    r = solve_pde(gaussian(1.0), 6.0, 64, chi=0.0, D=1.0, T=0.2)
    X = np.meshgrid(r.x, r.x, indexing="ij")
    err = np.abs(r.u - gaussian(1.0, 1.4)(*X)).sum() * (r.x[1] - r.x[0]) ** 2
    assert err < 2e-3

def test_pde_mass_positivity_and_virial_order():
    "Mass to round-off, u >= 0, and the virial slope error falling like h^2 (exact identity for the PDE)."
    errs = []
    for n in (48, 96):
        r = solve_pde(gaussian(0.5 * MC), 6.0, n, chi=1.0, D=1.0, T=0.1)
        assert np.abs(r.mass / r.mass[0] - 1).max() < 1e-13
        assert (r.snapshots >= 0).all() and r.u.min() >= 0 and not r.blew_up
        errs.append(abs(slope(r) / virial_rate(r.mass[0], 1, 1) - 1))
    order = math.log(errs[0] / errs[1]) / math.log(2)
    assert errs[1] < 1e-4 and 1.5 < order < 2.5      # potential-difference face velocities: measured 1.2e-4, 2.2e-5 (order 2.4)

def test_pde_blowup_flags():
    "Sub-critical: no flag. Super-critical: flagged by the grid criterion, before the virial line reaches 0 (an upper bound), later on a finer grid."
    sub = solve_pde(gaussian(0.5 * MC), 6.0, 48, chi=1.0, D=1.0, T=0.6)
    sup = solve_pde(gaussian(1.5 * MC), 6.0, 48, chi=1.0, D=1.0, T=1.5)
    assert not sub.blew_up and sub.blowup_time is None and sub.t[-1] == pytest.approx(0.6)
    T_star = sup.evidence["virial_time"]
    assert T_star == pytest.approx(1.0, rel=2e-2)                   # sigma^2 / (2 (M/M_c - 1)) = 1
    assert sup.blew_up and sup.evidence["criterion"] == "grid" and 0.3 * T_star < sup.blowup_time <= T_star
    assert sup.evidence["max_u"] >= sup.evidence["u_res"] and np.isfinite(sup.u).all()
    # the grid criterion max u >= M/(8 pi h^2) is met later on a finer grid (measured 0.38, 0.47 T* at h = 0.25, 0.19)
    finer = solve_pde(gaussian(1.5 * MC), 6.0, 64, chi=1.0, D=1.0, T=1.5)
    assert finer.evidence["criterion"] == "grid" and sup.blowup_time < finer.blowup_time <= T_star

def test_pde_critical_mass_from_paper_constant():
    "With c_d = 2 pi the virial slope changes sign at 4 D/chi: M = 3.8 spreads, M = 4.2 contracts (slope error < 1%)."
    s = [slope(solve_pde(gaussian(M), 6.0, 48, chi=1.0, D=1.0, T=0.02, c_d=2 * math.pi)) for M in (3.8, 4.2)]
    assert s[0] > 0 > s[1]

def test_pde_sources_converge():
    "The K_eps * u source tends to the u source like eps^2 (sub-critical; eps >= 3h so that the grid resolves K_eps)."
    ref = solve_pde(gaussian(0.5 * MC), 6.0, 96, chi=1.0, D=1.0, T=0.1, source="density")
    d = [np.abs(solve_pde(gaussian(0.5 * MC), 6.0, 96, chi=1.0, D=1.0, T=0.1, eps=e).u - ref.u).sum() for e in (0.8, 0.4)]
    assert 1.5 < math.log(d[0] / d[1]) / math.log(2) < 2.5

def test_pde_snapshots_at_save_times():
    r = solve_pde(gaussian(1.0), 6.0, 48, chi=1.0, D=1.0, T=0.1, save_at=[0.0, 0.037, 0.1])
    assert np.allclose(r.save_times, [0.0, 0.037, 0.1], rtol=1e-12) and r.snapshots.shape == (3, 48, 48)

def test_pde_warns_when_the_grid_cannot_resolve_u0():
    with pytest.warns(RuntimeWarning, match="resolution limit"):
        solve_pde(gaussian(1.0), 6.0, 16, chi=1.0, D=1.0, T=0.01)

def test_simulate_warns_when_criterion_holds_at_start():
    with pytest.warns(RuntimeWarning, match="criterion holds at t = 0"):
        simulate(np.random.default_rng(0).standard_normal((50, 2)) * 0.01, 1.0, 1.0, 1.0, 0.1, T=0.01, dt=0.01, seed=0)

def test_pde_overflow_is_a_flag():
    r = solve_pde(gaussian(1.0), 6.0, 48, chi=1e300, D=1.0, T=1.0)
    assert r.blew_up and r.evidence["criterion"] in ("step", "non-finite") and np.isfinite(r.u).all()

@pytest.mark.parametrize("kw, match", [
    (dict(D=0.0), "D must be"), (dict(chi=-1.0), "chi must be"), (dict(eps=-0.1), "eps must be"), (dict(T=0.0), "T must be"),
    (dict(dt=0.0), "dt must be"), (dict(cfl=1.5), "cfl must be"), (dict(n=4), "n must be"), (dict(L=-1.0), "L must be"),
    (dict(source="foo"), "source must be"), (dict(u0=np.ones((3, 3))), "u0 must have shape"),
    (dict(u0=lambda X, Y: -X ** 2), "u0 must be >= 0"), (dict(u0=lambda X, Y: np.full_like(X, np.nan)), "u0 must be finite")])
def test_pde_bad_input(kw, match):
    args = dict(u0=gaussian(1.0), L=6.0, n=16, chi=1.0, D=1.0, T=0.1) | kw
    with pytest.raises(ValueError, match=match):
        solve_pde(**args)


# ------------------------------------------------------------------ particles
def drift_term(x, M, eps):
    N = x.shape[0]
    return 2 * (M / N) * (x * direct_field(x, x, np.full(N, M / N), eps)).sum()

def test_unregularised_drift_term_is_exact_with_1_minus_1_over_N():
    "eps = 0: 2 chi (M/N) sum X.grad phi = -chi M^2 (1 - 1/N) / (2 pi) on any configuration."
    x = np.random.default_rng(0).standard_normal((500, 2)) ** 3              # not Gaussian, not symmetric
    assert drift_term(x, 5.0, 0.0) == pytest.approx(-25.0 * (1 - 1 / 500) / (2 * math.pi), rel=1e-11)

def test_recorded_drift_term_matches_newton_pair_sum():
    "simulate's bookkeeping against an independent numpy pair sum of F(r_ij/eps) (Newton's theorem)."
    x0 = np.random.default_rng(1).standard_normal((300, 2))
    r = simulate(x0, 10.0, 1.0, 1.0, 0.3, T=0.01, dt=0.01, seed=0)
    d = np.linalg.norm(x0[:, None] - x0[None], axis=-1)
    F = mass_fraction(d / 0.3)
    np.fill_diagonal(F, 0.0)
    expected = -(10.0 / 300) ** 2 * F.sum() / (4 * math.pi)                  # sum m X.b = half the drift term
    assert r.virial["xb"][0] == pytest.approx(expected, rel=1e-6)           # F from chapter 11's Hermite table: ~1e-9

def test_regularised_correction_is_order_eps_squared():
    x = np.random.default_rng(7).standard_normal((2000, 2))
    base = drift_term(x, 1.0, 0.0)
    eps = np.array([0.8, 0.4, 0.2])
    delta = [drift_term(x, 1.0, e) - base for e in eps]
    assert min(delta) > 0 and 1.7 < np.polyfit(np.log(eps), np.log(delta), 1)[0] < 2.3

def test_particle_virial_martingale():
    "Euler-Maruyama residuals of the second moment against the exact conditional mean: z-score approximately N(0, 1)."
    res = var = 0.0
    for s in range(20):
        r = simulate(np.random.default_rng(50 + s).standard_normal((100, 2)), 0.5 * MC, 1.0, 1.0, 0.05, T=0.1, dt=0.01, seed=s)
        v = r.virial
        res += (np.diff(r.second_moment) - v["dt"] * (4 * r.params["mass"] + 2 * v["xb"]) - v["dt"] ** 2 * v["b2"]).sum()
        var += v["var"].sum()
    assert abs(res / math.sqrt(var)) < 4

def test_particle_blowup_flags():
    "Sub-critical: no flag. Super-critical: half the mass within 2 eps, flagged before the virial time."
    x0 = np.random.default_rng(3).standard_normal((400, 2))
    sub = simulate(x0, 0.5 * MC, 1.0, 1.0, 0.1, T=0.3, dt=0.01, seed=1)
    sup = simulate(x0, 1.5 * MC, 1.0, 1.0, 0.1, T=1.5, dt=0.01, seed=1)
    assert not sub.blew_up and sub.blowup_time is None and sub.concentration.max() < 0.5
    T_star = sup.evidence["virial_time"]
    assert sup.blew_up and sup.evidence["criterion"] == "concentration" and 0.4 * T_star < sup.blowup_time <= T_star
    assert concentration(sup.x, 0.1) >= 0.5 and sup.t[-1] == sup.blowup_time

def test_mesh_path_no_self_force_and_agrees():
    "Particle-mesh: total force zero (antisymmetric pair forces, same deposit and gather weights); same first step as direct."
    x0 = np.random.default_rng(4).standard_normal((3000, 2))
    a = simulate(x0, 10.0, 1.0, 1.0, 0.2, T=0.01, dt=0.01, seed=5, method="mesh")
    b = simulate(x0, 10.0, 1.0, 1.0, 0.2, T=0.01, dt=0.01, seed=5, method="direct")
    assert abs(a.virial["xb"][0] / b.virial["xb"][0] - 1) < 2e-2
    assert np.abs(a.x - b.x).max() < 1e-3

def test_reproducible_and_save_times():
    x0 = np.random.default_rng(6).standard_normal((100, 2))
    a = simulate(x0, 5.0, 1.0, 1.0, 0.1, T=0.05, dt=0.01, seed=9, save_at=[0.0, 0.025, 0.05])
    b = simulate(x0, 5.0, 1.0, 1.0, 0.1, T=0.05, dt=0.01, seed=9, save_at=[0.0, 0.025, 0.05])
    c = simulate(x0, 5.0, 1.0, 1.0, 0.1, T=0.05, dt=0.01, seed=10, save_at=[0.0, 0.025, 0.05])
    assert np.array_equal(a.x, b.x) and not np.array_equal(a.x, c.x)
    assert np.allclose(a.save_times, [0.0, 0.025, 0.05]) and a.snapshots.shape == (3, 100, 2)
    assert np.diff(a.t).max() <= 0.01 * (1 + 1e-12) and a.second_moment.shape == a.t.shape

def test_em_step_drift_is_the_direct_field():
    "With D -> 0 one step moves each particle by dt chi c_d grad phi^eps (direct sum of chapter 11)."
    x = np.random.default_rng(2).standard_normal((500, 2))
    new = em_step(x, 7.0, 1.5, 1e-300, 0.2, 1e-3, np.random.default_rng(0), c_d=2.0, method="direct")
    g = direct_field(x, x, np.full(500, 7.0 / 500), 0.2)
    assert np.allclose(new - x, 1e-3 * 1.5 * 2.0 * g, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="dt must be"):
        em_step(x, 7.0, 1.5, 1.0, 0.2, 0.0, np.random.default_rng(0))

def test_same_seed_same_positions_on_any_thread_count():
    "Normals from fixed chunks with their own streams, deterministic deposit: bit-identical positions on 1 and 2 threads."
    x0 = np.random.default_rng(3).standard_normal((20_000, 2))
    runs = []
    for th in sorted({1, numba.config.NUMBA_NUM_THREADS}):
        numba.set_num_threads(th)
        runs.append(simulate(x0, 10.0, 1.0, 1.0, 0.2, T=0.02, dt=0.01, seed=4, method="mesh", mesh=64).x)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert all(np.array_equal(runs[0], r) for r in runs)

def test_overflow_is_a_flag_not_nan():
    x0 = np.random.default_rng(8).standard_normal((50, 2))
    r = simulate(x0, 1e3, 1e308, 1.0, 0.1, 1.0, 0.5, seed=0, step_control=None)      # chi * grad phi overflows
    assert r.blew_up and r.evidence["criterion"] == "non-finite" and np.isfinite(r.x).all() and np.isfinite(r.second_moment).all()

X0 = np.zeros((10, 2)) + np.arange(10)[:, None]

@pytest.mark.parametrize("kw, match", [
    (dict(D=0.0), "D must be"), (dict(D=-1.0), "D must be"), (dict(chi=-0.5), "chi must be"), (dict(mass=0.0), "mass must be"),
    (dict(mass=-1.0), "mass must be"), (dict(eps=0.0), "eps must be"), (dict(eps=-0.1), "eps must be"),
    (dict(dt=0.0), "dt must be"), (dict(dt=-0.01), "dt must be"), (dict(T=np.nan), "T must be"),
    (dict(x0=np.zeros((10, 3))), r"x0 must have shape \(N, 2\)"), (dict(x0=np.zeros(10)), r"x0 must have shape \(N, 2\)"),
    (dict(x0=np.where(np.arange(20).reshape(10, 2) == 3, np.nan, X0)), "x0 must be finite"),
    (dict(x0=np.where(np.arange(20).reshape(10, 2) == 3, np.inf, X0)), "x0 must be finite"),
    (dict(method="fast"), "method must be"), (dict(mesh=3), "mesh must be")])
def test_simulate_bad_input(kw, match):
    args = dict(x0=X0, mass=1.0, chi=1.0, D=1.0, eps=0.1, T=0.1, dt=0.01, seed=0) | kw
    with pytest.raises(ValueError, match=match):
        simulate(**args)
