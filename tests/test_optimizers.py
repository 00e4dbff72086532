"""The reference optimizers against theory (issue 3): each test measures, then compares.

Rates are measured from the iterates (a least-squares fit of log ||x_k - x*|| over the tail,
``helpers.optim.asymptotic_rate``) and compared with the textbook formula.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.optimize

import helpers
from helpers import (
    adam,
    adamw,
    amsgrad,
    bfgs,
    exp_sum,
    gradient_descent,
    lbfgs,
    momentum,
    nesterov,
    newton,
    rosenbrock,
)
from helpers.optim.rates import asymptotic_rate


def rotated_quadratic(mu, L, n=10, seed=0):
    """A quadratic with eigenvalues evenly spread in [mu, L] in a random orthonormal basis."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = Q @ np.diag(np.linspace(mu, L, n)) @ Q.T
    A = 0.5 * (A + A.T)
    problem = helpers.quadratic(A, rng.standard_normal(n))
    x_star = np.linalg.solve(A, problem.grad(np.zeros(n)) * -1)
    return problem, x_star, rng.standard_normal(n)


def errors(trace, x_star):
    return np.linalg.norm(trace.xs - x_star, axis=1)


# ---------------------------------------------------------------- gradient descent: rates
@pytest.mark.parametrize("kappa", [10.0, 100.0])
def test_gd_with_lr_one_over_L_contracts_by_at_most_one_minus_mu_over_L(kappa):
    mu, L = 1.0, kappa
    p, x_star, x0 = rotated_quadratic(mu, L)
    tr = gradient_descent(p.f, p.grad, x0, lr=1 / L, tol=1e-10, maxiter=50_000)
    assert tr.converged, tr.message
    e = errors(tr, x_star)
    # One step x - (A x - b) / L rounds to about 3 eps ||x*||; for errors above 1e-6 e_0 that
    # is < 1e-9 of e, so the exact bound ||I - A/L|| = 1 - mu/L holds up to a factor 1 + 1e-8
    # with margin (measured excess: 2e-11).
    above_roundoff = e[1:] > 1e-6 * e[0]
    ratios = e[1:][above_roundoff] / e[:-1][above_roundoff]
    assert ratios.max() <= (1 - mu / L) * (1 + 1e-8)
    # ... and the bound is attained asymptotically (the slowest eigendirection). The tail fit
    # sees only that mode, the next one decays (1 - 2 mu / L) / (1 - mu / L) times faster per
    # step: measured relative error 1e-8, far inside 1e-3.
    assert asymptotic_rate(tr, x_star) == pytest.approx(1 - mu / L, rel=1e-3)


@pytest.mark.parametrize("kappa", [10.0, 100.0, 300.0])
def test_gd_with_optimal_lr_has_rate_kappa_minus_one_over_kappa_plus_one(kappa):
    mu, L = 1.0, kappa
    p, x_star, x0 = rotated_quadratic(mu, L)
    tr = gradient_descent(p.f, p.grad, x0, lr=2 / (mu + L), tol=1e-10, maxiter=100_000)
    assert tr.converged, tr.message
    # The extreme modes both contract by (kappa-1)/(kappa+1): measured relative error <= 4e-8
    # (exact arithmetic, fit over errors far above round-off), so 5% is a wide margin.
    assert asymptotic_rate(tr, x_star) == pytest.approx((kappa - 1) / (kappa + 1), rel=0.05)


@pytest.mark.parametrize("kappa", [100.0, 1000.0])
def test_heavy_ball_with_polyak_tuning_has_rate_sqrt_kappa(kappa):
    mu, L = 1.0, kappa
    sk = np.sqrt(kappa)
    p, x_star, x0 = rotated_quadratic(mu, L)
    tr = momentum(p.f, p.grad, x0, lr=4 / (np.sqrt(L) + np.sqrt(mu)) ** 2,
                  beta=((sk - 1) / (sk + 1)) ** 2, tol=1e-10, maxiter=100_000)
    assert tr.converged, tr.message
    # With Polyak's tuning the extreme modes have a double root, so e_k ~ k r^k and a finite
    # fit overestimates r by about 1/k: measured 1.0% (kappa = 100), 0.3% (1000); 5% leaves 5x.
    # The bias is a property of the exact iteration, not of rounding (errors >> eps).
    assert asymptotic_rate(tr, x_star) == pytest.approx((sk - 1) / (sk + 1), rel=0.05)


