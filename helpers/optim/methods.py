r"""Reference optimizers of the course, each returning a :class:`Trace`.

Every gradient method here is a :class:`~helpers.optim.Rule` (a short chain of the
transforms in :mod:`helpers.optim.transforms`, written like the equation on the slide) run by
the one public driver loop :func:`helpers.optim.run`, which owns the bookkeeping: it
evaluates ``f`` and ``grad`` at every iterate through counting wrappers,
stops when ``||grad f(x_k)|| <= tol`` (default ``1e-4``), after ``maxiter`` iterations, or
when the iterates diverge (nan/inf, or ``||x_k|| > 1e10 (1 + ||x_0||)``) - with a clear
``trace.message`` and no RuntimeWarnings.

==================  ===========================================================
first order         :func:`gradient_descent`, :func:`momentum`, :func:`nesterov`
adaptive            :func:`adagrad`, :func:`rmsprop`, :func:`adam`, :func:`adamw`,
                    :func:`amsgrad`
stochastic          :func:`sgd`
second order        :func:`newton`, :func:`gauss_newton`, :func:`bfgs`, :func:`lbfgs`
zeroth order        :func:`random_search`, :func:`hill_climbing`
==================  ===========================================================

Every learning rate ``lr`` may be a number or a schedule ``t -> lr`` from
:mod:`helpers.schedules` (``t = 0, 1, 2, ...`` counts iterations).

Examples
--------
>>> import numpy as np
>>> from helpers import gradient_descent, nesterov
>>> A = np.diag([1.0, 10.0])
>>> f, grad = lambda x: 0.5 * x @ A @ x, lambda x: A @ x
>>> gd = gradient_descent(f, grad, [1.0, 1.0], lr=0.1)
>>> nag = nesterov(f, grad, [1.0, 1.0], lr=0.1, beta=0.5)
>>> gd.converged, nag.converged, gd.n_iter > nag.n_iter
(True, True, True)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validation import (
    as_lr_schedule,
    as_point,
    check_callable,
    check_count,
    check_fraction,
    check_positive,
)
from .driver import EarlyStop, Oracle, Rule, run
from .linesearch import backtracking, wolfe
from .result import Trace
from .stochastic import sgd
from .transforms import (
    add_decayed_weights,
    chain,
    scale_by_adam,
    scale_by_amsgrad,
    scale_by_lr,
    scale_by_rms,
    scale_by_rss,
    trace,
)
from .zeroth import hill_climbing, random_search

__all__ = [
    "Trace",
    "adagrad",
    "adam",
    "adamw",
    "amsgrad",
    "bfgs",
    "gauss_newton",
    "gradient_descent",
    "hill_climbing",
    "lbfgs",
    "momentum",
    "nesterov",
    "newton",
    "random_search",
    "rmsprop",
    "sgd",
]

_TOL_DOC = "tol : float, default 1e-4\n        Stop when ``||grad f(x_k)|| <= tol``."


def _no_state(x, g):
    return None


def _start(f, grad, x0, hess=None):
    check_callable(f, "f")
    check_callable(grad, "grad")
    if hess is not None:
        check_callable(hess, "hess")
    return as_point(x0), Oracle(f, grad, hess)


# =========================================================================== gradient descent
def gradient_descent(f, grad, x0, lr=1e-2, line_search=None, schedule=None, tol=1e-4,
                     maxiter=10_000, *, hess=None, c1=1e-4, shrink=0.5) -> Trace:
    r"""Gradient descent :math:`x_{k+1} = x_k - \eta_k \nabla f(x_k)`.

    Parameters
    ----------
    f, grad : callable
        Objective ``f(x) -> float`` and its gradient ``grad(x) -> (n,)``.
    x0 : array_like, shape (n,)
        Starting point.
    lr : float or callable, default 0.01
        Step size :math:`\eta` (or a schedule ``t -> eta``). With ``line_search="backtracking"``
        it is the first trial step of every search.
    line_search : {None, "backtracking", "exact_quadratic"}
        ``None``: fixed step (or ``schedule``). ``"backtracking"``: Armijo backtracking,
        halve the step until :math:`f(x - \eta g) \le f(x) - c_1 \eta \|g\|^2`.
        ``"exact_quadratic"``: the exact minimizing step on a quadratic
        :math:`\eta = g^\top g / g^\top A g` (``A g`` from ``hess`` if given, else from the
        gradient difference ``grad(x + g) - grad(x)``, exact for a quadratic).
    schedule : callable, optional
        Learning-rate schedule ``t -> eta``; overrides ``lr``.
    tol : float, default 1e-4
        Stop when :math:`\|\nabla f(x_k)\| \le` ``tol``.
    maxiter : int, default 10000
        Maximum number of iterations.
    hess : callable, optional
        Hessian, used only by ``"exact_quadratic"``.
    c1, shrink : float
        Armijo constant and backtracking factor.

    Returns
    -------
    Trace

    Notes
    -----
    On an :math:`L`-smooth function a fixed step :math:`\eta = 1/L` decreases ``f`` every
    step; on a :math:`\mu`-strongly convex quadratic the error contracts by
    :math:`\max(|1 - \eta\mu|, |1 - \eta L|)` per step, which is :math:`1 - \mu/L` for
    :math:`\eta = 1/L`, :math:`(\kappa-1)/(\kappa+1)` for :math:`\eta = 2/(\mu+L)`, and larger than
    one (divergence, reported in ``message``) for :math:`\eta > 2/L`.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.diag([1.0, 4.0])
    >>> tr = gradient_descent(lambda x: 0.5 * x @ A @ x, lambda x: A @ x, [1.0, 1.0], lr=0.4)
    >>> tr.converged, tr.n_iter
    (True, 21)
    >>> bad = gradient_descent(lambda x: 0.5 * x @ A @ x, lambda x: A @ x, [1.0, 1.0], lr=0.6)
    >>> bad.converged, bad.message[:26]
    (False, 'diverged at iteration 72: ')
    """
    x0, oracle = _start(f, grad, x0, hess)
    lr_t = as_lr_schedule(schedule if schedule is not None else lr,
                          "schedule" if schedule is not None else "lr")
    c1, shrink = check_positive(c1, "c1"), check_fraction(shrink, "shrink")

    if line_search is None:
        rule = scale_by_lr(lr_t)
    elif line_search == "backtracking":
        def update(g, state, x, t, oracle):
            eta = backtracking(oracle, x, oracle.f(x), g, -g, lr_t(t), c1=c1, shrink=shrink)
            return -eta * g, state, eta
        rule = Rule(_no_state, update)
    elif line_search == "exact_quadratic":
        def update(g, state, x, t, oracle):
            Ag = oracle.hess(x) @ g if hess is not None else oracle.grad(x + g) - g
            curvature = float(g @ Ag)
            if not curvature > 0:
                raise EarlyStop(f"exact line search needs g^T A g > 0, got {curvature:.3g} "
                                "(is f a convex quadratic?)")
            eta = float(g @ g) / curvature
            return -eta * g, state, eta
        rule = Rule(_no_state, update)
    else:
        raise ValueError("line_search must be None, 'backtracking' or 'exact_quadratic', "
                         f"got {line_search!r}")
    name = "gradient_descent" + (f"({line_search})" if line_search else "")
    return run(rule, oracle, x0, tol=tol, maxiter=maxiter, method=name)


# =========================================================================== momentum methods
def momentum(f, grad, x0, lr=1e-2, beta=0.9, *, tol=1e-4, maxiter=10_000) -> Trace:
    r"""Heavy-ball momentum (Polyak): :math:`v \leftarrow \beta v + g,\; x \leftarrow x - \eta v`.

    Parameters
    ----------
    f, grad, x0 : see :func:`gradient_descent`
    lr : float or callable, default 0.01
        Step size :math:`\eta`.
    beta : float in [0, 1), default 0.9
        Momentum coefficient.
    tol, maxiter : see :func:`gradient_descent`

    Notes
    -----
    Equivalently :math:`x_{k+1} = x_k - \eta \nabla f(x_k) + \beta (x_k - x_{k-1})`, with
    :math:`v_{-1} = 0`. On a quadratic with eigenvalues in :math:`[\mu, L]` the tuning
    :math:`\eta = 4/(\sqrt L + \sqrt\mu)^2`, :math:`\beta = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2`
    gives the asymptotic rate :math:`(\sqrt\kappa - 1)/(\sqrt\kappa + 1)`.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.diag([1.0, 100.0])
    >>> tr = momentum(lambda x: 0.5 * x @ A @ x, lambda x: A @ x, [1.0, 1.0], lr=4 / 121,
    ...               beta=(9 / 11) ** 2)
    >>> tr.converged, tr.n_iter
    (True, 95)
    """
    x0, oracle = _start(f, grad, x0)
    rule = chain(trace(beta), scale_by_lr(lr))
    return run(rule, oracle, x0, tol=tol, maxiter=maxiter, method="momentum")


def nesterov(f, grad, x0, lr=1e-2, beta=0.9, *, tol=1e-4, maxiter=10_000) -> Trace:
    r"""Nesterov's accelerated gradient, in the "look-ahead" form of Sutskever et al. (2013).

    .. math:: v \leftarrow \beta v + \nabla f(x), \qquad
              x \leftarrow x - \eta\,(\nabla f(x) + \beta v).

    Parameters
    ----------
    f, grad, x0, lr, beta, tol, maxiter : see :func:`momentum`

    Notes
    -----
    The textbook form evaluates the gradient at the extrapolated point
    :math:`y_k = x_k + \beta(x_k - x_{k-1})`, then :math:`x_{k+1} = y_k - \eta \nabla f(y_k)`.
    Tracking :math:`y_k` instead gives the update above, which needs one gradient per step.
    With :math:`\eta = 1/L` and :math:`\beta = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)` it needs
    about :math:`\sqrt\kappa` times fewer iterations than gradient descent.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.diag([1.0, 100.0])
    >>> tr = nesterov(lambda x: 0.5 * x @ A @ x, lambda x: A @ x, [1.0, 1.0], lr=0.01, beta=9 / 11)
    >>> tr.converged, tr.n_iter
    (True, 111)
    """
    x0, oracle = _start(f, grad, x0)
    rule = chain(trace(beta, nesterov=True), scale_by_lr(lr))
    return run(rule, oracle, x0, tol=tol, maxiter=maxiter, method="nesterov")


# =========================================================================== adaptive methods
def adagrad(f, grad, x0, lr=0.1, *, eps=1e-8, tol=1e-4, maxiter=10_000) -> Trace:
    r"""AdaGrad: per-coordinate steps scaled by the accumulated squared gradients.

    .. math:: G \leftarrow G + g \odot g, \qquad x \leftarrow x - \eta\, g / (\sqrt{G} + \epsilon).

    Examples
    --------
    >>> tr = adagrad(lambda x: x @ x, lambda x: 2 * x, [1.0, -2.0], lr=0.5, maxiter=3)
    >>> tr.xs[1]  # the first step has length lr in every coordinate
    array([ 0.5, -1.5])
    """
    x0, oracle = _start(f, grad, x0)
    rule = scale_by_rss(eps, lr=lr)  # = chain(scale_by_rss(eps), scale_by_lr(lr))
    return run(rule, oracle, x0, tol=tol, maxiter=maxiter, method="adagrad")


def rmsprop(f, grad, x0, lr=1e-2, rho=0.9, *, eps=1e-8, tol=1e-4, maxiter=10_000) -> Trace:
    r"""RMSprop: AdaGrad with an exponential moving average of squared gradients.

    .. math:: s \leftarrow \rho s + (1-\rho)\, g \odot g, \qquad
              x \leftarrow x - \eta\, g / (\sqrt{s} + \epsilon).

    Examples
    --------
    >>> tr = rmsprop(lambda x: x @ x, lambda x: 2 * x, [1.0, -2.0], lr=0.01, maxiter=2000)
    >>> tr.converged
    False
    >>> bool(abs(tr.x).max() < 0.02)  # hovers near 0 at a distance ~ lr
    True
    """
    x0, oracle = _start(f, grad, x0)
    rule = scale_by_rms(rho, eps, lr=lr)  # = chain(scale_by_rms(...), scale_by_lr(lr))
    return run(rule, oracle, x0, tol=tol, maxiter=maxiter, method="rmsprop")


def adam(f, grad, x0, lr=1e-3, beta1=0.9, beta2=0.999, *, eps=1e-8, tol=1e-4,
         maxiter=10_000) -> Trace:
    r"""Adam (Kingma & Ba, 2015): momentum on the gradient, RMS scaling, bias correction.

    .. math::
        m \leftarrow \beta_1 m + (1-\beta_1) g, \quad
        v \leftarrow \beta_2 v + (1-\beta_2) g\odot g, \quad
        \hat m = \frac{m}{1-\beta_1^k}, \quad \hat v = \frac{v}{1-\beta_2^k}, \quad
        x \leftarrow x - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}

    with :math:`k = t + 1` the step number.

    Notes
    -----
    Thanks to the bias correction the first step is :math:`\eta\, g/(|g| + \epsilon)`: length
    :math:`\eta` in every coordinate (up to :math:`\epsilon`), whatever the scale of ``g``.

    Examples
    --------
    >>> tr = adam(lambda x: x @ x, lambda x: 2 * x, [1.0, -300.0], lr=0.1, maxiter=1)
    >>> tr.xs[1] - tr.xs[0]
    array([-0.1,  0.1])
    """
    x0, oracle = _start(f, grad, x0)
    rule = chain(scale_by_adam(beta1, beta2, eps), scale_by_lr(lr))
    return run(rule, oracle, x0, tol=tol, maxiter=maxiter, method="adam")


def adamw(f, grad, x0, lr=1e-3, beta1=0.9, beta2=0.999, weight_decay=1e-2, *, eps=1e-8,
          tol=1e-4, maxiter=10_000) -> Trace:
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay.

    .. math:: x \leftarrow x - \eta \left(\frac{\hat m}{\sqrt{\hat v} + \epsilon}
              + \lambda x\right)

    with :math:`\lambda` = ``weight_decay``; :math:`\hat m, \hat v` as in :func:`adam`.

    Notes
    -----
    The decay :math:`\lambda x` bypasses the adaptive scaling (unlike adding
    :math:`\tfrac{\lambda}{2}\|x\|^2` to ``f``, whose gradient Adam would rescale). It is
    multiplied by the learning rate, as in PyTorch and optax. With ``weight_decay=0`` AdamW is
    exactly Adam. AdamW minimizes neither ``f`` nor a fixed regularized objective, so do not
    expect ``||grad f|| <= tol`` to be reached when ``weight_decay > 0``.

    Examples
    --------
    >>> f, grad = lambda x: x @ x, lambda x: 2 * x
    >>> a = adam(f, grad, [1.0, 2.0], lr=0.1, maxiter=5)
    >>> w = adamw(f, grad, [1.0, 2.0], lr=0.1, weight_decay=0.0, maxiter=5)
    >>> bool((a.xs == w.xs).all())
    True
    """
    x0, oracle = _start(f, grad, x0)
    rule = chain(scale_by_adam(beta1, beta2, eps), add_decayed_weights(weight_decay),
                 scale_by_lr(lr))
    return run(rule, oracle, x0, tol=tol, maxiter=maxiter, method="adamw")


