"""Projections, projected gradient and the equality-constrained solvers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from helpers import (
    augmented_lagrangian,
    penalty_method,
    project_ball,
    project_box,
    project_simplex,
    projected_gradient_descent,
    rosenbrock,
)

finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)


# ---------------------------------------------------------------- projections
@settings(max_examples=200, deadline=None, derandomize=True)
@given(arrays(float, (6,), elements=finite))
def test_simplex_projection_is_feasible_and_optimal(x):
    p = project_simplex(x)
    # p = max(x - tau, 0) sums to 1 up to ~6 ulps of tau (|tau| <= 50): 1e-13, far in 1e-6.
    assert np.all(p >= 0) and p.sum() == pytest.approx(1.0)
    # Optimality (variational inequality): (x - p).(q - p) <= 0 for every feasible q,
    # checked at the vertices, which suffices for a polytope. Exactly 0 on the support of p;
    # rounding of the 6-term dot products of entries <= 100 is ~ 6 * 100 eps ~ 1e-13, four
    # orders below 1e-9.
    assert np.all(np.eye(6) @ (x - p) - p @ (x - p) <= 1e-9)


def test_simplex_projection_agrees_with_a_generic_qp_solver():
    from scipy.optimize import minimize

    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.standard_normal(5) * 2
        ref = minimize(lambda q, x=x: np.sum((q - x) ** 2), np.full(5, 0.2), method="SLSQP",
                       bounds=[(0, None)] * 5,
                       constraints={"type": "eq", "fun": lambda q: q.sum() - 1},
                       options={"ftol": 1e-12})
        # SLSQP stops on ftol = 1e-12 in f, i.e. about sqrt(1e-12) = 1e-6 in x at worst for
        # this well-conditioned QP (Hessian 2 I); measured 3e-8, 30x inside atol 1e-6.
        np.testing.assert_allclose(project_simplex(x), ref.x, atol=1e-6)


def test_projections_are_vectorized_over_leading_axes():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4, 3, 5)) * 3
    for project in (project_simplex, lambda x: project_ball(x, 1.5, center=np.ones(5)),
                    lambda x: project_box(x, -1.0, 0.5)):
        batched = project(X)
        rowwise = np.array([[project(x) for x in row] for row in X])
        # The same elementwise formulas; reductions may round in another order: ~eps relative,
        # against the default rtol 1e-7.
        np.testing.assert_allclose(batched, rowwise)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(arrays(float, (3,), elements=finite))
def test_ball_projection(x):
    c = np.array([1.0, -2.0, 0.5])
    p = project_ball(x, 2.0, center=c)
    # c + 2 (x - c) / ||x - c||, rounded: its distance to c is 2 (1 + ~4 eps) ~ 2 + 2e-15 at
    # worst (|c| <= 2 adds an ulp of 2), so 1e-12 is 500x above.
    assert np.linalg.norm(p - c) <= 2.0 + 1e-12
    if np.linalg.norm(x - c) <= 2.0:
        np.testing.assert_array_equal(p, x)
    else:
        # On the sphere, on the ray from the center through x (both exact up to a few eps,
        # checked to pytest.approx's rel 1e-6). Entries up to 50 and |c| ~ 2 cost at most
        # ~50 eps in the direction: still 1e-14.
        assert np.linalg.norm(p - c) == pytest.approx(2.0)
        cos = (p - c) @ (x - c) / np.linalg.norm(p - c) / np.linalg.norm(x - c)
        assert cos == pytest.approx(1.0)


def test_projections_are_idempotent():
    x = np.array([3.0, -0.2, 0.7, 5.0])
    # Exact in exact arithmetic; a threshold (simplex) or a norm (ball) computed from values
    # up to max|x| = 5 moves the result by a few ulps of 5 (eps * 5 = 1.1e-15), depending on
    # how the CPU's SIMD orders a sum. 16 ulps of max|x| (1.8e-14) holds on any machine;
    # measured 0 here, at most 3.6e-15 over 20000 random points with |x| <= 50.
    atol = 16 * np.finfo(float).eps * np.abs(x).max()
    for project in (project_simplex, lambda x: project_ball(x, 1.0),
                    lambda x: project_box(x, 0.0, 1.0)):
        np.testing.assert_allclose(project(project(x)), project(x), rtol=0, atol=atol)


def test_projection_input_errors():
    with pytest.raises(ValueError, match="lower <= upper"):
        project_box([0.0], 1.0, 0.0)
    with pytest.raises(ValueError, match="center must have shape"):
        project_ball([0.0, 1.0], 1.0, center=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="radius"):
        project_ball([0.0, 1.0], -1.0)
    with pytest.raises(ValueError, match=r"shape \(\.\.\., n\)"):
        project_simplex(3.0)


# ---------------------------------------------------------------- projected gradient
@pytest.mark.parametrize("line_search", [None, "backtracking"])
def test_projected_gradient_stays_feasible_at_every_iterate(line_search):
    p = rosenbrock()
    box = lambda x: project_box(x, [-2.0, -1.0], [0.5, 0.8])  # noqa: E731
    tr = projected_gradient_descent(p.f, p.grad, box, [-1.5, 0.7], lr=1e-3, maxiter=20_000,
                                    line_search=line_search, tol=1e-6)
    lo, hi = np.array([-2.0, -1.0]), np.array([0.5, 0.8])
    assert np.all(tr.xs >= lo) and np.all(tr.xs <= hi)
    assert tr.converged, tr.message
    # The constrained minimizer of Rosenbrock on this box sits on the face x1 = 0.5 (where
    # the projection clips: exactly 0.5) ...
    assert tr.x[0] == pytest.approx(0.5)
    # ... where d f / d x2 = 200 (x2 - x1^2) = 0: x2 = x1^2. With a gradient mapping <= 1e-6
    # the error in x2 is ~ 1e-6 / 200 = 5e-9 (measured 4.6e-9): 1e-4 has 4 orders of margin.
    assert tr.x[1] == pytest.approx(0.25, abs=1e-4)
    # ... where the gradient does not vanish (it is 1.0 there: 2x the bound 0.5), but the
    # gradient mapping does.
    assert np.linalg.norm(p.grad(tr.x)) > 0.5 and tr.grad_norm <= 1e-6


def test_projected_gradient_projects_an_infeasible_start():
    tr = projected_gradient_descent(lambda x: x @ x, lambda x: 2 * x,
                                    lambda x: project_ball(x, 1.0, center=[3.0, 0.0]),
                                    [0.0, 5.0], lr=0.1)
    assert np.linalg.norm(tr.xs[0] - [3.0, 0.0]) <= 1.0 + 1e-12  # as for the ball test
    # Stopped at a gradient mapping <= tol = 1e-4 (6.2e-5); f = |x|^2 is 2-strongly convex,
    # so the error is ~ ||G|| / 2 ~ 3e-5 at most (measured 1.4e-5): 7x inside 1e-4, a margin
    # set by the exact iteration, not by rounding.
    np.testing.assert_allclose(tr.x, [2.0, 0.0], atol=1e-4)


def test_projected_gradient_on_the_simplex_finds_the_closest_point():
    target = np.array([0.9, 0.6, -0.3, 0.1])
    tr = projected_gradient_descent(lambda x: 0.5 * np.sum((x - target) ** 2),
                                    lambda x: x - target, project_simplex, np.full(4, 0.25),
                                    lr=0.5, tol=1e-10)
    # 1-strongly convex: error ~ ||G|| <= 1e-10 (measured 7e-11), 10x inside atol 1e-9;
    # rounding of the O(1) iterates is 1e-16.
    np.testing.assert_allclose(tr.x, project_simplex(target), atol=1e-9)
    # Every iterate is a projection: sums to 1 up to ~1e-16 (np.allclose: 1e-8 + 1e-5).
    assert np.allclose(tr.xs.sum(axis=1), 1.0) and np.all(tr.xs >= 0)


def test_projected_gradient_rejects_a_projection_of_the_wrong_shape():
    with pytest.raises(ValueError, match="project"):
        projected_gradient_descent(lambda x: x @ x, lambda x: 2 * x, lambda x: x[:1],
                                   [1.0, 2.0])


# ---------------------------------------------------------------- equality constraints
def lagrange_example():
    """min x^2 + y^2 s.t. x + y = 1:  x* = y* = 1/2, lambda* = -1 for L = f + lambda g."""
    return (lambda x: x @ x, lambda x: 2 * x, lambda x: x[0] + x[1] - 1.0,
            lambda x: np.array([1.0, 1.0]))


@pytest.mark.parametrize("method", [penalty_method, augmented_lagrangian])
def test_constrained_methods_reach_the_lagrange_solution(method):
    f, grad, g, grad_g = lagrange_example()
    tr = method(f, grad, g, grad_g, [2.0, -3.0], ctol=1e-7, max_outer=20)
    assert tr.converged, tr.message
    # The violation |x1 + x2 - 1| <= ctol = 1e-7 bounds the error along the normal, the inner
    # solve the rest: measured 5e-8 in x (20x inside 1e-6), 1e-7 in lambda (100x inside 1e-5),
    # 1e-9 in the KKT residual (1e4x). All far above the 1e-16 rounding of O(1) values.
    np.testing.assert_allclose(tr.x, [0.5, 0.5], atol=1e-6)
    assert tr.lam == pytest.approx(-1.0, abs=1e-5)
    # KKT: grad f + lam grad g = 0 at the solution.
    np.testing.assert_allclose(grad(tr.x) + tr.lam * grad_g(tr.x), 0.0, atol=1e-5)


def test_penalty_violation_shrinks_like_one_over_mu():
    f, grad, g, grad_g = lagrange_example()
    tr = penalty_method(f, grad, g, grad_g, [0.0, 0.0], mu0=1.0, growth=10.0, ctol=1e-9,
                        max_outer=12)
    # Exact: x_mu = mu / (2 (1 + mu)) per coordinate, violation 1 / (1 + mu). The inner solves
    # stop on their gradient tolerance, which leaves a relative error measured <= 2.7e-8:
    # 40x inside rtol 1e-6.
    np.testing.assert_allclose(tr.violations[1:], 1 / (1 + tr.mus[:-1]), rtol=1e-6)


def test_augmented_lagrangian_converges_with_a_fixed_penalty():
    f, grad, g, grad_g = lagrange_example()
    tr = augmented_lagrangian(f, grad, g, grad_g, [0.0, 0.0], mu0=2.0)
    assert tr.converged and np.all(tr.mus == 2.0)
    # The multiplier error contracts by the constant factor 1 / (1 + mu) per outer step.
    err = np.abs(tr.lams[:, 0] + 1.0)
    # The first five errors (1 down to 4e-3) are far above the inner-solve accuracy, so the
    # ratios equal 1/3 up to ~1e-13 (measured 5e-14): rtol 1e-4 leaves 9 orders.
    ratios = err[1:6] / err[:5]
    np.testing.assert_allclose(ratios, 1 / 3, rtol=1e-4)


def test_several_constraints_return_a_multiplier_vector():
    # min ||x||^2 s.t. x1 + x2 = 1, x2 + x3 = 1:  x* = (1/3, 2/3, 1/3), lam* = (-2/3, -2/3).
    A = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
    tr = augmented_lagrangian(lambda x: x @ x, lambda x: 2 * x, lambda x: A @ x - 1.0,
                              lambda x: A, np.zeros(3))
    assert tr.converged, tr.message
    # Default ctol (violation <= 1e-8) and inner_tol 1e-9: measured errors 2.5e-9 in both
    # x and lambda, 40x and 400x inside the bounds.
    np.testing.assert_allclose(tr.x, [1 / 3, 2 / 3, 1 / 3], atol=1e-7)
    np.testing.assert_allclose(tr.lam, [-2 / 3, -2 / 3], atol=1e-6)


@pytest.mark.parametrize("method", [penalty_method, augmented_lagrangian])
def test_constraint_spellings_c_jac_c_and_the_old_g_grad_g_give_the_same_run(method):
    """``c``/``jac_c`` are the names of the constraint and its Jacobian; the old ``g``/
    ``grad_g`` (``g`` is the gradient elsewhere) are still accepted, silently."""
    f, grad, c, jac_c = lagrange_example()
    x0 = [2.0, -3.0]
    positional = method(f, grad, c, jac_c, x0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        runs = [method(f, grad, c=c, jac_c=jac_c, x0=x0), method(f, grad, g=c, grad_g=jac_c, x0=x0),
                method(f, grad, x0=x0, c=c, grad_g=jac_c)]
    for tr in runs:
        np.testing.assert_array_equal(tr.xs, positional.xs)
        assert tr.message == positional.message and tr.lam == positional.lam
    # the other way round: a wrong constant fails the comparison
    other = method(f, grad, lambda x: c(x) + 0.5, jac_c, x0)
    assert not np.allclose(other.x, positional.x)


@pytest.mark.parametrize("method", [penalty_method, augmented_lagrangian])
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"c": len, "g": len, "jac_c": len}, "c or its old name g, not both"),
        ({"c": len, "jac_c": len, "grad_g": len}, "jac_c or its old name grad_g, not both"),
        ({"jac_c": len}, "missing the argument c"),
        ({"c": len}, "missing the argument jac_c"),
    ],
)
def test_constraint_spellings_bad_combinations(method, kwargs, match):
    f, grad, _, _ = lagrange_example()
    with pytest.raises(TypeError, match=match):
        method(f, grad, x0=[0.0, 0.0], **kwargs)
    c, jac_c = (lambda x: x[0] - 1.0), (lambda x: np.ones(2))
    with pytest.raises(TypeError, match="missing the argument x0"):
        method(f, grad, c, jac_c)


def test_constraint_messages_use_the_callers_spelling():
    f, grad, c, _ = lagrange_example()
    with pytest.raises(ValueError, match=r"^jac_c\(x\) must return"):
        penalty_method(f, grad, c, lambda x: np.ones((1, 3)), [0.0, 0.0])
    with pytest.raises(ValueError, match=r"^grad_g\(x\) must return"):
        penalty_method(f, grad, g=c, grad_g=lambda x: np.ones((1, 3)), x0=[0.0, 0.0])
