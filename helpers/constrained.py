r"""Constrained optimization: projections, projected gradient, penalty and augmented Lagrangian.

Projections are vectorized over leading axes: ``project_*(x)`` with ``x`` of shape ``(..., n)``
projects every row. The solvers return a :class:`~helpers.Trace` like the unconstrained ones.

Examples
--------
>>> import numpy as np
>>> from helpers import project_simplex
>>> project_simplex(np.array([[0.5, 0.5, 0.5], [2.0, 0.0, -1.0]]))
array([[0.33333333, 0.33333333, 0.33333333],
       [1.        , 0.        , 0.        ]])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validation import (
    as_lr_schedule,
    as_point,
    as_points,
    check_callable,
    check_count,
    check_fraction,
    check_positive,
)
from .optim.driver import EarlyStop, Oracle, Rule, run
from .optim.methods import bfgs
from .optim.result import Trace

__all__ = [
    "augmented_lagrangian",
    "penalty_method",
    "project_ball",
    "project_box",
    "project_simplex",
    "projected_gradient_descent",
]


_as_points = as_points  # the old private name


# =========================================================================== projections
def project_box(x, lower, upper):
    r"""Euclidean projection onto the box :math:`\{x : l \le x \le u\}` (clip each coordinate).

    Parameters
    ----------
    x : array_like, shape (..., n)
    lower, upper : float or array_like broadcastable to (n,)
        Bounds (``-np.inf``/``np.inf`` allowed); ``lower <= upper`` required.

    Returns
    -------
    ndarray, shape (..., n)

    Examples
    --------
    >>> project_box([2.0, -3.0, 0.5], -1.0, 1.0)
    array([ 1. , -1. ,  0.5])
    """
    x = _as_points(x)
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    if np.any(lower > upper):
        raise ValueError(f"project_box needs lower <= upper, got lower={lower}, upper={upper}")
    return np.clip(x, lower, upper)


def project_ball(x, radius, center=None):
    r"""Euclidean projection onto the ball :math:`\{x : \|x - c\| \le r\}`.

    Notes
    -----
    :math:`P(x) = c + (x - c)\,\min(1, r / \|x - c\|)`: points inside stay, points outside are
    pulled radially onto the sphere.

    Examples
    --------
    >>> project_ball([[3.0, 4.0], [0.1, 0.2]], radius=1.0)
    array([[0.6, 0.8],
           [0.1, 0.2]])
    """
    x = _as_points(x)
    radius = check_positive(radius, "radius", allow_zero=True)
    c = np.zeros(x.shape[-1]) if center is None else np.asarray(center, dtype=float)
    if c.shape not in {(), (x.shape[-1],)}:
        raise ValueError(f"center must have shape ({x.shape[-1]},) like the last axis of x, "
                         f"got {c.shape}")
    d = x - c
    norm = np.linalg.norm(d, axis=-1, keepdims=True)
    # Points inside are returned unchanged (bit for bit), points outside are scaled radially.
    return np.where(norm <= radius, x, c + d * (radius / np.maximum(norm, np.finfo(float).tiny)))


def project_simplex(x, s=1.0):
    r"""Euclidean projection onto the simplex :math:`\{x : x \ge 0,\ \sum_i x_i = s\}`.

    Notes
    -----
    The sort-based algorithm (Held et al. 1974; Duchi et al. 2008): sort :math:`u = ` ``x``
    decreasingly, find the largest :math:`\rho` with
    :math:`u_\rho - (\sum_{i \le \rho} u_i - s)/\rho > 0`, set
    :math:`\theta = (\sum_{i \le \rho} u_i - s)/\rho` and return :math:`\max(x - \theta, 0)`.
    :math:`O(n \log n)` per row, vectorized over leading axes.

    Examples
    --------
    >>> project_simplex([0.2, 0.9, -0.5])
    array([0.15, 0.85, 0.  ])
    """
    x = _as_points(x)
    s = check_positive(s, "s")
    u = -np.sort(-x, axis=-1)
    css = np.cumsum(u, axis=-1) - s
    k = np.arange(1, x.shape[-1] + 1)
    rho = np.count_nonzero(u - css / k > 0, axis=-1)  # the condition holds for a prefix
    theta = np.take_along_axis(css, (rho - 1)[..., None], axis=-1) / rho[..., None]
    return np.maximum(x - theta, 0.0)


# =========================================================================== projected gradient
def projected_gradient_descent(f, grad, project, x0, lr=1e-2, *, line_search=None, tol=1e-4,
                               maxiter=10_000, c1=1e-4, shrink=0.5) -> Trace:
    r"""Projected gradient descent :math:`x_{k+1} = P(x_k - \eta \nabla f(x_k))`.

    Parameters
    ----------
    f, grad : callable
        Objective and gradient.
    project : callable
        Euclidean projection onto the feasible set, ``project(x) -> x`` (e.g.
        ``lambda x: project_box(x, 0, 1)``).
    x0 : array_like, shape (n,)
        Start; it is projected first, so every iterate is feasible.
    lr : float or callable, default 0.01
        Step size (or schedule). With ``line_search="backtracking"`` the first trial step.
    line_search : {None, "backtracking"}
        Backtracking along the projection arc :math:`x(\eta) = P(x - \eta g)` until
        :math:`f(x(\eta)) \le f(x) + g^\top (x(\eta) - x) + \|x(\eta) - x\|^2 / (2\eta)`.
    tol, maxiter : stopping rule on the gradient mapping (see Notes).

    Notes
    -----
    At a constrained minimizer :math:`\nabla f` need not vanish, so the stopping test and
    ``trace.grad_norms`` use the norm of the *gradient mapping*
    :math:`G_\eta(x) = (x - P(x - \eta \nabla f(x)))/\eta`, which is zero exactly at the
    stationary points of the constrained problem (and equals :math:`\nabla f` without
    constraints).

    Examples
    --------
    >>> import numpy as np
    >>> f, grad = lambda x: np.sum((x - 2.0) ** 2), lambda x: 2 * (x - 2.0)
    >>> tr = projected_gradient_descent(f, grad, lambda x: project_ball(x, 1.0), [0.0, 0.5],
    ...                                 lr=0.25)
    >>> tr.x.round(4), tr.converged
    (array([0.7071, 0.7071]), True)
    """
    check_callable(f, "f")
    check_callable(grad, "grad")
    check_callable(project, "project")
    x0 = as_point(x0)
    P = _checked_projection(project, x0.shape)
    x0 = P(x0)
    lr_t = as_lr_schedule(lr)
    c1, shrink = check_positive(c1, "c1"), check_fraction(shrink, "shrink")
    if line_search not in (None, "backtracking"):
        raise ValueError(f"line_search must be None or 'backtracking', got {line_search!r}")

    def gradient_mapping(x, g, eta):
        return float(np.linalg.norm(x - P(x - eta * g))) / eta

    def update(g, eta_prev, x, t, oracle):
        eta = lr_t(t)
        x_new = P(x - eta * g)
        if line_search == "backtracking":
            f_x = oracle.f(x)
            for _ in range(60):
                step = x_new - x
                if oracle.f(x_new) <= f_x + g @ step + (step @ step) / (2 * eta):
                    break
                eta *= shrink
                x_new = P(x - eta * g)
            else:
                raise EarlyStop("projected backtracking failed to find a step")
        return x_new, eta, eta

    return run(Rule(lambda x, g: lr_t(0), update, absolute=True), Oracle(f, grad), x0, tol=tol,
               maxiter=maxiter, method="projected_gradient_descent",
               stop_norm=lambda x, g, eta: gradient_mapping(x, g, eta))


def _checked_projection(project, shape):
    def P(x):
        p = np.asarray(project(x), dtype=float)
        if p.shape != shape:
            raise ValueError(f"project(x) must return shape {shape}, got {p.shape}")
        return p

    return P


# =========================================================================== equality constraints
def _constraint_args(c, jac_c, x0, g, grad_g):
    """The constraint, its Jacobian and x0 from the new (``c``, ``jac_c``) or old (``g``,
    ``grad_g``) spellings, and the names to use in messages."""
    names = []
    for new, old, new_name, old_name in ((c, g, "c", "g"), (jac_c, grad_g, "jac_c", "grad_g")):
        if new is not None and old is not None:
            raise TypeError(f"give {new_name} or its old name {old_name}, not both")
        if new is None and old is None:
            raise TypeError(f"missing the argument {new_name} (the constraint"
                            + (")" if new_name == "c" else "'s Jacobian)"))
        names.append(new_name if old is None else old_name)
    if x0 is None:
        raise TypeError("missing the argument x0 (the starting point)")
    c = g if c is None else c
    jac_c = grad_g if jac_c is None else jac_c
    return c, jac_c, x0, tuple(names)


def _constraint_fns(g, grad_g, n, names=("g", "grad_g")):
    """Normalise g to return (m,) and grad_g to return the (m, n) Jacobian."""
    check_callable(g, names[0])
    check_callable(grad_g, names[1])

    def c(x):
        return np.atleast_1d(np.asarray(g(x), dtype=float))

    def jac(x):
        J = np.asarray(grad_g(x), dtype=float)
        J = J.reshape(1, n) if J.ndim == 1 else J
        if J.ndim != 2 or J.shape[1] != n:
            raise ValueError(f"{names[1]}(x) must return shape (n,) for one constraint or (m, n), "
                             f"n = {n}; got {np.shape(grad_g(x))}")
        return J

    return c, jac


class _Outer(NamedTuple):
    """State of the constrained outer loop."""

    lam: np.ndarray  # multiplier estimate after the last outer iteration
    mu: float  # penalty weight for the next subproblem
    lams: list
    mus: list
    violations: list
    inner_iters: list


def _outer_loop(f, grad, g, grad_g, x0, *, names, mu0, growth, tol, ctol, max_outer, inner_tol,
                inner_maxiter, update_lam, multiplier_in_subproblem, method) -> Trace:
    """The constrained outer loop as a rule of :func:`helpers.optim.run`.

    One iteration minimizes ``f + lam.c + mu/2 ||c||^2`` with BFGS (warm-started), then
    updates ``lam`` and ``mu``; the driver records ``f``, counts the evaluations of ``f`` and
    ``grad`` (the inner solves' included) and tests the KKT residual
    ``||grad f + J^T lam||`` and the violation ``||c(x)||``. The penalty method leaves the
    multiplier out of the subproblem (``lam = 0`` there) and only reads off the estimate
    ``mu c(x)``; the augmented Lagrangian keeps it in.
    """
    check_callable(f, "f")
    check_callable(grad, "grad")
    x = as_point(x0)
    c, jac = _constraint_fns(g, grad_g, x.size, names)
    mu0, growth = check_positive(mu0, "mu0"), check_positive(growth, "growth")
    if growth < 1:
        raise ValueError(f"growth must be >= 1, got {growth}")
    tol, ctol = check_positive(tol, "tol"), check_positive(ctol, "ctol")
    max_outer = check_count(max_outer, "max_outer")
    counting = Oracle(f, grad)
    m = c(x).size
    scalar_constraint = np.ndim(g(x)) == 0

    def init(x, gx):
        lam = np.zeros(m)
        return _Outer(lam, mu0, [lam], [mu0], [float(np.linalg.norm(c(x)))], [])

    def kkt(x, gx, state):
        return float(np.linalg.norm(gx + jac(x).T @ state.lam))

    def update(gx, state, x, k, oracle):
        lam_k = state.lam.copy() if multiplier_in_subproblem else np.zeros(m)
        mu_k = state.mu

        def L(z):
            cz = c(z)
            return counting.f(z) + lam_k @ cz + 0.5 * mu_k * cz @ cz

        def dL(z):
            return counting.grad(z) + jac(z).T @ (lam_k + mu_k * c(z))

        inner = bfgs(L, dL, x, tol=inner_tol, maxiter=inner_maxiter)
        if not np.all(np.isfinite(inner.x)):
            raise EarlyStop(f"inner solve diverged in outer iteration {k + 1}: {inner.message}")
        x_new = inner.x
        lam = update_lam(state.lam, mu_k, c(x_new))
        mu = mu_k * growth
        state.inner_iters.append(inner.n_iter)
        state.lams.append(lam)
        state.violations.append(float(np.linalg.norm(c(x_new))))
        state.mus.append(mu)
        return x_new, state._replace(lam=lam, mu=mu), mu_k

    def stop(k, x, fx, gn, state):
        viol = state.violations[-1]
        if k > 0 and viol <= ctol and gn <= tol:
            return True, (f"converged: ||g(x)|| = {viol:.2g} <= ctol = {ctol:g} and "
                          f"||grad L|| = {gn:.2g} <= tol = {tol:g} after {k} outer "
                          "iterations")
        if k >= max_outer:
            return False, (f"max_outer = {max_outer} reached: ||g(x)|| = {viol:.2g}, "
                           f"||grad L|| = {gn:.2g}")
        return None

    def extras(state):
        lam_out = float(state.lams[-1][0]) if scalar_constraint else state.lams[-1]
        return {"lam": lam_out, "lams": np.array(state.lams),
                "violations": np.array(state.violations), "mus": np.array(state.mus),
                "inner_iters": np.array(state.inner_iters)}

    return run(Rule(init, update, absolute=True), counting, x, tol=tol, maxiter=max_outer,
               method=method, stop=stop, stop_norm=kkt, extras=extras)


def penalty_method(f, grad, c=None, jac_c=None, x0=None, *, mu0=1.0, growth=10.0, tol=1e-4,
                   ctol=1e-4, max_outer=12, inner_tol=1e-8, inner_maxiter=1000, g=None,
                   grad_g=None) -> Trace:
    r"""Quadratic penalty method for :math:`\min f(x)` s.t. :math:`c(x) = 0`.

    Minimize :math:`Q_\mu(x) = f(x) + \tfrac{\mu}{2}\|c(x)\|^2` (BFGS, warm-started), then
    increase :math:`\mu \leftarrow` ``growth`` :math:`\cdot \mu`, until the constraint holds.

    Parameters
    ----------
    f, grad : callable
        Objective and its gradient.
    c : callable
        Equality constraints ``c(x) = 0``: returns a float (one constraint) or an ``(m,)``
        array.
    jac_c : callable
        Gradient ``(n,)`` of a single constraint, or the ``(m, n)`` Jacobian.
    x0 : array_like, shape (n,)
        Start (need not be feasible). Required (its default ``None`` only makes the old
        keywords below possible).
    mu0, growth : float
        Initial penalty weight and its factor per outer iteration.
    tol, ctol : float
        Stop when ``||grad_x L(x, lam)|| <= tol`` and ``||c(x)|| <= ctol``.
    max_outer : int
        Maximum number of outer iterations (each one a BFGS solve).
    inner_tol, inner_maxiter :
        Stopping rule of the inner BFGS solves.
    g, grad_g : callable, optional
        The old names of ``c`` and ``jac_c`` (``g`` is the gradient everywhere else in
        ``helpers``), still accepted as keywords; give each argument under one name only.

    Returns
    -------
    Trace
        One row per *outer* iteration: ``xs``, ``fs = f(x)``, ``grad_norms`` =
        :math:`\|\nabla f + J_c^\top \lambda\|`; ``steps`` the penalty weights used; extras
        ``lam`` (final multiplier: float for one constraint), ``lams``, ``violations``
        :math:`\|c(x_k)\|`, ``mus``, ``inner_iters``. ``n_fev``/``n_gev`` count evaluations of
        ``f``/``grad`` over all inner iterations.

    Notes
    -----
    With the Lagrangian :math:`L = f + \lambda^\top c`, stationarity of :math:`Q_\mu` reads
    :math:`\nabla f + J_c^\top (\mu\, c(x_\mu)) = 0`, so :math:`\lambda \approx \mu\, c(x_\mu)`
    is the multiplier estimate. The constraint is violated by :math:`O(1/\mu)`: exact
    feasibility needs :math:`\mu \to \infty`, and an ever worse conditioned inner problem.

    Examples
    --------
    >>> import numpy as np
    >>> tr = penalty_method(lambda x: x @ x, lambda x: 2 * x, lambda x: x[0] + x[1] - 1,
    ...                     lambda x: np.array([1.0, 1.0]), [0.0, 0.0], ctol=1e-6)
    >>> tr.x.round(4), round(tr.lam, 4)
    (array([0.5, 0.5]), -1.0)
    """
    c, jac_c, x0, names = _constraint_args(c, jac_c, x0, g, grad_g)
    return _outer_loop(f, grad, c, jac_c, x0, names=names, mu0=mu0, growth=growth, tol=tol,
                       ctol=ctol,
                       max_outer=max_outer, inner_tol=inner_tol, inner_maxiter=inner_maxiter,
                       update_lam=lambda lam, mu, cx: mu * cx,
                       multiplier_in_subproblem=False, method="penalty_method")


def augmented_lagrangian(f, grad, c=None, jac_c=None, x0=None, *, mu0=10.0, growth=1.0,
                         tol=1e-6, ctol=1e-8, max_outer=50, inner_tol=1e-9,
                         inner_maxiter=1000, g=None, grad_g=None) -> Trace:
    r"""Augmented Lagrangian (method of multipliers) for :math:`c(x) = 0`.

    Minimize :math:`L_\mu(x, \lambda) = f(x) + \lambda^\top c(x) + \tfrac{\mu}{2}\|c(x)\|^2` over
    :math:`x` (BFGS, warm-started), then update :math:`\lambda \leftarrow \lambda + \mu\, c(x)`.

    Parameters
    ----------
    f, grad : callable
        Objective and its gradient.
    c : callable
        Equality constraints ``c(x) = 0``: returns a float (one constraint) or an ``(m,)``
        array.
    jac_c : callable
        Gradient ``(n,)`` of a single constraint, or the ``(m, n)`` Jacobian.
    x0 : array_like, shape (n,)
        Start (need not be feasible). Required (its default ``None`` only makes the old
        keywords below possible).
    mu0, growth : float
        Initial penalty weight and its factor per outer iteration.
    tol, ctol : float
        Stop when ``||grad_x L(x, lam)|| <= tol`` and ``||c(x)|| <= ctol``.
    max_outer : int
        Maximum number of outer iterations (each one a BFGS solve).
    inner_tol, inner_maxiter :
        Stopping rule of the inner BFGS solves.
    g, grad_g : callable, optional
        The old names of ``c`` and ``jac_c`` (``g`` is the gradient everywhere else in
        ``helpers``), still accepted as keywords; give each argument under one name only.

    Returns
    -------
    Trace
        One row per *outer* iteration: ``xs``, ``fs = f(x)``, ``grad_norms`` =
        :math:`\|\nabla f + J_c^\top \lambda\|`; ``steps`` the penalty weights used; extras
        ``lam`` (final multiplier: float for one constraint), ``lams``, ``violations``
        :math:`\|c(x_k)\|`, ``mus``, ``inner_iters``. ``n_fev``/``n_gev`` count evaluations of
        ``f``/``grad`` over all inner iterations.

    Notes
    -----
    Unlike the penalty method, :math:`\mu` can stay fixed (default ``growth=1``): the multiplier
    update removes the :math:`O(1/\mu)` bias, and on a problem with a quadratic objective and
    linear constraints the error in :math:`\lambda` contracts by a constant factor per outer
    iteration (smaller for larger :math:`\mu`). Sign convention :math:`L = f + \lambda c`.

    Examples
    --------
    >>> import numpy as np
    >>> tr = augmented_lagrangian(lambda x: x @ x, lambda x: 2 * x, lambda x: x[0] + x[1] - 1,
    ...                           lambda x: np.array([1.0, 1.0]), [0.0, 0.0])
    >>> tr.x.round(6), round(tr.lam, 6), tr.converged
    (array([0.5, 0.5]), -1.0, True)
    """
    c, jac_c, x0, names = _constraint_args(c, jac_c, x0, g, grad_g)
    return _outer_loop(f, grad, c, jac_c, x0, names=names, mu0=mu0, growth=growth, tol=tol,
                       ctol=ctol,
                       max_outer=max_outer, inner_tol=inner_tol, inner_maxiter=inner_maxiter,
                       update_lam=lambda lam, mu, cx: lam + mu * cx, multiplier_in_subproblem=True,
                       method="augmented_lagrangian")