def amsgrad(f, grad, x0, lr=1e-3, beta1=0.9, beta2=0.999, *, eps=1e-8, tol=1e-4,
            maxiter=10_000) -> Trace:
    r"""AMSGrad (Reddi et al., 2018): Adam whose second moment never decreases.

    .. math:: v^{\max} \leftarrow \max(v^{\max}, v), \qquad
              x \leftarrow x - \eta\, \frac{\hat m}{\sqrt{v^{\max}/(1-\beta_2^k)} + \epsilon}

    (the PyTorch variant, with bias correction). The effective per-coordinate step
    :math:`\eta/\sqrt{\hat v}` can therefore only shrink, which restores convergence on
    problems where Adam's step grows back.

    Examples
    --------
    >>> tr = amsgrad(lambda x: x @ x, lambda x: 2 * x, [1.0, -2.0], lr=0.05, maxiter=2000)
    >>> bool(abs(tr.x).max() < 0.05)
    True
    """
    x0, oracle = _start(f, grad, x0)
    rule = chain(scale_by_amsgrad(beta1, beta2, eps), scale_by_lr(lr))
    return run(rule, oracle, x0, tol=tol, maxiter=maxiter, method="amsgrad")


# =========================================================================== second order
class _NewtonState(NamedTuple):
    n_modified: int = 0  # iterations whose Hessian was not positive definite
    max_shift: float = 0.0  # largest tau added in H + tau I


