"Tests of chaos_book.particles against independent truths: exact sums, Gaussian laws, exact identities of the scheme."
import matplotlib
matplotlib.use("Agg")
import warnings
import numpy as np
import pytest
from scipy import stats
from chaos_book.drivers import LinearDriver, TanhDriver, ConstantVolatility, FunctionDriver
from chaos_book.mollifiers import mollify, nu_eps
from chaos_book.particles import sample_density, simulate, time_grid, dt_convergence, ParticleResult

LIN = LinearDriver(a=0.5, b=1.0)
tri = lambda x: np.clip(1 - np.abs(x), 0, None)
tri_cdf = lambda q: np.where(q < 0, 0.5 * (1 + q) ** 2, 1 - 0.5 * (1 - q) ** 2)


# ------------------------------------------------------------------ sample_density
def test_sample_density_exact_for_piecewise_linear():
    x = sample_density(tri, 100_000, seed=0, x=np.linspace(-1, 1, 5))
    assert stats.kstest(x, tri_cdf).pvalue > 1e-4
    assert x.min() >= -1 and x.max() <= 1

def test_sample_density_grid_values_and_pair():
    g = np.linspace(-1, 1, 41)
    a = sample_density(tri(g), 1000, seed=3, x=g)
    b = sample_density((g, tri(g)), 1000, seed=3)
    c = sample_density(tri, 1000, rng=np.random.default_rng(3), x=g)
    assert np.array_equal(a, b) and np.array_equal(a, c)

def test_sample_density_gaussian_moments():
    g = np.linspace(-8, 8, 4001)
    x = sample_density(stats.norm.pdf, 200_000, seed=1, x=g)
    assert stats.kstest(x, stats.norm.cdf).pvalue > 1e-4

def test_sample_density_normalises_and_warns():
    g = np.linspace(-1, 1, 101)
    with pytest.warns(UserWarning, match="normalised"):
        x = sample_density(lambda q: 3 * tri(q), 50_000, seed=0, x=g)
    assert stats.kstest(x, tri_cdf).pvalue > 1e-4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sample_density(lambda q: 1.0002 * tri(q), 10, seed=0, x=g)      # off by < 1e-3: silent

@pytest.mark.parametrize("u0, x, n, match", [
    (lambda q: np.sin(q), np.linspace(-3, 3, 7), 10, ">= 0"),
    (lambda q: np.zeros_like(q), np.linspace(-1, 1, 5), 10, "positive finite mass"),
    (lambda q: np.full_like(q, np.nan), np.linspace(-1, 1, 5), 10, "finite"),
    (lambda q: np.where(q > 0.5, np.inf, 1.0), np.linspace(-1, 1, 5), 10, "finite"),     # infinite mass
    (tri, None, 10, "x is required"),
    (tri, np.linspace(-1, 1, 5), 0, "n must be"),
    (tri, np.linspace(-1, 1, 5), np.nan, "n must be an integer >= 1, got nan"),
    (tri, np.linspace(-1, 1, 5), 2.5, "n must be"),
    (tri, np.array([0.0, 1.0, 0.5]), 10, "increasing"),
    (np.ones(3), np.linspace(0, 1, 4), 10, "one value per grid node"),
])
def test_sample_density_bad_input(u0, x, n, match):
    with pytest.raises(ValueError, match=match):
        sample_density(u0, n, seed=0, x=x)


# ------------------------------------------------------------------ time grid
def test_time_grid_rule():
    t, i = time_grid(1.0, 0.3, save_at=[0.0, 0.45, 1.0])
    assert np.diff(t).max() <= 0.3 * (1 + 1e-12)
    assert np.array_equal(t[i], [0.0, 0.45, 1.0]) and t[-1] == 1.0
    t, _ = time_grid(1.0, 0.1)
    assert t.size == 11 and np.allclose(np.diff(t), 0.1)

