"""Properties of the strong-Wolfe line search behind BFGS and L-BFGS (issue 10).

Near a minimizer the decrease of f along the search direction falls below the round-off of f,
and a search that compares function values only fails there ("the Wolfe bracket collapsed")
although the point is as good as floating point allows. These tests run both methods on many
problems down to tolerances at and below the floating-point floor of the gradient, and check
that no run fails, that a "converged to machine precision" stop is honest, and that a
curvature pair is skipped only when the curvature condition really fails.

The cases are drawn from seeded generators (no Hypothesis: the same 50 seeds on every run), so
the file is deterministic; it takes about 15 s on a quiet 2-core machine.
"""

from __future__ import annotations

import numpy as np
import pytest

import helpers
from helpers import bfgs, lbfgs
from helpers.optim.driver import EarlyStop, Oracle
from helpers.optim.linesearch import ROUNDOFF, wolfe

EPS = np.finfo(float).eps
C2 = 0.9  # the curvature constant of bfgs and lbfgs (their default)
METHODS = {"bfgs": bfgs, "lbfgs": lbfgs}


def random_quadratic(kappa, n, seed):
    """f = x^T A x / 2 - b^T x, eigenvalues geometrically spread in [1, kappa], random basis."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = (Q * np.geomspace(1.0, kappa, n)) @ Q.T
    A = 0.5 * (A + A.T)
    b = rng.standard_normal(n)
    return helpers.quadratic(A, b), A, b, rng.standard_normal(n)


def quadratic_case(seed):
    """(kappa, n, tol) for seed 0..49: the four corners first, then log-uniform draws."""
    corners = [(1.0, 2, 1e-12), (1e6, 50, 1e-12), (1e6, 2, 1e-12), (1.0, 50, 1e-12)]
    if seed < len(corners):
        return corners[seed]
    rng = np.random.default_rng(1000 + seed)
    return 10 ** rng.uniform(0, 6), int(rng.integers(2, 51)), 10 ** rng.uniform(-12, -4)


def gradient_floor(A, b):
    """Size of the rounding error of grad f = A x - b at the minimizer: eps (||A|| ||x*|| + ||b||).

    No floating-point x has a computed gradient much below this, whatever the method.
    """
    x_star = np.linalg.solve(A, b)
    return EPS * (np.linalg.norm(A, 2) * np.linalg.norm(x_star) + np.linalg.norm(b))


def check_curvature_pairs(tr, grad):
    """Every step meeting the strong Wolfe curvature condition gives a stored pair (s, y).

    Recomputes the pairs from the path, with the gradient called on one point at a time as the
    optimizer does (a batched call may round differently), and checks that ``n_skipped`` counts
    exactly the pairs that fail the check ``s.y > 1e-10 |s| |y|`` of helpers.optimizers.
    """
    G = np.array([grad(x) for x in tr.xs])
    rejected = 0
    for k in range(tr.n_iter - 1):  # the pair of the last step is never used
        s, y = tr.xs[k + 1] - tr.xs[k], G[k + 1] - G[k]
        stored = s @ y > 1e-10 * np.linalg.norm(s) * np.linalg.norm(y)
        if abs(G[k + 1] @ s) <= C2 * abs(G[k] @ s):  # a Wolfe step: s.y >= (1 - c2)|g.s| > 0
            assert stored, f"step {k} met the curvature condition but its pair was rejected"
        rejected += not stored
    assert tr.n_skipped == rejected


def check_f_never_rises_above_roundoff(tr):
    # Armijo steps decrease f; steps taken below round-off may raise it by at most ROUNDOFF|f|.
    rise = np.diff(tr.fs) - ROUNDOFF * np.abs(tr.fs[:-1])
    assert np.all(rise <= 0), rise.max()


@pytest.mark.parametrize("name", list(METHODS))
@pytest.mark.parametrize("seed", range(50))
def test_quasi_newton_on_random_quadratics_never_fails(name, seed):
    kappa, n, tol = quadratic_case(seed)
    p, A, b, x0 = random_quadratic(kappa, n, seed)
    tr = METHODS[name](p.f, p.grad, x0, tol=tol, maxiter=2000)
    assert not tr.message.startswith("line search"), tr.message
    if name == "lbfgs" and kappa > 1e4 and not tr.converged:
        # L-BFGS (m = 10) needs of the order of sqrt(kappa) iterations per digit, like
        # conjugate gradients: 2000 iterations are not always enough for kappa = 1e6. Running
        # out of iterations is the method's rate, not a failure of the line search.
        assert tr.message.startswith("maxiter"), tr.message
    else:
        assert tr.converged, tr.message
    if "machine precision" in tr.message:
        # The stop says the gradient is round-off. It changed by > 10% of its norm between x
        # and a point 4 ulps away; a smooth gradient changes there by 4 eps ||A|| ||x||, and its
        # rounding error is at most about n eps (||A|| ||x|| + ||b||) with n <= 50, so at the
        # stop ||g|| < 10 * (4 + 2 * 50) * floor ~ 1e3 floor. Measured: at most 9 floors.
        assert tr.grad_norm <= 1e3 * gradient_floor(A, b), tr.message
    elif tr.converged:
        assert tr.grad_norm <= tol
    check_curvature_pairs(tr, p.grad)
    check_f_never_rises_above_roundoff(tr)


def scattered_starts(problem, box, count=10, seed=0):
    rng = np.random.default_rng(seed)
    return [(problem, x0) for x0 in rng.uniform(*box, size=(count, 2))]


# Rosenbrock around its valley; Beale in the basin of its minimizer (3, 0.5): from x < 0.5 or
# near the line y = 1 the iterates follow a valley to infinity, where f tends to a constant.
STARTS = (scattered_starts(helpers.rosenbrock(), ([-2.0, -1.0], [2.0, 3.0]))
          + scattered_starts(helpers.beale(), ([0.5, -1.0], [4.5, 0.8]), seed=1))


@pytest.mark.parametrize("name", list(METHODS))
@pytest.mark.parametrize("case", range(len(STARTS)))
def test_quasi_newton_on_rosenbrock_and_beale_from_scattered_starts(name, case):
    p, x0 = STARTS[case]
    tr = METHODS[name](p.f, p.grad, x0, tol=1e-10)
    assert tr.converged, tr.message
    check_curvature_pairs(tr, p.grad)
    check_f_never_rises_above_roundoff(tr)
    # Near a minimizer x* with Hessian H*, ||x - x*|| <= ||g|| / lambda_min(H*) to first order;
    # a factor 2 covers the second-order term at ||g|| <= 1e-10 (both Hessians are smooth).
    x_star = np.atleast_2d(p.minimizers)[0]
    mu = np.linalg.eigvalsh(p.hess(x_star)).min()
    assert np.linalg.norm(tr.x - x_star) <= 2 * max(tr.grad_norm, EPS) / mu


# ---------------------------------------------------------------- the reported case and its limits
@pytest.mark.parametrize("name", list(METHODS))
def test_tol_zero_ends_converged_to_machine_precision_in_a_few_iterations(name):
    p, A, b, x0 = random_quadratic(10.0, 4, seed=0)
    tr = METHODS[name](p.f, p.grad, x0, tol=0.0)
    assert tr.converged and tr.message.startswith("converged to machine precision"), tr.message
    assert tr.n_iter < 60  # superlinear convergence, then at most a few stall windows
    assert tr.grad_norm <= 1e3 * gradient_floor(A, b)


def test_wolfe_below_the_roundoff_of_f_finds_a_step_from_the_derivative():
    # f = 1 + |x|^2 / 2 at |x| ~ 1e-9: f - 1 ~ 1e-18 is far below the round-off of f (1e-16),
    # so function values cannot show any decrease; the directional derivative still can.
    x = np.array([1e-9, -2e-9])
    oracle = Oracle(lambda z: 1.0 + 0.5 * z @ z, lambda z: z.copy())
    g = oracle.grad(x)
    for alpha0 in (1.0, 0.3, 3.0, 50.0):
        alpha = wolfe(oracle, x, oracle.f(x), g, -g, alpha0)
        # phi'(a) = -(1 - a)|g|^2, so the strong Wolfe curvature condition is |1 - a| <= c2.
        assert abs(1 - alpha) <= C2, (alpha0, alpha)


def test_a_wrong_gradient_still_fails_and_is_not_called_converged():
    # The gradient of |x|^2 with the wrong sign: every direction it proposes goes uphill, which
    # f shows far above round-off. That must stay a failure, never "machine precision".
    for method in METHODS.values():
        tr = method(lambda x: x @ x, lambda x: -2 * x, [1.0, 2.0])
        assert not tr.converged
        assert tr.message.startswith("line search failed"), tr.message


def test_wolfe_rejects_an_ascent_direction():
    oracle = Oracle(lambda z: z @ z, lambda z: 2 * z)
    x = np.array([1.0, 1.0])
    with pytest.raises(EarlyStop, match="not a descent direction"):
        wolfe(oracle, x, oracle.f(x), oracle.grad(x), oracle.grad(x))
