"""Tests of chaos_book.keller_segel against independent truths: the virial identity, the heat kernel, Newton's theorem,
conservation, the closed-form free energy of a Gaussian, and an independent radial solver for the blow-up time."""
import math
import warnings
import numpy as np
import pytest
from scipy.special import erf
from chaos_book.field2d import direct_field, mass_fraction
import numba
from chaos_book.keller_segel import (critical_mass, virial_rate, simulate, solve_pde, concentration, em_step,
                                     blowup_time_radial, solve_radial, free_energy)

MC = 8 * math.pi


def gaussian(M, s2=1.0):
    return lambda X, Y: M / (2 * np.pi * s2) * np.exp(-(X ** 2 + Y ** 2) / (2 * s2))


def slope(r):
    return np.polyfit(r.step_t, r.step_second_moment, 1)[0]


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
    assert critical_mass(0.0, 1.0) == math.inf

@pytest.mark.parametrize("f, kw, match", [
    (virial_rate, dict(mass=-1.0), "mass must be"), (virial_rate, dict(mass=np.nan), "mass must be"),
    (virial_rate, dict(D=-1.0), "D must be"), (virial_rate, dict(chi=np.nan), "chi must be"),
    (virial_rate, dict(c_d=0.0), "c_d must be"), (virial_rate, dict(mass="a"), "mass must be a number"),
    (critical_mass, dict(D=-1.0), "D must be"), (critical_mass, dict(chi=np.nan), "chi must be"),
    (critical_mass, dict(c_d=0.0), "c_d must be"), (critical_mass, dict(D=np.inf), "D must be")])
def test_constants_refuse_bad_scalars(f, kw, match):
    "Issue 19: ValueError naming the parameter, never -4.16, NaN, inf or ZeroDivisionError."
    args = dict(chi=1.0, D=1.0, c_d=1.0) | (dict(mass=1.0) if f is virial_rate else {}) | kw
    with pytest.raises(ValueError, match=match):
        f(**args)


# ------------------------------------------------------------------ radial blow-up time and free energy
def test_blowup_time_radial_global_at_and_below_critical_mass():
    assert blowup_time_radial(MC, 1.0) == math.inf and blowup_time_radial(0.5 * MC, 2.0) == math.inf
    assert blowup_time_radial(4.0, 1.0, c_d=2 * math.pi) == math.inf             # M_c = 4 for c_d = 2 pi
    with pytest.raises(ValueError, match="sigma2 must be"):
        blowup_time_radial(2 * MC, -1.0)

def test_blowup_time_radial_converges_and_lies_below_the_virial_bound():
    "Second order in the grid (Richardson from dxi = 0.02, 0.01 agrees to 1e-5), below T* = sigma^2/(2(M/M_c - 1))."
    T_b = blowup_time_radial(1.5 * MC, 1.0)
    t2, t1 = (solve_radial(1.5 * MC, 1.0, 1.0, dxi=d).blowup_time for d in (0.02, 0.01))
    assert abs((t1 + (t1 - t2) / 3) / T_b - 1) < 1e-5
    assert 0.5 < T_b < 1.0                                                        # measured 0.68504
    assert blowup_time_radial(3 * MC, 1.0) < 0.25

def test_blowup_time_radial_exact_scalings():
    "The system's own invariances: x -> l x, t -> l^2 t (mass kept); t -> D t; only c_d chi matters."
    T = blowup_time_radial(2 * MC, 1.0)
    assert blowup_time_radial(2 * MC, 4.0) == pytest.approx(4 * T, rel=1e-6)
    assert blowup_time_radial(2 * MC, 1.0, chi=2.0, D=2.0) == pytest.approx(T / 2, rel=1e-6)
    assert blowup_time_radial(2 * MC, 1.0, chi=0.5, c_d=2.0) == pytest.approx(T, rel=1e-6)

def test_radial_mass_concentrates_at_the_critical_mass():
    "At blow-up a mass M_c = 8 pi D / (c_d chi) sits at the centre (here within 3 %, the background included)."
    r = solve_radial(1.5 * MC, 1.0, 1.0)
    m = np.interp([1e-3, 1e-2], r.r, r.m[-1]) / MC
    assert r.blowup_time is not None and np.all(np.abs(m - 1) < 0.03)

