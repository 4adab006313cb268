"Tests of chaos_book.field2d against independent truths: quadrature, exact fields of radial densities, Newton's theorem, exact identities."
import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.integrate import quad, dblquad
from scipy.special import j0

from chaos_book.field2d import (C_K, K_eps, K_hat, Mesh, deposit, direct_field, field_at, field_free,
                                field_periodic, gather, green, log_potential, mass_fraction, mesh_around, mesh_field, point_kernel)

RNG = np.random.default_rng(11)
bump = lambda r: C_K * np.exp(-1 / (1 - r * r)) if r < 1 else 0.0


# --- the kernel ------------------------------------------------------------------------------------------------------
def test_bump_unit_mass_and_closed_form_mass_fraction():
    assert quad(lambda r: 2 * np.pi * r * bump(r), 0, 1, epsabs=1e-15, limit=200)[0] == pytest.approx(1, abs=1e-14)
    for rho in (0.05, 0.3, 0.7, 0.95, 0.999):
        q = quad(lambda r: 2 * np.pi * r * bump(r), 0, rho, epsabs=1e-15, limit=200)[0]
        assert abs(mass_fraction(rho) - q) < 1e-14          # quadrature vs t e^{-1/t} - E1(1/t)
    assert mass_fraction(0.0) == 0 and (mass_fraction(np.array([1.0, 1.5, 9.0])) == 1).all()
    eps = 0.3   # K_eps on a fine grid has unit mass too (midpoint rule, spectrally accurate for C_c^inf)
    g = (np.arange(600) + 0.5) / 600 * 2 * eps - eps
    X, Y = np.meshgrid(g, g, indexing="ij")
    assert (K_eps(np.stack([X, Y], -1), eps).sum() * (2 * eps / 600) ** 2) == pytest.approx(1, abs=1e-12)


def test_hermite_table_matches_closed_form():
    from chaos_book.field2d import _F_of_s, _F_TABLE as F_TABLE
    s = np.concatenate([RNG.random(5000), [0.0, 1 - 1e-12, 0.5]])
    tab = np.array([_F_of_s.py_func(v, F_TABLE) for v in s])
    assert np.abs(tab - mass_fraction(np.sqrt(s))).max() < 1e-14


def test_K_hat_against_quadrature():
    assert K_hat(0.0) == pytest.approx(1, abs=1e-15)
    for k, eps in ((1.0, 1.0), (7.0, 0.5), (40.0, 0.25)):
        q = quad(lambda r: 2 * np.pi * r * bump(r) * j0(k * eps * r), 0, 1, epsabs=1e-15, limit=400)[0]
        assert abs(K_hat(k, eps) - q) < 1e-13


# --- Newton's theorem -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("x", [(0.25, 0.1), (0.05, -0.02), (0.6, 0.7), (-1.3, 0.2)])
def test_newton_regularised_kernel_is_convolution(x):
    "g_eps = g * K_eps by 2D quadrature (polar coordinates about x: the Jacobian cancels the 1/r singularity)."
    eps, (x0, x1) = 0.3, x
    def comp(c):
        def f(rho, th):
            z0, z1 = x0 - rho * np.cos(th), x1 - rho * np.sin(th)
            return -(np.cos(th), np.sin(th))[c] / (2 * np.pi) * bump(np.sqrt(z0 * z0 + z1 * z1) / eps) / eps**2
        return dblquad(f, 0, 2 * np.pi, 0, np.hypot(x0, x1) + eps, epsabs=1e-12, epsrel=1e-10)[0]
    conv = np.array([comp(0), comp(1)])
    ref = point_kernel(np.array(x), eps)
    assert_allclose(conv, ref, rtol=1e-7, atol=1e-9)
    if np.hypot(x0, x1) >= eps: assert np.array_equal(ref, point_kernel(np.array(x), 0.0))


def test_direct_sum_newton_outside_support_exact_and_matches_numpy():
    src, tgt = RNG.normal(size=(50, 2)), RNG.normal(size=(40, 2)) * 2
    w = RNG.normal(size=50)
    for kind in ("grad", "perp"):
        d = tgt[:, None, :] - src[None, :, :]
        ref = (point_kernel(d, 0.2, kind) * w[None, :, None]).sum(1)
        assert_allclose(direct_field(tgt, src, w, 0.2, kind), ref, rtol=1e-12, atol=1e-14)
    far = np.array([[5.0, 0.0], [0.0, -3.0]])
    assert_allclose(direct_field(far, src[:3] * 0.01, w[:3], 0.2), direct_field(far, src[:3] * 0.01, w[:3], 0.0), rtol=1e-15)


