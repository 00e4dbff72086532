"""Tests for helpers.functions: every formula against finite differences and references."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers import (
    Problem,
    beale,
    exp_sum,
    gaussian_bump,
    himmelblau,
    least_squares,
    multimodal,
    numerical_gradient,
    numerical_hessian,
    numerical_jacobian,
    quadratic,
    rosenbrock,
    saddle,
)

PROBLEMS = {
    "quadratic2": lambda: quadratic([[3.0, 1.0], [1.0, 2.0]], b=[1.0, -2.0], c=0.5),
    "quadratic4": lambda: quadratic(np.diag([1.0, 2.0, 5.0, 10.0]) + 0.3, b=[1, 0, -1, 2]),
    "least_squares": lambda: least_squares(
        np.random.default_rng(3).normal(size=(6, 3)), np.arange(6.0)
    ),
    "rosenbrock": rosenbrock,
    "rosenbrock_a2": lambda: rosenbrock(a=2.0, b=50.0),
    "rosenbrock5": lambda: rosenbrock(n=5),
    "beale": beale,
    "himmelblau": himmelblau,
    "exp_sum": exp_sum,
    "gaussian_bump": gaussian_bump,
    "saddle": saddle,
    "multimodal": multimodal,
}


@pytest.fixture(params=sorted(PROBLEMS), ids=sorted(PROBLEMS))
def problem(request) -> Problem:
    return PROBLEMS[request.param]()


# 2-D problems that have a minimum (everything except the n-D ones and the saddle)
PLANAR = sorted(k for k in PROBLEMS if k not in {"quadratic4", "least_squares", "rosenbrock5",
                                                "saddle"})


@pytest.fixture(params=PLANAR, ids=PLANAR)
def planar(request) -> Problem:
    return PROBLEMS[request.param]()


def _points(p: Problem, k: int, seed: int) -> np.ndarray:
    """k random points in the problem's plotting window (all coordinates in [lo, hi])."""
    rng = np.random.default_rng(seed)
    lo = min(p.xlim[0], p.ylim[0])
    hi = max(p.xlim[1], p.ylim[1])
    return rng.uniform(lo, hi, size=(k, p.n))


def _rel(a, b) -> float:
    """Normwise relative difference max|a - b| / max(1, max|b|)."""
    return float(np.max(np.abs(a - b)) / max(1.0, np.max(np.abs(b))))


# -- derivatives against finite differences -----------------------------------------------
def test_gradient_matches_finite_differences(problem):
    for x in _points(problem, 20, seed=0):
        assert _rel(problem.grad(x), numerical_gradient(problem.f, x)) < 1e-7, x


def test_hessian_matches_finite_differences_of_gradient(problem):
    for x in _points(problem, 20, seed=1):
        H = problem.hess(x)
        assert _rel(H, numerical_jacobian(problem.grad, x)) < 1e-7, x
        np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-12 * max(1, np.abs(H).max()))


def test_hessian_matches_second_differences_of_f(problem):
    for x in _points(problem, 5, seed=2):
        assert _rel(problem.hess(x), numerical_hessian(problem.f, x)) < 1e-5, x


# -- vectorization --------------------------------------------------------------------------
@pytest.mark.parametrize("batch", [(), (7,), (3, 4), (2, 1, 3)])
def test_vectorized_shapes_and_values(problem, batch):
    n = problem.n
    X = np.random.default_rng(4).uniform(-2, 2, size=batch + (n,))
    F, G, H = problem.f(X), problem.grad(X), problem.hess(X)
    assert np.shape(F) == batch and G.shape == batch + (n,) and H.shape == batch + (n, n)
    for idx in np.ndindex(*batch):
        assert np.isclose(F[idx], problem.f(X[idx]), rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(G[idx], problem.grad(X[idx]), rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(H[idx], problem.hess(X[idx]), rtol=1e-13, atol=1e-13)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(sorted(PROBLEMS)),
    data=st.data(),
)
def test_property_batches_equal_pointwise(name, data):
    p = PROBLEMS[name]()
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)) + (p.n,)
    X = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-3, 3)))
    G = p.grad(X)
    assert G.shape == X.shape
    flat_x, flat_g = X.reshape(-1, p.n), G.reshape(-1, p.n)
    for xi, gi in zip(flat_x, flat_g, strict=True):
        np.testing.assert_allclose(gi, p.grad(xi), rtol=1e-12, atol=1e-12)
    assert p(X).shape == X.shape[:-1]


