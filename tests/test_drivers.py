"Tests for chaos_book.drivers: inverses against closed forms and peers, Assumption 2.4 constants, bad input."
import matplotlib
matplotlib.use("Agg")
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from numpy.testing import assert_allclose
from scipy.optimize import brentq

from chaos_book.drivers import (check_increasing, ConstantVolatility, Driver, FunctionDriver, LinearDriver, TanhDriver,
                                check_assumptions, implicit_volatility, solve_increasing)

RNG = np.random.default_rng(20250101)


# --- the linear driver (Example 2.5): closed forms -------------------------------------------------------------
def test_linear_inverse_closed_form_and_broadcast():
    d = LinearDriver(a=2.5, b=1.5)
    t, x, v = RNG.uniform(0, 1, (4, 1, 1)), RNG.normal(size=(1, 3, 1)), RNG.uniform(-3, 3, (1, 1, 5))
    z = d.h_inv(t, x, v)
    assert z.shape == (4, 3, 5)
    assert_allclose(z, np.broadcast_to((v + 1.5) / 2.5, z.shape), rtol=1e-15)
    assert_allclose(d.h(t, x, z), np.broadcast_to(v, z.shape), atol=1e-14)
    assert_allclose(d.dh_inv_dv(t, x, v), 1 / 2.5)
    assert d.dh_dz(t, x, v).shape == (4, 3, 5)


def test_generic_newton_path_matches_closed_form():
    d = LinearDriver(a=0.7, b=lambda x: 2 + np.sin(x))
    x, v = RNG.normal(size=200), RNG.uniform(0, 5, 200)
    assert_allclose(Driver.h_inv(d, 0.0, x, v), (v + 2 + np.sin(x)) / 0.7, rtol=1e-13)


def test_x_dependent_linear_driver():
    d = LinearDriver(1.3, lambda x: 2 + np.tanh(x))
    assert d.x_dependent and not d.t_dependent and not LinearDriver(1.0, 2.0).x_dependent
    x = np.linspace(-3, 3, 13)
    assert_allclose(d.h_inv(0.0, x, 0.4), (0.4 + 2 + np.tanh(x)) / 1.3, rtol=1e-15)
    assert_allclose(d.dh_inv_dx(0.0, x, 0.4), (1 - np.tanh(x) ** 2) / 1.3, rtol=1e-7)   # b'(x)/a


# --- nonlinear drivers --------------------------------------------------------------------------------------------
def test_tanh_driver_against_brentq_and_derivative():
    d = TanhDriver(a=0.8, c=-0.5, b=2.0)
    v = np.linspace(-4, 6, 21)
    ref = np.array([brentq(lambda z: 0.8 * z - 0.5 * np.tanh(z) - 2.0 - vi, -100, 100, xtol=1e-15) for vi in v])
    assert_allclose(d.h_inv(0.0, 0.0, v), ref, rtol=1e-12, atol=1e-12)
    assert_allclose(d.dh_inv_dv(0, 0, v), 1 / (0.8 - 0.5 / np.cosh(ref) ** 2), rtol=1e-12)   # inverse function rule


def _random_driver(a, c, k, dcub, b):
    "h(z) = a z + c tanh(k z) + d z^3 - b: increasing when a > 0, a + c k > 0, d >= 0."
    h = lambda t, x, z: a * z + c * np.tanh(k * z) + dcub * z**3 - b
    dh = lambda t, x, z: a + c * k * (1 - np.tanh(k * z) ** 2) + 3 * dcub * z**2
    return h, dh


drivers = st.tuples(st.floats(0.05, 10), st.floats(-0.95, 5), st.floats(0.1, 5), st.floats(0, 2),
                    st.floats(-10, 10)).map(lambda p: (p[0], p[1] * p[0] / p[2] if p[1] < 0 else p[1], *p[2:]))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(drivers, st.lists(st.floats(-50, 50), min_size=1, max_size=20), st.booleans())
def test_h_of_h_inv_is_identity(params, vs, exact_derivative):
    h, dh = _random_driver(*params)
    d = FunctionDriver(h, dh if exact_derivative else None, x_dependent=False, t_dependent=False)
    v = np.array(vs)
    z = d.h_inv(0.0, 0.0, v)
    assert np.all(np.abs(d.h(0, 0, z) - v) <= 1e-10 * (1 + np.abs(v)))
    assert_allclose(d.h_inv(0.0, 0.0, d.h(0.0, 0.0, z)), z, rtol=1e-10, atol=1e-10)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(drivers, st.lists(st.floats(-20, 20), min_size=1, max_size=20))