def _solve_newton(H, g):
    try:
        return np.linalg.solve(H, -g)
    except np.linalg.LinAlgError:
        raise EarlyStop("the Hessian is singular; the Newton step is undefined") from None


def _positive_definite_shift(H):
    """Smallest ``tau >= 0`` (up to a margin) such that ``H + tau I`` is positive definite."""
    try:
        np.linalg.cholesky(H)
        return 0.0
    except np.linalg.LinAlgError:
        eigenvalues = np.linalg.eigvalsh(0.5 * (H + H.T))
        scale = max(1.0, float(np.abs(eigenvalues).max()))
        return float(-eigenvalues.min() + 1e-3 * scale)


def newton(f, grad, hess, x0, damped=False, *, tol=1e-4, maxiter=100, c1=1e-4,
           shrink=0.5) -> Trace:
    r"""Newton's method :math:`x_{k+1} = x_k - \alpha_k H(x_k)^{-1} \nabla f(x_k)`.

    The Newton direction solves :math:`H d = -g` with ``np.linalg.solve`` (never an inverse).

    Parameters
    ----------
    f, grad, hess : callable
        Objective, gradient and Hessian ``hess(x) -> (n, n)``.
    x0 : array_like, shape (n,)
    damped : bool, default False
        ``False``: pure Newton, :math:`\alpha_k = 1` (fast near a minimum, but it happily
        converges to saddles and maxima and can diverge far away). ``True``: if the Hessian is
        not positive definite replace it by :math:`H + \tau I` with
        :math:`\tau = -\lambda_{\min}(H) + 10^{-3}\max(1, |\lambda|_{\max})` (an eigenvalue
        modification, so that ``d`` is a descent direction), then choose :math:`\alpha_k` by
        Armijo backtracking from 1. ``trace.message`` says how often the fallback fired.
    tol, maxiter : stopping rule, as in :func:`gradient_descent`.
    c1, shrink : backtracking constants (damped only).

    Notes
    -----
    On a quadratic with positive definite :math:`A`, one Newton step lands exactly on the
    minimizer. Near a minimizer with positive definite Hessian (Lipschitz), convergence is
    quadratic: :math:`\|x_{k+1} - x^*\| \le C \|x_k - x^*\|^2`, so the number of correct
    digits roughly doubles every step. ``trace.n_hev`` counts Hessian evaluations.

    Examples
    --------
    >>> import numpy as np
    >>> A, b = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0])
    >>> tr = newton(lambda x: 0.5 * x @ A @ x - b @ x, lambda x: A @ x - b, lambda x: A,
    ...             [5.0, 5.0])
    >>> tr.n_iter, bool(np.allclose(tr.x, np.linalg.solve(A, b)))
    (1, True)
    """
    x0, oracle = _start(f, grad, x0, hess)
    check_callable(hess, "hess")
    c1, shrink = check_positive(c1, "c1"), check_fraction(shrink, "shrink")

    def update(g, state, x, t, oracle):
        H = oracle.hess(x)
        if not damped:
            return _solve_newton(H, g), state, 1.0
        tau = _positive_definite_shift(H)
        if tau > 0:
            state = _NewtonState(state.n_modified + 1, max(state.max_shift, tau))
        d = _solve_newton(H + tau * np.eye(len(x)), g)
        alpha = backtracking(oracle, x, oracle.f(x), g, d, 1.0, c1=c1, shrink=shrink)
        return alpha * d, state, alpha

    def note(state, n_iter):
        if not damped:
            return ""
        if state.n_modified:
            return (f"; Hessian not positive definite in {state.n_modified} of {n_iter} "
                    "iterations, replaced by H + tau I (eigenvalue modification)")
        return "; Hessian positive definite at every iterate (no modification)"

    return run(Rule(lambda x, g: _NewtonState(), update), oracle, x0, tol=tol,
               maxiter=maxiter, method="newton(damped)" if damped else "newton",
               extras=lambda s: {"n_modified": s.n_modified} if damped else {}, note=note)