def test_direct_perp_is_rotated_grad_and_no_self_interaction():
    x, w = RNG.normal(size=(30, 2)), RNG.random(30)
    g, p = direct_field(x, x, w, 0.5, "grad"), direct_field(x, x, w, 0.5, "perp")
    assert_allclose(p, np.stack([g[:, 1], -g[:, 0]], 1), rtol=0, atol=0)
    assert np.array_equal(direct_field(x[:1], x[:1], w[:1], 0.5), np.zeros((1, 2)))
    assert abs((w[:, None] * g).sum(0)).max() < 1e-14          # action = reaction: the total force vanishes


# --- the mesh --------------------------------------------------------------------------------------------------------
def test_deposit_mass_and_gather_linear_exact():
    m = Mesh((-1.0, -2.0), 0.05, (64, 96))
    x = RNG.uniform((-0.9, -1.9), (2.0, 2.5), size=(1000, 2))
    w = RNG.normal(size=1000)
    assert (deposit(x, w, m).sum() * m.h**2) == pytest.approx(w.sum(), abs=1e-12)
    X, Y = np.meshgrid(*m.centres(), indexing="ij")
    lin = np.stack([2 * X - Y + 1, 0.5 * Y])                  # bilinear interpolation reproduces linear fields
    assert_allclose(gather(lin, x, m), np.stack([2 * x[:, 0] - x[:, 1] + 1, 0.5 * x[:, 1]], 1), atol=1e-12)


def test_deposit_bit_reproducible_and_chunk_order_independent_of_threads():
    import numba
    x, w = RNG.normal(size=(100_000, 2)), RNG.random(100_000)
    m = mesh_around(x, 0.05)
    a = deposit(x, w, m)
    numba.set_num_threads(1)
    try: b = deposit(x, w, m)
    finally: numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert np.array_equal(a, b)


def test_deposit_and_gather_at_the_mesh_edges():
    "Points exactly on the edges of the mesh interior [lo + h/2, hi - h/2]: all their mass on the edge cells, linear fields exact."
    m = Mesh((-1.0, -2.0), 0.125, (16, 24))                   # h a power of 2: the edge coordinates are exact
    b = m.box()
    x = np.array([[b[0], b[1]], [b[2], b[3]], [b[0], b[3]], [b[2], b[1]], [b[0], 0.3], [b[2], 0.3], [0.1, b[1]], [0.1, b[3]]])
    rho = deposit(x, np.ones(len(x)), m) * m.h**2
    assert rho.sum() == pytest.approx(len(x), abs=1e-13)
    for (px, py), corner in zip(x[:4], [(0, 0), (-1, -1), (0, -1), (-1, 0)]):    # a corner point puts its unit mass on one cell
        assert rho[corner] == pytest.approx(1.0, abs=1e-15)
    X, Y = np.meshgrid(*m.centres(), indexing="ij")
    lin = np.stack([3 * X - Y, X + 2 * Y])
    assert_allclose(gather(lin, x, m), np.stack([3 * x[:, 0] - x[:, 1], x[:, 0] + 2 * x[:, 1]], 1), atol=1e-13)
    nxt = np.nextafter
    for bad in ([nxt(b[0], -np.inf), 0.0], [0.0, nxt(b[3], np.inf)]):      # one ulp outside: rejected, not wrapped
        with pytest.raises(ValueError, match="outside the mesh"): deposit(np.array([[0.0, 0.0], bad]), np.ones(2), m)
        with pytest.raises(ValueError, match="point 1 at"): gather(lin, np.array([[0.0, 0.0], bad]), m)


def test_kernels_never_index_off_the_grid():
    "The compiled kernels clamp the stencil: NaN, inf and far-away points (or a field passed without interleaving) cannot crash."
    from chaos_book.field2d import _deposit, _gather
    m = Mesh((0.0, 0.0), 0.1, (16, 16))
    x = np.array([[0.5, 0.5], [np.nan, 0.5], [1e300, -1e300], [-np.inf, np.inf], [-5.0, 40.0]])
    out = np.empty(m.n)
    assert _deposit(x, np.ones(5), 0.0, 0.0, 10.0, m.box(), out) == 1                    # the first bad point
    assert _deposit(x[[0, 0]], np.array([1.0, np.nan]), 0.0, 0.0, 10.0, m.box(), out) == 1
    g = np.empty((5, 2))
    assert _gather(np.zeros((16, 16, 2)), x, 0.0, 0.0, 10.0, m.box(), g) == 1
    assert _gather(np.zeros((2, 16, 16)), x, 0.0, 0.0, 10.0, m.box(), g) == 1          # wrong layout: wrong values, no crash


