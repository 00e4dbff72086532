"""Tests for helpers.gradcheck: accuracy, batching, checking, and that wrong derivatives fail."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import (
    GradientCheckResult,
    assert_gradient,
    beale,
    check_gradient,
    exp_sum,
    gaussian_bump,
    himmelblau,
    multimodal,
    numerical_gradient,
    numerical_hessian,
    numerical_jacobian,
    quadratic,
    rosenbrock,
)

SMOOTH = {
    "exp_sum": exp_sum,
    "gaussian_bump": gaussian_bump,
    "multimodal": multimodal,
    "beale": beale,
    "himmelblau": himmelblau,
    "rosenbrock": rosenbrock,
    "rosenbrock6": lambda: rosenbrock(n=6),
    "quadratic": lambda: quadratic([[2.0, 0.5], [0.5, 1.0]], b=[1.0, 1.0]),
}


def _rel(a, b) -> float:
    """Normwise relative error max|a - b| / max|b|."""
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


class CountingFunction:
    """Wraps a function and records the shapes it is called with."""

    def __init__(self, f):
        self.f = f
        self.shapes: list[tuple] = []

    def __call__(self, x):
        self.shapes.append(np.shape(x))
        return self.f(x)


# -- accuracy ---------------------------------------------------------------------------------
# Error model of a difference quotient with step h (relative to max|f'| on the test points):
#   central:  h^2 |f'''| / 6 + eps |f| / h,  h = cbrt(eps) max(1, |x|) ~ 6e-6  ->  ~1e-10
#   forward:  h |f''| / 2   + eps |f| / h,  h = sqrt(eps) ~ 1.5e-8             ->  ~1e-8
# for the course's O(1)-scaled functions on [-1, 1] (|f|, |f''|, |f'''| within ~10x of |f'|).
# Each bound below sits one or more orders away from the value the model predicts, and the
# "measured" values are the worst over the test's points on this machine (numpy 2.4, OpenBLAS).
@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_central_differences_reach_1e_8_relative_error(name):
    p = SMOOTH[name]()
    rng = np.random.default_rng(0)
    # Central model ~1e-10; measured <= 2.5e-10 (gradients) and <= 7.4e-11 (Hessians as the
    # Jacobian of grad): 1e-8 leaves 40x.
    for x in rng.uniform(-1, 1, size=(10, p.n)):
        assert _rel(numerical_gradient(p.f, x), p.grad(x)) <= 1e-8, x
        assert _rel(numerical_jacobian(p.grad, x), p.hess(x)) <= 1e-8, x


@pytest.mark.parametrize("name", ["exp_sum", "gaussian_bump", "multimodal", "beale"])
def test_seed_forward_difference_with_h_1e_10_is_much_worse(name):
    """The notes' forward difference with h = 1e-10 keeps only ~6 digits; central keeps ~10."""
    p = SMOOTH[name]()
    rng = np.random.default_rng(1)
    seed_errors, central_errors = [], []
    for x in rng.uniform(-1, 1, size=(10, p.n)):
        g = p.grad(x)
        seed_errors.append(_rel(numerical_jacobian(p.f, x, h=1e-10, method="forward"), g))
        central_errors.append(_rel(numerical_jacobian(p.f, x), g))
    seed_err, central_err = np.median(seed_errors), np.median(central_errors)
    # Rounding eps |f| / h = 2e-6 |f| / |f'| dominates at h = 1e-10: medians measured 2e-7 to
    # 2e-6, 20x inside (1e-8, 1e-4) on both sides.
    assert 1e-8 < seed_err < 1e-4
    assert central_err < 1e-9  # model ~1e-10; medians measured <= 3.2e-11 (30x)
    assert seed_err > 100 * central_err  # measured ratio >= 1e4


def test_default_forward_step_is_about_1e_8():
    p = exp_sum()
    x = np.array([0.3, -0.4])
    err = _rel(numerical_gradient(p.f, x, method="forward"), p.grad(x))
    err_backward = _rel(numerical_gradient(p.f, x, method="backward"), p.grad(x))
    # Forward/backward model ~1e-8 (measured 6e-9 and 1.4e-8): 2.5 orders inside (1e-11, 1e-6)
    # on each side; central (measured 2.5e-11) is 240x better, 10x is required.
    assert 1e-11 < err < 1e-6 and 1e-11 < err_backward < 1e-6
    assert _rel(numerical_gradient(p.f, x), p.grad(x)) < err / 10


