"Tests of chaos_book.vortex against exact solutions (Lamb-Oseen, Taylor-Green) and exact invariants of (13) and (16)."
import numpy as np
import pytest
from numpy.testing import assert_allclose

from chaos_book.field2d import direct_field
from chaos_book.vortex import (hminus1_error, hminus1_norm, lamb_oseen, lamb_oseen_velocity, ns_grid, ns_transport,
                               ns_vorticity, ns_velocity, sample_lamb_oseen, simulate, velocity)

NU, T0 = 0.005, 1.0


# --- exact solutions ------------------------------------------------------------------------------------------------
def test_lamb_oseen_is_heat_kernel_and_velocity_has_curl_omega():
    r = np.linspace(0, 1, 11)
    assert_allclose(lamb_oseen(r, 0 * r, 2.0, 3.0, 0.1), 3.0 * np.exp(-r**2 / 0.8) / (0.8 * np.pi), rtol=1e-14)
    x, y, d = 0.13, -0.07, 1e-5                                   # curl and divergence by central differences
    u = lambda a, b: np.array(lamb_oseen_velocity(a, b, 0.5, 2.0, 0.02))
    curl = (u(x + d, y)[1] - u(x - d, y)[1] - u(x, y + d)[0] + u(x, y - d)[0]) / (2 * d)
    div = (u(x + d, y)[0] - u(x - d, y)[0] + u(x, y + d)[1] - u(x, y - d)[1]) / (2 * d)
    assert curl == pytest.approx(lamb_oseen(x, y, 0.5, 2.0, 0.02), rel=1e-8) and abs(div) < 1e-8


def test_taylor_green_exact():
    "omega = 2k cos kx cos ky e^{-2 nu k^2 t}: the nonlinear term vanishes, the solver must keep it (to round-off)."
    k, nu = 2, 0.05
    tg = lambda X, Y, t: 2 * k * np.cos(k * X) * np.cos(k * Y) * np.exp(-2 * nu * k * k * t)
    r = ns_vorticity((lambda X, Y: tg(X, Y, 0), 64), np.pi, nu, 1.0, 0.05, lo=0.0, save_at=[0.5, 1.0])
    X, Y = np.meshgrid(r.xc, r.xc, indexing="ij")
    for t, w in zip(r.t, r.omega): assert np.abs(w - tg(X, Y, t)).max() < 1e-12


def test_lamb_oseen_pde_on_large_box():
    "Free-space Lamb-Oseen on a box of side 4 (half-width L = 2, 40 core radii): images and the mean shift cost < 1e-4."
    r = ns_vorticity((lambda X, Y: lamb_oseen(X, Y, T0, 1.0, NU), 128), 2.0, NU, 1.0, 0.05)
    X, Y = np.meshgrid(r.xc, r.xc, indexing="ij")
    ex = lamb_oseen(X, Y, T0 + 1.0, 1.0, NU)
    assert np.abs(r.omega[-1] - ex).max() < 1e-4 * ex.max()
    assert r.omega[-1].sum() == pytest.approx(r.omega[0].sum(), rel=1e-13)      # circulation
    u = ns_velocity(r.omega[-1], 2.0)                                           # velocity near the core vs exact
    ue = lamb_oseen_velocity(X, Y, T0 + 1.0, 1.0, NU)
    core = X**2 + Y**2 < 0.3**2
    assert np.abs(u[0] - ue[0])[core].max() < 0.02 * np.abs(ue[0]).max()    # background -1/16 and images: ~ r * 2 pi/16 / (2 pi)