def test_h_inv_of_h_is_identity(params, zs):
    h, dh = _random_driver(*params)
    d = FunctionDriver(h, dh)
    z = np.array(zs)
    assert_allclose(d.h_inv(0.0, 0.0, d.h(0.0, 0.0, z)), z, rtol=1e-10, atol=1e-10)


def test_solver_zero_slope_at_root_and_vectorised_locations():
    assert_allclose(solve_increasing(lambda t, x, z: z**3, None, 0, 0, [-8.0, 0.0, 27.0]), [-2, 0, 3], atol=1e-11)
    x = np.linspace(-2, 2, 7)                                    # the root depends on x
    z = solve_increasing(lambda t, x, z: z + z**3 - x, lambda t, x, z: 1 + 3 * z**2, 0.0, x, 0.0)
    assert_allclose(z + z**3, x, atol=1e-14)


def test_implicit_volatility_against_brentq():
    mu = RNG.uniform(0, 3, 50)
    g = lambda t, x, mu, z: z**3 + z * (1 + x**2) - np.mean(mu)
    x = np.linspace(-1, 1, 5)
    nu = implicit_volatility(g, 0.0, x, mu)
    ref = [brentq(lambda z: g(0, xi, mu, z), -10, 10, xtol=1e-15) for xi in x]
    assert_allclose(nu, ref, rtol=1e-12)


def test_constant_volatility():
    d = ConstantVolatility(0.3)
    assert_allclose(d.h_inv(0.0, np.zeros(4), np.arange(4.0)), 0.3)
    assert_allclose(d.dh_inv_dv(0.0, 0.0, np.arange(3.0)), 0.0)
    with pytest.raises(NotImplementedError):
        d.h(0, 0, 0)


# --- Assumption 2.4 ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("a,b,M", [(1.0, 3.0, 1.0), (2.0, 2.5, 1.0), (0.5, 1.0, 0.3)])
def test_check_assumptions_linear_constants(a, b, M):
    r = check_assumptions(LinearDriver(a, b), M)
    assert_allclose([r.c_h, r.c_h_M, r.c_0, r.C_0, r.C_M], [a, a, b / a, b / a, (b + M) / a], rtol=1e-12)
    assert_allclose(r.margin_paper, (b**2 - 2 * b * M) / a**2, rtol=1e-10, atol=1e-12)
    assert_allclose(r.margin_corrected, (b**2 - 2 * M * (b + M)) / a**2, rtol=1e-10, atol=1e-12)
    assert r.holds["i"] and r.holds["ii"] and r.holds["iii"] and r.holds["iv"]


@pytest.mark.parametrize("ratio", [1.5, 2.3, 2.6, 2.8, 4.0])
def test_stability_thresholds_paper_vs_corrected(ratio):
    "b > 2M (paper's Example 2.5) versus b > (1 + sqrt 3) M (with C_M in place of C_0)."
    r = check_assumptions(LinearDriver(1.7, ratio * 0.4), 0.4)
    assert r.holds["v_paper"] == (ratio > 2)
    assert r.holds["v_corrected"] == (ratio > 1 + np.sqrt(3))
    assert r.holds["v_sharp"] == (ratio > 1 + np.sqrt(3))


def test_check_assumptions_tanh_slope_constants():
    r = check_assumptions(TanhDriver(1.0, -0.6, 4.0), 1.0)
    assert r.c_h == pytest.approx(0.4, rel=1e-9)                  # min slope a + c at z = 0 (off the grid)
    # on v in [0, M] the root z >= h_inv(0) > 0, where the slope 1 - 0.6 sech^2 z increases: min at v = 0.
    # (rel=1e-3 would pass c_h_M = 1, i.e. ignoring the tanh term, which is only 2.4e-4 here.)
    z0 = brentq(lambda z: z - 0.6 * np.tanh(z) - 4.0, 0, 10, xtol=1e-15)
    assert r.c_h_M == pytest.approx(1 - 0.6 / np.cosh(z0) ** 2, rel=1e-12)
    assert r.holds["iii"] and r.holds["iv"]


def test_check_assumptions_flags_unbounded_or_degenerate_b():
    assert not check_assumptions(LinearDriver(1.0, lambda x: 1 + x**2), 1.0).holds["iv"]
    assert not check_assumptions(LinearDriver(1.0, lambda x: np.exp(-x**2)), 1.0).holds["iv"]
    r = check_assumptions(LinearDriver(1.0, lambda x: 3 + np.sin(x)), 0.5)
    assert r.holds["iv"] and r.c_0 == pytest.approx(2.0, rel=1e-9) and r.C_0 == pytest.approx(4.0, rel=1e-9)   # x = +-pi/2 off the grid