@pytest.mark.parametrize("T, dt, save_at, match", [
    (1.0, 0.0, None, "dt must be"), (1.0, -0.1, None, "dt must be"), (1.0, 2.0, None, "dt must be <= T"),
    (0.0, 0.1, None, "T must be"), (1.0, 0.1, [1.5], "save_at"), (1.0, np.nan, None, "dt must be")])
def test_time_grid_bad_input(T, dt, save_at, match):
    with pytest.raises(ValueError, match=match):
        time_grid(T, dt, save_at)


# ------------------------------------------------------------------ constant volatility: Brownian motion
def test_constant_volatility_is_brownian_motion():
    "With nu = sigma, M_T - M_0 ~ N(0, sigma^2 T) exactly; steps of unequal length (T/dt not an integer)."
    sigma, T, N = 0.7, 1.0, 200_000
    x0 = np.random.default_rng(0).uniform(-1, 1, N)
    r = simulate(ConstantVolatility(sigma), 0.1, x0, T, 0.3, seed=1)
    d = r.x - x0
    z_mean = d.mean() / np.sqrt(sigma**2 * T / N)
    chi2 = (d ** 2).sum() / (sigma**2 * T)                      # ~ chi^2_N
    p_var = 2 * min(stats.chi2.cdf(chi2, N), stats.chi2.sf(chi2, N))
    assert abs(z_mean) < 4.5 and p_var > 1e-4
    assert stats.kstest(d / (sigma * np.sqrt(T)), "norm").pvalue > 1e-4

def test_time_dependent_volatility_variance():
    "nu(t) = 1 + t: Euler-Maruyama increments are N(0, sum_n (1 + t_n)^2 dt_n) exactly (left-point rule)."
    drv = type("TimeVol", (), {"h_inv": lambda self, t, x, v: (1 + t) + 0 * np.asarray(v)})()   # any object with h_inv
    T, dt, N = 1.0, 0.25, 100_000
    r = simulate(drv, 0.1, np.zeros(N), T, dt, seed=2)
    tg, _ = time_grid(T, dt)
    var = np.sum((1 + tg[:-1]) ** 2 * np.diff(tg))
    chi2 = (r.x ** 2).sum() / var
    assert 2 * min(stats.chi2.cdf(chi2, N), stats.chi2.sf(chi2, N)) > 1e-4
    assert abs(var - 7 / 3) > 0.1                                # differs from the exact SDE value: the test can see the rule


# ------------------------------------------------------------------ second-moment identity
def _second_moment_z(drv, eps, N, T, dt, seeds, nu_on="grid", wrong=1.1):
    "z-score of the identity, and of the same statistic with the variance per step scaled by `wrong` (power check)."

    u0 = lambda x: np.exp(-x ** 2 / 0.5) / np.sqrt(np.pi / 2)
    g = np.linspace(-4, 4, 801)
    Ds, Ws, Vs = [], [], []
    for s in seeds:
        x0 = sample_density(u0, N, seed=s, x=g)
        r = simulate(drv, eps, x0, T, dt, seed=1000 + s, save_at=np.arange(0, T + dt / 2, dt), nu_on=nu_on)
        nu = np.array([nu_eps(drv, t, r.snapshots[k], r.snapshots[k], eps, method="exact") for k, t in enumerate(r.t[:-1])])
        m2 = (r.snapshots ** 2).mean(1)
        Ds.append((np.diff(m2) - np.diff(r.t) * (nu ** 2).mean(1)).sum())
        Ws.append((np.diff(m2) - wrong * np.diff(r.t) * (nu ** 2).mean(1)).sum())
        Vs.append(((4 * r.snapshots[:-1] ** 2 * nu ** 2 * dt + 2 * nu ** 4 * dt ** 2).sum(1) / N ** 2).sum())
    return np.sum(Ds) / np.sqrt(np.sum(Vs)), np.sum(Ws) / np.sqrt(np.sum(Vs))

