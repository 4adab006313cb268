"Tests of chaos_book.wasserstein against closed forms and peers (scipy, POT)."
import matplotlib
matplotlib.use("Agg")
import numpy as np
import ot
import pytest
import scipy.stats
from scipy.integrate import quad

from chaos_book.wasserstein import gaussian_w1, iid_mean_w1, wasserstein

X = np.linspace(-14, 14, 28001)   # tails beyond 14 sd weigh < 1e-40


def normal(m, s, x=X):
    return (x, np.exp(-(x - m) ** 2 / (2 * s * s)))


def w1_gauss(m1, s1, m2, s2):
    "E|m1 - m2 + (s1 - s2) Z|, the exact W1 between two Gaussians."
    a, b = m1 - m2, abs(s1 - s2)
    if b == 0: return abs(a)
    c = a / b
    return b * (2 * scipy.stats.norm.pdf(c) + c * (2 * scipy.stats.norm.cdf(c) - 1))


@pytest.mark.parametrize("p", [1, 2, 3.5])
def test_point_masses(p):
    assert wasserstein([0.0], [3.0], p=p) == pytest.approx(3.0, rel=1e-15)
    # W_p(delta_0, (1-q) delta_0 + q delta_d) = q^(1/p) d
    assert wasserstein([0.0], [0.0, 0.0, 0.0, 2.0], p=p) == pytest.approx(0.25 ** (1 / p) * 2, rel=1e-14)
    assert wasserstein([1.0], [0.0, 2.0], b_weights=[3.0, 1.0], p=p) == pytest.approx(1.0, rel=1e-14)
    assert wasserstein([5.0, 5.0], [5.0], p=p) == 0.0


@pytest.mark.parametrize("m1,s1,m2,s2", [(0.3, 1.0, 0.0, 1.5), (-1.0, 0.7, 0.5, 0.7), (0.0, 2.0, 0.1, 0.5)])
def test_gaussian_densities_closed_form(m1, s1, m2, s2):
    assert wasserstein(normal(m1, s1), normal(m2, s2)) == pytest.approx(w1_gauss(m1, s1, m2, s2), rel=1e-6)
    assert wasserstein(normal(m1, s1), normal(m2, s2), p=2) == pytest.approx(np.hypot(m1 - m2, s1 - s2), rel=1e-6)


def test_gaussian_samples_closed_form():
    "Quantile samples of N(m, s^2): W_p to the shifted, scaled samples is the Gaussian closed form up to O(1/N)."
    q = scipy.stats.norm.ppf((np.arange(20000) + 0.5) / 20000)
    assert wasserstein(0.3 + q, 1.5 * q, p=2) == pytest.approx(np.hypot(0.3, 0.5), rel=1e-4)
    assert wasserstein(0.3 + q, 1.5 * q) == pytest.approx(w1_gauss(0.3, 1.0, 0.0, 1.5), rel=1e-4)


def test_translation_invariance_w1():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=500), rng.exponential(size=300)
    for c in (0.7, -3.2):
        assert wasserstein(a + c, b + c) == pytest.approx(wasserstein(a, b), rel=1e-12)
        assert wasserstein(a + c, normal(c, 1.0)) == pytest.approx(wasserstein(a, normal(0, 1.0)), rel=1e-7)
    # translating one measure only: W1 = |c| when the other is its copy
    assert wasserstein(a, a + 0.7) == pytest.approx(0.7, rel=1e-14)


@pytest.mark.parametrize("n,m", [(1000, 1000), (1000, 737), (1, 50), (3, 7)])
def test_agrees_with_scipy_and_pot(n, m):
    rng = np.random.default_rng(n + m)
    a, b = rng.normal(size=n), rng.gamma(2.0, size=m)
    wa, wb = rng.random(n), rng.random(m)
    assert abs(wasserstein(a, b) - scipy.stats.wasserstein_distance(a, b)) < 1e-10
    assert abs(wasserstein(a, b, a_weights=wa, b_weights=wb) - scipy.stats.wasserstein_distance(a, b, wa, wb)) < 1e-10
    assert abs(wasserstein(a, b) - ot.wasserstein_1d(a, b, p=1)) < 1e-10
    for p in (2, 3):
        assert abs(wasserstein(a, b, p=p) ** p - ot.wasserstein_1d(a, b, p=p)) < 1e-10
        assert abs(wasserstein(a, b, p=p, a_weights=wa, b_weights=wb) ** p
                   - ot.wasserstein_1d(a, b, wa / wa.sum(), wb / wb.sum(), p=p)) < 1e-10