class _Counted:
    """Wrap a vector-valued function: count its evaluations, remember the last one."""

    def __init__(self, fn, name):
        check_callable(fn, name)
        self.fn, self.name, self.count = fn, name, 0
        self._x, self._value = None, None

    def __call__(self, x):
        if self._x is None or not np.array_equal(self._x, x):
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                self._value = np.asarray(self.fn(np.array(x, dtype=float)), dtype=float)
            self._x = np.array(x, dtype=float)
            self.count += 1
        return self._value


class _ResidualOracle(Oracle):
    """The oracle of ``f = |r|^2 / 2`` that reports residual and Jacobian evaluations."""

    def __init__(self, f, grad, res, jac):
        super().__init__(f, grad)
        self._res, self._jac = res, jac

    def evaluations(self):
        return {"f": self._res.count, "grad": self._jac.count, "hess": 0}


def gauss_newton(residual, jacobian, x0, *, damped=False, tol=1e-4, maxiter=100, c1=1e-4,
                 shrink=0.5) -> Trace:
    r"""Gauss-Newton for nonlinear least squares :math:`f(x) = \tfrac12 \|r(x)\|^2`.

    The step solves the linearized problem :math:`\min_d \|J d + r\|` (with
    ``np.linalg.lstsq``, which is stabler than forming :math:`J^\top J`), i.e. the
    Newton step with the Hessian :math:`J^\top J + \sum_i r_i \nabla^2 r_i` replaced by
    :math:`J^\top J`.

    Parameters
    ----------
    residual : callable
        ``residual(x) -> (m,)``.
    jacobian : callable
        ``jacobian(x) -> (m, n)``, the Jacobian of ``residual``.
    x0 : array_like, shape (n,)
    damped : bool, default False
        Armijo backtracking on ``f`` along the Gauss-Newton direction.
    tol, maxiter : stopping rule on :math:`\|\nabla f\| = \|J^\top r\|`.

    Notes
    -----
    ``trace.fs`` holds :math:`\tfrac12\|r\|^2`; ``n_fev`` counts residual evaluations and
    ``n_gev`` Jacobian evaluations. On a linear least-squares problem one step is exact; on
    zero-residual problems convergence is quadratic, otherwise linear.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 1, 20)
    >>> y = 2.0 * np.exp(-1.5 * t)
    >>> r = lambda p: p[0] * np.exp(p[1] * t) - y
    >>> J = lambda p: np.stack([np.exp(p[1] * t), p[0] * t * np.exp(p[1] * t)], axis=1)
    >>> tr = gauss_newton(r, J, [1.0, 0.0], tol=1e-10)
    >>> tr.x.round(6), tr.converged
    (array([ 2. , -1.5]), True)
    """
    res, jac = _Counted(residual, "residual"), _Counted(jacobian, "jacobian")
    x0 = as_point(x0)
    c1, shrink = check_positive(c1, "c1"), check_fraction(shrink, "shrink")

    def f(x):
        r = res(x)
        return 0.5 * float(r @ r)

    def grad(x):
        J, r = jac(x), res(x)
        if J.shape != (r.size, x.size):
            raise ValueError(f"jacobian(x) must have shape (m, n) = {(r.size, x.size)}, "
                             f"got {J.shape}")
        return J.T @ r

    def update(g, state, x, t, oracle):
        d = np.linalg.lstsq(jac(x), -res(x), rcond=None)[0]
        if not damped:
            return d, state, 1.0
        alpha = backtracking(oracle, x, oracle.f(x), g, d, 1.0, c1=c1, shrink=shrink)
        return alpha * d, state, alpha

    return run(Rule(_no_state, update), _ResidualOracle(f, grad, res, jac), x0, tol=tol,
               maxiter=maxiter, method="gauss_newton" + ("(damped)" if damped else ""))