def test_checks_name_the_first_bad_point():
    m = Mesh((0.0, 0.0), 0.1, (16, 16))
    x = np.full((6, 2), 0.8)
    x[4] = [0.8, np.nan]; x[5] = [9.0, 9.0]
    with pytest.raises(ValueError, match="x must be finite: point 4"): deposit(x, np.ones(6), m)
    with pytest.raises(ValueError, match="x must be finite: point 4"): mesh_field(x, np.ones(6), 0.3, m)
    with pytest.raises(ValueError, match="x must be finite: point 4"): gather(np.zeros((2, 16, 16)), x, m)
    w = np.ones(6); w[2] = np.inf
    with pytest.raises(ValueError, match="w must be finite: entry 2"): deposit(x, w, m)
    x[4] = 0.8                                                # now point 5 is the only bad one: outside
    with pytest.raises(ValueError, match="point 5 at"): deposit(x, np.ones(6), m)
    with pytest.raises(ValueError, match=r"w must have shape \(6,\)"): deposit(x, np.ones(5), m)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 2\)"): deposit(np.zeros(6), np.ones(6), m)


def test_mesh_field_bit_reproducible_independent_of_threads():
    import numba
    x, w = RNG.normal(size=(50_000, 2)), RNG.normal(size=50_000)
    m = mesh_around(x, 0.05)
    a = mesh_field(x, w, 0.2, m, "perp")
    numba.set_num_threads(1)
    try: b = mesh_field(x, w, 0.2, m, "perp")
    finally: numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert np.array_equal(a, b)


@pytest.mark.parametrize("n", [64, 128])
def test_free_space_gaussian_exact_second_order(n):
    "grad phi of a Gaussian: -x/(2 pi r^2) (1 - exp(-r^2/2s^2)), no periodic images, error O(h^2)."
    errs = []
    for k in (n, 2 * n):
        L = 8.0
        m = Mesh((-4.0, -4.0), L / k, (k, k))
        X, Y = np.meshgrid(*m.centres(), indexing="ij")
        r2, s = X**2 + Y**2, 0.5
        rho = np.exp(-r2 / (2 * s * s)) / (2 * np.pi * s * s)
        ex = -np.stack([X, Y]) / (2 * np.pi * r2) * (1 - np.exp(-r2 / (2 * s * s)))
        g = field_free(rho, m)
        assert_allclose(field_free(rho, m, kind="perp"), np.stack([g[1], -g[0]]), rtol=0, atol=0)
        errs.append(np.abs(g - ex).max())
    assert errs[0] < 3e-3 and 3.5 < errs[0] / errs[1] < 4.5     # observed order 2 (ratio 4 per halving of h)


def test_log_potential_against_quadrature():
    "Phi_eps(r) = -(1/2 pi) int log|x - y| K_eps(y) dy by 2-D quadrature (inside the support) and Newton's -(1/2 pi) log r outside."
    eps = 0.3
    for r in (0.0, 0.1, 0.29, 0.3, 0.5):
        f = lambda th, s: -np.log(np.hypot(r - s * np.cos(th), s * np.sin(th))) / (2 * np.pi) * K_eps(np.array([s, 0.0]), eps) * s
        q = dblquad(f, 0, eps, 0, 2 * np.pi, epsabs=1e-13)[0]
        assert abs(log_potential(np.array([r]), eps)[0] - q) < 1e-11          # quadrature error ~1e-12 at the log singularity
    r = np.array([0.3, 1.0, 7.5])
    assert_allclose(log_potential(r, eps), -np.log(r) / (2 * np.pi), rtol=1e-15)
    assert_allclose(log_potential(r, 0.0), -np.log(r) / (2 * np.pi), rtol=1e-15)