def test_gaussian_w1_reference_by_quadrature():
    "The closed-form reference against adaptive quadrature of |F_N - Phi|."
    y = np.sort(np.random.default_rng(2).normal(1.0, 2.0, size=7))
    F_N = lambda x: np.searchsorted(y, x, side="right") / y.size
    cuts = np.concatenate([[-np.inf], y, [np.inf]])
    ref = sum(quad(lambda x: abs(F_N(x) - scipy.stats.norm.cdf(x, 1.0, 2.0)), lo, hi, epsabs=1e-13, epsrel=1e-12)[0]
              for lo, hi in zip(cuts[:-1], cuts[1:]))
    assert gaussian_w1(y, 1.0, 2.0) == pytest.approx(ref, rel=1e-9)


def test_samples_vs_density_is_exact_for_piecewise_linear():
    "A triangle density is exactly piecewise linear: W_p to quantile samples checked by quadrature."
    x, u = np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, 0.0])
    Q = lambda s: np.sqrt(2 * s) if s <= 0.5 else 2 - np.sqrt(2 * (1 - s))
    y = np.array([0.2, 0.9, 1.05, 1.7])
    for p in (1, 2, 3.5):
        ref = sum(quad(lambda s: abs(y[i] - Q(s)) ** p, i / 4, (i + 1) / 4, points=[0.5], epsabs=1e-14, epsrel=1e-13)[0]
                  for i in range(4))
        assert wasserstein(y, (x, u), p=p) == pytest.approx(ref ** (1 / p), rel=1e-11)
        assert wasserstein((x, 5 * u), y[::-1], p=p) == pytest.approx(ref ** (1 / p), rel=1e-11)   # order, scale


def test_samples_vs_density_matches_exact_gaussian():
    "At N = 10^6 the grid (h = 1e-3) adds less than 1e-4 relative error to the exact W1."
    y = np.random.default_rng(3).normal(size=10**6)
    x = np.linspace(-8, 8, 16001)
    exact = gaussian_w1(y)
    assert wasserstein(y, (x, np.exp(-x**2 / 2))) == pytest.approx(exact, rel=1e-4)
    assert wasserstein(np.sort(y), (x, np.exp(-x**2 / 2))) == wasserstein(y, (x, np.exp(-x**2 / 2)))


def test_grid_error_is_second_order():
    "Observed order of the grid error of the density path (piecewise linear interpolation)."
    y = np.random.default_rng(4).normal(size=2000)
    exact = gaussian_w1(y)
    errs = [abs(wasserstein(y, normal(0, 1, np.linspace(-10, 10, 20 * k + 1))) - exact) for k in (10, 20, 40)]
    orders = np.log2(np.array(errs[:-1]) / errs[1:])
    assert np.all((orders > 1.8) & (orders < 2.2)), orders


def test_density_vs_samples_symmetric_and_weighted():
    rng = np.random.default_rng(5)
    y, w = rng.normal(size=300), rng.random(300)
    g = normal(0.2, 1.3)
    assert wasserstein(y, g, p=2, a_weights=w) == pytest.approx(wasserstein(g, y, p=2, b_weights=w), rel=1e-14)
    # a weight of k equals k repeated samples
    k = rng.integers(1, 4, size=300)
    assert wasserstein(y, g, a_weights=k) == pytest.approx(wasserstein(np.repeat(y, k), g), rel=1e-12)