class _QuasiNewtonState(NamedTuple):
    x_prev: np.ndarray | None = None
    g_prev: np.ndarray | None = None
    H: np.ndarray | None = None  # BFGS: inverse Hessian approximation
    pairs: tuple = ()  # L-BFGS: the last m pairs (s, y)
    n_skipped: int = 0  # updates skipped by the curvature check
    f_best: float = np.inf  # smallest f seen so far
    best_gn: float = np.inf  # gradient norm at the last halving
    n_stalled: int = 0  # iterations without a new smallest f (nor a halving of the gradient)


# A Wolfe step decreases f, so f only stops decreasing when the line search works below the
# round-off of f (the approximate Wolfe conditions of helpers.optim.linesearch.wolfe). After
# STALL_WINDOW iterations without a new smallest f since the gradient norm last halved, the run
# checks whether the gradient is round-off: if it changes by more than GRAD_NOISE of its norm
# between x and a point a few units in the last place (ulps) away, where a smooth gradient
# changes by about eps * ||Hessian|| * ||x||, then ||grad f(x)|| is within a factor
# 1 / GRAD_NOISE of its floating-point floor and the run is converged to machine precision.
STALL_WINDOW = 10
GRAD_NOISE = 0.1
_EPS = float(np.finfo(float).eps)