@pytest.mark.parametrize("kappa", [100.0, 1000.0])
def test_nesterov_rate_is_one_minus_one_over_sqrt_kappa(kappa):
    # With lr = 1/L and beta = (sqrt(kappa)-1)/(sqrt(kappa)+1) the slowest mode has the double
    # root 1 - 1/sqrt(kappa) of z^2 - (1+beta)(1-1/kappa) z + beta (1-1/kappa).
    sk = np.sqrt(kappa)
    p, x_star, x0 = rotated_quadratic(1.0, kappa)
    tr = nesterov(p.f, p.grad, x0, lr=1 / kappa, beta=(sk - 1) / (sk + 1), tol=1e-10,
                  maxiter=100_000)
    assert tr.converged, tr.message
    # Double root again (see the heavy-ball test): measured bias 0.6% / 0.2%, bound 5%.
    assert asymptotic_rate(tr, x_star) == pytest.approx(1 - 1 / sk, rel=0.05)


@pytest.mark.parametrize("kappa", [100.0, 400.0])
def test_nesterov_needs_about_sqrt_kappa_times_fewer_iterations_than_gd(kappa):
    mu, L = 1.0, kappa
    sk = np.sqrt(kappa)
    p, _, x0 = rotated_quadratic(mu, L)
    gd = gradient_descent(p.f, p.grad, x0, lr=1 / L, tol=1e-8, maxiter=100_000)
    nag = nesterov(p.f, p.grad, x0, lr=1 / L, beta=(sk - 1) / (sk + 1), tol=1e-8,
                   maxiter=100_000)
    assert gd.converged and nag.converged
    speedup = gd.n_iter / nag.n_iter
    # Measured 0.90 sqrt(kappa) (kappa = 100) and 0.88 sqrt(kappa) (400). Iteration counts of
    # ~10^3 can move by one or two between CPUs when an error crosses tol by a rounding, which
    # changes the ratio by < 1%; the band [0.75, 1.33] leaves more than 10%.
    assert 0.75 * sk <= speedup <= 1.33 * sk, f"speedup {speedup:.1f} vs sqrt(kappa) {sk:.1f}"


def test_momentum_is_polyaks_heavy_ball_recursion():
    p, _, x0 = rotated_quadratic(1.0, 50.0, n=4)
    lr, beta = 0.02, 0.7
    tr = momentum(p.f, p.grad, x0, lr=lr, beta=beta, tol=0, maxiter=30)
    x_prev, x = x0, x0 - lr * p.grad(x0)
    expected = [x0, x]
    for _ in range(29):
        x_prev, x = x, x - lr * p.grad(x) + beta * (x - x_prev)
        expected.append(x)
    # Two algebraically equal recursions rounded differently: ~eps ||x|| per step, and the
    # iteration is contracting, so after 30 steps the paths differ by ~1e-14 << 1e-12.
    np.testing.assert_allclose(tr.xs, expected, rtol=1e-12, atol=1e-12)


def test_nesterov_iterates_are_the_look_ahead_points_of_the_textbook_form():
    # Textbook: y_k = x_k + beta (x_k - x_{k-1}),  x_{k+1} = y_k - lr grad(y_k),  x_{-1} = x_0.
    p, _, x0 = rotated_quadratic(1.0, 50.0, n=4)
    lr, beta = 0.02, 0.7
    tr = nesterov(p.f, p.grad, x0, lr=lr, beta=beta, tol=0, maxiter=30)
    x_prev, x = x0, x0
    ys = []
    for _ in range(31):
        y = x + beta * (x - x_prev)
        ys.append(y)
        x_prev, x = x, y - lr * p.grad(y)
    # Our k-th iterate is the textbook look-ahead point y_k (equal recursions, rounded
    # differently: ~1e-14 after 31 contracting steps, 1e-10 relative is 4 orders above).
    np.testing.assert_allclose(tr.xs, ys, rtol=1e-10, atol=1e-12)
    # ... which is not the heavy-ball path with the same parameters (they differ by 0.5,
    # an O(lr beta ||g||) difference of the exact methods, 500x above 1e-3).
    hb = momentum(p.f, p.grad, x0, lr=lr, beta=beta, tol=0, maxiter=30)
    assert np.abs(hb.xs - tr.xs).max() > 1e-3