def test_log_cell_integral_against_quadrature():
    from chaos_book.field2d import _log_cell_integral
    for a, b in (((0.0, 1.0), (0.0, 1.0)), ((1.0, 2.0), (-3.0, -1.5)), ((-0.5, 0.25), (0.5, 0.75))):
        q = dblquad(lambda y, x: np.log(x * x + y * y), *a, *b, epsabs=1e-13)[0]
        assert abs(float(_log_cell_integral(a, b)) - q) < 1e-11


@pytest.mark.parametrize("eps", [0.0, 0.4])
def test_free_space_potential_gaussian_second_order(eps):
    """phi of a Gaussian of variance s^2 (eps = 0): -(E1(r^2/2s^2) + log r^2)/(4 pi), no images, no constant; O(h^2).
    eps = 0.4: the potential's centred differences agree with the field (kind="grad") to O(h^2)."""
    from scipy.special import exp1
    errs = []
    for k in (64, 128):
        m = Mesh((-4.0, -4.0), 8.0 / k, (k, k))
        X, Y = np.meshgrid(*m.centres(), indexing="ij")
        r2, s = X**2 + Y**2, 0.5
        rho = np.exp(-r2 / (2 * s * s)) / (2 * np.pi * s * s)
        phi = field_free(rho, m, eps, "potential")
        if eps == 0:
            errs.append(np.abs(phi + (exp1(r2 / (2 * s * s)) + np.log(r2)) / (4 * np.pi)).max())
        else:
            g = field_free(rho, m, eps)
            dx = (phi[2:, 1:-1] - phi[:-2, 1:-1]) / (2 * m.h)
            errs.append(np.abs(dx - g[0, 1:-1, 1:-1]).max())
    assert errs[0] < 2e-3 and 3.5 < errs[0] / errs[1] < 4.5          # observed order 2


def test_periodic_fourier_mode_exact():
    n, L = (48, 32), (2 * np.pi, 4 * np.pi)
    x, y = (np.arange(n[0]) * L[0] / n[0])[:, None], (np.arange(n[1]) * L[1] / n[1])[None, :]
    rho = np.cos(2 * x) * np.sin(1.5 * y) + 3.0             # the mean is removed on the torus
    phi_x = -2 * np.sin(2 * x) * np.sin(1.5 * y) / 6.25
    phi_y = 1.5 * np.cos(2 * x) * np.cos(1.5 * y) / 6.25
    half = (L[0] / 2, L[1] / 2)                             # L is the half-width: periods 2 L
    g = field_periodic(rho, half)
    assert_allclose(g, np.broadcast_arrays(phi_x, phi_y), atol=1e-13)
    gp = field_periodic(rho, half, eps=0.4, kind="perp")
    assert_allclose(gp, K_hat(2.5, 0.4) * np.stack(np.broadcast_arrays(phi_y, -phi_x)), atol=1e-13)


def test_mesh_self_force_zero_and_total_force_zero():
    m = Mesh((0.0, 0.0), 0.1, (32, 32))
    x1 = np.array([[1.234, 2.071]])
    assert np.abs(mesh_field(x1, np.ones(1), 0.3, m)).max() < 1e-15
    x, w = RNG.uniform(0.5, 2.6, size=(500, 2)), RNG.normal(size=500)
    for kind in ("grad", "perp"):
        assert np.abs((w[:, None] * mesh_field(x, w, 0.3, m, kind)).sum(0)).max() < 1e-12


@pytest.mark.parametrize("kind", ["grad", "perp"])
def test_mesh_matches_direct(kind):
    "Mesh vs direct at h = eps/8: cloud-in-cell errors are O((h/eps)^2); stated tolerance 0.5 % of the max field."
    x = RNG.normal(size=(2000, 2)) * 0.3
    w = np.full(2000, 1 / 2000)
    d = direct_field(x, x, w, 0.1, kind)
    errs = [np.abs(mesh_field(x, w, 0.1, mesh_around(x, 0.1 / f), kind) - d).max() / np.abs(d).max() for f in (8, 16)]
    assert errs[0] < 5e-3 and errs[0] / errs[1] > 3        # and second order in h
    assert_allclose(field_at(x, w, 0.1, kind, method="mesh"), mesh_field(x, w, 0.1, mesh_around(x, 0.1 / 8), kind))