def test_second_moment_identity_exact_volatility():
    "E[mean M^2_{n+1} - mean M^2_n] = dt E[mean nu_n^2], nu recomputed from snapshots by the exact sum."
    z, z_wrong = _second_moment_z(LIN, 0.05, 400, 0.02, 2e-3, range(100))
    assert abs(z) < 4 and abs(z_wrong) > 4             # a 10% error in the variance per step would be seen

def test_second_moment_identity_x_dependent_driver():
    drv = TanhDriver(a=1.0, c=0.5, b=lambda x: 1.5 + 0.5 * np.sin(3 * x))
    z, z_wrong = _second_moment_z(drv, 0.1, 300, 0.02, 4e-3, range(60), nu_on="particles", wrong=1.2)
    assert abs(z) < 4 and abs(z_wrong) > 4             # resolution of this smaller run: a 20% error is seen

def test_second_moment_identity_from_history():
    x0 = np.random.default_rng(4).standard_normal(50_000)
    h = simulate(LIN, 0.1, x0, 0.1, 1e-3, seed=5).history
    D = np.diff(h["m2"]) - np.diff(h["t"]) * h["mean_nu2"]
    assert abs(D.sum() / np.sqrt(h["var_m2"].sum())) < 4

def test_history_statistics_match_numpy():
    "The per-step statistics (block sums in the compiled step) against numpy on the snapshots, exact volatility."
    x0 = np.random.default_rng(6).standard_normal(1003)                # not a multiple of the block or chunk size
    dt = 1e-3
    r = simulate(LIN, 0.1, x0, 5 * dt, dt, seed=2, save_at=np.arange(6) * dt, method="exact", n_streams=3)
    h, X = r.history, r.snapshots
    nu = np.array([nu_eps(LIN, t, X[k], X[k], 0.1, method="exact") for k, t in enumerate(r.t[:-1])])
    np.testing.assert_allclose(h["m2"], (X ** 2).mean(1), rtol=1e-13)
    np.testing.assert_allclose(h["mean_nu2"], (nu ** 2).mean(1), rtol=1e-13)
    np.testing.assert_array_equal(h["nu_min"], nu.min(1))
    np.testing.assert_array_equal(h["nu_max"], nu.max(1))
    np.testing.assert_allclose(h["var_m2"], (4 * X[:-1] ** 2 * nu ** 2 * dt + 2 * nu ** 4 * dt ** 2).sum(1) / X.shape[1] ** 2, rtol=1e-13)

def test_identity_has_power():
    "The same statistic with a 10% wrong variance per step (dt -> 1.1 dt) must be far from 0: the test can fail."
    x0 = np.random.default_rng(4).standard_normal(50_000)
    h = simulate(LIN, 0.1, x0, 0.1, 1e-3, seed=5).history
    D = np.diff(h["m2"]) - 1.1 * np.diff(h["t"]) * h["mean_nu2"]
    assert abs(D.sum() / np.sqrt(h["var_m2"].sum())) > 4


def test_normalised_increments_catch_a_wrong_eps():
    """Z = dM / (nu sqrt(dt)) is i.i.d. N(0, 1) with nu recomputed exactly at the eps used: sum Z^2 ~ chi^2_K.
    Recomputed at eps = 0.1 instead of the 0.05 used, the same statistic must be far off (the identity is blind to this)."""
    u0 = lambda x: np.exp(-x ** 2 / 0.5) / np.sqrt(np.pi / 2)
    g, dt, zs = np.linspace(-4, 4, 801), 1e-3, {0.05: [0.0, 0], 0.1: [0.0, 0]}
    for s in range(40):
        r = simulate(LIN, 0.05, sample_density(u0, 500, seed=s, x=g), 0.01, dt, seed=500 + s, save_at=np.arange(11) * dt)
        X = r.snapshots
        for e in zs:
            nu = np.array([nu_eps(LIN, t, X[k], X[k], e, method="exact") for k, t in enumerate(r.t[:-1])])
            Z = np.diff(X, axis=0) / (nu * np.sqrt(np.diff(r.t))[:, None])
            zs[e][0] += (Z ** 2).sum(); zs[e][1] += Z.size
    z = {e: (q - K) / np.sqrt(2 * K) for e, (q, K) in zs.items()}
    assert abs(z[0.05]) < 4 and abs(z[0.1]) > 4, z


