"""Tests of chaos_book.gpu against the CPU path: the deposit, the convolved grid, one step on the drawn noise, a short run in W1.
They run under numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1, `make test` runs them in their own step) or on a GPU,
and are skipped when neither is there. The simulator runs every thread in Python: sizes are small on purpose."""
import numpy as np
import pytest
from scipy import stats

cuda = pytest.importorskip("numba.cuda")
pytestmark = [pytest.mark.cudasim,
              pytest.mark.skipif(not cuda.is_available(), reason="no CUDA GPU and NUMBA_ENABLE_CUDASIM is not set"),
              pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning"),   # xoroshiro128p wraps uint64 on purpose
              pytest.mark.filterwarnings("ignore::numba.core.errors.NumbaWarning")]           # the simulator sets its states up in object mode

from chaos_book import gpu
from chaos_book.drivers import LinearDriver, TanhDriver, ConstantVolatility
from chaos_book.mollifiers import DensityWorkspace, density_grid, density_at
from chaos_book.particles import simulate, ParticleResult

LIN = LinearDriver(a=0.5, b=1.0)
TANH = TanhDriver(a=1.0, c=0.5, b=lambda x: 1.5 + 0.5 * np.sin(3 * x))     # not affine in v: h_inv on the host grid
EPS, RTOL = 0.3, 1e-2              # G ~ 10^3 nodes, m = 41 taps: small enough for the simulator
SMALL = dict(rtol=RTOL, threads_per_block=32, blocks=2)


def _x0(n, seed=0, sd=0.7):
    return np.random.default_rng(seed).normal(0.0, sd, n)


def _bincount(x, a, h, G):
    "Linear binning by numpy: weights 1 - f and f on the two nodes around each point (all points on the grid here)."
    s = (x - a) / h
    j = np.floor(s).astype(int)
    return np.bincount(j, 1 - (s - j), G) + np.bincount(j + 1, s - j, G)


# ------------------------------------------------------------------ deposit and density
@pytest.mark.parametrize("shared", [True, False])
def test_deposit_equals_cpu_binning(shared, monkeypatch):
    "Both deposit kernels (shared-memory histograms, global atomics) against numpy.bincount, to round-off."
    if not shared: monkeypatch.setattr(gpu, "SHARED_NODES", 0)
    x = _x0(700)
    d = gpu.DeviceParticles(LIN, EPS, x, seed=0, **SMALL)
    mass = d.deposit().copy_to_host()
    assert (d.G <= gpu.SHARED_NODES) == shared                              # the path under test is the one taken
    ref = _bincount(x, d.a, d.h, d.G)
    assert mass.sum() == pytest.approx(x.size, rel=1e-14)                 # every particle deposited its unit mass
    assert np.abs(mass - ref).max() <= 1e-13 * ref.max()                   # summation order differs: round-off only


def test_convolved_grid_equals_cpu_density_grid():
    "The direct windowed sum on the device against chapter 02's binning + FFT, on the same nodes."
    x = _x0(600, seed=1)
    d = gpu.DeviceParticles(LIN, EPS, x, seed=0, **SMALL)
    f = d.density().copy_to_host()
    with DensityWorkspace(EPS, rtol=RTOL, n_chunks=1, threads=1) as ws:
        ref = density_grid(ws, x)
        assert ws.G == d.G and ws.a == d.a
    assert np.abs(f - ref).max() <= 1e-12 * ref.max()                      # FFT round-off is ~1e-16 of the max