def test_call_is_f_and_scalar_result(problem):
    x = problem.x0
    assert problem(x) == problem.f(x)
    value = problem.f(x)
    assert np.ndim(value) == 0 and np.asarray(value).dtype == np.float64
    # The pointwise value is the batched one (the same formula; 1e-12 relative leaves 4 orders
    # above the round-off of these few-term sums), and never below the global minimum value.
    np.testing.assert_allclose(problem.f(x[np.newaxis])[0], value, rtol=1e-12)
    assert value >= problem.fmin


def test_integer_and_list_inputs():
    p = rosenbrock()
    assert p.f([-1, 1]) == p.f(np.array([-1.0, 1.0])) == 4.0
    np.testing.assert_array_equal(p.grad(np.array([-1, 1])), [-4.0, 0.0])


# -- references ---------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [2, 3, 5, 10])
def test_rosenbrock_matches_scipy(n):
    p = rosenbrock(n=n)
    X = np.random.default_rng(n).uniform(-2, 2, size=(6, n))
    np.testing.assert_allclose(p.f(X), scipy.optimize.rosen(X.T), rtol=1e-14)
    for x in X:
        np.testing.assert_allclose(p.grad(x), scipy.optimize.rosen_der(x), rtol=1e-13, atol=1e-12)
        np.testing.assert_allclose(p.hess(x), scipy.optimize.rosen_hess(x), rtol=1e-13,
                                   atol=1e-12)


def test_rosenbrock_parameters_move_the_minimizer():
    p = rosenbrock(a=2.0, b=50.0)
    np.testing.assert_array_equal(p.minimizers, [[2.0, 4.0]])
    assert p.f([2.0, 4.0]) == 0.0 and p.f([1.0, 1.0]) > 0
    assert p.f([-1.2, 1.0]) == pytest.approx(50 * (1 - 1.44) ** 2 + (2 + 1.2) ** 2)


def test_quadratic_formula_has_the_half():
    # the reference notes' quadratic model drops the 1/2; ours must not
    A = np.array([[2.0, 0.5], [0.5, 1.0]])
    b, c = np.array([1.0, -1.0]), 0.25
    q = quadratic(A, b, c)
    x = np.array([0.3, -1.7])
    assert q.f(x) == pytest.approx(0.5 * x @ A @ x - b @ x + c, rel=1e-14)
    np.testing.assert_allclose(q.grad(x), A @ x - b, rtol=1e-14)
    np.testing.assert_allclose(q.minimizers[0], np.linalg.solve(A, b), rtol=1e-13)
    assert q.fmin == pytest.approx(c - 0.5 * b @ np.linalg.solve(A, b), rel=1e-13)


def test_quadratic_without_minimizer():
    indefinite = quadratic([[1.0, 0.0], [0.0, -1.0]])
    assert indefinite.minimizers.shape == (0, 2) and indefinite.fmin == -np.inf
    inconsistent = quadratic([[1.0, 0.0], [0.0, 0.0]], b=[0.0, 1.0])  # linear along x2
    assert inconsistent.minimizers.shape == (0, 2) and inconsistent.fmin == -np.inf
    singular = quadratic([[1.0, 0.0], [0.0, 0.0]], b=[2.0, 0.0])  # a valley of minimizers
    np.testing.assert_allclose(singular.minimizers, [[2.0, 0.0]])
    assert singular.fmin == pytest.approx(-2.0)