# ------------------------------------------------------------------ volatility paths agree
def test_nu_on_grid_equals_particles_for_linear_driver():
    x0 = np.random.default_rng(0).standard_normal(5000)
    a = simulate(LIN, 0.1, x0, 0.05, 0.01, seed=1, method="fast", nu_on="grid").x
    b = simulate(LIN, 0.1, x0, 0.05, 0.01, seed=1, method="fast", nu_on="particles").x
    assert np.abs(a - b).max() < 1e-12

def test_fast_equals_exact_path_within_rtol():
    x0 = np.random.default_rng(0).standard_normal(3000)
    a = simulate(LIN, 0.1, x0, 0.05, 0.01, seed=1, method="fast")
    b = simulate(LIN, 0.1, x0, 0.05, 0.01, seed=1, method="exact")
    disp = np.abs(b.x - x0).max()
    assert np.abs(a.x - b.x).max() < 1e-4 * disp and a.params["method"] == "fast" and b.params["method"] == "exact"

def test_x_dependent_driver_grid_vs_particles():
    drv = LinearDriver(a=1.0, b=lambda x: 1.5 + 0.5 * np.sin(x))
    x0 = np.random.default_rng(0).standard_normal(5000)
    a = simulate(drv, 0.1, x0, 0.05, 0.01, seed=1, method="fast", nu_on="grid").x
    b = simulate(drv, 0.1, x0, 0.05, 0.01, seed=1, method="fast", nu_on="particles").x
    assert np.abs(a - b).max() < 1e-6 * np.abs(b - x0).max()


# ------------------------------------------------------------------ reproducibility
def test_same_seed_same_result_bit_for_bit_any_threads():
    x0 = np.random.default_rng(0).standard_normal(250_000)     # large enough for the threaded path
    a = simulate(LIN, 0.05, x0, 0.003, 1e-3, seed=7, threads=1, method="fast")
    b = simulate(LIN, 0.05, x0, 0.003, 1e-3, seed=7, threads=2, method="fast")
    c = simulate(LIN, 0.05, x0, 0.003, 1e-3, seed=8, threads=2, method="fast")
    assert np.array_equal(a.x, b.x) and np.array_equal(a.snapshots, b.snapshots) and a.params["method"] == "fast"
    assert not np.array_equal(a.x, c.x)

def test_auto_method_choice():
    few = simulate(LIN, 0.1, np.linspace(-1, 1, 300), 0.02, 0.01, seed=0)
    many = simulate(LIN, 0.1, np.random.default_rng(0).standard_normal(200_000), 0.002, 0.001, seed=0)
    assert few.params["method"] == "exact" and many.params["method"] == "fast"

def test_seed_none_is_recorded_and_reproduces():
    x0 = np.linspace(-1, 1, 1000)
    a = simulate(LIN, 0.1, x0, 0.02, 0.01)
    b = simulate(LIN, 0.1, x0, 0.02, 0.01, seed=a.seed)
    assert np.array_equal(a.x, b.x)

def test_rng_argument_and_x0_untouched():
    x0 = np.linspace(-1, 1, 1000)
    keep = x0.copy()
    a = simulate(LIN, 0.1, x0, 0.02, 0.01, rng=np.random.default_rng(3))
    b = simulate(LIN, 0.1, x0, 0.02, 0.01, rng=np.random.default_rng(3))
    assert np.array_equal(a.x, b.x) and np.array_equal(x0, keep)
    with pytest.raises(ValueError, match="not both"):
        simulate(LIN, 0.1, x0, 0.02, 0.01, seed=1, rng=np.random.default_rng(3))