def test_pde_flags_against_the_radial_time():
    "An independent solver: the PDE loses resolution before T_b and flags the collapse within 3 % of it."
    T_b = blowup_time_radial(1.5 * MC, 1.0)
    r = solve_pde(gaussian(1.5 * MC), 6.0, 64, chi=1.0, D=1.0, T=1.2)
    assert r.under_resolved_time < T_b and r.blew_up and abs(r.blowup_time / T_b - 1) < 0.03   # measured +0.3 %

def gaussian_cells(M, L, n):
    h = 2 * L / n
    e = np.diff(erf((-L + h * np.arange(n + 1)) / np.sqrt(2))) / (2 * h)
    return M * np.outer(e, e), h

def test_free_energy_of_a_gaussian_against_the_closed_form():
    "D(M log(M/(2 pi s2)) - M) + (c_d chi M^2/(4 pi))(log(2 sigma) - gamma/2), at second order in h."
    M, chi, D, c_d = 10.0, 1.3, 0.7, 2.0
    exact = D * (M * math.log(M / (2 * math.pi)) - M) + c_d * chi * M ** 2 / (4 * math.pi) * (math.log(2) - np.euler_gamma / 2)
    errs = [free_energy(*gaussian_cells(M, 8.0, n), chi=chi, D=D, c_d=c_d) - exact for n in (64, 128)]
    assert abs(errs[1]) < 2e-2 and 1.8 < math.log2(errs[0] / errs[1]) < 2.2

def test_free_energy_decreases_below_critical_mass():
    r = solve_pde(gaussian(0.5 * MC), 6.0, 48, chi=1.0, D=1.0, T=0.3, save_at=np.linspace(0, 0.3, 7))
    F = [free_energy(u, r.params["h"]) for u in r.u]
    assert np.all(np.diff(F) <= 0)

@pytest.mark.parametrize("u, h, match", [(np.ones((4, 5)), 0.1, "square grid"), (np.ones((1, 1)), 0.1, "square grid"),
                                          (-np.ones((4, 4)), 0.1, ">= 0"), (np.full((4, 4), np.nan), 0.1, "finite"),
                                          (np.ones((4, 4)), 0.0, "h must be"), (np.ones((4, 4)), np.nan, "h must be")])
def test_free_energy_bad_input(u, h, match):
    with pytest.raises(ValueError, match=match):
        free_energy(u, h)


# ------------------------------------------------------------------ PDE
def test_pde_heat_kernel():
    "chi = 0: a Gaussian of variance s2 has variance s2 + 2 D t (tolerance: O(h^2) scheme error at h = 0.19, measured 2e-4)."
    r = solve_pde(gaussian(1.0), 6.0, 64, chi=0.0, D=1.0, T=0.2)
    X = np.meshgrid(r.x, r.x, indexing="ij")
    err = np.abs(r.u_final - gaussian(1.0, 1.4)(*X)).sum() * (r.x[1] - r.x[0]) ** 2
    assert err < 2e-3

def test_pde_mass_positivity_and_virial_order():
    "Mass to round-off, u >= 0, and the virial slope error falling like h^2 (exact identity for the PDE)."
    errs = []
    for n in (48, 96):
        r = solve_pde(gaussian(0.5 * MC), 6.0, n, chi=1.0, D=1.0, T=0.1)
        assert np.abs(r.step_mass / r.step_mass[0] - 1).max() < 1e-13
        assert (r.u >= 0).all() and not r.blew_up and not r.under_resolved
        errs.append(abs(slope(r) / virial_rate(r.mass[0], 1, 1) - 1))
    order = math.log(errs[0] / errs[1]) / math.log(2)
    assert errs[1] < 1e-4 and 1.5 < order < 2.5      # potential-difference face velocities: measured 1.2e-4, 2.2e-5 (order 2.4)

def test_pde_collapse_flag():
    "Sub-critical: no flag. Super-critical: under-resolved first, then M_c within 2h of the maximum, before T*."
    sub = solve_pde(gaussian(0.5 * MC), 6.0, 48, chi=1.0, D=1.0, T=0.6)
    sup = solve_pde(gaussian(1.5 * MC), 6.0, 48, chi=1.0, D=1.0, T=1.5)
    assert not sub.blew_up and sub.blowup_time is None and sub.t[-1] == pytest.approx(0.6)
    T_star = sup.evidence["virial_time"]
    assert T_star == pytest.approx(1.0, rel=2e-2)                   # sigma^2 / (2 (M/M_c - 1)) = 1
    assert sup.blew_up and sup.evidence["criterion"] == "collapse" and sup.evidence["core_mass"] >= MC
    assert sup.under_resolved_time < sup.blowup_time <= T_star and np.isfinite(sup.u).all()
    assert sup.t[-1] == sup.blowup_time and sup.step_core_mass[-1] >= MC > sup.step_core_mass[-2]
    finer = solve_pde(gaussian(1.5 * MC), 6.0, 64, chi=1.0, D=1.0, T=1.5)
    assert sup.under_resolved_time < finer.under_resolved_time           # measured 0.38, 0.47 at h = 0.25, 0.19