def test_least_squares_residual_jacobian_and_solution():
    rng = np.random.default_rng(5)
    A, b = rng.normal(size=(8, 3)), rng.normal(size=8)
    p = least_squares(A, b)
    x = rng.normal(size=3)
    np.testing.assert_allclose(p.residual(x), A @ x - b, rtol=1e-14)
    np.testing.assert_allclose(p.jacobian(x), A)
    np.testing.assert_allclose(numerical_jacobian(p.residual, x), A, atol=1e-9)
    np.testing.assert_allclose(p.grad(x), A.T @ (A @ x - b), rtol=1e-12)
    assert p.f(x) == pytest.approx(0.5 * np.sum((A @ x - b) ** 2), rel=1e-14)
    np.testing.assert_allclose(p.minimizers[0], np.linalg.lstsq(A, b, rcond=None)[0],
                               rtol=1e-12)
    X = rng.normal(size=(4, 5, 3))
    assert p.residual(X).shape == (4, 5, 8) and p.jacobian(X).shape == (4, 5, 8, 3)


# -- minimizers -------------------------------------------------------------------------------
def test_minimizers_are_stationary_with_psd_hessian(problem):
    for x_star in problem.minimizers:
        g = problem.grad(x_star)
        H = problem.hess(x_star)
        scale = max(1.0, np.abs(H).max())
        assert np.abs(g).max() < 1e-10 * scale, (x_star, g)
        assert np.linalg.eigvalsh(H).min() > 0, (x_star, np.linalg.eigvalsh(H))


@pytest.mark.parametrize("name", sorted(set(PROBLEMS) - {"saddle"}))
def test_global_minimizer_first_and_fmin(name):
    problem = PROBLEMS[name]()
    assert len(problem.minimizers) >= 1
    np.testing.assert_array_equal(problem.x_star, problem.minimizers[0])
    values = problem.f(problem.minimizers)
    assert problem.fmin == pytest.approx(values[0], abs=1e-12)
    assert np.all(values >= problem.fmin - 1e-12)


def test_fmin_is_below_a_fine_grid_of_the_window(planar):
    problem = planar
    x = np.linspace(*problem.xlim, 401)
    y = np.linspace(*problem.ylim, 401)
    grid = np.stack(np.meshgrid(x, y, indexing="ij"), axis=-1)
    assert problem.f(grid).min() >= problem.fmin - 1e-12


def test_exp_sum_minimizer_matches_scipy():
    p = exp_sum()
    res = scipy.optimize.minimize(p.f, p.x0, jac=p.grad, method="BFGS", options={"gtol": 1e-7})
    np.testing.assert_allclose(p.minimizers[0], res.x, atol=1e-6)
    root = scipy.optimize.root(p.grad, res.x, jac=p.hess, tol=1e-15)
    np.testing.assert_allclose(p.minimizers[0], root.x, atol=1e-14)
    np.testing.assert_allclose(p.minimizers[0], [np.log(2) + np.log(5 / 6) / 4,
                                                 np.log(5 / 6) / 4], rtol=1e-15)


def test_exp_sum_newton_from_x0_converges_quadratically():
    p = exp_sum()
    x, errors = p.x0.copy(), []
    for _ in range(7):
        x = x - np.linalg.solve(p.hess(x), p.grad(x))
        errors.append(np.linalg.norm(x - p.minimizers[0]))
    assert errors[-1] < 1e-10
    # quadratic convergence: the error roughly squares near the end
    assert errors[4] < 10 * errors[3] ** 2