@pytest.mark.parametrize("call,match", [
    (lambda: wasserstein([1.0], [2.0], p=0.5), "p must be"),
    (lambda: wasserstein([1.0], [2.0], p=np.inf), "p must be"),
    (lambda: wasserstein([], [2.0]), "a is empty"),
    (lambda: wasserstein([1.0], np.array([])), "b is empty"),
    (lambda: wasserstein([1.0, np.nan], [2.0]), "non-finite"),
    (lambda: wasserstein([1.0], (X, -np.ones_like(X))), "density must be >= 0"),
    (lambda: wasserstein([1.0], (X, np.zeros_like(X))), "zero mass"),
    (lambda: wasserstein([1.0], (X[::-1], np.ones_like(X))), "strictly increasing"),
    (lambda: wasserstein([1.0], (X, np.ones(3))), r"b: density must have the grid's shape \(28001,\)"),
    (lambda: wasserstein([1.0, 2.0], [2.0], a_weights=[1.0, -1.0]), "weights must be finite and >= 0"),
    (lambda: wasserstein([1.0, 2.0], [2.0], a_weights=[0.0, 0.0]), "positive sum"),
    (lambda: wasserstein([1.0], (X, np.ones_like(X)), b_weights=[1.0]), "b_weights apply to samples"),
    (lambda: gaussian_w1([]), "samples is empty"),
    (lambda: gaussian_w1([0.0, np.nan]), "non-finite"),
    (lambda: gaussian_w1([0.0], sd=0.0), "sd > 0"),
    (lambda: gaussian_w1([0.0], mean=np.inf), "mean and sd must be finite"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_radix_sort_matches_numpy():
    from chaos_book.wasserstein import _radix_sort
    rng = np.random.default_rng(6)
    tricky = np.array([0.0, -0.0, 3.0, -1.0, np.inf, -np.inf, 1e-300, -1e-300, 5e-324, -5e-324, 2.0, 3.0, 1e308, -1e308])
    for y in (tricky, rng.normal(size=10**5), rng.standard_cauchy(10**4) * 1e200, rng.integers(-3, 3, 10**4) * 1.0,
              np.full(7, 2.5), np.array([1.0])):
        got = _radix_sort(y)
        assert np.array_equal(got, np.sort(y))        # -0.0 == 0.0 here, so also:
        assert np.signbit(got).sum() == np.signbit(y).sum()                # no zero changed its sign


from hypothesis import given, settings, strategies as st

floats = st.floats(-1e3, 1e3, allow_nan=False)
samples = st.lists(floats, min_size=1, max_size=40)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(samples, samples)
def test_properties_on_arbitrary_samples(a, b):
    "Ties, repeats, any sizes: agreement with scipy, symmetry, W_1 <= W_2 <= W_3 (Jensen), zero on itself."
    w1 = wasserstein(a, b)
    assert abs(w1 - scipy.stats.wasserstein_distance(a, b)) <= 1e-10 * (1 + max(map(abs, a + b)))
    assert wasserstein(b, a, p=2) == pytest.approx(wasserstein(a, b, p=2), rel=1e-12, abs=1e-12)
    assert w1 <= wasserstein(a, b, p=2) * (1 + 1e-12) + 1e-12 <= wasserstein(a, b, p=3) * (1 + 1e-12) + 2e-12
    assert wasserstein(a, a[::-1]) == 0.0


@pytest.mark.parametrize("call,match", [
    (lambda: wasserstein(np.zeros((10, 2)), [1.0]), r"a must be a 1-D array of samples, shape \(N,\), got shape \(10, 2\)"),
    (lambda: wasserstein([1.0], np.zeros((3, 1))), r"b must be a 1-D array of samples, shape \(N,\)"),
    (lambda: wasserstein(np.float64(1.0), [1.0]), r"a must be a 1-D array of samples, shape \(N,\), got shape \(\)"),
    (lambda: wasserstein([1.0, 2.0], [1.0], a_weights=np.ones((2, 1))), r"a_weights must have the shape of a, \(2,\)"),
    (lambda: wasserstein([1.0], [1.0, 2.0], b_weights=[1.0]), r"b_weights must have the shape of b, \(2,\)"),
    (lambda: wasserstein((np.zeros((5, 2)), np.ones(5)), [1.0]), r"a: grid x must be a 1-D array of shape \(G,\)"),
    (lambda: wasserstein([1.0], (X, np.ones((X.size, 1)))), r"b: density must have the grid's shape \(28001,\)"),
    (lambda: wasserstein([1.0], (X,)), r"b as a tuple must be \(x, density\)"),
    (lambda: gaussian_w1(np.zeros((4, 2))), r"samples must be a 1-D array of samples, shape \(N,\)"),
    (lambda: gaussian_w1([0.0], mean=np.zeros(2)), r"mean must be a scalar, shape \(\), got shape \(2,\)"),
    (lambda: gaussian_w1([0.0], sd=np.ones((1, 1))), r"sd must be a scalar"),
    (lambda: iid_mean_w1(np.zeros((5, 2)), np.ones(5), 10), r"x must be a 1-D grid of shape \(G,\)"),
    (lambda: iid_mean_w1(X, np.ones(7), 10), r"u must have the shape of x, \(28001,\), got \(7,\)"),
    (lambda: iid_mean_w1(X, np.ones_like(X), [10]), "n must be an integer >= 1"),
    (lambda: iid_mean_w1(X, np.ones_like(X), 0), "n must be an integer >= 1"),
    (lambda: iid_mean_w1(X, -np.ones_like(X), 5), "density must be >= 0"),
])
def test_bad_shapes(call, match):
    "Every public function refuses an array of the wrong shape, naming the parameter and the expected shape."
    with pytest.raises(ValueError, match=match):
        call()


def test_iid_mean_w1_closed_form_and_monte_carlo():
    "n = 1: E|X - X'| = 2/sqrt(pi) for N(0, 1); n = 20, 300: the mean of exact W1 (gaussian_w1) over many draws."
    assert iid_mean_w1(*normal(0, 1), 1) == pytest.approx(2 / np.sqrt(np.pi), rel=1e-6)
    assert iid_mean_w1(*normal(0.5, 2.0), 1) == pytest.approx(4 / np.sqrt(np.pi), rel=1e-6)    # scales with sd, not with the mean
    rng = np.random.default_rng(7)
    for n in (20, 300):
        draws = np.array([gaussian_w1(rng.normal(size=n)) for _ in range(3000)])
        # 4 standard errors of the Monte Carlo mean: a false alarm once in ~16000 runs
        assert abs(draws.mean() - iid_mean_w1(*normal(0, 1), n)) < 4 * draws.std() / np.sqrt(draws.size)
    # the sqrt(n) scaling: sqrt(n) E W1 -> sqrt(2/pi) int sqrt(F(1-F)) dx (Bobkov-Ledoux), within 1 % at n = 10^6
    F = scipy.stats.norm.cdf(X)
    limit = np.sqrt(2 / np.pi) * np.trapezoid(np.sqrt(F * (1 - F)), X)
    assert np.sqrt(1e6) * iid_mean_w1(*normal(0, 1), 10**6) == pytest.approx(limit, rel=1e-2)


# --- sliced_wasserstein: point clouds in R^d -------------------------------------------------------------------------

from chaos_book.wasserstein import _directions, sliced_wasserstein
from scipy.special import gamma as Gamma


def abs_moment(p, d):
    "E |theta_1|^p for theta uniform on the unit sphere of R^d."
    return Gamma((p + 1) / 2) * Gamma(d / 2) / (np.sqrt(np.pi) * Gamma((d + p) / 2))


@pytest.mark.parametrize("d", [2, 3, 5])
@pytest.mark.parametrize("p", [1, 2, 3.5])
def test_sliced_agrees_with_pot_on_the_same_directions(d, p):
    "POT's sliced_wasserstein_distance given our directions: equal to round-off, unweighted, weighted, mixed, n != m."
    rng = np.random.default_rng(10 * d + int(2 * p))
    a, b = rng.normal(size=(300, d)), rng.exponential(size=(211, d))
    wa, wb = rng.random(300), rng.random(211)
    theta = _directions(d, 64, np.random.default_rng(5))
    for x, y in ((None, None), (wa, wb), (wa, None), (None, wb)):
        ours = sliced_wasserstein(a, b, p, a_weights=x, b_weights=y, n_projections=64, seed=5)
        peer = ot.sliced_wasserstein_distance(a, b, None if x is None else x / x.sum(), None if y is None else y / y.sum(),
                                              p=p, projections=theta.T)
        assert ours == pytest.approx(peer, rel=1e-12)


def test_sliced_directions_are_unit_and_uniform():
    rng = np.random.default_rng(0)
    for d in (2, 3, 6):
        th = _directions(d, 4000, rng)
        assert th.shape == (4000, d) and np.allclose(np.linalg.norm(th, axis=1), 1, rtol=1e-14)
    th2 = _directions(2, 8, np.random.default_rng(1))
    phi = np.sort(np.arctan2(th2[:, 1], th2[:, 0]) % np.pi)
    assert np.allclose(np.diff(phi), np.pi / 8) and 0 <= phi[0] < np.pi / 8      # stratified: one offset, equal steps
    # independent directions in R^3: E theta theta^T = I/3, within 5 standard errors over 4000 draws
    th3 = _directions(3, 4000, np.random.default_rng(2))
    assert np.abs(th3.T @ th3 / 4000 - np.eye(3) / 3).max() < 5 * np.sqrt(2 / 15 - 1 / 9) / np.sqrt(4000) + 1e-12


@pytest.mark.parametrize("n_projections", [2, 3, 17, 256])
def test_sliced_translation_and_dilation_exact_in_2d(n_projections):
    """nu = s mu + v (same points): every projection is monotone, so W_2^2(theta) = mean(((s-1) <theta, x> + <theta, v>)^2),
    a quadratic form in theta that equally spaced angles average exactly: SW_2^2 = (s-1)^2 tr(M)/2 + (s-1) v.xbar + |v|^2/2."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(1500, 2)) @ np.array([[1.0, 0.4], [0.0, 0.6]]) + [0.2, -0.1]
    v = np.array([0.3, -1.2])
    assert sliced_wasserstein(x, x + v, n_projections=n_projections, seed=1) == pytest.approx(np.linalg.norm(v) / np.sqrt(2),
                                                                                             rel=1e-12)
    for s in (0.5, 2.0):
        M = x.T @ x / len(x)
        exact = np.sqrt((s - 1) ** 2 * np.trace(M) / 2 + (s - 1) * v @ x.mean(0) + v @ v / 2)
        assert sliced_wasserstein(x, s * x + v, n_projections=n_projections, seed=7) == pytest.approx(exact, rel=1e-12)


@pytest.mark.parametrize("d", [3, 4])
@pytest.mark.parametrize("p", [1, 2, 3])
def test_sliced_point_masses_closed_form(d, p):
    "SW_p(delta_0, delta_r e1)^p = r^p E|theta_1|^p; independent directions: within 4 standard errors of the Monte Carlo mean."
    r, n = 2.5, 20000
    est = sliced_wasserstein(np.zeros((1, d)), r * np.eye(d)[:1], p=p, n_projections=n, seed=d + 10 * p) ** p
    sd = r**p * np.sqrt(abs_moment(2 * p, d) - abs_moment(p, d) ** 2)
    assert abs(est - r**p * abs_moment(p, d)) < 4 * sd / np.sqrt(n)


def test_sliced_point_masses_exact_in_2d():
    "In 2D, p = 2: |r|^2 E cos^2 = r^2 / 2 exactly for equally spaced angles; p = 1: 2r/pi up to O(n^-2)."
    assert sliced_wasserstein([[0.0, 0.0]], [[0.0, 3.0]], n_projections=5, seed=0) == pytest.approx(3 / np.sqrt(2), rel=1e-13)
    assert sliced_wasserstein([[0.0, 0.0]], [[3.0, 0.0]], p=1, n_projections=1000, seed=0) == pytest.approx(6 / np.pi, rel=1e-5)


def test_sliced_on_the_line_is_exact_wp():
    rng = np.random.default_rng(8)
    a, b, w = rng.normal(size=400), rng.standard_cauchy(size=250), rng.random(400)
    for p in (1, 2, 3.5):
        assert sliced_wasserstein(a, b, p=p, a_weights=w) == wasserstein(a, b, p=p, a_weights=w)
        assert sliced_wasserstein(a[:, None], b[:, None], p=p) == wasserstein(a, b, p=p)


def test_sliced_below_exact_wp_and_a_metric():
    "SW_p <= W_p (exact W_p by POT's linear program); zero on itself (any order of points); symmetric; seeded."
    rng = np.random.default_rng(9)
    a, b = rng.normal(size=(120, 3)), rng.normal(size=(90, 3)) * 1.5 + 0.5
    M = ot.dist(a, b, metric="euclidean")
    for p in (1, 2):
        exact = ot.emd2(np.full(120, 1 / 120), np.full(90, 1 / 90), M**p) ** (1 / p)
        assert sliced_wasserstein(a, b, p=p, n_projections=500, seed=1) <= exact
    assert sliced_wasserstein(a, a[::-1], seed=0) == 0.0
    assert sliced_wasserstein(a, b, seed=3) == pytest.approx(sliced_wasserstein(b, a, seed=3), rel=1e-13)
    assert sliced_wasserstein(a, b, seed=3) == sliced_wasserstein(a, b, seed=np.random.default_rng(3))
    assert sliced_wasserstein(a, b, seed=3) != sliced_wasserstein(a, b, seed=4)


@pytest.mark.parametrize("call,err,match", [
    (lambda: sliced_wasserstein(np.zeros((3, 2)), np.zeros((3, 3))), ValueError, "same dimension, got d = 2 and d = 3"),
    (lambda: sliced_wasserstein([], [[1.0]]), ValueError, "a is empty"),
    (lambda: sliced_wasserstein(np.zeros((2, 2, 2)), [[1.0, 0.0]]), ValueError, r"a must be an array of points of shape \(N, d\)"),
    (lambda: sliced_wasserstein([[0.0, np.nan]], [[1.0, 0.0]]), ValueError, "a has non-finite"),
    (lambda: sliced_wasserstein([[0.0, 0.0]], [[np.inf, 0.0]]), ValueError, "b has non-finite"),
    (lambda: sliced_wasserstein([[0.0]], [[1.0]], p=0.5), ValueError, "p must be a finite number >= 1"),
    (lambda: sliced_wasserstein([[0.0]], [[1.0]], p=np.nan), ValueError, "p must be a finite number >= 1"),
    (lambda: sliced_wasserstein([[0.0]], [[1.0]], p=np.inf), ValueError, "p must be a finite number >= 1"),
    (lambda: sliced_wasserstein([[0.0]], [[1.0]], n_projections=0), ValueError, "n_projections must be a positive integer"),
    (lambda: sliced_wasserstein([[0.0]], [[1.0]], n_projections=2.5), ValueError, "n_projections must be a positive integer"),
    (lambda: sliced_wasserstein([[0.0]], [[1.0]], n_projections="8"), ValueError, "n_projections must be a positive integer"),
    (lambda: sliced_wasserstein([[0.0]], [[1.0]], a_weights=[1.0, 2.0]), ValueError, r"a_weights must have the shape of a"),
    (lambda: sliced_wasserstein([[0.0]], [[1.0]], b_weights=[-1.0]), ValueError, "b weights must be finite and >= 0"),
    (lambda: sliced_wasserstein([[0.0]], [[1.0]], b_weights=[0.0]), ValueError, "positive sum"),
    (lambda: sliced_wasserstein([[0.0]], [[1.0]], seed=-1), TypeError, "seed must be None, an int >= 0"),
    (lambda: sliced_wasserstein([[0.0]], [[1.0]], seed="x"), TypeError, "seed must be None, an int >= 0"),
])
def test_sliced_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()