# ---------------------------------------------------------------- divergence
def test_gd_with_lr_above_two_over_L_diverges_with_a_message_and_no_warnings():
    mu, L = 1.0, 10.0
    p, _, x0 = rotated_quadratic(mu, L)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = gradient_descent(p.f, p.grad, x0, lr=2.05 / L, maxiter=100_000)
    assert not tr.converged
    assert tr.message.startswith("diverged at iteration")
    assert tr.n_iter < 100_000
    assert np.all(np.isfinite(tr.xs))
    # The error grows by |1 - lr L| = 1.05 per step, as the theory predicts: the fit over
    # errors in [1e-9, 1e-2] (far above round-off, below overflow) is within 4e-7 of it; 1%.
    assert asymptotic_rate(tr.xs[::-1], np.zeros(10), lo=1e-9, hi=1e-2) == pytest.approx(
        1 / 1.05, rel=0.01)


def test_gd_just_below_two_over_L_still_converges():
    p, x_star, x0 = rotated_quadratic(1.0, 10.0)
    tr = gradient_descent(p.f, p.grad, x0, lr=1.95 / 10.0, maxiter=100_000)
    assert tr.converged, tr.message


def test_overflow_inside_f_is_reported_not_warned():
    # f overflows to inf long before x itself is large.
    f = lambda x: np.exp(np.sum(x**2))  # noqa: E731
    grad = lambda x: 2 * x * np.exp(np.sum(x**2))  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = gradient_descent(f, grad, [1.0, 1.0], lr=1.0, maxiter=100)
    assert "diverged" in tr.message and not tr.converged


# ---------------------------------------------------------------- line searches
def test_exact_line_search_on_a_quadratic_minimizes_along_each_gradient():
    p, x_star, x0 = rotated_quadratic(1.0, 20.0, n=5)
    tr = gradient_descent(p.f, p.grad, x0, line_search="exact_quadratic", tol=1e-8)
    assert tr.converged
    g = np.array([p.grad(x) for x in tr.xs])
    # Exact steps make consecutive gradients orthogonal. A computed gradient carries a rounding
    # error ~ eps (||A|| ||x|| + ||b||) ~ 1e-14, which near tol = 1e-8 is 1e-6 of g itself;
    # where ||g|| >= 1e-4 ||g_0|| it is below 1e-10 of g: measured cos <= 1.3e-13 there.
    big = np.linalg.norm(g, axis=1) >= 1e-4 * np.linalg.norm(g[0])
    pairs = big[1:] & big[:-1]
    assert pairs.sum() >= 5
    cos = np.sum(g[1:] * g[:-1], axis=1) / np.linalg.norm(g[1:], axis=1) / np.linalg.norm(
        g[:-1], axis=1)
    assert np.max(np.abs(cos[pairs])) < 1e-6
    # The analytic step g^T g / g^T A g, with A given explicitly, gives the same path. The two
    # steps differ by the rounding of A g (relative ~1e-15 early, ~1e-7 where g ~ 1e-8, which
    # moves x by ~1e-7 * 1e-8); measured 2e-16, far under rtol 1e-6 / atol 1e-9.
    tr_h = gradient_descent(p.f, p.grad, x0, line_search="exact_quadratic", tol=1e-8,
                            hess=p.hess)
    np.testing.assert_allclose(tr_h.xs, tr.xs, rtol=1e-6, atol=1e-9)


def test_backtracking_gd_decreases_f_monotonically_on_rosenbrock():
    p = rosenbrock()
    tr = gradient_descent(p.f, p.grad, p.x0, lr=1.0, line_search="backtracking", maxiter=500)
    # Exact: an accepted step has f_new <= f + c1 eta g.d < f (the Armijo test itself).
    assert np.all(np.diff(tr.fs) <= 0)
    assert tr.fs[-1] < 0.1 * tr.fs[0]  # measured 8e-5 of f_0: three orders of margin
    assert np.all(tr.steps <= 1.0) and np.all(tr.steps > 0)


def test_schedule_is_applied_per_iteration():
    p, _, x0 = rotated_quadratic(1.0, 5.0, n=3)
    sched = helpers.step_decay(0.1, drop=0.5, every=3)
    tr = gradient_descent(p.f, p.grad, x0, schedule=sched, tol=0, maxiter=7)
    # The same floating-point operations on both sides: equal, the default rtol 1e-7 is slack.
    np.testing.assert_allclose(tr.steps, sched(np.arange(7)))
    np.testing.assert_allclose(tr.xs[1], x0 - 0.1 * p.grad(x0))