def _stall_count(state, x, f, g, oracle):
    """``(f_best, best_gn, n_stalled)`` at ``x``; raises EarlyStop if grad f(x) is round-off."""
    gn = float(np.linalg.norm(g))
    if gn <= 0.5 * state.best_gn:
        return min(f, state.f_best), gn, 0
    if f < state.f_best or state.x_prev is None:
        return f, state.best_gn, state.n_stalled
    if state.n_stalled + 1 < STALL_WINDOW:
        return state.f_best, state.best_gn, state.n_stalled + 1
    wiggle = 4 * _EPS * np.abs(x) * np.where(np.arange(len(x)) % 2, 1.0, -1.0)
    change = float(np.linalg.norm(oracle.grad(x + wiggle) - g))
    if change > GRAD_NOISE * gn:
        raise EarlyStop(f"converged to machine precision: the gradient (norm {gn:.3g}) "
                        f"changes by {change / gn:.0%} of its norm between x and a point "
                        "4 ulps away, so it is round-off", converged=True)
    return state.f_best, state.best_gn, 0


def _curvature_pair(x, g, state):
    """``(s, y)`` from the previous step, or None if there is none or ``s.y`` is too small."""
    if state.x_prev is None:
        return None
    s, y = x - state.x_prev, g - state.g_prev
    if s @ y > 1e-10 * np.linalg.norm(s) * np.linalg.norm(y):
        return s, y
    return None