# ------------------------------------------------------------------ result object
def test_result_fields_and_snapshots():
    x0 = np.linspace(-1, 1, 500)
    r = simulate(LIN, 0.1, x0, 0.1, 0.03, seed=1, save_at=[0.0, 0.05, 0.1], track=[0, 10])
    assert isinstance(r, ParticleResult)
    assert np.array_equal(r.t, [0.0, 0.05, 0.1]) and r.snapshots.shape == (3, 500)
    assert np.array_equal(r.snapshots[0], x0) and np.array_equal(r.snapshots[-1], r.x)
    assert r.params["max_step"] <= 0.03 and r.params["N"] == 500 and r.seed == 1
    assert r.history["paths"].shape == (r.params["steps"] + 1, 2)
    assert np.array_equal(r.history["paths"][-1], r.x[[0, 10]])
    assert (r.history["nu_min"] >= 2 - 1e-12).all()            # nu = 2 (1 + K_eps * mu) >= c_0 = 2


# ------------------------------------------------------------------ dt convergence
def test_check_dt_and_dt_convergence():
    x0 = np.random.default_rng(0).standard_normal(5000)
    r = simulate(LIN, 0.1, x0, 0.05, 0.01, seed=2, check_dt=True, method="fast")
    plain = simulate(LIN, 0.1, x0, 0.05, 0.01, seed=2, method="fast")
    assert np.array_equal(r.x, plain.x)                          # the check does not change the run
    assert r.dt_check.dts.tolist() == [0.01] and 0 < r.dt_check.strong[0] < 0.1
    conv = dt_convergence(LIN, 0.1, x0, 0.05, 0.01, levels=3, seed=2, method="fast")
    assert conv.strong[0] == pytest.approx(r.dt_check.strong[0], rel=0.5)
    assert (np.diff(conv.strong) < 0).all() and 0.3 < conv.order < 0.8


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("kw, match", [
    (dict(x0=np.array([])), "N = 0"), (dict(dt=0.0), "dt must be"), (dict(dt=2.0), "dt must be <= T"),
    (dict(x0=np.array([0.0, np.inf])), "x0 must be finite"), (dict(eps=0.0), "eps must be"),
    (dict(method="magic"), "method"), (dict(nu_on="nowhere"), "nu_on"), (dict(save_at=[2.0]), "save_at"),
    (dict(n_streams=0), "n_streams"), (dict(track=[10]), r"track must hold particle indices in \[0, 10\), got 10"),
    (dict(track=[-1]), "track must hold")])
def test_simulate_bad_input(kw, match):
    args = dict(driver=LIN, eps=0.1, x0=np.zeros(10), T=1.0, dt=0.1, seed=0)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        simulate(**args)

def test_non_finite_during_run_says_where():
    with pytest.raises(ValueError, match=r"non-finite position at step 1 \(t = 0.5\).*overflowed"):
        simulate(LinearDriver(a=1e-300, b=1.0), 0.1, np.zeros(10), 1.0, 0.5, seed=0)

def test_nan_volatility_says_where():
    bad = type("Bad", (), {"h_inv": lambda self, t, x, v: np.where(t > 0.15, np.nan, 1.0) + 0 * np.asarray(v)})()
    for nu_on in ("grid", "particles"):
        with pytest.raises(ValueError, match="h_inv returned nan at t = 0.2"):
            simulate(bad, 0.1, np.zeros(10), 1.0, 0.1, seed=0, nu_on=nu_on)