def test_more_accurate_than_scipy_approx_fprime():
    p = gaussian_bump()
    x = np.array([0.4, -0.7])
    ours = _rel(numerical_gradient(p.f, x), p.grad(x))
    scipys = _rel(scipy.optimize.approx_fprime(x, p.f), p.grad(x))
    # Central ~1e-10 (measured 2e-11, 50x inside 1e-9) vs scipy's forward difference with
    # h = sqrt(eps) ~1e-8 (measured 2e-8, 1000x worse where 10x is required).
    assert ours < 1e-9 and scipys > 10 * ours


def test_relative_step_scales_with_large_x():
    f = lambda x: np.sum(np.sin(x / 1e6) * 1e6, axis=-1)  # noqa: E731
    x = np.array([3e6, -2e6])
    # h_i = 6e-6 |x_i| keeps the relative accuracy of the unit-scale case: measured 5e-11
    # against rtol 1e-8 (an absolute step 6e-6 would lose everything at |x| = 3e6).
    np.testing.assert_allclose(numerical_gradient(f, x), np.cos(x / 1e6), rtol=1e-8)


def test_integer_point_gives_the_float_answer():
    p = rosenbrock()
    x_int = np.array([-1, 1])
    np.testing.assert_array_equal(numerical_gradient(p.f, x_int),
                                  numerical_gradient(p.f, x_int.astype(float)))
    # Truncation h^2 f_xxx / 6 = (6e-6)^2 * 2400 / 6 = 1.5e-8 (measured 1.5e-8): 7x inside
    # atol 1e-7, and exact-arithmetic (rounding adds ~1e-10). Hessian: measured 1.5e-8
    # relative, 67x inside 1e-6.
    np.testing.assert_allclose(numerical_gradient(p.f, x_int), [-4.0, 0.0], atol=1e-7)
    np.testing.assert_allclose(numerical_hessian(p.f, [1, 1]), p.hess([1, 1]), rtol=1e-6)
    assert check_gradient(p.f, p.grad, x=x_int)


def test_user_step_sizes():
    f = lambda x: np.sum(x**3, axis=-1)  # noqa: E731
    x = np.array([1.0, 2.0])
    # central error for x^3 is exactly h^2: with h = 1e-3 it shows; what is left is rounding
    # eps |f| / h ~ 2e-12 relative (measured 1e-13), 1000x inside rtol 1e-9.
    np.testing.assert_allclose(numerical_gradient(f, x, h=1e-3), 3 * x**2 + 1e-6, rtol=1e-9)
    np.testing.assert_allclose(numerical_gradient(f, x, h=[1e-3, 2e-3]),
                               3 * x**2 + [1e-6, 4e-6], rtol=1e-9)


# -- shapes and batching ----------------------------------------------------------------------
def test_jacobian_shapes():
    rng = np.random.default_rng(2)
    x = rng.normal(size=3)
    A = rng.normal(size=(4, 3))
    assert numerical_jacobian(lambda z: np.sum(z**2, axis=-1), x).shape == (3,)
    J = numerical_jacobian(lambda z: z @ A.T, x)
    assert J.shape == (4, 3)
    # Linear: no truncation error, rounding eps |z A^T| / h ~ 2e-16 * 3 / 6e-6 = 1e-10 at most
    # (measured 6e-12): atol 1e-9 holds with 10x to 160x.
    np.testing.assert_allclose(J, A, atol=1e-9)
    assert numerical_jacobian(lambda z: np.tanh(z), x).shape == (3, 3)


def test_vectorized_f_is_called_once_with_all_2n_points():
    p = rosenbrock(n=5)
    f = CountingFunction(p.f)
    numerical_jacobian(f, np.ones(5))
    batched = [s for s in f.shapes if s != (5,)]
    assert batched == [(11, 5)]  # the 2n perturbed points and x itself (the batching check)
    assert f.shapes == [(5,), (11, 5)]  # f(x) once, then the batch: no extra single calls