def test_check_assumptions_flags_vanishing_slope():
    r = check_assumptions(FunctionDriver(lambda t, x, z: np.arcsinh(z) - 1, x_dependent=False, t_dependent=False), 1.0)
    assert not r.holds["iii"]


def test_check_assumptions_constant_volatility_outside_class():
    r = check_assumptions(ConstantVolatility(0.5), 1.0)
    assert not r.holds["i"] and not r.holds["iii"] and r.holds["iv"]
    assert r.c_0 == r.C_0 == r.C_M == 0.5
    assert "FAILS" in r.to_table()


# --- bad input -----------------------------------------------------------------------------------------------------
def test_non_increasing_driver_raises_with_location():
    with pytest.raises(ValueError, match=r"increasing in z.*x=0"):
        FunctionDriver(lambda t, x, z: -z).h_inv(0.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="increasing"):
        FunctionDriver(lambda t, x, z: z - 2 * np.sin(z), lambda t, x, z: 1 - 2 * np.cos(z)).h_inv(0.0, 0.0, 0.3)
    with pytest.raises(ValueError, match="increasing"):
        check_assumptions(FunctionDriver(lambda t, x, z: z - 0.9 * np.sin(3 * z) * 3), 1.0)


def test_unbracketable_root_raises():
    with pytest.raises(ValueError, match="cannot bracket.*v=3"):
        FunctionDriver(lambda t, x, z: np.arctan(z)).h_inv(0.0, 0.0, [0.5, 3.0])


def test_jump_is_not_returned_as_root():
    with pytest.raises(ValueError, match="no certified root"):
        solve_increasing(lambda t, x, z: z + (z > 0), None, 0.0, 0.0, 0.5)