# ------------------------------------------------------------------ array shapes (issue 11, item 7)
@pytest.mark.parametrize("call, match", [
    (lambda: simulate(LIN, 0.1, np.zeros((5, 2)), 1.0, 0.1, seed=0), r"x0 must be a 1-D array of N positions, shape \(N,\), got shape \(5, 2\)"),
    (lambda: simulate(LIN, 0.1, 0.5, 1.0, 0.1, seed=0), r"x0 must be a 1-D array of N positions, shape \(N,\), got shape \(\)"),
    (lambda: simulate(LIN, np.array([0.1, 0.2]), np.zeros(5), 1.0, 0.1, seed=0), r"eps must be a single number, shape \(\), got shape \(2,\)"),
    (lambda: simulate(LIN, 0.1, np.zeros(5), 1.0, 0.1, seed=0, track=[[0, 1]]), r"track must be a 1-D array of particle indices, shape \(k,\), got shape \(1, 2\)"),
    (lambda: simulate(LIN, 0.1, np.zeros(5), 1.0, 0.1, seed=0, save_at=[[0.5]]), r"save_at must be a time or a 1-D array of times, shape \(k,\), got shape \(1, 1\)"),
    (lambda: simulate(LIN, 0.1, np.zeros(5), 1.0, 0.1, seed=0, n_streams=[2]), r"n_streams must be a single number, shape \(\), got shape \(1,\)"),
    (lambda: time_grid(np.ones(2), 0.1), r"T must be a single number, shape \(\), got shape \(2,\)"),
    (lambda: time_grid(1.0, np.ones((1, 1))), r"dt must be a single number, shape \(\), got shape \(1, 1\)"),
    (lambda: sample_density(tri, np.array([10, 20]), seed=0, x=np.linspace(-1, 1, 5)), r"n must be a single number, shape \(\), got shape \(2,\)"),
    (lambda: sample_density(tri, 10, seed=0, x=np.linspace(-1, 1, 6).reshape(2, 3)), r"x must be a 1-D grid .* got shape \(2, 3\)"),
    (lambda: sample_density(np.ones((5, 1)), 10, seed=0, x=np.linspace(-1, 1, 5)), r"u0 must give one value per grid node: shape \(5, 1\)"),
    (lambda: dt_convergence(LIN, 0.1, np.zeros((5, 2)), 0.1, 0.05, seed=0), r"x0 must be a 1-D array of N positions, shape \(N,\)"),
    (lambda: dt_convergence(LIN, 0.1, np.zeros(5), 0.1, 0.05, levels=[2], seed=0), r"levels must be a single number, shape \(\)"),
], ids=["simulate-x0-2d", "simulate-x0-scalar", "simulate-eps", "simulate-track", "simulate-save_at", "simulate-n_streams",
        "time_grid-T", "time_grid-dt", "sample_density-n", "sample_density-x", "sample_density-u0", "dt_convergence-x0",
        "dt_convergence-levels"])
def test_wrong_shapes_are_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------ backend
def test_unknown_backend():
    with pytest.raises(ValueError, match=r"backend must be one of \('cpu', 'cuda'.*\), got 'tpu'"):
        simulate(LIN, 0.1, np.zeros(10), 0.1, 0.05, seed=0, backend="tpu")