def _first_trial_step(g, t):
    # First iteration: no curvature information, try a step of unit length (as scipy does).
    return min(1.0, 1.0 / float(np.linalg.norm(g))) if t == 0 else 1.0


def bfgs(f, grad, x0, *, tol=1e-4, maxiter=1000, c1=1e-4, c2=0.9) -> Trace:
    r"""BFGS with the inverse-Hessian update and a strong-Wolfe line search.

    .. math::
        d_k = -H_k g_k, \quad x_{k+1} = x_k + \alpha_k d_k, \quad
        H_{k+1} = (I - \rho\, s y^\top) H_k (I - \rho\, y s^\top) + \rho\, s s^\top,

    with :math:`s = x_{k+1} - x_k`, :math:`y = g_{k+1} - g_k`, :math:`\rho = 1/(y^\top s)`.

    Notes
    -----
    :math:`H_0 = I`; before the first update it is rescaled to
    :math:`(s^\top y / y^\top y)\, I` (Nocedal & Wright, eq. 6.20). The update is skipped when
    the curvature condition :math:`s^\top y > 10^{-10}\|s\|\|y\|` fails (it cannot fail after
    an exact Wolfe step, but can after a best-effort one), which keeps :math:`H` positive
    definite; ``trace.n_skipped`` counts skips. ``trace.H`` is the final approximation of the
    inverse Hessian.

    A ``tol`` below what floating point allows does not end in a failure: once ``f`` is flat
    to round-off the line search works from the directional derivative, and the run stops with
    ``converged=True`` and a message starting ``"converged to machine precision"`` when the
    gradient itself is round-off (it changes by more than 10% of its norm between ``x`` and a
    point a few units in the last place away) or no step can move ``x`` any more.

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    >>> grad = lambda x: np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2),
    ...                            200 * (x[1] - x[0] ** 2)])
    >>> tr = bfgs(f, grad, [-1.2, 1.0], tol=1e-6)
    >>> tr.converged, tr.x.round(5)
    (True, array([1., 1.]))
    """
    x0, oracle = _start(f, grad, x0)
    c1, c2 = check_positive(c1, "c1"), check_positive(c2, "c2")

    def update(g, state, x, t, oracle):
        H, skipped = state.H, state.n_skipped
        f_x = oracle.f(x)
        f_best, best_gn, stalled = _stall_count(state, x, f_x, g, oracle)
        pair = _curvature_pair(x, g, state)
        if pair is not None:
            s, y = pair
            rho = 1.0 / (y @ s)
            if H is None:
                H = (s @ y) / (y @ y) * np.eye(len(x))
            V = np.eye(len(x)) - rho * np.outer(s, y)
            H = V @ H @ V.T + rho * np.outer(s, s)
        elif state.x_prev is not None:
            skipped += 1
        d = -(H @ g if H is not None else g)
        alpha = wolfe(oracle, x, f_x, g, d, _first_trial_step(g, t) if H is None else 1.0,
                      c1=c1, c2=c2)
        state = _QuasiNewtonState(x, g, H, (), skipped, f_best, best_gn, stalled)
        return alpha * d, state, alpha

    return run(Rule(lambda x, g: _QuasiNewtonState(), update), oracle, x0, tol=tol,
               maxiter=maxiter, method="bfgs",
               extras=lambda s: {"n_skipped": s.n_skipped,
                                 "H": s.H if s.H is not None else np.eye(len(x0))})