# ---------------------------------------------------------------- Newton family
def test_newton_takes_exactly_one_step_on_any_quadratic():
    rng = np.random.default_rng(3)
    for n in (2, 5, 20):
        M = rng.standard_normal((n, n))
        A = M @ M.T + 0.1 * np.eye(n)
        b = rng.standard_normal(n)
        p = helpers.quadratic(A, b)
        tr = newton(p.f, p.grad, p.hess, rng.standard_normal(n) * 10, tol=1e-8)
        assert tr.n_iter == 1 and tr.converged
        # A backward-stable solve: error ~ cond(A) eps ||x0|| <= 500 * 2e-16 * 30 ~ 3e-12 (the
        # cond(A) of these seeds is <= 515); measured <= 1e-5 of the tolerance.
        np.testing.assert_allclose(tr.x, np.linalg.solve(A, b), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("x0", [(-1.0, 1.0), (-1.0, -1.0), (0.0, 2.0)])
def test_newton_on_exp_sum_doubles_the_correct_digits_near_the_solution(x0):
    p = exp_sum()
    # Independent reference: scipy's root finder on the gradient.
    x_star = scipy.optimize.root(p.grad, p.minimizers[0], jac=p.hess, tol=1e-15).x
    tr = newton(p.f, p.grad, p.hess, x0, tol=1e-13)
    assert tr.converged, tr.message
    e = errors(tr, x_star)
    # Theory (Nocedal & Wright, Thm 3.5): e_{k+1} <= L_H / (2 mu_k) e_k^2, with L_H a Lipschitz
    # constant of the Hessian near x* and mu_k >= mu - L_H e_k the smallest eigenvalue of
    # H(x_k). L_H is estimated from Hessian differences over pairs of points within 0.1 of x*.
    # On exp_sum this gives C ~ 4.2 while the measured ratios e_{k+1} / e_k^2 are <= 0.96.
    rng = np.random.default_rng(0)
    a, b = x_star + 0.1 * rng.uniform(-1, 1, (2, 2000, 2))
    L_H = np.max(np.linalg.norm(p.hess(a) - p.hess(b), ord=2, axis=(1, 2))
                 / np.linalg.norm(a - b, axis=1))
    mu = np.linalg.eigvalsh(p.hess(x_star)).min()
    C = L_H / (2 * (mu - 0.1 * L_H))
    # Close to x*, and e_{k+1} above 1e-14 = 100 eps ||x*|| (round-off of x* and of x_k).
    near = (e[:-1] < 1e-1) & (e[1:] > 1e-14)
    assert near.sum() >= 2
    assert np.all(e[1:][near] <= C * e[:-1][near] ** 2), (e, C)
    # ... so the correct digits roughly double: -log10 e_{k+1} >= 2 (-log10 e_k) - log10 C.
    assert C < 10


def test_damped_newton_falls_back_when_the_hessian_is_indefinite():
    p = helpers.himmelblau()
    x0 = np.array([0.0, 0.0])  # the Hessian of Himmelblau's function is indefinite here
    assert np.linalg.eigvalsh(p.hess(x0)).min() < 0
    tr = newton(p.f, p.grad, p.hess, x0, damped=True)
    assert tr.converged, tr.message
    assert "not positive definite" in tr.message and tr.n_modified >= 1
    assert np.all(np.diff(tr.fs) <= 0)  # exact: Armijo steps
    # At ||g|| <= tol = 1e-4 the error is ~ ||g|| / lambda_min(H*) ~ 1e-5 at most; measured
    # 2e-6 (the last Newton step overshoots tol), so 1e-4 holds with margin.
    assert np.min(np.linalg.norm(p.minimizers - tr.x, axis=1)) < 1e-4
    # Pure Newton from the same point is attracted by a stationary point that is not a minimum.
    pure = newton(p.f, p.grad, p.hess, x0)
    # Measured distance 3.96 (it lands on a saddle or maximum): 0.1 is far below.
    assert np.min(np.linalg.norm(p.minimizers - pure.x, axis=1)) > 0.1


def test_pure_newton_reports_a_singular_hessian():
    tr = newton(lambda x: x[0] ** 4, lambda x: np.array([4 * x[0] ** 3, 0.0]),
                lambda x: np.array([[12 * x[0] ** 2, 0.0], [0.0, 0.0]]), [1.0, 1.0])
    assert not tr.converged and "singular" in tr.message


def test_newton_never_calls_inv(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("np.linalg.inv must not be used")

    monkeypatch.setattr(np.linalg, "inv", forbidden)
    p = rosenbrock()
    assert newton(p.f, p.grad, p.hess, p.x0, damped=True).converged


def test_gauss_newton_fits_an_exponential_with_quadratic_convergence():
    t = np.linspace(0, 2, 30)
    y = 3.0 * np.exp(-0.7 * t)  # zero residual at (3, -0.7)

    def r(p):
        return p[0] * np.exp(p[1] * t) - y

    def J(p):
        return np.stack([np.exp(p[1] * t), p[0] * t * np.exp(p[1] * t)], axis=1)

    tr = helpers.gauss_newton(r, J, [1.0, 0.0], tol=1e-12)
    assert tr.converged, tr.message
    e = errors(tr, [3.0, -0.7])
    # Zero residual: e_{k+1} <= C e_k^2; measured C = 0.37, so 10 leaves a factor 27. Only
    # errors above 1e-13 (~ 500 eps ||x*||, above the round-off of the solve) are compared.
    near = (e[:-1] < 1e-2) & (e[1:] > 1e-13)
    assert near.any()
    assert np.all(e[1:][near] <= 10 * e[:-1][near] ** 2)
    assert tr.n_gev == tr.n_iter + 1


def test_gauss_newton_solves_linear_least_squares_in_one_step():
    rng = np.random.default_rng(1)
    A, b = rng.standard_normal((50, 3)), rng.standard_normal(50)
    tr = helpers.gauss_newton(lambda x: A @ x - b, lambda x: A, np.zeros(3), tol=1e-9)
    assert tr.n_iter == 1
    # One lstsq solve from x = 0 on both sides: the same LAPACK call up to the sign of the
    # right-hand side (measured difference 0); the error bound cond(A) eps ||x|| ~ 1e-15 is
    # what a different BLAS could change, 5 orders below atol 1e-10.
    np.testing.assert_allclose(tr.x, np.linalg.lstsq(A, b, rcond=None)[0], atol=1e-10)


# ---------------------------------------------------------------- quasi-Newton vs scipy
def test_bfgs_on_rosenbrock_matches_scipy_iteration_count_within_1_5x():
    p = rosenbrock()
    x0 = np.array([-1.2, 1.0])
    ref = scipy.optimize.minimize(p.f, x0, jac=p.grad, method="BFGS", options={"gtol": 1e-5})
    tr = bfgs(p.f, p.grad, x0, tol=1e-5)
    assert ref.success and tr.converged, tr.message
    # ||x - x*|| <= ||g|| / lambda_min(H*) = 1e-5 / 0.4 to first order: 4x inside 1e-4.
    np.testing.assert_allclose(tr.x, [1.0, 1.0], atol=1e-4)
    # Measured 36 vs 32 iterations (ratio 1.13); a rounding-level change of a line-search
    # decision changes a count by one or two, far inside the factor 1.5.
    assert ref.nit / 1.5 <= tr.n_iter <= 1.5 * ref.nit, (tr.n_iter, ref.nit)


def test_lbfgs_on_rosenbrock_matches_scipy_lbfgsb_within_1_5x():
    p = rosenbrock()
    x0 = np.array([-1.2, 1.0])
    ref = scipy.optimize.minimize(p.f, x0, jac=p.grad, method="L-BFGS-B",
                                  options={"gtol": 1e-5})
    tr = lbfgs(p.f, p.grad, x0, tol=1e-5)
    assert tr.converged, tr.message
    np.testing.assert_allclose(tr.x, [1.0, 1.0], atol=1e-4)  # as for BFGS above
    # Measured 36 vs 36 iterations; same reasoning as for BFGS.
    assert ref.nit / 1.5 <= tr.n_iter <= 1.5 * ref.nit, (tr.n_iter, ref.nit)


def test_bfgs_inverse_hessian_satisfies_the_secant_equation_and_stays_positive_definite():
    p, x_star, x0 = rotated_quadratic(1.0, 10.0, n=4)
    tr = bfgs(p.f, p.grad, x0, tol=1e-10)
    assert tr.converged and tr.n_skipped == 0
    # The H returned was built from the last pair (s, y) before the final step: H y = s.
    s = tr.xs[-2] - tr.xs[-3]
    y = p.grad(tr.xs[-2]) - p.grad(tr.xs[-3])
    # H y = s is exact for the BFGS formula; rounding gives ~ n cond(H) eps ||s|| ~ 1e-14 ||s||
    # (cond(H) ~ kappa = 10), and y is recomputed with the same pointwise calls as the run.
    # Measured |H y - s| ~ 1e-23 with ||s|| ~ 4e-8: rtol 1e-8 leaves 6 orders.
    np.testing.assert_allclose(tr.H @ y, s, rtol=1e-8, atol=1e-14)
    # V H V^T + rho s s^T is symmetric up to rounding ~ eps ||H|| ~ 1e-16 (measured 8e-17).
    np.testing.assert_allclose(tr.H, tr.H.T, atol=1e-12)
    assert np.linalg.eigvalsh(tr.H).min() > 0  # measured 0.10, far from 0


def test_lbfgs_memory_one_is_still_a_descent_method():
    p, x_star, x0 = rotated_quadratic(1.0, 100.0, n=30)
    tr = lbfgs(p.f, p.grad, x0, m=1, tol=1e-6, maxiter=5000)
    assert tr.converged
    # Wolfe steps decrease f; on a quadratic even the steps taken below the round-off of f
    # (approximate Wolfe) decrease the exact f, so only its rounding (~ 10 eps |f| ~ 5e-15,
    # measured: no rise at all) can show: 1e-12 is 200x above that.
    assert np.all(np.diff(tr.fs) <= 1e-12)


# ---------------------------------------------------------------- adaptive methods
def test_adam_first_step_has_length_lr_in_every_coordinate():
    scales = np.array([1e-3, 1.0, -1e3, 50.0])
    lr = 0.05
    tr = adam(lambda x: 0.5 * np.sum(scales * x**2), lambda x: scales * x, np.ones(4), lr=lr,
              maxiter=1, tol=0)
    step = tr.xs[1] - tr.xs[0]
    # |step| = lr |g| / (|g| + eps_adam): short of lr by eps_adam / |g| <= 1e-8 / 1e-3 = 1e-5
    # for the smallest scale (exact arithmetic), 10x inside rtol 1e-4.
    np.testing.assert_allclose(np.abs(step), lr, rtol=1e-4)
    np.testing.assert_array_equal(np.sign(step), -np.sign(scales))


@pytest.mark.parametrize("method", [adam, amsgrad])
def test_without_bias_correction_the_first_step_would_be_ten_times_smaller(method):
    # Guard for the bias correction itself: (1 - beta1) g / sqrt((1 - beta2) g^2) = 0.1/0.0316.
    tr = method(lambda x: x @ x, lambda x: 2 * x, [3.0], lr=0.1, maxiter=1, tol=0)
    # The step is lr |g| / (|g| + 1e-8) with |g| = 6: 2e-9 short of lr, 500x inside 1e-6.
    assert abs(tr.xs[1, 0] - tr.xs[0, 0]) == pytest.approx(0.1, rel=1e-6)


def test_adamw_with_zero_weight_decay_equals_adam():
    p = rosenbrock()
    a = adam(p.f, p.grad, p.x0, lr=0.02, maxiter=300)
    w = adamw(p.f, p.grad, p.x0, lr=0.02, weight_decay=0.0, maxiter=300)
    np.testing.assert_array_equal(a.xs, w.xs)


def test_adamw_decay_is_decoupled_from_the_adaptive_scaling():
    lr, wd = 0.1, 0.5
    x0 = np.array([2.0, -4.0])
    grad = lambda x: np.array([1e-3, 1e3]) * x  # noqa: E731
    w = adamw(lambda x: 0.0, grad, x0, lr=lr, weight_decay=wd, maxiter=1, tol=0)
    # The decay term is lr * wd * x, untouched by the 1/sqrt(v) scaling. The first Adam step is
    # lr g / (|g| + eps) exactly (bias correction), so with eps included the two sides are the
    # same few operations: equal up to ~eps, and rtol 1e-12 still leaves 4 orders. (Writing
    # sign(g) for g / (|g| + eps) would be off by 5e-6 relative in the 2e-3 entry.)
    g = grad(x0)
    np.testing.assert_allclose(w.xs[1], x0 - lr * g / (np.abs(g) + 1e-8) - lr * wd * x0,
                               rtol=1e-12)


def test_amsgrad_second_moment_never_decreases_unlike_adam():
    # A gradient that is large once and then small: Adam's step grows back, AMSGrad's does not.
    def grad(x):
        return np.array([10.0 if x[0] > 0.999 else 0.1])

    ams = amsgrad(lambda x: 0.0, grad, [1.0], lr=0.01, beta2=0.9, maxiter=40, tol=0)
    ad = adam(lambda x: 0.0, grad, [1.0], lr=0.01, beta2=0.9, maxiter=40, tol=0)
    # Measured ratio 7.6 (Adam's v forgets the spike like 0.9^k, AMSGrad's v_max never does);
    # a property of the exact recursions, so 5 holds on any machine.
    assert abs(np.diff(ad.xs[:, 0])[-1]) > 5 * abs(np.diff(ams.xs[:, 0])[-1])


@pytest.mark.parametrize("name", ["adagrad", "rmsprop", "adam", "amsgrad"])
def test_adaptive_methods_make_progress_on_an_ill_conditioned_quadratic(name):
    p, x_star, x0 = rotated_quadratic(1.0, 100.0, n=5)
    lr = 0.5 if name == "adagrad" else 0.05  # AdaGrad's steps shrink like lr / sqrt(k)
    tr = getattr(helpers, name)(p.f, p.grad, x0, lr=lr, maxiter=3000)
    assert np.all(np.isfinite(tr.xs))
    # Measured error ratios: 5e-5 (AdaGrad, Adam, AMSGrad), 0.03 (RMSprop, which hovers at a
    # distance ~ lr): 3x or more inside 0.1, for exact-arithmetic reasons.
    assert np.linalg.norm(tr.x - x_star) < 0.1 * np.linalg.norm(x0 - x_star)


def test_adagrad_accumulates_squared_gradients():
    g0, lr = np.array([2.0, -0.5]), 0.3
    tr = helpers.adagrad(lambda x: g0 @ x, lambda x: g0, [0.0, 0.0], lr=lr, maxiter=4, tol=0)
    # Constant gradient: G_k = k g^2, so step k has length lr / sqrt(k) per coordinate.
    steps = np.abs(np.diff(tr.xs, axis=0))
    # Exactly lr |g| / (sqrt(k) |g| + eps): short by eps / (sqrt(k) |g|) <= 2e-8, 50x in 1e-6.
    np.testing.assert_allclose(steps, lr / np.sqrt(np.arange(1, 5))[:, None] * np.ones(2),
                               rtol=1e-6)


# ---------------------------------------------------------------- driver and Trace
def test_counts_are_real_calls_and_trace_shapes_agree():
    calls = {"f": 0, "g": 0}
    p = rosenbrock()

    def f(x):
        calls["f"] += 1
        return p.f(x)

    def g(x):
        calls["g"] += 1
        return p.grad(x)

    for method in (gradient_descent, bfgs, lbfgs):
        calls.update(f=0, g=0)
        tr = method(f, g, p.x0, maxiter=40)
        assert (tr.n_fev, tr.n_gev) == (calls["f"], calls["g"])
        k = tr.n_iter
        assert tr.xs.shape == (k + 1, 2) and tr.fs.shape == (k + 1,)
        assert tr.grad_norms.shape == (k + 1,) and tr.steps.shape == (k,)
        # Pointwise (the run) vs batched (here) evaluation of the same formula: equal up to a
        # few eps relative; the default rtol 1e-7 leaves 8 orders.
        np.testing.assert_allclose(tr.fs, p.f(tr.xs))
        np.testing.assert_allclose(tr.grad_norms, np.linalg.norm(p.grad(tr.xs), axis=1))


def test_maxiter_and_tol_stop_with_messages():
    p = rosenbrock()
    tr = gradient_descent(p.f, p.grad, p.x0, lr=1e-3, maxiter=5)
    assert tr.n_iter == 5 and not tr.converged and "maxiter = 5" in tr.message
    tr = gradient_descent(p.f, p.grad, [1.0, 1.0], lr=1e-3)
    assert tr.n_iter == 0 and tr.converged


def test_trace_api():
    p = rosenbrock()
    tr = bfgs(p.f, p.grad, p.x0)
    np.testing.assert_array_equal(tr.x, tr.xs[-1])
    assert tr.f == tr.fs[-1] and tr.grad_norm == tr.grad_norms[-1]
    assert len(tr) == tr.n_iter + 1
    text = repr(tr)
    assert "bfgs" in text and tr.message in text and "n_gev=" in text
    assert tr.n_skipped == 0
    with pytest.raises(AttributeError, match="extras available"):
        _ = tr.no_such_thing


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"x0": [[1.0, 2.0]]}, ValueError, "1-D"),
        ({"x0": [np.nan, 1.0]}, ValueError, "finite"),
        ({"lr": -1.0}, ValueError, "lr must be"),
        ({"lr": "big"}, TypeError, "lr must be"),
        ({"line_search": "wolfe"}, ValueError, "line_search"),
        ({"maxiter": 2.5}, TypeError, "maxiter"),
    ],
)
def test_bad_input_gets_a_clear_error(kwargs, error, match):
    p = rosenbrock()
    args = {"x0": p.x0, **kwargs}
    with pytest.raises(error, match=match):
        gradient_descent(p.f, p.grad, **args)