def test_cpu_path_imports_nothing_gpu_related():
    "The default path never imports numba.cuda or chaos_book.gpu (a fresh interpreter, so no other test interferes)."
    import subprocess, sys
    code = ("import sys, numpy as np\nfrom chaos_book.particles import simulate\nfrom chaos_book.drivers import LinearDriver\n"
            "simulate(LinearDriver(0.5, 1.0), 0.1, np.zeros(100), 0.02, 0.01, seed=0)\n"
            "print(sorted(m for m in sys.modules if m.startswith('numba.cuda') or m == 'chaos_book.gpu'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]", out

def test_backend_cuda_without_a_device_says_so():
    import os
    cuda = pytest.importorskip("numba.cuda")
    if cuda.is_available() or os.environ.get("NUMBA_ENABLE_CUDASIM") == "1": pytest.skip("a GPU or the simulator is present")
    with pytest.raises(RuntimeError, match="needs a CUDA GPU"):
        simulate(LIN, 0.1, np.zeros(10), 0.1, 0.05, seed=0, backend="cuda")


# ------------------------------------------------------------------ issue 19: the driver, memory guards; save_at rule
def test_plain_function_as_driver_is_a_type_error():
    with pytest.raises(TypeError, match="driver must be a Driver.*FunctionDriver"):
        simulate(lambda t, x, z: z, 0.1, np.zeros(10), 0.1, 0.05, seed=0)


@pytest.mark.parametrize("method", ["exact", "fast"])
def test_non_monotone_driver_names_assumption_2_4(method):
    drv = FunctionDriver(lambda t, x, z: z**3 - z, x_dependent=False, t_dependent=False)
    with pytest.raises(ValueError, match=r"Assumption 2.4\(i\)") as e:
        simulate(drv, 0.1, np.random.default_rng(0).normal(size=200), 0.1, 0.01, seed=0, method=method)
    assert "continuous" not in str(e.value)


def test_fast_path_on_a_huge_span_is_refused_with_the_estimate():
    with pytest.raises(ValueError, match=r"density grid of 4.1\de\+15 nodes would need about .* GiB, more than the limit"):
        simulate(LIN, 0.1, np.array([0.0, 1e12]), 0.1, 0.01, seed=0, method="fast")


@pytest.mark.parametrize("T, dt", [(1e20, 1.0), (1.0, 1e-13)])
def test_time_grid_memory_guard(T, dt):
    with pytest.raises(ValueError, match=r"time grid of 1e\+\d+ steps would need about .* GiB.*T / dt"):
        time_grid(T, dt)
    with pytest.raises(ValueError, match="time grid"):
        simulate(LIN, 0.1, np.zeros(10), T, dt, seed=0)


def test_vortex_simulate_tiny_dt_hits_the_time_guard():
    from chaos_book import vortex
    x = np.random.default_rng(0).normal(size=(10, 2))
    with pytest.raises(ValueError, match="time grid"):
        vortex.simulate(x, np.full(10, 0.1), 0.01, 0.1, 1.0, 1e-13, seed=0)


def test_memory_limit_can_be_raised_and_lowered():
    t, _ = time_grid(1.0, 1e-3, max_bytes=1e6)
    assert t.size == 1001
    with pytest.raises(ValueError, match="limit of"):
        time_grid(1.0, 1e-5, max_bytes=1e6)
    with pytest.raises(ValueError, match="snapshots"):
        simulate(LIN, 0.1, np.zeros(1000), 0.1, 0.01, seed=0, save_at=np.linspace(0, 0.1, 11), max_bytes=5e4)


def test_save_at_is_sorted_deduplicated_and_ends_at_T():
    x0 = np.random.default_rng(1).normal(size=300)
    r = simulate(LIN, 0.1, x0, 0.1, 0.03, seed=1, save_at=[0.05, 0.0, 0.05])
    assert r.t.tolist() == [0.0, 0.05, 0.1] and r.snapshots.shape == (3, 300)
    assert np.array_equal(r.snapshots[-1], r.x)
    t, i = time_grid(1.0, 0.3, save_at=[0.6, 0.2])
    assert t[i].tolist() == [0.2, 0.6, 1.0]


def test_backend_registry_is_public_and_plugs_in():
    from chaos_book import particles
    seen = {}
    def fake(driver, eps, x0, T, dt, seed, save_at, **kw):
        seen.update(kw, T=T)
        return "fake result"
    particles.register_backend("fake", fake)
    try:
        assert "fake" in particles.backends() and "cuda" in particles.backends()
        assert simulate(LIN, 0.1, np.zeros(5), 0.1, 0.05, seed=0, backend="fake") == "fake result"
        assert seen["T"] == 0.1 and set(seen) >= {"rng", "kernel", "rtol", "nu_on", "max_bytes"}
        with pytest.raises(ValueError, match="does not take track"):
            simulate(LIN, 0.1, np.zeros(5), 0.1, 0.05, seed=0, backend="fake", track=[0])
    finally:
        particles._BACKENDS.pop("fake")
    with pytest.raises(ValueError, match="other than 'cpu'"):
        particles.register_backend("cpu", fake)
    with pytest.raises(TypeError, match="module:function"):
        particles.register_backend("x", 3)


def test_public_callables_have_numpydoc_docstrings():
    import inspect
    from chaos_book import particles, mollifiers
    mods = [particles, mollifiers]
    try:
        from chaos_book import gpu                              # numba.cuda imports without a GPU
        mods.append(gpu)
    except ImportError:
        pass
    missing = []
    for m in mods:
        assert all(not n.startswith("_") for n in m.__all__)
        for name in m.__all__:
            obj = getattr(m, name)
            if not (callable(obj) or inspect.isclass(obj)) or isinstance(obj, mollifiers.Mollifier): continue
            items = [(name, obj)] + [(f"{name}.{k}", v) for k, v in vars(obj).items()
                                     if inspect.isclass(obj) and not k.startswith("_") and (callable(v) or isinstance(v, property))]
            for nm, o in items:
                doc = inspect.getdoc(o.fget if isinstance(o, property) else o) or ""
                if not doc: missing.append(f"{m.__name__}.{nm}")
                elif (inspect.isfunction(o) and len(inspect.signature(o).parameters) > 1
                      and "Parameters\n----------" not in doc and "Returns\n-------" not in doc):
                    missing.append(f"{m.__name__}.{nm} (no sections)")
    assert not missing, missing


# ------------------------------------------------------------------ issue 18, item 7: module structure
def _package_imports():
    "module -> [(imported module, [names])] for every import of a chaos_book module in chaos_book/*.py (any depth)."
    import ast, pathlib
    root = pathlib.Path(__file__).resolve().parents[1] / "chaos_book"
    out = {}
    for f in sorted(root.glob("*.py")):
        mod, edges = f.stem, []
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom):
                target = (node.module or "") if node.level == 0 else (node.module or "")
                if node.level == 0 and not target.startswith("chaos_book"): continue
                target = target.removeprefix("chaos_book").lstrip(".") or None
                names = [a.name for a in node.names]
                if target is None: edges += [(n, []) for n in names]          # from chaos_book import gpu
                else: edges.append((target, names))
            elif isinstance(node, ast.Import):
                edges += [(a.name.removeprefix("chaos_book.").split(".")[0], []) for a in node.names
                          if a.name.startswith("chaos_book.")]
        out[mod] = edges
    return out


def test_no_import_cycle_and_no_private_name_across_modules():
    imports = _package_imports()
    graph = {m: {t for t, _ in e if t in imports and t != m} for m, e in imports.items()}
    mutual = sorted({tuple(sorted((a, b))) for a in graph for b in graph[a] if a in graph.get(b, ())})
    private = sorted(f"{m} imports {n} from {t}" for m, e in imports.items() for t, names in e
                     for n in names if n.startswith("_") and t != "_checks" and t != m)
    state, cycle = {}, []
    def visit(m, path):                                     # depth-first search for any cycle, not only pairs
        state[m] = 1
        for t in sorted(graph[m]):
            if state.get(t) == 1: cycle.append(path + [t]); continue
            if t not in state: visit(t, path + [t])
        state[m] = 2
    for m in sorted(graph):
        if m not in state: visit(m, [m])
    assert not mutual, f"modules that import each other: {mutual}"
    assert not cycle, f"import cycles: {cycle}"
    assert not private, private
    assert "gpu" not in graph["particles"] and "particles" in graph["gpu"]     # the GPU path plugs in from above