def test_euler_invariants_nu_zero():
    "nu = 0: the dealiased spectral scheme conserves energy and enstrophy up to the RK4 error; the mean exactly."
    rng = np.random.default_rng(3)
    n, L = 64, np.pi
    w_hat = np.zeros((n, n // 2 + 1), complex)
    w_hat[:6, :6] = rng.normal(size=(6, 6)) + 1j * rng.normal(size=(6, 6))
    w0 = np.fft.irfft2(w_hat, s=(n, n)) * n * n / 30
    r = ns_vorticity(w0, L, 0.0, 1.0, 0.01, lo=0.0)
    ens = [(w**2).sum() for w in r.omega]
    en = [(ns_velocity(w, L) ** 2).sum() for w in r.omega]
    assert abs(ens[1] / ens[0] - 1) < 1e-6 and abs(en[1] / en[0] - 1) < 1e-6
    assert np.abs(r.omega[1] - r.omega[0]).max() > 0.1 * np.abs(w0).max()   # it did move


def test_eps_mollifies_only_the_velocity():
    "(16) with eps > 0 for a radial vortex: the drift is still azimuthal, so Lamb-Oseen stays exact."
    r = ns_vorticity((lambda X, Y: lamb_oseen(X, Y, T0, 1.0, NU), 128), 2.0, NU, 0.5, 0.05, eps=0.2)
    X, Y = np.meshgrid(r.xc, r.xc, indexing="ij")
    ex = lamb_oseen(X, Y, T0 + 0.5, 1.0, NU)
    assert np.abs(r.omega[-1] - ex).max() < 1e-4 * ex.max()


def test_free_space_solver_lamb_oseen_second_order_and_edge():
    "free=True: zero-padded Biot-Savart over a box of side 2 (no images): Lamb-Oseen to O(h^2), nothing at the edge."
    errs = []
    for n in (32, 64):
        r = ns_vorticity((lambda X, Y: lamb_oseen(X, Y, T0, 1.0, NU), n), 1.0, NU, 1.0, 0.02, free=True)
        X, Y = np.meshgrid(r.xc, r.xc, indexing="ij")
        errs.append(np.abs(r.omega[-1] - lamb_oseen(X, Y, T0 + 1.0, 1.0, NU)).max() / lamb_oseen(0, 0, T0 + 1.0, 1.0, NU))
        assert r.params["edge"] < 1e-5                  # spectral ringing of the coarse grid only
    assert errs[1] < 1e-5 and errs[0] / errs[1] > 4
    u = ns_velocity(r.omega[-1], 1.0, free=True)
    ue = lamb_oseen_velocity(X, Y, T0 + 1.0, 1.0, NU)
    assert np.abs(u[0] - ue[0]).max() < 1e-2 * np.abs(ue[0]).max()        # O(h^2) with h = core radius / 6: measured 0.5 %


def test_heun_removes_the_euler_rotation_bias():
    "nu = 0, one strong vortex: Euler spirals outwards (angular impulse grows by dt sum g|b|^2 per unit time), Heun does not."
    x, g = sample_lamb_oseen(500, 1.0, NU, T0, seed=3)
    I0 = (g * (x**2).sum(1)).sum()
    dI = {s: (g * (simulate(x, g, 0.0, 0.05, 1.0, 0.05, seed=0, method="direct", scheme=s).x ** 2).sum(1)).sum() / I0 - 1
          for s in ("euler", "heun")}
    assert dI["euler"] > 0.05 and abs(dI["heun"]) < 0.1 * dI["euler"]


# --- particles -------------------------------------------------------------------------------------------------------
def test_velocity_direct_vs_mesh_and_exact_far_field():
    "Direct vs mesh at h = eps/8: stated tolerance 0.5 % of max |b| (cloud-in-cell error (h/eps)^2 / 12 per pass)."
    x, g = sample_lamb_oseen(3000, 1.0, NU, T0, seed=2)
    g = g * np.where(np.arange(3000) % 3 == 0, -1.0, 1.0)              # circulations of both signs
    d, m = velocity(x, g, 0.05, "direct"), velocity(x, g, 0.05, "mesh")
    assert np.abs(d - m).max() < 5e-3 * np.abs(d).max()
    assert np.array_equal(velocity(x, g, 0.05), d)                  # auto = direct at this N


def test_particle_velocity_approximates_lamb_oseen():
    x, g = sample_lamb_oseen(4000, 1.0, NU, T0, seed=5)
    b = velocity(x, g, 0.02, "direct")
    ue = np.stack(lamb_oseen_velocity(x[:, 0], x[:, 1], T0, 1.0, NU), 1)
    rel = np.sqrt((g * ((b - ue) ** 2).sum(1)).sum() / (g * (ue**2).sum(1)).sum())
    assert rel < 0.1            # Monte Carlo error ~ sqrt(log(1/eps)/N) / |u| ~ 5 %


def test_simulate_reproducible_and_invariants_nu_zero():
    "nu = 0: the centre of vorticity is conserved to round-off on both paths (antisymmetric kernel, same weights)."
    x, g = sample_lamb_oseen(600, 1.0, NU, T0, seed=1)
    x[:300] += 0.15
    for method in ("direct", "mesh"):
        r = simulate(x, g, 0.0, 0.05, 0.5, 0.02, seed=0, method=method)
        assert np.abs((g[:, None] * (r.x - x)).sum(0)).max() < 1e-13
        assert r.params["method"] == method
    a = simulate(x, g, NU, 0.05, 0.2, 0.02, seed=7, method="mesh", save_at=[0.0, 0.1, 0.2])
    b = simulate(x, g, NU, 0.05, 0.2, 0.02, rng=np.random.default_rng(7), method="mesh", save_at=[0.0, 0.1, 0.2])
    assert np.array_equal(a.x, b.x) and a.snapshots.shape == (3, 600, 2) and np.allclose(a.t, [0, 0.1, 0.2])
    assert np.array_equal(a.snapshots[0], x) and np.array_equal(a.snapshots[-1], a.x)


def test_simulate_bit_reproducible_any_thread_count():
    import numba
    x, g = sample_lamb_oseen(5000, 1.0, NU, T0, seed=1)
    a = simulate(x, g, NU, 0.05, 0.06, 0.02, seed=3, method="mesh")
    numba.set_num_threads(1)
    try: b = simulate(x, g, NU, 0.05, 0.06, 0.02, seed=3, method="mesh")
    finally: numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert np.array_equal(a.x, b.x)


def test_angular_impulse_and_centre_in_expectation():
    """d E sum g |X|^2 = 4 nu Gamma dt exactly for (13) (the drift term is antisymmetric); Euler-Maruyama adds
    dt^2 sum g |b|^2 >= 0 per step. Tolerances: 4 standard deviations of the martingale, plus that bias."""
    N, T, dt = 2000, 0.5, 0.01
    x, g = sample_lamb_oseen(N, 1.0, NU, T0, seed=4)
    r = simulate(x, g, NU, 0.05, T, dt, seed=9, method="direct")
    dI = (g * (r.x**2).sum(1)).sum() - (g * (x**2).sum(1)).sum()
    sd = np.sqrt(8 * NU * (g**2 * ((x**2).sum(1) + 2 * NU * T)).sum() * T)
    b0 = velocity(x, g, 0.05, "direct")
    bias = T * dt * (g * (b0**2).sum(1)).sum()
    assert -4 * sd < dI - 4 * NU * 1.0 * T < 4 * sd + bias
    dC = (g[:, None] * (r.x - x)).sum(0)
    assert np.abs(dC).max() < 4 * np.sqrt(2 * NU * T * (g**2).sum())


def test_simulate_grows_mesh_instead_of_wrapping():
    x = np.array([[0.0, 0.0], [0.05, 0.0]])
    r = simulate(x, np.array([1.0, 1.0]), 0.5, 0.05, 0.1, 0.01, seed=0, method="mesh", h=0.01, margin=0.05)
    assert r.params["mesh_grown"] >= 1 and np.isfinite(r.x).all()


# --- bad input -------------------------------------------------------------------------------------------------------
X2, G2 = np.zeros((2, 2)) + [[0, 0], [0.1, 0]], np.ones(2)

@pytest.mark.parametrize("kw, match", [
    (dict(nu=-0.1), "nu must be finite and >= 0"),
    (dict(eps=0.0), "eps must be finite and > 0"),
    (dict(eps=-1.0), "eps must be finite and > 0"),
    (dict(dt=0.0), "dt must be finite and > 0"),
    (dict(dt=-0.1), "dt must be finite and > 0"),
    (dict(x0=np.zeros(4)), r"x0 must have shape \(N, 2\), got shape \(4,\)"),
    (dict(x0=np.zeros((2, 3))), r"x0 must have shape \(N, 2\)"),
    (dict(gamma=np.ones(3)), r"gamma must have shape \(2,\)"),
    (dict(x0=np.array([[0, 0], [np.nan, 1]])), "x0 must be finite"),
    (dict(gamma=np.array([1, np.inf])), "gamma must be finite"),
    (dict(method="fmm"), "method must be"),
    (dict(scheme="rk4"), "scheme must be"),
])
def test_simulate_bad_input(kw, match):
    args = dict(x0=X2, gamma=G2, nu=0.01, eps=0.05, T=0.1, dt=0.01, seed=0)
    args.update(kw)
    with pytest.raises(ValueError, match=match): simulate(**args)


@pytest.mark.parametrize("args, match", [
    ((np.zeros(4), np.ones(2), 0.1), r"x must have shape \(N, 2\)"),
    ((X2, np.ones(3), 0.1), r"gamma must have shape \(2,\)"),
    ((X2, G2, 0.0), "eps must be finite and > 0"),
    ((X2, np.array([np.nan, 1.0]), 0.1), "gamma must be finite"),
    ((np.array([[np.inf, 0], [0, 0]]), G2, 0.1), "x must be finite"),
])
def test_velocity_bad_input(args, match):
    with pytest.raises(ValueError, match=match): velocity(*args)


def test_pde_and_exact_bad_input():
    with pytest.raises(ValueError, match="nu must be finite and > 0"): lamb_oseen(0.0, 0.0, 1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="t must be finite and > 0"): lamb_oseen(0.0, 0.0, 0.0, 1.0, 0.1)
    with pytest.raises(ValueError, match="nu must be finite and >= 0"): ns_vorticity(np.zeros((16, 16)), 1.0, -1.0, 1.0, 0.1)
    with pytest.raises(ValueError, match="dt must be finite and > 0"): ns_vorticity(np.zeros((16, 16)), 1.0, 0.1, 1.0, 0.0)
    with pytest.raises(ValueError, match="eps must be finite and >= 0"): ns_vorticity(np.zeros((16, 16)), 1.0, 0.1, 1.0, 0.1, eps=-1)
    with pytest.raises(ValueError, match="omega0 must be a square grid"): ns_vorticity(np.zeros(16), 1.0, 0.1, 1.0, 0.1)
    with pytest.raises(ValueError, match="omega0 must be finite"): ns_vorticity(np.full((16, 16), np.nan), 1.0, 0.1, 1.0, 0.1)


# --- issue 17 (V24, V33, V47, item 15), 18 (H^-1 error, conventions, docstrings), 19 (guards) -----------------------
import chaos_book.vortex as vx
from chaos_book.field2d import K_hat

gauss = lambda X, Y, v: np.exp(-(X**2 + Y**2) / (2 * v)) / (2 * np.pi * v)


def test_hminus1_norm_two_gaussians_closed_form():
    "||g_a - g_b||^2 = log((a + b)^2 / (4ab)) / (4 pi) (Fourier and Frullani); the midpoint rule is second order."
    a, b = 0.01, 0.02
    exact = np.sqrt(np.log((a + b) ** 2 / (4 * a * b)) / (4 * np.pi))
    errs = []
    for n in (64, 128):
        xc = ns_grid(n, 1.0)
        X, Y = np.meshgrid(xc, xc, indexing="ij")
        errs.append(abs(hminus1_norm(gauss(X, Y, a) - gauss(X, Y, b), 2 / n) / exact - 1))
    assert errs[1] < 1e-3 and 3.5 < errs[0] / errs[1] < 4.5


def test_hminus1_norm_is_the_velocity_energy():
    """||f||_{H^-1}^2 = ||K_BS * f||_{L^2(R^2)}^2. For the radial f = g_a - g_b of zero mass the velocity vanishes
    outside the support, so the box [-1, 1]^2 holds all of it; both sides are second order in h."""
    a, b = 0.01, 0.02
    gaps = []
    for n in (64, 128):
        xc = ns_grid(n, 1.0)
        X, Y = np.meshgrid(xc, xc, indexing="ij")
        f = gauss(X, Y, a) - gauss(X, Y, b)
        u = ns_velocity(f, 1.0, free=True)
        gaps.append(abs(np.sqrt((u**2).sum() * (2 / n) ** 2) / hminus1_norm(f, 2 / n) - 1))
    assert gaps[1] < 5e-3 and gaps[0] / gaps[1] > 3.5


def test_hminus1_error_quadrature_points_against_closed_form():
    "Particles on a fine grid weighted by g_a, small eps, against g_b on a grid: the closed form to O(eps^2 + h^2)."
    a, b = 0.01, 0.02
    exact = np.sqrt(np.log((a + b) ** 2 / (4 * a * b)) / (4 * np.pi))
    xq = ns_grid(400, 1.0)
    XQ, YQ = np.meshgrid(xq, xq, indexing="ij")
    w = gauss(XQ, YQ, a).ravel()
    xc = ns_grid(128, 1.0)
    X, Y = np.meshgrid(xc, xc, indexing="ij")
    e = hminus1_error(np.stack([XQ.ravel(), YQ.ravel()], 1), w / w.sum(), 0.02, gauss(X, Y, b), 1.0)
    assert e == pytest.approx(exact, rel=0.02)
    same = hminus1_error(np.stack([XQ.ravel(), YQ.ravel()], 1), w / w.sum(), 0.02, gauss(X, Y, a), 1.0,
                         mollify_omega=True)
    assert same < 1e-3 * exact                                           # K_eps * (mu - omega) with mu ~ omega


def test_hminus1_error_monte_carlo_rate():
    "Lamb-Oseen samples against their own law: the mollified error falls like N^(-1/2) (mean over 4 seeds)."
    xc = ns_grid(96, 1.8)
    w = lamb_oseen(*np.meshgrid(xc, xc, indexing="ij"), 2.0, 1.0, 0.02)
    errs = [np.mean([hminus1_error(sample_lamb_oseen(N, 1.0, 0.02, 2.0, seed=s)[0], np.full(N, 1 / N), 0.05, w,
                                   1.8, mollify_omega=True) for s in range(4)]) for N in (1000, 16000)]
    assert -0.6 < np.log(errs[1] / errs[0]) / np.log(16) < -0.4


def test_hminus1_refuses_unequal_circulations_and_bad_input():
    xc = ns_grid(32, 1.0)
    X, Y = np.meshgrid(xc, xc, indexing="ij")
    with pytest.raises(ValueError, match="zero total mass"): hminus1_norm(gauss(X, Y, 0.01), 2 / 32)
    with pytest.raises(ValueError, match="zero total mass"):
        hminus1_error(np.zeros((3, 2)), np.full(3, 0.5), 0.1, gauss(X, Y, 0.01), 1.0)
    with pytest.raises(ValueError, match="at least one vortex"): hminus1_error(np.zeros((0, 2)), np.zeros(0), 0.1, X, 1.0)
    with pytest.raises(ValueError, match="omega must be a square grid"): hminus1_error(np.zeros((1, 2)), [1.0], 0.1, X[0], 1.0)
    with pytest.raises(ValueError, match="interpolation"):
        hminus1_error(np.zeros((1, 2)), [1.0], 0.1, X, 1.0, interpolation="cubic")


def test_transport_term_closed_form():
    "omega = cos x + cos 2y on the 2 pi torus: -div(b omega) = (2 K_hat(1) - K_hat(2)/2) sin x sin 2y, for any eps."
    xc = ns_grid(32, np.pi, 0.0)
    X, Y = np.meshgrid(xc, xc, indexing="ij")
    for eps in (0.0, 0.3):
        k1, k2 = K_hat(np.array([1.0, 2.0]), eps) if eps > 0 else (1.0, 1.0)
        exact = (2 * k1 - k2 / 2) * np.sin(X) * np.sin(2 * Y)
        assert np.abs(ns_transport(np.cos(X) + np.cos(2 * Y), np.pi, eps=eps, lo=0.0) - exact).max() < 1e-12


def test_simulate_unsorted_save_at_is_sorted_and_ends_at_T():
    "V33: unsorted save_at used to give two times and one snapshot."
    x, g = sample_lamb_oseen(50, 1.0, NU, T0, seed=1)
    r = simulate(x, g, NU, 0.05, 0.2, 0.02, seed=0, save_at=[0.1, 0.0, 0.1, 0.05])
    assert np.allclose(r.t, [0.0, 0.05, 0.1, 0.2]) and r.snapshots.shape == (4, 50, 2)
    assert np.array_equal(r.snapshots[-1], r.x) and np.array_equal(r.snapshots[0], x)
    r2 = simulate(x, g, NU, 0.05, 0.2, 0.02, seed=0, save_at=[0.1])
    assert np.allclose(r2.t, [0.1, 0.2])
    with pytest.raises(ValueError, match="save_at must be finite times"): simulate(x, g, NU, 0.05, 0.2, 0.02, save_at=[0.3])


def test_ns_vorticity_unsorted_save_at_and_half_width():
    "V47, and L is the half-width: the box is [-L, L)^2."
    r = ns_vorticity((lambda X, Y: lamb_oseen(X, Y, T0, 1.0, NU), 32), 1.0, NU, 0.2, 0.05, save_at=[0.1, 0.0, 0.1])
    assert np.allclose(r.t, [0.0, 0.1, 0.2]) and r.omega.shape == (3, 32, 32)
    assert r.xc[0] == pytest.approx(-1 + 1 / 32) and r.xc[-1] == pytest.approx(1 - 1 / 32)
    assert r.params["L"] == 1.0


def test_auto_keeps_accuracy_far_vortex():
    "V24: one vortex at (1e3, 0) or (1e6, 0) among 5000: velocity and simulate with method='auto' stay exact."
    x, g = sample_lamb_oseen(5000, 1.0, NU, T0, seed=3)
    for far in (1e3, 1e6):
        x[0] = (far, 0.0)
        ref = velocity(x, g, 0.05, "direct")
        assert np.abs(velocity(x, g, 0.05) - ref).max() <= 5e-3 * np.abs(ref).max()
    a = simulate(x, g, NU, 0.05, 0.02, 0.02, seed=0)
    b = simulate(x, g, NU, 0.05, 0.02, 0.02, seed=0, method="direct")
    assert np.array_equal(a.x, b.x) and a.params["method"] == "direct"


def test_guards():
    "Issue 19: sizes and times checked before anything is allocated, with the estimate."
    x, g = sample_lamb_oseen(20, 1.0, NU, T0, seed=1)
    with pytest.raises(ValueError, match=r"1e\+11 vortices would need about .* GiB"): sample_lamb_oseen(1e11, 1.0, NU, T0)
    with pytest.raises(ValueError, match=r"T/dt = 1e\+13 steps would need about .* GiB"):
        simulate(x, g, NU, 0.05, 1.0, 1e-13, seed=0)
    cloud = np.vstack([sample_lamb_oseen(4001, 1.0, 1.0, 1.0, seed=0)[0], [[1e9, 0.0]]])    # h = eps/8 = 1e-3
    with pytest.raises(ValueError, match="cells would need about"):
        velocity(cloud, np.full(4002, 1 / 4002), 8e-3, "mesh")
    with pytest.raises(ValueError, match="max_pairs"):
        velocity(np.zeros((5_000_000, 2)), np.full(5_000_000, 2e-7), 0.1, "direct")


def test_bad_input_issue_19():
    with pytest.raises(ValueError, match="x must hold at least one vortex"): velocity(np.zeros((0, 2)), np.zeros(0), 0.1, "mesh")
    with pytest.raises(ValueError, match="x0 must hold at least one vortex"):
        simulate(np.zeros((0, 2)), np.zeros(0), NU, 0.05, 0.1, 0.01)
    with pytest.raises(TypeError, match="mesh must be a chaos_book.field2d.Mesh"): velocity(X2, G2, 0.1, "mesh", mesh=64)
    with pytest.raises(ValueError, match="gamma must be a finite number"): lamb_oseen(0.0, 0.0, 1.0, np.nan, 0.1)
    with pytest.raises(ValueError, match="x must be finite"): lamb_oseen(np.nan, 0.0, 1.0, 1.0, 0.1)
    with pytest.raises(ValueError, match="x and y must have the same shape"):
        lamb_oseen_velocity(np.zeros(3), np.zeros(4), 1.0, 1.0, 0.1)
    with pytest.raises(ValueError, match="n must be an integer"): sample_lamb_oseen(2.5, 1.0, NU, T0)
    with pytest.raises(ValueError, match="exactly once"): sample_lamb_oseen(10, 1.0, NU, T0, t=1.0)


def test_sample_lamb_oseen_t_alias():
    a = sample_lamb_oseen(100, 1.0, NU, 2.0, seed=4)
    b = sample_lamb_oseen(100, 1.0, NU, t=2.0, seed=4)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_public_names_and_docstrings():
    import inspect
    assert all(not n.startswith("_") for n in vx.__all__)
    for name in vx.__all__:
        obj = getattr(vx, name)
        doc = inspect.getdoc(obj)
        assert doc and "see above" not in doc.lower(), name
        if inspect.isfunction(obj): assert "Parameters\n----------" in doc and "Returns\n-------" in doc, name


def test_sliced_wasserstein_of_vortices_matches_pot():
    "The chapter's SW2 between weighted vortices and a weighted grid, against POT (a peer, in tests only)."
    ot = pytest.importorskip("ot")
    from chaos_book.wasserstein import sliced_wasserstein
    x, g = sample_lamb_oseen(2000, 1.0, NU, T0, seed=5)
    xc = ns_grid(48, 0.5)
    X, Y = np.meshgrid(xc, xc, indexing="ij")
    w = lamb_oseen(X, Y, T0 * 1.5, 1.0, NU).ravel()
    pts = np.stack([X.ravel(), Y.ravel()], 1)
    ours = sliced_wasserstein(x, pts, 2, a_weights=g, b_weights=w / w.sum(), n_projections=2000, seed=0)
    peer = ot.sliced_wasserstein_distance(x, pts, g, w / w.sum(), n_projections=2000, seed=0)
    assert ours == pytest.approx(peer, rel=0.05)