def test_wrong_gradient_shape_is_reported():
    with pytest.raises(ValueError, match=r"grad\(x\) must return shape \(2,\)"):
        gradient_descent(lambda x: 0.0, lambda x: np.zeros(3), [1.0, 1.0])


def test_momentum_rejects_beta_outside_unit_interval():
    p = rosenbrock()
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\)"):
        momentum(p.f, p.grad, p.x0, beta=1.0)


# ---------------------------------------------------------------- race and the public driver
def test_race_tunes_each_method_and_ranks_diverged_runs_last():
    from helpers import adam, gradient_descent, quadratic, race

    bowl = quadratic(np.diag([1.0, 10.0]), x0=[1.0, 1.0])
    r = race({"GD": gradient_descent, "Adam": (adam, {"beta1": 0.5})}, bowl,
             lrs=[0.05, 0.3], maxiter=300)
    # lr = 0.3 > 2/L = 0.2 diverges for GD (stopped at ||x|| > 1e10): lr 0.05 wins
    assert r.lr["GD"] == 0.05 and r.scores["GD"][1] > 1e9
    assert r.runs["GD"].converged and r.scores["GD"].shape == (2,)
    assert set(r.ranking()) == {"GD", "Adam"}
    single = race({"GD": (gradient_descent, {"lr": 0.05})}, bowl, maxiter=300)
    assert single.lr == {"GD": None}
    np.testing.assert_array_equal(single.runs["GD"].xs, r.runs["GD"].xs)
    nan_score = race({"GD": gradient_descent}, bowl, lrs=[0.05], maxiter=5,
                     score=lambda tr: np.nan)
    assert np.isinf(nan_score.scores["GD"]).all()  # nan/inf scores rank last
    with pytest.raises(ValueError, match="score"):
        race({"GD": gradient_descent}, bowl, score="speed")