def test_forward_differences_batch_n_points():
    f = CountingFunction(rosenbrock(n=4).f)
    numerical_jacobian(f, np.zeros(4), method="forward")
    assert [s for s in f.shapes if s != (4,)] == [(5, 4)]


def test_non_vectorized_f_falls_back_to_a_loop():
    def f_pointwise(x):  # only works for one point: the batch gives the wrong shape
        return x[0] ** 2 * x[1] + np.sin(x[1])

    x = np.array([1.5, -0.5])
    expected = [2 * 1.5 * -0.5, 1.5**2 + np.cos(-0.5)]
    f = CountingFunction(f_pointwise)
    # Central model ~1e-10 for this O(1) function (measured 4.5e-12): rtol 1e-9 leaves 200x.
    np.testing.assert_allclose(numerical_gradient(f, x), expected, rtol=1e-9)
    assert f.shapes.count((2,)) >= 4  # every perturbed point on its own

    def f_raises(x):
        if np.ndim(x) != 1:
            raise TypeError("one point only")
        return f_pointwise(x)

    np.testing.assert_allclose(numerical_gradient(f_raises, x), expected, rtol=1e-9)


def test_batch_with_right_shape_but_wrong_values_is_not_trusted():
    # np.sum without axis mixes the batch rows into one number, broadcast to the right shape
    def sneaky(x):
        return np.full(np.shape(x)[:-1], np.sum(x**2))

    x = np.array([1.0, 2.0, 3.0])
    # Quadratic: rounding only, eps |f| / h / |f'| ~ 2e-16 * 14 / 6e-6 / 2 ~ 2.6e-10 at most
    # (measured 3.7e-11): rtol 1e-9 leaves 4x over the worst case, 27x measured.
    np.testing.assert_allclose(numerical_gradient(sneaky, x), 2 * x, rtol=1e-9)


def _reversed_rows(x):
    values = np.sum(x**2, axis=-1)
    return values[::-1] if np.ndim(x) > 1 else values  # right for one point only


@pytest.mark.parametrize(
    ("misbatched", "expected"),
    [
        (lambda x: np.sum(x**2) + 0 * x[..., 0], [2.0, 4.0, 6.0]),  # mixes the rows
        (lambda x: np.sum(x**2, axis=-1) / len(x), [2 / 3, 4 / 3, 2.0]),  # len of the batch
        (lambda x: x[0] ** 2 + x[1] ** 2, [2.0, 4.0, 0.0]),  # indexes rows, not coordinates
        (_reversed_rows, [2.0, 4.0, 6.0]),  # rows in the wrong order
    ],
    ids=["mixed-rows", "len-of-batch", "row-indexing", "reversed"],
)
def test_a_misbatched_f_is_refused_and_looped(misbatched, expected):
    x = np.array([1.0, 2.0, 3.0])
    # Each function is right for one point, so the loop gives its true gradient (quadratic:
    # rounding only, < 3e-10 relative, see test_batch_with_right_shape_but_wrong_values...).
    np.testing.assert_allclose(numerical_gradient(misbatched, x), expected, rtol=1e-9,
                               atol=1e-9)
    with pytest.raises(ValueError, match="declared vectorized"):
        numerical_jacobian(misbatched, x, vectorized=True)


def test_vectorized_flag():
    def f_pointwise(x):
        return x[0] * x[1]

    with pytest.raises(ValueError, match="declared vectorized"):
        numerical_jacobian(f_pointwise, [1.0, 2.0], vectorized=True)
    f = CountingFunction(lambda z: np.sum(z**2, axis=-1))
    np.testing.assert_allclose(numerical_jacobian(f, [1.0, 2.0], vectorized=False), [2, 4])
    assert all(s == (2,) for s in f.shapes) and len(f.shapes) == 5


def test_numerical_gradient_of_a_matrix_variable():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=(20, 2))

    def loss(W):
        return 0.5 * np.sum((X @ W - y) ** 2)

    W = rng.normal(size=(3, 2))
    G = numerical_gradient(loss, W)
    assert G.shape == (3, 2)
    # Quadratic: rounding only, eps |loss| / h ~ 2e-16 * 50 / 6e-6 ~ 2e-9 against entries of
    # ~10 (measured 1.8e-10 relative): 57x inside rtol 1e-8. The wrong gradient is 50% off.
    np.testing.assert_allclose(G, X.T @ (X @ W - y), rtol=1e-8)
    assert check_gradient(loss, lambda W: X.T @ (X @ W - y), x=W)
    assert not check_gradient(loss, lambda W: X.T @ (X @ W - y) * 0.5, x=W)