def lbfgs(f, grad, x0, m=10, *, tol=1e-4, maxiter=1000, c1=1e-4, c2=0.9) -> Trace:
    r"""Limited-memory BFGS: the BFGS direction from the last ``m`` pairs, by two-loop recursion.

    Parameters
    ----------
    f, grad, x0 : see :func:`bfgs`
    m : int, default 10
        Number of stored pairs :math:`(s_i, y_i)`; memory :math:`O(mn)` instead of
        :math:`O(n^2)`.

    Notes
    -----
    Two-loop recursion for :math:`d = -H_k g` (Nocedal & Wright, Algorithm 7.4), with
    :math:`\rho_i = 1/(y_i^\top s_i)`::

        q = g
        for i = newest .. oldest:  a_i = rho_i s_i.q ;  q -= a_i y_i
        r = gamma q,  gamma = s.y / y.y of the newest pair
        for i = oldest .. newest:  b = rho_i y_i.r ;  r += (a_i - b) s_i
        d = -r

    Pairs failing the curvature check :math:`s^\top y > 10^{-10}\|s\|\|y\|` are not stored.
    The line search and the "converged to machine precision" stop are the same as in
    :func:`bfgs`.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.diag(np.arange(1.0, 101.0))
    >>> tr = lbfgs(lambda x: 0.5 * x @ A @ x, lambda x: A @ x, np.ones(100), m=5)
    >>> tr.converged, tr.n_iter
    (True, 61)
    """
    x0, oracle = _start(f, grad, x0)
    m = check_count(m, "m")
    c1, c2 = check_positive(c1, "c1"), check_positive(c2, "c2")

    def two_loop(g, pairs):
        q, alphas = g.copy(), []
        for s, y in reversed(pairs):
            a = (s @ q) / (y @ s)
            q -= a * y
            alphas.append(a)
        s, y = pairs[-1]
        r = (s @ y) / (y @ y) * q
        for (s, y), a in zip(pairs, reversed(alphas), strict=True):
            b = (y @ r) / (y @ s)
            r += (a - b) * s
        return -r

    def update(g, state, x, t, oracle):
        pairs, skipped = state.pairs, state.n_skipped
        f_x = oracle.f(x)
        f_best, best_gn, stalled = _stall_count(state, x, f_x, g, oracle)
        pair = _curvature_pair(x, g, state)
        if pair is not None:
            pairs = (*pairs, pair)[-m:]
        elif state.x_prev is not None:
            skipped += 1
        d = two_loop(g, pairs) if pairs else -g
        alpha = wolfe(oracle, x, f_x, g, d, 1.0 if pairs else _first_trial_step(g, t),
                      c1=c1, c2=c2)
        state = _QuasiNewtonState(x, g, None, pairs, skipped, f_best, best_gn, stalled)
        return alpha * d, state, alpha

    return run(Rule(lambda x, g: _QuasiNewtonState(), update), oracle, x0, tol=tol,
               maxiter=maxiter, method=f"lbfgs(m={m})",
               extras=lambda s: {"n_skipped": s.n_skipped})