def test_public_driver_runs_a_homework_step_function_like_the_reference():
    from helpers.optim import from_step, run

    A = np.diag([1.0, 20.0])

    def momentum_step(x, v, g, lr, beta):
        v = beta * v + g
        return x - lr * v, v

    def f(x):
        return 0.5 * x @ A @ x

    def grad(x):
        return A @ x

    rule = from_step(lambda x, v, g: momentum_step(x, v, g, 0.05, 0.8), np.zeros(2))
    mine = run(rule, (f, grad), [1.0, 1.0], maxiter=500, method="mine")
    ref = momentum(f, grad, [1.0, 1.0], lr=0.05, beta=0.8, maxiter=500)
    assert mine.method == "mine" and mine.n_iter == ref.n_iter
    np.testing.assert_allclose(mine.xs, ref.xs, rtol=1e-12, atol=1e-15)
    assert (mine.n_fev, mine.n_gev) == (ref.n_fev, ref.n_gev)
    with pytest.raises(TypeError, match="must return"):
        run(from_step(lambda x, v, g: x, np.zeros(2)), (f, grad), [1.0, 1.0])


def test_trace_has_scipy_names():
    tr = gradient_descent(lambda x: x @ x, lambda x: 2 * x, [1.0, 2.0], lr=0.1)
    assert (tr.nit, tr.success, tr.fun, tr.nfev, tr.njev, tr.nhev) == (
        tr.n_iter, tr.converged, tr.f, tr.n_fev, tr.n_gev, 0)
    assert tr.x is tr.xs[-1] or np.array_equal(tr.x, tr.xs[-1])