def test_numerical_hessian_is_symmetric_and_accurate():
    for name in ["exp_sum", "gaussian_bump", "multimodal", "rosenbrock6"]:
        p = SMOOTH[name]()
        x = np.random.default_rng(4).uniform(-1, 1, p.n)
        H = numerical_hessian(p.f, x)
        np.testing.assert_array_equal(H, H.T)  # symmetrized by construction: exact
        # Second differences with h = eps^(1/4) ~ 1.2e-4: h^2 |f''''| / 12 + eps |f| / h^2
        # ~ 1e-9 + 1.5e-8 (measured <= 2.1e-8): 1e-6 leaves 47x.
        assert _rel(H, p.hess(x)) < 1e-6, name


def test_numerical_hessian_of_non_vectorized_f():
    def f(x):
        return x[0] ** 2 * x[1] + x[1] ** 3

    # A cubic: second differences have no truncation error, rounding eps |f| / h^2 ~ 1.5e-7
    # relative to the entries at worst (measured 0): rtol 1e-6.
    np.testing.assert_allclose(numerical_hessian(f, [1.0, 2.0]), [[4.0, 2.0], [2.0, 12.0]],
                               rtol=1e-6)


# -- checking: right derivatives pass ------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(SMOOTH))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_right_gradients_and_hessians_pass(name, seed):
    # The check allows atol 1e-6 + rtol 1e-4 |numerical| per entry; a right derivative differs
    # from central differences by ~1e-10 relative, at most 1.2e-7 absolute over [-2, 2]^2
    # (Rosenbrock, whose entries reach 1e3): 8x below atol and 1e6x below rtol.
    p = SMOOTH[name]()
    res = check_gradient(p.f, p.grad, n=p.n, seed=seed)
    assert res and isinstance(res, GradientCheckResult) and res.name == "gradient"
    hres = check_gradient(p.grad, p.hess, n=p.n, seed=seed)
    assert hres and hres.name == "Hessian"


def test_jacobian_of_vector_function_passes_and_transpose_fails():
    def g(x):
        return np.stack([x[..., 0] * x[..., 1], np.exp(x[..., 0]), x[..., 1] ** 2], axis=-1)

    def jac(x):
        return np.array([[x[1], x[0]], [np.exp(x[0]), 0.0], [0.0, 2 * x[1]]])

    res = check_gradient(g, jac, x=[0.5, -1.0])
    assert res and res.name == "Jacobian"
    with pytest.raises(ValueError, match=r"must return shape \(3, 2\)"):
        check_gradient(g, lambda x: jac(x).T, x=[0.5, -1.0])


def test_seed_makes_the_random_point_reproducible():
    p = exp_sum()
    a = check_gradient(p.f, p.grad, seed=7)
    b = check_gradient(p.f, p.grad, seed=7)
    c = check_gradient(p.f, p.grad, seed=np.random.default_rng(8))
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)
    assert np.all(np.abs(a.x) <= 2)


# -- checking: wrong derivatives fail -------------------------------------------------------------
def _wrong_gradients():
    p = gaussian_bump()
    q = exp_sum()
    r = rosenbrock()
    return {
        "sign flipped": (p.f, lambda x: -p.grad(x)),
        "missing factor 2": (lambda x: np.sum(x**2, axis=-1), lambda x: x),
        "swapped components": (q.f, lambda x: q.grad(x)[..., ::-1]),
        "one component off by 1%": (q.f, lambda x: q.grad(x) * [1.0, 1.01]),
        "one component zero": (r.f, lambda x: r.grad(x) * [1.0, 0.0]),
        "off by a constant 1e-3": (q.f, lambda x: q.grad(x) + 1e-3),
        "gradient of another function": (p.f, q.grad),
        "all zeros": (q.f, lambda x: np.zeros_like(x)),
        "Rosenbrock with b=10": (r.f, rosenbrock(b=10).grad),
        "Hessian without off-diagonal": (q.grad, lambda x: q.hess(x) * np.eye(2)),
        "Hessian with the seeds' missing 1/2": (lambda x: q.grad(x) / 2, q.hess),
    }