@pytest.mark.parametrize("f", [0.09, 0.5])
def test_pde_under_resolved_data_is_not_blowup(f):
    "K57, K59: a narrow u0 on coarse cells is flagged under-resolved at t = 0, never as a collapse."
    with pytest.warns(RuntimeWarning, match="resolution limit"):
        r = solve_pde(gaussian(f * MC, 0.01), 3.0, 24, chi=1.0, D=1.0, T=0.05)
    assert not r.blew_up and r.under_resolved and r.under_resolved_time == 0.0

@pytest.mark.parametrize("f, L, T", [(1.0, 6.0, 30.0), (0.999, 5.0, 20.0)])
def test_pde_no_flag_at_or_below_critical_mass(f, L, T):
    "K59 and item 4: on h = 0.25 the old grid flag fired at M_c (t = 29.2) and 0.999 M_c (t = 15.8, L = 5)."
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        r = solve_pde(gaussian(f * MC), L, int(8 * L), chi=1.0, D=1.0, T=T)
    assert not r.blew_up and r.t[-1] == pytest.approx(T) and r.under_resolved    # the grid lost it, and says so

def test_pde_stop_on_blowup_false_keeps_the_flag():
    "Item 5: going on past the flag does not hide it."
    a = solve_pde(gaussian(1.5 * MC), 6.0, 48, chi=1.0, D=1.0, T=0.8)
    b = solve_pde(gaussian(1.5 * MC), 6.0, 48, chi=1.0, D=1.0, T=0.8, stop_on_blowup=False)
    assert a.blew_up and b.blew_up and a.blowup_time == b.blowup_time and b.t[-1] == pytest.approx(0.8)

@pytest.mark.filterwarnings("ignore:max u reached the resolution limit")
def test_pde_mollified_source_does_not_collapse():
    "(18) with K_eps * u as the source: the drift is bounded, no collapse long after the classical T_b = 0.171."
    r = solve_pde(gaussian(1.5 * MC, 0.25), 3.5, 56, chi=1.0, D=1.0, T=0.5, eps=0.5, save_at=[0.4, 0.5])
    assert not r.blew_up and np.isfinite(r.u).all() and r.max_u[-1] < 1.1 * r.max_u[-2]

def test_pde_critical_mass_from_paper_constant():
    "With c_d = 2 pi the virial slope changes sign at 4 D/chi: M = 3.8 spreads, M = 4.2 contracts (slope error < 1%)."
    s = [slope(solve_pde(gaussian(M), 6.0, 48, chi=1.0, D=1.0, T=0.02, c_d=2 * math.pi)) for M in (3.8, 4.2)]
    assert s[0] > 0 > s[1]

def test_pde_sources_converge():
    "The K_eps * u source tends to the u source like eps^2 (sub-critical; eps >= 3h so that the grid resolves K_eps)."
    ref = solve_pde(gaussian(0.5 * MC), 6.0, 96, chi=1.0, D=1.0, T=0.1, source="density")
    d = [np.abs(solve_pde(gaussian(0.5 * MC), 6.0, 96, chi=1.0, D=1.0, T=0.1, eps=e).u_final - ref.u_final).sum()
         for e in (0.8, 0.4)]
    assert 1.5 < math.log(d[0] / d[1]) / math.log(2) < 2.5

def test_pde_save_rule():
    "Issue 18: .t holds the saved times, sorted and de-duplicated, T always last; .u the snapshots at them."
    r = solve_pde(gaussian(1.0), 6.0, 48, chi=1.0, D=1.0, T=0.1, save_at=[0.037, 0.0, 0.037])
    assert np.allclose(r.t, [0.0, 0.037, 0.1], rtol=1e-12) and r.u.shape == (3, 48, 48)
    assert r.second_moment.shape == r.mass.shape == r.max_u.shape == (3,) and r.step_t[0] == 0.0
    assert np.array_equal(r.u_final, r.u[-1]) and r.step_t.shape == r.step_second_moment.shape
    assert r.second_moment[-1] == pytest.approx(r.step_second_moment[-1], rel=1e-12)