@pytest.mark.parametrize("make,match", [
    (lambda: LinearDriver(0.0, 1.0), "a must be"),
    (lambda: LinearDriver(1.0, np.nan), "b must be"),
    (lambda: TanhDriver(1.0, -1.5, 1.0), "c must be"),
    (lambda: ConstantVolatility(-1.0), "sigma must be"),
    (lambda: LinearDriver(1.0, 2.0).h_inv(0, 0, np.inf), "v must be finite"),
    (lambda: LinearDriver(1.0, lambda x: np.where(x > 0, 1.0, np.nan)).h_inv(0, np.array([1.0, -1.0]), 0.5), r"b\(x\) must be finite, got nan"),
    (lambda: solve_increasing(lambda t, x, z: z, None, 0, 0, 1.0, xtol=-1.0), "xtol must be finite and > 0"),
    (lambda: TanhDriver(1.0, 0.5, 1.0).h_inv(0, np.nan, 0.0), "x must be finite"),
    (lambda: check_assumptions(LinearDriver(1.0, 2.0), 0.0), "M must be"),
    (lambda: check_assumptions(LinearDriver(1.0, 2.0), 1.0, n=5.5), "n must be an integer >= 5"),
    (lambda: check_assumptions(LinearDriver(1.0, 2.0), 1.0, x_range=(1, -1)), "x_range"),
])
def test_bad_input(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_linear_h_inv_overflow_is_an_error():
    with np.errstate(over="ignore"), pytest.raises(ValueError, match=r"\(v \+ b\(x\)\) / a overflows"):
        LinearDriver(1e-300, 1.0).h_inv(0, 0, 1e300)


# --- Assumption 2.4(i) computed, (ii) polished (issue 12, items 11 and 20) ---------------------------------------------
def _fd(h, dh=None):
    return FunctionDriver(h, dh, x_dependent=False, t_dependent=False)


def test_item_i_fails_for_a_bounded_driver():
    "arctan is strictly increasing and smooth, but its limits are +-pi/2: item (i) must fail, with a note."
    r = check_assumptions(_fd(lambda t, x, z: np.arctan(z), lambda t, x, z: 1 / (1 + z**2)), 1.0)
    assert not r.holds["i"] and "finite limit" in r.notes["i"]
    assert r.growth["+inf"] == pytest.approx(2.0**-10, rel=0.01)      # increments per doubling ~ 1/R


@pytest.mark.parametrize("h", [lambda t, x, z: np.arcsinh(z) - 1, lambda t, x, z: z + z**3 - 1, lambda t, x, z: 2 * z - 3])
def test_item_i_holds_for_unbounded_drivers(h):
    "Logarithmic, cubic and linear growth all count as h -> +-inf (the increments per doubling do not die out)."
    assert check_assumptions(_fd(h), 1.0).holds["i"]


def test_item_i_fails_for_a_jump():
    "Increasing but discontinuous at z = 10 (inside the sampled box): item (i) fails and says where."
    r = check_assumptions(_fd(lambda t, x, z: z - 3 + (z > 10)), 1.0)
    assert not r.holds["i"] and "jumps between" in r.notes["i"]


def test_item_ii_bounds_are_polished_to_the_true_sup():
    "b = 3 + sin x: sup |b'| = sup |b''| = 1 at points between the grid nodes (the raw grid gave 0.9589 and 0.9171)."
    r = check_assumptions(LinearDriver(1.0, lambda x: 3 + np.sin(x)), 0.4)
    assert r.bounds["h_x"] == pytest.approx(1.0, abs=1e-6) and r.bounds["h_xx"] == pytest.approx(1.0, abs=1e-6)
    assert r.bounds["h_z"] == 1.0 and r.bounds["h_zz"] < 1e-8 and r.holds["ii"]
    r2 = check_assumptions(LinearDriver(1.0, lambda x: 3 + 0.5 * np.sin(2 * x)), 0.4, n=9)   # coarse grid: bounds 1 and 2
    assert r2.bounds["h_x"] == pytest.approx(1.0, abs=1e-6) and r2.bounds["h_xx"] == pytest.approx(2.0, abs=1e-6)


# --- array shapes (issue 11, item 7) -----------------------------------------------------------------------------
@pytest.mark.parametrize("call,match", [
    (lambda: LinearDriver(1.0, 2.0).h_inv(0.0, np.zeros(3), np.ones(2)), r"t, x, v must broadcast.*x: \(3,\), v: \(2,\)"),
    (lambda: LinearDriver(1.0, 2.0).h(0.0, np.zeros(3), np.ones(2)), r"t, x, z must broadcast"),
    (lambda: LinearDriver(1.0, 2.0).dh_dz(np.zeros(2), np.zeros(3), 0.0), r"t, x, z must broadcast"),
    (lambda: LinearDriver(1.0, 2.0).dh_inv_dv(0.0, np.zeros(3), np.ones(2)), r"t, x, v must broadcast"),
    (lambda: LinearDriver(1.0, lambda x: np.ones(2)).h_inv(0.0, np.zeros(3), 1.0), r"b\(x\) must return an array of the shape of x \(3,\), got shape \(2,\)"),
    (lambda: TanhDriver(1.0, 0.5, 1.0).h(0.0, np.zeros(3), np.ones(2)), r"t, x, z must broadcast"),
    (lambda: TanhDriver(1.0, 0.5, 1.0).h_inv(0.0, np.zeros(3), np.ones(2)), r"t, x, v, guess must broadcast"),
    (lambda: TanhDriver(1.0, 0.5, 1.0).dh_inv_dx(0.0, np.zeros(3), np.ones(2)), r"t, x, v must broadcast"),
    (lambda: FunctionDriver(lambda t, x, z: np.ones(2)).h(0.0, 0.0, np.zeros(3)), r"h\(t, x, z\) must return an array of the broadcast shape \(3,\)"),
    (lambda: FunctionDriver(lambda t, x, z: z, lambda t, x, z: np.ones(2)).dh_dz(0.0, 0.0, np.zeros(3)), r"dh_dz\(t, x, z\) must return"),
    (lambda: ConstantVolatility(0.5).h_inv(np.zeros(2), 0.0, np.ones(3)), r"t, x, v must broadcast"),
    (lambda: ConstantVolatility(0.5).dh_inv_dv(np.zeros(2), 0.0, np.ones(3)), r"t, x, v must broadcast"),
    (lambda: solve_increasing(lambda t, x, z: z, None, np.zeros(2), 0.0, np.zeros(3)), r"t, x, v, guess must broadcast"),
    (lambda: implicit_volatility(lambda t, x, mu, z: z - mu, np.zeros(2), np.zeros(3), 1.0), r"t, x, v, guess must broadcast"),
    (lambda: check_assumptions(LinearDriver(1.0, 2.0), 1.0, x_range=(0.0, 1.0, 2.0)), r"x_range must be a pair \(lo, hi\) of shape \(2,\)"),
    (lambda: check_assumptions(LinearDriver(1.0, 2.0), 1.0, z_range=np.zeros((2, 2))), r"z_range must be a pair"),
])
def test_wrong_shapes_name_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- issues 16, 18, 19: overflow in item (i), tolerances relative to h, errors that name the cause ----------------------
@pytest.mark.parametrize("h", [lambda t, x, z: np.sinh(z - 3.0), lambda t, x, z: z - 3.0 + np.exp(z - 3.0)])
def test_item_i_overflowing_h_is_unbounded_not_a_finite_limit(h):
    rep = check_assumptions(_fd(h), 1.0)
    assert rep.holds["i"] and "i" not in rep.notes
    assert rep.growth["+inf"] == np.inf                      # h overflows to +inf: reported as infinite growth


def test_item_i_bounded_h_still_detected():
    rep = check_assumptions(_fd(lambda t, x, z: np.arctan(z), lambda t, x, z: 1 / (1 + z**2)), 1.0)
    assert not rep.holds["i"] and "finite limit as z -> +inf" in rep.notes["i"]
    assert rep.growth["+inf"] < 0.01


def _fp_check(driver):
    from chaos_book.fokker_planck import solve
    x = np.linspace(-6, 6, 257)
    return solve(driver, np.exp(-x**2) / np.sqrt(np.pi), x, 0.2, 0.01, dt=0.005)


@pytest.mark.parametrize("h", [lambda t, x, z: z + 0.5 * np.arctan(z) - 2.0,
                               lambda t, x, z: z + 0.5 * np.arctan(z) - 2.0 - 0.3 * t])
def test_finite_difference_zeros_pass_assumption_ii(h):
    # t_dependent=True (the default): h_tt of the first is exactly 0, of the second too; finite differences give ~1e-12
    rep = check_assumptions(FunctionDriver(h), 1.0, t_range=(0.0, 0.01), x_range=(-3, 3), box_is_domain=True)
    assert rep.holds["ii"] and rep.holds["iii"], rep
    assert _fp_check(FunctionDriver(h)).t[-1] == pytest.approx(0.01)


def test_real_violation_of_ii_still_fails():
    drv = FunctionDriver(lambda t, x, z: z + 0.05 * z**3, lambda t, x, z: 1 + 0.15 * z**2)   # h_zz = 0.3 z grows
    assert not check_assumptions(drv, 1.0, t_range=(0.0, 0.01), x_range=(-3, 3), box_is_domain=True).holds["ii"]
    with pytest.raises(ValueError, match=r"fails Assumption 2.4 \(ii"):
        _fp_check(drv)
    rep = check_assumptions(LinearDriver(1.0, lambda x: 1 + x**2), 0.4)    # b'' = 2 but b' = 2x grows: (ii) fails
    assert not rep.holds["ii"]


def test_non_monotone_driver_names_assumption_2_4():
    drv = FunctionDriver(lambda t, x, z: z**3 - z, x_dependent=False, t_dependent=False)
    with pytest.raises(ValueError, match=r"increasing in z \(Assumption 2.4\(i\)\)") as e:
        drv.h_inv(0.0, 0.0, 0.0)
    assert "continuous" not in str(e.value)
    with pytest.raises(ValueError, match=r"Assumption 2.4\(i\)"):
        check_assumptions(drv, 1.0)


def test_plain_function_is_not_a_driver():
    with pytest.raises(TypeError, match="h must be callable"):
        FunctionDriver(3.0)
    with pytest.raises(TypeError, match="driver must be a Driver"):
        check_assumptions(lambda t, x, z: z, 1.0)
    with pytest.raises(TypeError, match="driver must be a Driver"):
        check_increasing(lambda t, x, z: z, 0.0, 0.0, np.linspace(-1, 1, 5))


def test_public_callables_have_numpydoc_docstrings():
    import inspect
    import chaos_book.drivers as m
    missing = []
    for name in m.__all__:
        obj = getattr(m, name)
        items = [(name, obj)] + [(f"{name}.{k}", v) for k, v in vars(obj).items()
                                 if inspect.isclass(obj) and not k.startswith("_") and (callable(v) or isinstance(v, property))]
        for nm, o in items:
            doc = inspect.getdoc(o.fget if isinstance(o, property) else o) or ""
            if not doc: missing.append(nm)
            elif (inspect.isfunction(o) and len(inspect.signature(o).parameters) > 1
                  and "Parameters\n----------" not in doc and "Returns\n-------" not in doc):
                missing.append(nm + " (no sections)")
    assert not missing, missing
    assert all(not n.startswith("_") for n in m.__all__)