WRONG = _wrong_gradients()


@pytest.mark.parametrize("case", sorted(WRONG))
@pytest.mark.parametrize("seed", range(5))
def test_wrong_derivatives_fail(case, seed):
    # Measured at these seeds, the worst entry exceeds its allowance atol + rtol |numerical| by
    # a factor >= 6 ("off by a constant 1e-3", where |numerical| reaches ~1e3 / 0.6 entries),
    # >= 94 ("one component off by 1%") and >= 5000 for every other case; the numerical
    # derivative's own error (1e-10 relative) cannot close such gaps on any machine.
    f, wrong = WRONG[case]
    res = check_gradient(f, wrong, seed=seed)
    assert not res, (case, res)
    with pytest.raises(AssertionError, match="FAILED"):
        assert_gradient(f, wrong, seed=seed)


def test_gradient_wrong_only_far_from_the_origin_fails_there():
    p = exp_sum()

    def grad_wrong_far(x):
        g = p.grad(x)
        return np.where(np.linalg.norm(x) > 3, g * 1.1, g)

    assert check_gradient(p.f, grad_wrong_far, x=[0.5, 0.5])  # right near the origin
    assert not check_gradient(p.f, grad_wrong_far, x=[2.5, -2.5])
    assert not check_gradient(p.f, grad_wrong_far, x=[-4.0, 1.0])


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    x=st.lists(st.floats(-2, 2), min_size=2, max_size=2),
    component=st.integers(0, 1),
    factor=st.one_of(st.floats(-10, 0.999), st.floats(1.001, 10)),
    name=st.sampled_from(["exp_sum", "gaussian_bump", "multimodal", "beale", "rosenbrock"]),
)
def test_property_a_scaled_component_is_always_caught(x, component, factor, name):
    """Scaling one gradient entry by a factor at least 0.1% away from 1 never passes,
    unless that entry is itself below the absolute tolerance (then there is nothing to see)."""
    p = SMOOTH[name]()
    x = np.array(x)
    scale = np.ones(2)
    scale[component] = factor
    true_entry = p.grad(x)[component]
    res = check_gradient(p.f, lambda z: p.grad(z) * scale, x=x)
    error = abs(factor - 1) * abs(true_entry)
    # The numerical gradient is the true one plus an error delta; |delta| is what the check
    # reports for the right gradient at the same x (<= 1.2e-7 on [-2, 2]^2 for these
    # functions). So max_abs_error, the largest |analytic - numerical|, is within |delta| of
    # the injected error, and the check must fail once error > atol + rtol |g| + (1 + rtol)
    # |delta|: doubling atol and rtol covers |delta| <= 1e-6, 8x the worst measured.
    delta = check_gradient(p.f, p.grad, x=x).max_abs_error
    assert delta <= 1e-6
    if error > 2e-6 + 2e-4 * abs(true_entry):
        assert not res, res
    # (plus a few ulps of the entries, for rounding the products and differences themselves)
    ulps = 8 * np.finfo(float).eps * max(1.0, abs(factor * true_entry))
    assert abs(res.max_abs_error - error) <= delta * (1 + 1e-6) + ulps


# -- the report ----------------------------------------------------------------------
def test_result_repr_reports_everything():
    p = rosenbrock()
    res = check_gradient(p.f, lambda x: p.grad(x) * [1.0, -1.0], x=[-1.0, 1.5])
    assert not res and res.passed is False
    text = repr(res)
    for needle in ["FAILED", "max abs error  = 2.000e+02", "max rel error  = 2.000e+00",
                   "worst entry [1]: analytic -100 vs numerical 100", "at x         = [-1. ,  1.5]",
                   "analytic     = [ 196., -100.]", "numerical", "rtol=0.0001", "atol=1e-06"]:
        assert needle in text, (needle, text)
    assert res.worst_index == (1,)
    # |(-100) - 100| up to the numerical error ~1.5e-8 of that entry: 200 (1 +- 1e-10), and
    # rel 1e-8 allows 2e-6 (measured difference 1e-10).
    assert res.max_abs_error == pytest.approx(200.0, rel=1e-8)
    good = check_gradient(p.f, p.grad, x=[-1.0, 1.5])
    # Central model ~1e-10 relative (measured 8e-11): 1e-8 leaves 100x.
    assert "PASSED" in repr(good) and good.max_rel_error < 1e-8