def test_gaussian_bump_extrema():
    p = gaussian_bump()
    r = 1 / np.sqrt(2)
    np.testing.assert_allclose(p.minimizers, [[-r, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(p.maximizers, [[r, 0.0]], rtol=1e-15)
    assert p.fmin == pytest.approx(-r * np.exp(-0.5), rel=1e-15)
    assert np.linalg.eigvalsh(p.hess(p.maximizers[0])).max() < 0


def test_himmelblau_has_four_global_minima():
    p = himmelblau()
    assert p.minimizers.shape == (4, 2)
    np.testing.assert_allclose(p.f(p.minimizers), 0.0, atol=1e-24)
    np.testing.assert_array_equal(p.minimizers[0], [3.0, 2.0])
    assert np.abs(p.grad(p.maximizers[0])).max() < 1e-12
    assert np.linalg.eigvalsh(p.hess(p.maximizers[0])).max() < 0


def test_beale_saddle_and_saddle_problem():
    b = beale()
    assert np.abs(b.grad(b.saddles[0])).max() == 0
    eig = np.linalg.eigvalsh(b.hess(b.saddles[0]))
    assert eig.min() < 0 < eig.max()
    s = saddle()
    assert s.minimizers.shape == (0, 2) and s.fmin == -np.inf and s.x_star is None
    np.testing.assert_array_equal(s.grad(s.saddles[0]), [0.0, 0.0])
    np.testing.assert_array_equal(np.linalg.eigvalsh(s.hess(s.saddles[0])), [-2.0, 2.0])
    assert s.f([0.0, 10.0]) == -100.0  # unbounded below


def _local_minima_by_search(p: Problem, half_width: float, num: int) -> np.ndarray:
    """Local minima of p: every local minimum of a grid, polished by Newton's method."""
    t = np.linspace(-half_width, half_width, num)
    grid = np.stack(np.meshgrid(t, t, indexing="ij"), axis=-1)
    F = p.f(grid)
    inner = F[1:-1, 1:-1]
    is_min = np.ones_like(inner, dtype=bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                is_min &= inner <= F[1 + di:num - 1 + di, 1 + dj:num - 1 + dj]
    found: list[np.ndarray] = []
    for x in grid[1:-1, 1:-1][is_min]:
        for _ in range(30):
            x = x - np.linalg.solve(p.hess(x), p.grad(x))
        if np.abs(p.grad(x)).max() < 1e-12 and np.linalg.eigvalsh(p.hess(x)).min() > 0:
            if not any(np.allclose(x, y, atol=1e-8) for y in found):
                found.append(x)
    return np.array(found)


def test_multimodal_lists_all_local_minima_global_first():
    p = multimodal()
    # outside |x| <= 8 the bowl's gradient beats the ripples', so no stationary point is there
    found = _local_minima_by_search(p, half_width=8.5, num=681)
    assert len(found) == len(p.minimizers) == 12
    for x in found:
        assert np.min(np.linalg.norm(p.minimizers - x, axis=1)) < 1e-9
    values = p.f(p.minimizers)
    assert np.all(np.diff(values) > 0)  # sorted, global first, no ties
    assert values[0] == pytest.approx(-0.97945, abs=1e-5)


def test_multimodal_traps_gradient_descent_from_x0():
    p = multimodal()
    x = p.x0.copy()
    for _ in range(3000):
        x = x - 0.3 * p.grad(x)
    gaps = np.linalg.norm(p.minimizers - x, axis=1)
    stuck_at = int(np.argmin(gaps))
    assert gaps[stuck_at] < 1e-6 and stuck_at != 0
    assert p.f(x) > p.fmin + 1.0


def test_minimizers_inside_the_window(planar):
    problem = planar
    assert len(problem.minimizers) >= 1
    for x1, x2 in problem.minimizers:
        assert problem.xlim[0] < x1 < problem.xlim[1]
        assert problem.ylim[0] < x2 < problem.ylim[1]
    assert problem.xlim[0] <= problem.x0[0] <= problem.xlim[1]
    assert problem.ylim[0] <= problem.x0[1] <= problem.ylim[1]


# -- the Problem object -------------------------------------------------------------------------
def test_problem_attributes_and_repr(problem):
    assert isinstance(problem.name, str) and problem.name in repr(problem)
    assert problem.minimizers.ndim == 2 and problem.minimizers.shape[1] == problem.n
    assert problem.x0.shape == (problem.n,)
    with pytest.raises(ValueError, match="read-only"):
        problem.minimizers[...] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        problem.x0[0] = 1.0


def test_log_levels_flag_marks_the_valley_functions(planar):
    """Log-spaced contour levels are flagged exactly where f spans decades above its minimum.

    On a 201 x 201 grid of the window, (max f - min f) / (10 % quantile of f - min f) is 41 or
    more for the valley functions (Rosenbrock, Beale, Himmelblau, exp_sum) and at most 25 for
    the others, whose evenly spaced levels already resolve the floor; 30 separates them.
    """
    p = planar
    X, Y = np.meshgrid(np.linspace(*p.xlim, 201), np.linspace(*p.ylim, 201))
    Z = p.f(np.stack([X, Y], axis=-1))
    spread = (Z.max() - Z.min()) / (np.quantile(Z, 0.1) - Z.min())
    assert p.log_levels is bool(spread > 30), spread
    # The n-D variant keeps the flag of its 2-D family, and the constructor stores a bool.
    assert rosenbrock(n=5).log_levels is rosenbrock().log_levels is True
    def bowl(**kwargs):
        return Problem(lambda x: x @ x, lambda x: 2 * x, n=2, **kwargs)

    assert bowl(log_levels=1).log_levels is True and bowl().log_levels is False


def test_repr_reports_minimum_and_start():
    text = repr(rosenbrock())
    assert text.startswith("Problem('rosenbrock', n=2, fmin=0")
    assert "x0=[-1.2,  1. ]" in text and "log_levels=True" in text
    assert "(+11 more)" in repr(multimodal())


def test_custom_problem_and_missing_hessian():
    p = Problem(lambda x: np.sum(x**4, axis=-1), lambda x: 4 * x**3, n=3, name="quartic",
                minimizers=[0.0, 0.0, 0.0])
    assert p.fmin == 0.0 and p.minimizers.shape == (1, 3)
    np.testing.assert_array_equal(p.grad([[1, 2, 3]]), [[4.0, 32.0, 108.0]])
    with pytest.raises(NotImplementedError, match="without a Hessian"):
        p.hess([0, 0, 0])


def test_problem_constructor_rejects_bad_arguments():
    f, g = (lambda x: x[..., 0]), (lambda x: x)
    with pytest.raises(TypeError, match="f must be callable"):
        Problem(3.0, g, n=2)
    with pytest.raises(ValueError, match=r"minimizers must have shape \(k, 2\); got shape"):
        Problem(f, g, n=2, minimizers=[[1, 2, 3]])
    with pytest.raises(ValueError, match="low < high"):
        Problem(f, g, n=2, xlim=(1, -1))
    with pytest.raises(ValueError, match=r"x0 must have shape \(2,\)"):
        Problem(f, g, n=2, x0=[1, 2, 3])
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        Problem(f, g, n=0)


# -- bad inputs ---------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["f", "grad", "hess"])
def test_wrong_last_axis_says_expected_and_got(method):
    p = himmelblau()
    with pytest.raises(ValueError, match=r"must have shape \(\.\.\., 2\); got shape \(3,\)"):
        getattr(p, method)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"got shape \(2, 3\)"):
        getattr(p, method)(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"got shape \(\)"):
        getattr(p, method)(1.0)
    with pytest.raises(TypeError, match="real numbers"):
        getattr(p, method)(["a", "b"])


def test_non_finite_points_give_non_finite_values_without_warnings():
    # pytest runs with -W error: an overflow warning would fail this test
    p = exp_sum()
    assert p.f([1000.0, 0.0]) == np.inf
    assert np.isnan(rosenbrock().f([np.nan, 0.0]))
    assert not np.any(np.isfinite(p.grad([1000.0, 0.0])))  # inf, or inf - inf = nan


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: quadratic([[1.0, 2.0], [0.0, 1.0]]), "symmetric"),
        (lambda: quadratic([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), r"square matrix .* \(2, 3\)"),
        (lambda: quadratic(np.eye(2), b=[1.0, 2.0, 3.0]), r"b must have shape \(2,\)"),
        (lambda: quadratic([[np.nan, 0], [0, 1]]), "finite"),
        (lambda: least_squares(np.ones((3, 2)), np.ones(2)), r"b must have shape \(3,\)"),
        (lambda: rosenbrock(b=-1.0), "b must be > 0"),
        (lambda: rosenbrock(a=2.0, n=3), "needs a = 1"),
        (lambda: rosenbrock(n=1), "n must be an integer >= 2"),
    ],
)
def test_constructor_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_docstring_examples_run():
    import helpers.functions

    for module in (helpers.functions,):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.attempted > 0 and result.failed == 0, module.__name__