def test_pde_warns_when_the_grid_cannot_resolve_u0():
    with pytest.warns(RuntimeWarning, match="resolution limit"):
        solve_pde(gaussian(1.0), 6.0, 16, chi=1.0, D=1.0, T=0.01)

def test_pde_step_cap_refuses_up_front():
    "Issue 19: T = 1e7 on 16^2 would be about 9e7 steps."
    with pytest.raises(ValueError, match="max_steps"):
        solve_pde(gaussian(1.0), 6.0, 64, chi=1.0, D=1.0, T=1e7)
    with pytest.raises(ValueError, match="max_steps must be"):
        solve_pde(gaussian(1.0), 6.0, 16, chi=1.0, D=1.0, T=0.1, max_steps=0)

def test_pde_memory_guard():
    with pytest.raises(ValueError, match="GiB"):
        solve_pde(gaussian(1.0), 6.0, 64, chi=1.0, D=1.0, T=0.1, max_bytes=1e5)

def test_pde_absurd_sensitivity_is_refused_not_nan():
    "chi = 1e300: the first stable step is ~1e-300, so the step estimate refuses the run before it starts."
    with pytest.raises(ValueError, match="max_steps"):
        solve_pde(gaussian(1.0), 6.0, 48, chi=1e300, D=1.0, T=1.0)

@pytest.mark.parametrize("kw, match", [
    (dict(D=0.0), "D must be"), (dict(chi=-1.0), "chi must be"), (dict(eps=-0.1), "eps must be"), (dict(T=0.0), "T must be"),
    (dict(dt=0.0), "dt must be"), (dict(cfl=1.5), "cfl must be"), (dict(n=4), "n must be"), (dict(L=-1.0), "L must be"),
    (dict(source="foo"), "source must be"), (dict(u0=np.ones((3, 3))), "u0 must have shape"),
    (dict(u0=lambda X, Y: -X ** 2), "u0 must be >= 0"), (dict(u0=lambda X, Y: np.full_like(X, np.nan)), "u0 must be finite"),
    (dict(save_at=[0.5]), "save_at must be"), (dict(save_at=[np.nan]), "save_at must be")])
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
        res += (np.diff(r.step_second_moment) - v["dt"] * (4 * r.params["mass"] + 2 * v["xb"]) - v["dt"] ** 2 * v["b2"]).sum()
        var += v["var"].sum()
    assert abs(res / math.sqrt(var)) < 4

def test_particle_collapse_flag():
    "Sub-critical: never (M < M_c). Super-critical: a mass M_c within 2 eps of the centre, before the virial time."
    x0 = np.random.default_rng(3).standard_normal((400, 2))
    sub = simulate(x0, 0.9 * MC, 1.0, 1.0, 0.1, T=0.3, dt=0.01, seed=1)
    sup = simulate(x0, 1.5 * MC, 1.0, 1.0, 0.1, T=1.5, dt=0.01, seed=1)
    assert not sub.blew_up and sub.blowup_time is None and not sub.under_resolved
    T_star = sup.evidence["virial_time"]
    assert sup.blew_up and sup.evidence["criterion"] == "collapse" and 0.4 * T_star < sup.blowup_time <= T_star
    assert concentration(sup.x, 0.1) >= 1 / 1.5 and sup.t[-1] == sup.blowup_time == sup.step_t[-1]

def test_coarse_step_is_not_a_clean_run():
    "K33: 3 M_c, step_control=None, dt = 0.5 (virial time 0.27 < T): the result says it is under-resolved."
    x0 = np.random.default_rng(0).standard_normal((300, 2))
    with pytest.warns(RuntimeWarning, match="under-resolved"):
        r = simulate(x0, 3 * MC, 1.0, 1.0, 0.1, T=1.0, dt=0.5, seed=0, step_control=None)
    assert r.under_resolved and r.evidence["max_drift_move"] > 1 and "UNDER-RESOLVED" in repr(r)
    assert r.evidence["virial_time"] < 1.0