def test_tiny_derivative_is_flagged_in_the_report():
    p = exp_sum()
    res = check_gradient(p.f, p.grad, x=p.minimizers[0])
    assert res and "tiny" in res.message


def test_assert_gradient_returns_result_when_right():
    p = himmelblau()
    res = assert_gradient(p.f, p.grad, x=[1.0, 1.0])
    assert isinstance(res, GradientCheckResult) and res


# -- bad input ----------------------------------------------------------------------
def _f(x):
    return np.sum(x**2, axis=-1)


def _g(x):
    return 2 * x


def _nan_right_of_1(x):
    """Finite at x = 1, NaN just to the right (as at the edge of a log's domain)."""
    return np.where(x[..., 0] > 1, np.nan, x[..., 0])


@pytest.mark.parametrize(
    ("bad_grad", "got"),
    [
        (lambda x: (2 * x)[:, None], r"\(2, 1\)"),
        (lambda x: (2 * x)[None, :], r"\(1, 2\)"),
        (lambda x: 2 * x[0], r"\(\)"),
        (lambda x: np.append(2 * x, 0.0), r"\(3,\)"),
    ],
)
def test_wrongly_shaped_gradient_is_an_error(bad_grad, got):
    with pytest.raises(ValueError, match=r"grad_f\(x\) must return shape \(2,\).*got shape " + got):
        check_gradient(_f, bad_grad, x=[1.0, 2.0])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: check_gradient("f", _g), TypeError, "f must be callable"),
        (lambda: check_gradient(_f, np.zeros(2)), TypeError, "grad_f must be callable"),
        (lambda: numerical_gradient(None, [1.0]), TypeError, "f must be callable"),
        (lambda: check_gradient(_f, _g, x=[1.0, np.nan]), ValueError, "finite"),
        (lambda: check_gradient(_f, lambda x: x * np.inf, x=[1.0, 2.0]), ValueError,
         r"grad_f\(x\) contains NaN/inf"),
        (lambda: numerical_gradient(_nan_right_of_1, [1.0]), ValueError,
         "perturbed points contains NaN/inf"),
        (lambda: numerical_jacobian(lambda x: np.full(2, np.inf), [1.0]), ValueError,
         r"f\(x\) contains NaN/inf"),
        (lambda: numerical_jacobian(_f, [[1.0, 2.0]]), ValueError, r"1-D.*got shape \(1, 2\)"),
        (lambda: numerical_hessian(_f, 3.0), ValueError, r"1-D.*got shape \(\)"),
        (lambda: numerical_jacobian(_f, []), ValueError, "at least one component"),
        (lambda: check_gradient(_g, _g, x=np.ones((2, 2))), ValueError,
         "vector-valued f, x must be a 1-D point"),
        (lambda: numerical_gradient(_g, [1.0, 2.0]), ValueError, "scalar-valued f"),
        (lambda: numerical_hessian(_g, [1.0, 2.0]), ValueError, "scalar-valued f"),
        (lambda: numerical_jacobian(_f, [1.0], method="complex"), ValueError,
         "method must be one of"),
        (lambda: numerical_jacobian(_f, [1.0], h=-1e-3), ValueError, "h must be > 0"),
        (lambda: numerical_jacobian(_f, [1.0, 2.0], h=[1e-3]), ValueError, "shape of x"),
        (lambda: numerical_jacobian(_f, [1e8], h=1e-12), ValueError, "too small"),
        (lambda: numerical_jacobian(_f, ["a"]), TypeError, "real numbers"),
        (lambda: numerical_jacobian(lambda x: "s", [1.0]), TypeError, "real numbers"),
        (lambda: check_gradient(_f, _g, n=0), ValueError, "n must be a positive integer"),
        (lambda: check_gradient(_f, _g, rtol=-1), ValueError, "rtol must be a number >= 0"),
    ],
)
def test_bad_input_raises_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_docstring_examples_run():
    import helpers._validation
    import helpers.gradcheck

    for module in (helpers.gradcheck, helpers._validation):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.attempted > 0 and result.failed == 0, module.__name__