def test_newton_on_the_mesh():
    "Sources inside a disc of radius 0.1 about the origin, eps = 0.2: outside |x| > 0.3 the mesh field is the point field."
    r, th = 0.1 * np.sqrt(RNG.random(200)), 2 * np.pi * RNG.random(200)
    src = np.stack([r * np.cos(th), r * np.sin(th)], 1)
    w = RNG.random(200)
    m = Mesh((-1.0, -1.0), 0.2 / 16, (160, 160))
    tgt = np.stack([0.6 * np.cos(np.linspace(0, 6, 50)), 0.45 * np.sin(np.linspace(0, 6, 50))], 1)
    b = gather(field_free(deposit(src, w, m), m, 0.2, "perp"), tgt, m)
    exact = direct_field(tgt, src, w, 0.0, "perp")
    assert np.abs(b - exact).max() < 2e-3 * np.abs(exact).max()


# --- bad input -------------------------------------------------------------------------------------------------------
def test_bad_input():
    m = Mesh((0.0, 0.0), 0.1, (16, 16))
    with pytest.raises(ValueError, match="eps must be finite and > 0"): K_eps(np.zeros((3, 2)), 0.0)
    with pytest.raises(ValueError, match="eps must be finite and >= 0"): direct_field(np.zeros((2, 2)), np.zeros((2, 2)), np.ones(2), -1)
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"): direct_field(np.zeros(4), np.zeros((2, 2)), np.ones(2), 0.1)
    with pytest.raises(ValueError, match=r"w must have shape \(2,\)"): direct_field(np.zeros((2, 2)), np.zeros((2, 2)), np.ones(3), 0.1)
    with pytest.raises(ValueError, match="sources must be finite"): direct_field(np.zeros((2, 2)), np.array([[0, np.nan]]), np.ones(1), 0.1)
    with pytest.raises(ValueError, match="w must be finite"): field_at(np.zeros((2, 2)), np.array([1, np.inf]), 0.1)
    with pytest.raises(ValueError, match="kind must be"): direct_field(np.zeros((2, 2)), np.zeros((2, 2)), np.ones(2), 0.1, "curl")
    with pytest.raises(ValueError, match="outside the mesh"): deposit(np.array([[0.5, 1.58]]), np.ones(1), m)
    with pytest.raises(ValueError, match="outside the mesh"): gather(np.zeros((2, 16, 16)), np.array([[-0.01, 0.5]]), m)
    with pytest.raises(ValueError, match="field must have shape"): gather(np.zeros((16, 16)), np.array([[0.5, 0.5]]), m)
    with pytest.raises(ValueError, match="rho must have shape"): field_free(np.zeros((8, 8)), m)
    with pytest.raises(ValueError, match="kind must be one of"): field_free(np.zeros((16, 16)), m, kind="curl")
    with pytest.raises(ValueError, match="h must be finite"): Mesh((0.0, 0.0), 0.0, (8, 8))
    with pytest.raises(ValueError, match="method must be"): field_at(np.zeros((2, 2)), np.ones(2), 0.1, method="fmm")
    with pytest.raises(ValueError, match="L must be"): field_periodic(np.zeros((8, 8)), 0.0)


# --- issue 17 (V24), 18 (API), 19 (guards) ----------------------------------------------------------------------------
import chaos_book.field2d as f2d
from chaos_book.field2d import check_pairs, choose_path, default_h, mesh_bytes


def test_all_lists_public_names_only_and_help_is_short():
    import pydoc
    assert all(not n.startswith("_") for n in f2d.__all__)
    assert "F_TABLE" not in f2d.__all__ and "NCHUNK" not in f2d.__all__ and "KINDS" not in f2d.__all__
    text = pydoc.render_doc(f2d, renderer=pydoc.plaintext)
    assert "ndarray(shape, dtype=float" not in text            # no numpy docstring dumped into help()


def test_every_public_callable_has_a_numpydoc_docstring():
    import inspect
    for name in f2d.__all__:
        obj = getattr(f2d, name)
        if not callable(obj): continue
        doc = inspect.getdoc(obj)
        assert doc and len(doc.splitlines()[0]) > 10, name
        if inspect.isfunction(obj) and inspect.signature(obj).parameters:
            assert "Parameters\n----------" in doc, name
        assert "see above" not in doc.lower(), name