# ------------------------------------------------------------------ one step on the drawn noise
@pytest.mark.parametrize("drv", [LIN, TANH, ConstantVolatility(0.8)], ids=["linear", "tanh-host-h_inv", "constant"])
def test_one_step_matches_cpu_formula_on_the_same_noise(drv):
    "x + nu sqrt(dt) z with the CPU path's nu (h_inv on the grid, interpolated) and the normals z the device drew."
    x, t, dt = _x0(500, seed=2), 0.1, 1e-3
    d = gpu.DeviceParticles(drv, EPS, x, seed=3, **SMALL)
    st, z = d.step(t, dt, record_noise=True)
    xn = d.positions()
    with DensityWorkspace(EPS, rtol=RTOL, n_chunks=1, threads=1) as ws:
        f = density_grid(ws, x)
        nu = density_at(ws, x, f=np.broadcast_to(drv.h_inv(t, ws.grid(), f), f.shape).copy())
    expect = x + nu * np.sqrt(dt) * z
    assert np.abs(xn - expect).max() <= 1e-12 * np.abs(expect - x).max()
    # the statistics the step returns, against numpy on the same quantities
    np.testing.assert_allclose(st[[0, 3, 6, 7]], [(nu**2).sum(), (xn**2).sum(), 4 * (x**2 * nu**2).sum(), 2 * (nu**4).sum()], rtol=1e-12)
    np.testing.assert_allclose(st[[1, 2, 4, 5]], [nu.min(), nu.max(), xn.min(), xn.max()], rtol=1e-13)
    assert stats.kstest(z, "norm").pvalue > 1e-3                            # the generator's normals are N(0, 1)


def test_noise_is_independent_across_steps_and_threads():
    "Two steps' normals: N(0, 1) each, uncorrelated between steps and between neighbouring particles (other threads)."
    d = gpu.DeviceParticles(ConstantVolatility(1.0), EPS, _x0(1000), seed=4, **SMALL)
    z1 = d.step(0.0, 1e-3, record_noise=True)[1]
    z2 = d.step(1e-3, 1e-3, record_noise=True)[1]
    for r in (np.corrcoef(z1, z2)[0, 1], np.corrcoef(z1[:-1], z1[1:])[0, 1]):
        assert abs(r) < 4 / np.sqrt(z1.size)                               # 4 standard errors of a null correlation


# ------------------------------------------------------------------ runs
def _paired_permutation_w1(a, b, n_perm=2000, seed=0):
    "p-value of W1(a, b) when a_i and b_i (same start x0_i) are exchangeable: swap each pair with probability 1/2."
    obs = stats.wasserstein_distance(a, b)
    rng, null = np.random.default_rng(seed), np.empty(n_perm)
    for k in range(n_perm):
        s = rng.random(a.size) < 0.5
        null[k] = stats.wasserstein_distance(np.where(s, b, a), np.where(s, a, b))
    return obs, (1 + (null >= obs).sum()) / (n_perm + 1)


def test_short_run_agrees_with_cpu_in_w1_and_the_check_has_power():
    """GPU and CPU runs from the same x0: W1 within the sampling band (paired permutation p > 1e-3);
    a CPU run with the volatility divided by 1.6 (a = 0.8) must fall outside it (p < 1e-3; observed 0.078 against a null maximum of 0.053)."""
    x0, T, dt = _x0(1000, seed=5, sd=0.25), 0.01, 2e-3
    g = gpu.simulate_cuda(LIN, EPS, x0, T, dt, seed=6, **SMALL)
    c = simulate(LIN, EPS, x0, T, dt, seed=7, rtol=RTOL)
    wrong = simulate(LinearDriver(a=0.8, b=1.0), EPS, x0, T, dt, seed=7, rtol=RTOL)
    w_ok, p_ok = _paired_permutation_w1(g.x, c.x)
    w_bad, p_bad = _paired_permutation_w1(g.x, wrong.x)
    assert p_ok > 1e-3, (w_ok, p_ok)
    assert p_bad < 1e-3, (w_bad, p_bad)