def test_particle_mesh_is_capped():
    "M06: particles that spread over a span of ~1e3 with eps = 0.01 no longer grow the mesh without bound."
    x0 = np.random.default_rng(1).standard_normal((1000, 2))
    with pytest.warns(RuntimeWarning, match="under-resolved"):
        r = simulate(x0, 1.0, 1.0, 1e5, 0.01, T=1.0, dt=0.5, seed=0, method="mesh")
    span = np.ptp(r.x, axis=0).max()
    assert span > 100 and r.under_resolved and span / r.params["h_max"] < 1024
    with pytest.raises(ValueError, match="GiB"):
        simulate(x0, 1.0, 1.0, 1.0, 0.01, T=0.01, dt=0.01, seed=0, method="mesh", max_bytes=1e5)

def test_mesh_path_no_self_force_and_agrees():
    "Particle-mesh: total force zero (antisymmetric pair forces, same deposit and gather weights); same first step as direct."
    x0 = np.random.default_rng(4).standard_normal((3000, 2))
    a = simulate(x0, 10.0, 1.0, 1.0, 0.2, T=0.01, dt=0.01, seed=5, method="mesh")
    b = simulate(x0, 10.0, 1.0, 1.0, 0.2, T=0.01, dt=0.01, seed=5, method="direct")
    assert abs(a.virial["xb"][0] / b.virial["xb"][0] - 1) < 2e-2
    assert np.abs(a.x - b.x).max() < 1e-3

def test_reproducible_and_save_rule():
    x0 = np.random.default_rng(6).standard_normal((100, 2))
    a = simulate(x0, 5.0, 1.0, 1.0, 0.1, T=0.05, dt=0.01, seed=9, save_at=[0.025, 0.0, 0.025])
    b = simulate(x0, 5.0, 1.0, 1.0, 0.1, T=0.05, dt=0.01, seed=9, save_at=[0.0, 0.025])
    c = simulate(x0, 5.0, 1.0, 1.0, 0.1, T=0.05, dt=0.01, seed=10, save_at=[0.0, 0.025, 0.05])
    assert np.array_equal(a.x, b.x) and not np.array_equal(a.x, c.x)
    assert np.allclose(a.t, [0.0, 0.025, 0.05]) and a.snapshots.shape == (3, 100, 2)
    assert np.diff(a.step_t).max() <= 0.01 * (1 + 1e-12) and a.second_moment.shape == a.t.shape
    assert a.step_second_moment.shape == a.step_t.shape and np.array_equal(a.snapshots[-1], a.x)
    with pytest.raises(ValueError, match="save_at must be"):
        simulate(x0, 5.0, 1.0, 1.0, 0.1, T=0.05, dt=0.01, seed=9, save_at=[0.06])

def test_em_step_drift_is_the_direct_field():
    "With D -> 0 one step moves each particle by dt chi c_d grad phi^eps (direct sum of chapter 11)."
    x = np.random.default_rng(2).standard_normal((500, 2))
    new = em_step(x, 7.0, 1.5, 1e-300, 0.2, 1e-3, np.random.default_rng(0), c_d=2.0, method="direct")
    g = direct_field(x, x, np.full(500, 7.0 / 500), 0.2)
    assert np.allclose(new - x, 1e-3 * 1.5 * 2.0 * g, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="dt must be"):
        em_step(x, 7.0, 1.5, 1.0, 0.2, 0.0, np.random.default_rng(0))

def test_every_record_bit_identical_on_any_thread_count():
    "Issue 19: positions, second moments and virial sums (fixed-order chunked reductions) on 1 and 2 threads."
    x0 = np.random.default_rng(3).standard_normal((20_000, 2))
    runs = []
    for th in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
        numba.set_num_threads(th)
        try:
            runs.append(simulate(x0, 10.0, 1.0, 1.0, 0.2, T=0.02, dt=0.01, seed=4, method="mesh", mesh=128))
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    for r in runs[1:]:
        assert np.array_equal(runs[0].x, r.x) and np.array_equal(runs[0].step_second_moment, r.step_second_moment)
        assert all(np.array_equal(runs[0].virial[k], r.virial[k]) for k in ("xb", "b2", "var", "dt"))
        assert np.array_equal(runs[0].step_concentration, r.step_concentration)

def test_overflow_is_a_flag_not_nan():
    ring = np.stack([np.cos(np.arange(50) * 2 * np.pi / 50), np.sin(np.arange(50) * 2 * np.pi / 50)], 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        r = simulate(ring, 1e3, 1e308, 1.0, 0.1, 1.0, 0.5, seed=0, step_control=None)      # chi * grad phi overflows
    assert r.blew_up and r.evidence["criterion"] == "non-finite" and np.isfinite(r.x).all()
    assert np.isfinite(r.step_second_moment).all()

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