def test_auto_keeps_accuracy_one_far_vortex():
    "V24: 5000 vortices with one at (1e3, 0) or (1e6, 0): 'auto' must match the direct sum (it used to coarsen h)."
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5000, 2)) * 0.3
    w = np.full(5000, 1 / 5000)
    for far in (1e3, 1e6):
        x[0] = (far, 0.0)
        ref = direct_field(x, x, w, 0.05, "perp")
        assert np.abs(field_at(x, w, 0.05, "perp") - ref).max() <= 5e-3 * np.abs(ref).max()


def test_auto_refuses_when_no_path_keeps_accuracy():
    x = np.zeros((5000, 2))
    x[0] = (1e9, 0.0)
    with pytest.raises(ValueError, match="no path keeps the promised accuracy"):
        field_at(x, np.ones(5000), 0.05, "perp", max_pairs=1e6)


def test_choose_path():
    assert choose_path(10**6, (512, 512)) == "mesh"
    assert choose_path(5000, (160000, 80)) == "direct"                  # a wide, cheap-to-sum set
    with pytest.raises(ValueError, match="GiB"): choose_path(10**6, (10**6, 10**6))


def test_default_h_never_coarsens_and_checks_eps():
    assert default_h(0.08) == 0.01
    assert default_h(0.08, np.array([[0.0, 0.0], [1e3, 0.0]])) == 0.01
    with pytest.raises(ValueError, match="eps must be finite and > 0"): default_h(-1)
    with pytest.raises(ValueError, match="n_max"): default_h(0.08, np.array([[0.0, 0.0], [1e3, 0.0]]), n_max=1024)


def test_mesh_memory_guard_gives_the_estimate():
    with pytest.raises(ValueError, match=r"10000000 x 10000000 cells would need about .* GiB"):
        Mesh((0.0, 0.0), 0.1, (1e7, 1e7))
    assert Mesh((0.0, 0.0), 0.1, (1e3, 64)).n == (1000, 64)             # integral floats are accepted
    with pytest.raises(ValueError, match="GiB"): Mesh((0.0, 0.0), 0.1, (4096, 4096), max_bytes=1e6)
    assert mesh_bytes((512, 512)) < 2**30


def test_mesh_around_far_vortex_guard():
    "A vortex mesh of 4e15 cells (one vortex at 1e9 with h = 1e-3) is refused before any allocation."
    with pytest.raises(ValueError, match=r"1000000000016 x 16 cells would need about"):
        mesh_around(np.array([[0.0, 0.0], [1e9, 0.0]]), 1e-3)


@pytest.mark.parametrize("n", [(64.5, 64), (64, np.nan), ("a", 64), (64,), 64, (1, 64), (True, 64)])
def test_mesh_non_integer_n_is_named(n):
    with pytest.raises(ValueError, match="n must be two integers >= 2"): Mesh((0.0, 0.0), 0.1, n)


def test_mesh_around_bad_input():
    with pytest.raises(ValueError, match="at least one point"): mesh_around(np.zeros((0, 2)), 0.1)
    with pytest.raises(ValueError, match="margin must be finite and >= 0"): mesh_around(np.zeros((3, 2)), 0.1, margin=-10)
    with pytest.raises(ValueError, match="margin must be finite and >= 0"): mesh_around(np.zeros((3, 2)), 0.1, margin=np.nan)
    with pytest.raises(ValueError, match="multiple"): mesh_around(np.zeros((3, 2)), 0.1, multiple=0)


def test_direct_sum_time_guard():
    "N = 5e6 on itself is 2.5e13 pairs (about 9 h): refused, with the estimate; max_pairs raises the limit."
    with pytest.raises(ValueError, match=r"2.5e\+13 pair interactions, about .* s"): check_pairs(5_000_000, 5_000_000)
    x = np.zeros((5_000_000, 2))
    with pytest.raises(ValueError, match="max_pairs"): field_at(x, np.ones(5_000_000), 0.1, "perp", method="direct")
    with pytest.raises(ValueError, match="max_pairs"): direct_field(x[:20], x[:20], np.ones(20), 0.1, max_pairs=10)
    assert direct_field(x[:20], x[:20], np.ones(20), 0.1, max_pairs=400).shape == (20, 2)


def test_field_at_bad_input():
    with pytest.raises(ValueError, match="at least one point"): field_at(np.zeros((0, 2)), np.zeros(0), 0.1, method="mesh")
    with pytest.raises(TypeError, match="mesh must be a chaos_book.field2d.Mesh"):
        field_at(np.zeros((2, 2)), np.ones(2), 0.1, method="mesh", mesh=64)