def test_simulate_backend_cuda_result_object():
    "simulate(backend='cuda'): the CPU path's result object, snapshots at save_at, the same history keys."
    x0 = _x0(300, seed=8)
    r = simulate(LIN, EPS, x0, 0.006, 2e-3, seed=9, save_at=[0.0, 0.004, 0.006], rtol=RTOL, backend="cuda")
    c = simulate(LIN, EPS, x0, 0.006, 2e-3, seed=9, save_at=[0.0, 0.004, 0.006], rtol=RTOL)
    assert isinstance(r, ParticleResult) and r.params["backend"] == "cuda" and r.params["h_inv_on"] == "device"
    assert np.array_equal(r.t, c.t) and r.snapshots.shape == (3, 300)
    assert np.array_equal(r.snapshots[0], x0) and np.array_equal(r.snapshots[-1], r.x)
    assert set(r.history) == set(c.history) and r.params["steps"] == c.params["steps"] == 3
    assert r.history["m2"][0] == np.mean(x0**2) and r.history["m2"][-1] == pytest.approx(np.mean(r.x**2), rel=1e-12)
    assert (r.history["nu_min"] >= 2 - 1e-12).all()                        # nu = 2 (1 + K_eps * mu) >= c_0 = 2


def test_same_seed_same_run_other_seed_differs():
    x0 = _x0(200, seed=10)
    a = gpu.simulate_cuda(LIN, EPS, x0, 0.004, 2e-3, seed=11, **SMALL)
    b = gpu.simulate_cuda(LIN, EPS, x0, 0.004, 2e-3, seed=11, **SMALL)
    c = gpu.simulate_cuda(LIN, EPS, x0, 0.004, 2e-3, seed=12, **SMALL)
    disp = np.abs(a.x - x0).max()
    assert np.abs(a.x - b.x).max() <= 1e-12 * disp               # same normals; atomic adds may reorder on a GPU: round-off only
    assert np.abs(a.x - c.x).max() > 0.1 * disp and a.seed == 11    # other normals: a different path


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("kw, match", [
    (dict(threads_per_block=48), "threads_per_block must be a power of two"),
    (dict(threads_per_block=2048), "threads_per_block"), (dict(blocks=0), "blocks must be"),
    (dict(driver=TANH, nu_on="particles"), "nu_on='particles' on the GPU needs h_inv affine"),
    (dict(x0=np.zeros((5, 2))), r"x0 must be a 1-D array of N positions, shape \(N,\), got shape \(5, 2\)"),
    (dict(eps=0.0), "eps must be"), (dict(dt=2.0), "dt must be <= T")])
def test_simulate_cuda_bad_input(kw, match):
    args = dict(driver=LIN, eps=EPS, x0=np.zeros(10), T=1.0, dt=0.1, seed=0, rtol=RTOL)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        gpu.simulate_cuda(**args)


@pytest.mark.parametrize("kw, match", [(dict(method="exact"), "fast density path only"), (dict(track=[0]), "track"),
                                       (dict(check_dt=True), "check_dt"), (dict(threads=2), "threads")])
def test_simulate_backend_cuda_refuses_cpu_options(kw, match):
    with pytest.raises(ValueError, match=match):
        simulate(LIN, EPS, np.zeros(10), 0.1, 0.05, seed=0, backend="cuda", **kw)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")      # the simulator does the device's inf arithmetic in numpy, which warns
def test_non_finite_during_run_says_where():
    with pytest.raises(ValueError, match=r"non-finite position at step 1 \(t = 0.5\)"):
        gpu.simulate_cuda(LinearDriver(a=1e-300, b=1.0), EPS, np.zeros(10), 1.0, 0.5, seed=0, **SMALL)


def test_plain_function_driver_and_huge_grid_are_refused():
    with pytest.raises(TypeError, match="driver must be a Driver"):
        simulate(lambda t, x, z: z, EPS, _x0(64), 0.004, 2e-3, seed=0, backend="cuda", rtol=RTOL)
    with pytest.raises(ValueError, match=r"device density grid of .* nodes would need about .* GiB"):
        gpu.simulate_cuda(LIN, EPS, np.array([0.0, 1e12]), 0.004, 2e-3, seed=0, **SMALL)
