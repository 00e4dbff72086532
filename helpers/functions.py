"""Test problems for the course: objective, gradient and Hessian, vectorized over points.

Every constructor returns a :class:`Problem` whose methods ``f``, ``grad`` and ``hess`` take
points of shape ``(..., n)`` and return arrays of shape ``(...)``, ``(..., n)`` and
``(..., n, n)``, so a whole plotting grid or a batch of iterates is evaluated in one call.
Each problem also knows its minimizers (global first), a suggested starting point and a
plotting window.

==================  =============================================================  =====
constructor         objective                                                      n
==================  =============================================================  =====
``quadratic``       1/2 x^T A x - b^T x + c                                        any
``least_squares``   1/2 ||A x - b||^2 (with ``residual`` and ``jacobian``)         any
``rosenbrock``      sum_i b (x_{i+1} - x_i^2)^2 + (a - x_i)^2                      >= 2
``beale``           sum_{i=1}^{3} (c_i - x_1 + x_1 x_2^i)^2                        2
``himmelblau``      (x_1^2 + x_2 - 11)^2 + (x_1 + x_2^2 - 7)^2                     2
``exp_sum``         0.06 e^{2x_1 + x_2} + 0.05 e^{x_1 - 2x_2} + e^{-x_1}           2
``gaussian_bump``   x_1 e^{-(x_1^2 + x_2^2)}                                       2
``saddle``          x_1^2 - x_2^2                                                  2
``multimodal``      bowl + three Gaussian wells + sine ripples (12 local minima)   2
==================  =============================================================  =====

Examples
--------
>>> import numpy as np
>>> from helpers import rosenbrock
>>> p = rosenbrock()
>>> p.f(p.minimizers[0]), p.grad([0, 0])
(np.float64(0.0), array([-2.,  0.]))
>>> xs = np.zeros((50, 40, 2))             # a grid of points
>>> p(xs).shape, p.grad(xs).shape, p.hess(xs).shape
((50, 40), (50, 40, 2), (50, 40, 2, 2))
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validation import as_float_array, check_callable, check_integer, describe

__all__ = [
    "LeastSquaresProblem",
    "Problem",
    "beale",
    "exp_sum",
    "gaussian_bump",
    "himmelblau",
    "least_squares",
    "multimodal",
    "quadratic",
    "rosenbrock",
    "saddle",
]

ArrayFn = Callable[[np.ndarray], np.ndarray]


def _fmt(a) -> str:
    return np.array2string(np.asarray(a, dtype=float), precision=4, suppress_small=True,
                           separator=", ")


def _check_limits(lim, name: str) -> tuple[float, float]:
    arr = as_float_array(lim, name, ndim=1, last_dim=2)
    if not arr[0] < arr[1]:
        raise ValueError(f"{name} must be (low, high) with low < high; got {tuple(arr)}")
    return float(arr[0]), float(arr[1])


class Problem:
    """An objective with its gradient, Hessian, known minimizers and a plotting window.

    Parameters
    ----------
    f, grad : callable
        ``f(x)`` and ``grad(x)`` for float arrays ``x`` of shape ``(..., n)``, returning shapes
        ``(...)`` and ``(..., n)``. They are called with already validated float64 arrays.
    hess : callable, optional
        ``hess(x)`` returning ``(..., n, n)``. Without it :meth:`hess` raises.
    n : int
        Dimension of the domain.
    name : str
        Short name shown in the repr and in plot titles.
    minimizers : array_like, optional
        Known local minimizers, shape ``(k, n)``, the global one first. Default: none known.
    fmin : float, optional
        Global minimum value. Default: ``f(minimizers[0])``, or ``-inf`` without minimizers.
    x0 : array_like, optional
        Suggested starting point, shape ``(n,)``. Default: the origin.
    xlim, ylim : (float, float)
        Default plotting window for the first two coordinates.
    log_levels : bool
        Whether contour plots should use log-spaced levels (valley functions).
    saddles, maximizers : array_like, optional
        Other known stationary points, shape ``(k, n)``, for annotating plots.

    Attributes
    ----------
    name, n, minimizers, fmin, x0, xlim, ylim, log_levels, saddles, maximizers
        As above; arrays are read-only.

    Notes
    -----
    Inputs are checked once here, so the formulas in ``f``, ``grad`` and ``hess`` stay short.
    The last axis of ``x`` must have length ``n``; any leading axes are broadcast.
    Non-finite inputs are allowed and give non-finite values (a diverging optimizer should see
    ``inf`` rather than an exception); overflow inside the formulas is not warned about.
    Calling the problem is the same as calling :meth:`f`.

    Examples
    --------
    >>> import numpy as np
    >>> p = Problem(lambda x: (x**2).sum(-1), lambda x: 2 * x, n=3, name="sphere",
    ...             minimizers=[[0, 0, 0]])
    >>> p([1, 2, 3]), p.grad([[1, 2, 3]])
    (np.float64(14.0), array([[2., 4., 6.]]))
    >>> p.fmin
    0.0
    """

    def __init__(
        self,
        f: ArrayFn,
        grad: ArrayFn,
        hess: ArrayFn | None = None,
        *,
        n: int,
        name: str = "problem",
        minimizers=None,
        fmin: float | None = None,
        x0=None,
        xlim=(-3.0, 3.0),
        ylim=(-3.0, 3.0),
        log_levels: bool = False,
        saddles=None,
        maximizers=None,
    ):
        self._f = check_callable(f, "f")
        self._grad = check_callable(grad, "grad")
        self._hess = None if hess is None else check_callable(hess, "hess")
        self.n = check_integer(n, "n", minimum=1)
        if not isinstance(name, str):
            raise TypeError(f"name must be a str; got {describe(name)}")
        self.name = name
        self.minimizers = self._points(minimizers, "minimizers")
        self.saddles = self._points(saddles, "saddles")
        self.maximizers = self._points(maximizers, "maximizers")
        if fmin is None:
            fmin = float(self.f(self.minimizers[0])) if len(self.minimizers) else -np.inf
        self.fmin = float(fmin)
        x0 = np.zeros(self.n) if x0 is None else x0
        self.x0 = as_float_array(x0, "x0", ndim=1, last_dim=self.n, copy=True)
        self.x0.flags.writeable = False
        self.xlim = _check_limits(xlim, "xlim")
        self.ylim = _check_limits(ylim, "ylim")
        self.log_levels = bool(log_levels)

    def _points(self, pts, name: str) -> np.ndarray:
        if pts is None:
            arr = np.zeros((0, self.n))
        else:
            arr = as_float_array(pts, name, copy=True)
            if arr.ndim == 1 and arr.size == self.n:
                arr = arr[None, :]
            if arr.ndim != 2 or arr.shape[1] != self.n:
                raise ValueError(f"{name} must have shape (k, {self.n}); got shape {arr.shape}")
        arr.flags.writeable = False
        return arr

    # -- evaluation --------------------------------------------------------------------
    def _x(self, x) -> np.ndarray:
        return as_float_array(x, f"x for the {self.n}-D problem {self.name!r}",
                              last_dim=self.n, finite=False)

    def f(self, x) -> np.ndarray:
        """Objective value(s): ``(..., n) -> (...)`` (a numpy scalar for one point)."""
        x = self._x(x)
        with np.errstate(over="ignore", invalid="ignore"):
            out = np.asarray(self._f(x), dtype=float)
        return out[()] if out.ndim == 0 else out

    def grad(self, x) -> np.ndarray:
        """Gradient(s): ``(..., n) -> (..., n)``."""
        x = self._x(x)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(self._grad(x), dtype=float)

    def hess(self, x) -> np.ndarray:
        """Hessian(s): ``(..., n) -> (..., n, n)``, symmetric."""
        if self._hess is None:
            raise NotImplementedError(f"problem {self.name!r} was built without a Hessian")
        x = self._x(x)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(self._hess(x), dtype=float)

    __call__ = f

    @property
    def x_star(self) -> np.ndarray | None:
        """The global minimizer ``minimizers[0]``, or ``None`` if none is known."""
        return self.minimizers[0] if len(self.minimizers) else None

    def __repr__(self) -> str:
        mins = (f"minimizers={_fmt(self.minimizers[:1])[1:-1]}"
                + (f" (+{len(self.minimizers) - 1} more)" if len(self.minimizers) > 1 else "")
                if len(self.minimizers) else "no minimizer")
        return (f"Problem({self.name!r}, n={self.n}, fmin={self.fmin:.6g}, {mins}, "
                f"x0={_fmt(self.x0)}, xlim={_fmt(self.xlim)}, ylim={_fmt(self.ylim)}"
                + (", log_levels=True" if self.log_levels else "") + ")")


class LeastSquaresProblem(Problem):
    """A :class:`Problem` ``f(x) = 1/2 ||r(x)||^2`` that also exposes the residual ``r``.

    Extra methods ``residual(x)`` ``(..., n) -> (..., m)`` and ``jacobian(x)``
    ``(..., n) -> (..., m, n)``, as used by Gauss-Newton. See :func:`least_squares`.
    """

    def __init__(self, residual: ArrayFn, jacobian: ArrayFn, m: int, **kwargs):
        self._residual = check_callable(residual, "residual")
        self._jacobian = check_callable(jacobian, "jacobian")
        self.m = check_integer(m, "m", minimum=1)

        def f(x):
            r = residual(x)
            return 0.5 * np.sum(r * r, axis=-1)

        def grad(x):
            return np.einsum("...i,...ij->...j", residual(x), jacobian(x))

        super().__init__(f, grad, kwargs.pop("hess", None), **kwargs)

    def residual(self, x) -> np.ndarray:
        """Residual vector(s) ``r(x)``: ``(..., n) -> (..., m)``."""
        x = self._x(x)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(self._residual(x), dtype=float)

    def jacobian(self, x) -> np.ndarray:
        """Jacobian(s) of the residual: ``(..., n) -> (..., m, n)``."""
        x = self._x(x)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(self._jacobian(x), dtype=float)


# -- helpers for the formulas --------------------------------------------------------------
def _window(center: np.ndarray, x0: np.ndarray):
    """A square window around ``center`` (first two coordinates) that contains ``x0``."""
    r = 1.5 * float(np.max(np.abs((x0 - center)[:2]))) if center.size else 3.0
    r = max(r, 1.0)
    cx, cy = (center[0], center[1]) if center.size > 1 else (center[0], 0.0)
    return (cx - r, cx + r), (cy - r, cy + r)


def _default_start(center: np.ndarray) -> np.ndarray:
    """A start off every coordinate axis of ``center`` (so GD paths show both directions)."""
    offset = np.where(np.arange(center.size) % 2 == 0, -2.0, 1.5)
    return center + offset


def _sum_of_squares(terms):
    """Turn ``terms(x, order) -> [(t, grad t, hess t), ...]`` into ``f, grad, hess``.

    ``terms`` computes derivatives only up to ``order`` (the others are ``None``): ``f`` alone
    is then as cheap as the residuals.

    For ``f = sum_k t_k^2``: ``grad f = 2 sum_k t_k grad t_k`` and
    ``hess f = 2 sum_k (grad t_k grad t_k^T + t_k hess t_k)``.
    """

    def f(x):
        return sum(t * t for t, _, _ in terms(x, 0))

    def grad(x):
        return sum(2 * t[..., None] * g for t, g, _ in terms(x, 1))

    def hess(x):
        return sum(2 * (g[..., :, None] * g[..., None, :] + t[..., None, None] * h)
                   for t, g, h in terms(x, 2))

    return f, grad, hess


def _stack2(a, b):
    a, b = np.broadcast_arrays(a, b)
    return np.stack([a, b], axis=-1)


def _mat2(a, b, c):
    """Symmetric 2x2 matrices [[a, b], [b, c]] with broadcasting."""
    a, b, c = np.broadcast_arrays(a, b, c)
    return np.stack([np.stack([a, b], -1), np.stack([b, c], -1)], -2)


# -- quadratic and least squares -----------------------------------------------------------
def quadratic(A, b=None, c=0.0, *, x0=None, name="quadratic") -> Problem:
    """Quadratic ``f(x) = 1/2 x^T A x - b^T x + c`` for a symmetric ``(n, n)`` matrix ``A``.

    Parameters
    ----------
    A : array_like, shape (n, n)
        Symmetric matrix (checked up to rounding).
    b : array_like, shape (n,), optional
        Linear term; default zero.
    c : float
        Constant.
    x0 : array_like, shape (n,), optional
        Starting point; default ``x* + (-2, 1.5, -2, ...)``.
    name : str
        Name of the problem.

    Returns
    -------
    Problem
        With ``grad(x) = A x - b`` and ``hess(x) = A``.

    Notes
    -----
    If ``A`` is positive definite the unique minimizer solves ``A x = b`` and
    ``fmin = c - 1/2 b^T A^{-1} b``. If ``A`` is positive semidefinite and ``b`` lies in its
    range, every solution of ``A x = b`` is a minimizer; the minimum-norm one is listed. Otherwise
    ``f`` is unbounded below: no minimizer, ``fmin = -inf``.

    Examples
    --------
    >>> q = quadratic([[1, 0], [0, 10]], b=[1, 10])
    >>> q.minimizers, q.fmin
    (array([[1., 1.]]), -5.5)
    >>> q.grad([0, 0]), q.hess([[0, 0], [1, 1]]).shape
    (array([ -1., -10.]), (2, 2, 2))
    """
    A = as_float_array(A, "A", ndim=2)
    n = A.shape[0]
    if A.shape != (n, n):
        raise ValueError(f"A must be a square matrix of shape (n, n); got shape {A.shape}")
    scale = max(1.0, float(np.max(np.abs(A))))
    asym = float(np.max(np.abs(A - A.T)))
    if asym > 1e-10 * scale:
        raise ValueError(f"A must be symmetric; got max |A - A^T| = {asym:.3g}")
    A = 0.5 * (A + A.T)
    b = np.zeros(n) if b is None else as_float_array(b, "b", ndim=1, last_dim=n)
    c = float(as_float_array(c, "c", ndim=0))

    eig = np.linalg.eigvalsh(A)
    tol = n * np.finfo(float).eps * max(1.0, float(np.max(np.abs(eig))))
    minimizers = np.zeros((0, n))
    if eig[0] > tol:
        minimizers = np.linalg.solve(A, b)[None, :]
    elif eig[0] >= -tol:
        xs = np.linalg.lstsq(A, b, rcond=None)[0]
        if np.linalg.norm(A @ xs - b) <= 1e-9 * max(1.0, float(np.linalg.norm(b))):
            minimizers = xs[None, :]
    center = minimizers[0] if len(minimizers) else np.zeros(n)
    x0 = _default_start(center) if x0 is None else as_float_array(x0, "x0", ndim=1, last_dim=n)
    xlim, ylim = _window(center, x0)

    def f(x):
        return 0.5 * np.sum((x @ A) * x, axis=-1) - x @ b + c

    def grad(x):
        return x @ A - b

    def hess(x):
        return np.broadcast_to(A, x.shape[:-1] + (n, n)).copy()

    return Problem(f, grad, hess, n=n, name=name, minimizers=minimizers, x0=x0,
                   xlim=xlim, ylim=ylim)


def least_squares(A, b, *, x0=None, name="least_squares") -> LeastSquaresProblem:
    """Linear least squares ``f(x) = 1/2 ||A x - b||^2``.

    Parameters
    ----------
    A : array_like, shape (m, n)
    b : array_like, shape (m,)
    x0 : array_like, shape (n,), optional
        Starting point; default ``x* + (-2, 1.5, -2, ...)``.
    name : str

    Returns
    -------
    LeastSquaresProblem
        ``residual(x) = A x - b`` (shape ``(..., m)``), ``jacobian(x) = A`` (``(..., m, n)``),
        ``grad(x) = A^T (A x - b)``, ``hess(x) = A^T A``.

    Notes
    -----
    The listed minimizer is the least-squares solution of minimum norm (``numpy.linalg.lstsq``);
    it is unique when ``A`` has full column rank. Gauss-Newton solves this problem in one step.

    Examples
    --------
    >>> ls = least_squares([[1, 0], [1, 1], [1, 2]], [1, 2, 4])
    >>> ls.minimizers.round(4), round(ls.fmin, 4)
    (array([[0.8333, 1.5   ]]), 0.0833)
    >>> ls.residual([[0, 0]]).shape, ls.jacobian([[0, 0]]).shape
    ((1, 3), (1, 3, 2))
    """
    A = as_float_array(A, "A", ndim=2)
    m, n = A.shape
    b = as_float_array(b, "b", ndim=1, last_dim=m)
    xs = np.linalg.lstsq(A, b, rcond=None)[0]
    x0 = _default_start(xs) if x0 is None else as_float_array(x0, "x0", ndim=1, last_dim=n)
    xlim, ylim = _window(xs, x0)
    AtA = A.T @ A

    def residual(x):
        return x @ A.T - b

    def jacobian(x):
        return np.broadcast_to(A, x.shape[:-1] + (m, n)).copy()

    def hess(x):
        return np.broadcast_to(AtA, x.shape[:-1] + (n, n)).copy()

    return LeastSquaresProblem(residual, jacobian, m, hess=hess, n=n, name=name,
                               minimizers=xs[None, :], x0=x0, xlim=xlim, ylim=ylim)


# -- classic 2-D (and n-D) test functions ----------------------------------------------------
def rosenbrock(a=1.0, b=100.0, *, n=2) -> Problem:
    """Rosenbrock's banana valley ``sum_i b (x_{i+1} - x_i^2)^2 + (a - x_i)^2``.

    Parameters
    ----------
    a, b : float
        Shape parameters, ``b > 0``. For ``n = 2`` the minimizer is ``(a, a^2)``.
    n : int, default 2
        Dimension (the chained generalisation of ``scipy.optimize.rosen``). For ``n > 2`` only
        ``a = 1`` is supported (minimizer ``(1, ..., 1)``).

    Returns
    -------
    Problem
        Start ``x0 = (-1.2, 1, -1.2, 1, ...)``, window ``[-2, 2] x [-1, 3]`` (widened to contain
        ``(a, a^2)``), log-spaced levels.

    Notes
    -----
    With ``t_i = x_{i+1} - x_i^2``:
    ``df/dx_i = -4 b x_i t_i - 2 (a - x_i) + 2 b t_{i-1}`` (terms that exist), and the Hessian is
    tridiagonal with diagonal ``12 b x_i^2 - 4 b x_{i+1} + 2`` (+ ``2b`` for ``i > 0``; the last
    diagonal entry is ``2b``) and off-diagonal ``-4 b x_i``. The valley floor ``x_2 = x_1^2`` is
    curved and flat, which is why gradient descent crawls along it. For ``4 <= n <= 7`` there is
    also a local minimizer near ``(-1, 1, ..., 1)`` that is not listed.

    Examples
    --------
    >>> p = rosenbrock()
    >>> p.x0, p.minimizers
    (array([-1.2,  1. ]), array([[1., 1.]]))
    >>> round(float(p.f([-1.2, 1])), 10)
    24.2
    """
    a = float(as_float_array(a, "a", ndim=0))
    b = float(as_float_array(b, "b", ndim=0))
    if b <= 0:
        raise ValueError(f"b must be > 0 (the valley's steepness); got {b}")
    n = check_integer(n, "n", minimum=2)
    if n > 2 and a != 1.0:
        raise ValueError(f"rosenbrock with n > 2 needs a = 1 (minimizer (1, ..., 1)); got a = {a}")

    def f(x):
        x_i, x_next = x[..., :-1], x[..., 1:]
        return np.sum(b * (x_next - x_i**2) ** 2 + (a - x_i) ** 2, axis=-1)

    def grad(x):
        x_i, x_next = x[..., :-1], x[..., 1:]
        t = x_next - x_i**2
        g = np.zeros_like(x)
        g[..., :-1] = -4 * b * x_i * t - 2 * (a - x_i)
        g[..., 1:] += 2 * b * t
        return g

    def hess(x):
        H = np.zeros(x.shape + (n,))
        i = np.arange(n)
        diag = np.zeros_like(x)
        diag[..., :-1] = 12 * b * x[..., :-1] ** 2 - 4 * b * x[..., 1:] + 2
        diag[..., 1:] += 2 * b
        H[..., i, i] = diag
        off = -4 * b * x[..., :-1]
        H[..., i[:-1], i[1:]] = off
        H[..., i[1:], i[:-1]] = off
        return H

    minimizer = np.array([a, a * a]) if n == 2 else np.ones(n)
    x0 = np.where(np.arange(n) % 2 == 0, -1.2, 1.0)
    # the classic window [-2, 2] x [-1, 3], widened if (a, a^2) would not fit
    xlim = (min(-2.0, a - 1.0), max(2.0, a + 1.0))
    ylim = (min(-1.0, a * a - 2.0), max(3.0, a * a + 1.0))
    return Problem(f, grad, hess, n=n, name="rosenbrock", minimizers=minimizer[None, :],
                   fmin=0.0, x0=x0, xlim=xlim, ylim=ylim, log_levels=True)


_BEALE_C = (1.5, 2.25, 2.625)


def _beale_terms(x, order=2):
    x1, x2 = x[..., 0], x[..., 1]
    out = []
    for i, c in enumerate(_BEALE_C, start=1):
        t = c - x1 + x1 * x2**i
        g = _stack2(x2**i - 1, i * x1 * x2 ** (i - 1)) if order >= 1 else None
        h = (_mat2(0.0, i * x2 ** (i - 1), i * (i - 1) * x1 * x2 ** max(i - 2, 0))
             if order >= 2 else None)
        out.append((t, g, h))
    return out


def beale() -> Problem:
    """Beale's function ``sum_{i=1}^{3} (c_i - x_1 + x_1 x_2^i)^2``, ``c = (1.5, 2.25, 2.625)``.

    Global minimizer ``(3, 0.5)`` with ``f = 0``; a saddle at ``(0, 1)``; flat plateaus and steep
    walls near the corners of ``[-4.5, 4.5]^2``. Start ``(1, 1.5)``, log-spaced levels.

    Notes
    -----
    Written as a sum of squares ``f = sum t_i^2`` with ``grad f = 2 sum t_i grad t_i`` and
    ``hess f = 2 sum (grad t_i grad t_i^T + t_i hess t_i)``.

    Examples
    --------
    >>> p = beale()
    >>> float(p.f([3, 0.5])), p.grad([3, 0.5])
    (0.0, array([0., 0.]))
    """
    f, grad, hess = _sum_of_squares(_beale_terms)
    return Problem(f, grad, hess, n=2, name="beale", minimizers=[[3.0, 0.5]], fmin=0.0,
                   x0=[1.0, 1.5], xlim=(-4.5, 4.5), ylim=(-4.5, 4.5), log_levels=True,
                   saddles=[[0.0, 1.0]])


def _himmelblau_terms(x, order=2):
    x1, x2 = x[..., 0], x[..., 1]
    u = x1**2 + x2 - 11
    v = x1 + x2**2 - 7
    if order == 0:
        return [(u, None, None), (v, None, None)]
    return [(u, _stack2(2 * x1, 1.0), _mat2(2.0, 0.0, 0.0) if order >= 2 else None),
            (v, _stack2(1.0, 2 * x2), _mat2(0.0, 0.0, 2.0) if order >= 2 else None)]


def himmelblau() -> Problem:
    """Himmelblau's function ``(x_1^2 + x_2 - 11)^2 + (x_1 + x_2^2 - 7)^2``.

    Four global minimizers with ``f = 0``: ``(3, 2)`` (listed first) and three irrational ones
    (computed by Newton's method to machine precision); a local maximizer near
    ``(-0.2708, -0.9230)``. Start ``(0, 0)``, window ``[-5, 5]^2``, log-spaced levels.

    Examples
    --------
    >>> p = himmelblau()
    >>> p.minimizers.shape, float(p.f([3, 2]))
    ((4, 2), 0.0)
    """
    f, grad, hess = _sum_of_squares(_himmelblau_terms)
    minimizers = [
        [3.0, 2.0],
        [-2.805118086952745, 3.131312518250573],
        [-3.779310253377747, -3.283185991286169],
        [3.5844283403304917, -1.8481265269644034],
    ]
    return Problem(f, grad, hess, n=2, name="himmelblau", minimizers=minimizers, fmin=0.0,
                   x0=[0.0, 0.0], xlim=(-5.0, 5.0), ylim=(-5.0, 5.0), log_levels=True,
                   maximizers=[[-0.2708445906673476, -0.9230385564799816]])


_EXP_B = np.array([[2.0, 1.0], [1.0, -2.0], [-1.0, 0.0]])
_EXP_C = np.array([0.06, 0.05, 1.0])


def exp_sum() -> Problem:
    """Sum of exponentials ``0.06 e^{2x_1 + x_2} + 0.05 e^{x_1 - 2x_2} + e^{-x_1}``.

    A smooth, strictly convex function from the reference notes (their Taylor-model and Newton
    example). Start ``(0, 2)`` (where the notes fit the quadratic model), window ``[-3, 3]^2``,
    log-spaced levels.

    Notes
    -----
    With rows ``b_k`` of ``B = [[2, 1], [1, -2], [-1, 0]]`` and weights ``c = (0.06, 0.05, 1)``:
    ``f = sum_k c_k e^{b_k^T x}``, ``grad f = sum_k c_k e^{b_k^T x} b_k``,
    ``hess f = sum_k c_k e^{b_k^T x} b_k b_k^T``. Setting the gradient to zero gives
    ``x_1 - x_2 = ln 2`` and ``x_1 + 3 x_2 = ln(5/3)``, so the minimizer is
    ``x_2 = ln(5/6) / 4``, ``x_1 = ln 2 + x_2`` (about ``(0.6476, -0.0456)``).

    Examples
    --------
    >>> p = exp_sum()
    >>> p.minimizers.round(4), round(p.fmin, 4)
    (array([[ 0.6476, -0.0456]]), 0.8373)
    """

    def weights(x):
        return _EXP_C * np.exp(x @ _EXP_B.T)

    def f(x):
        return np.sum(weights(x), axis=-1)

    def grad(x):
        return weights(x) @ _EXP_B

    def hess(x):
        return np.einsum("...k,ki,kj->...ij", weights(x), _EXP_B, _EXP_B)

    x2 = np.log(5.0 / 6.0) / 4.0
    return Problem(f, grad, hess, n=2, name="exp_sum", minimizers=[[np.log(2.0) + x2, x2]],
                   x0=[0.0, 2.0], xlim=(-3.0, 3.0), ylim=(-3.0, 3.0), log_levels=True)


def gaussian_bump() -> Problem:
    """The bump ``f(x) = x_1 e^{-(x_1^2 + x_2^2)}`` (a dip and a hill side by side).

    Minimizer ``(-1/sqrt(2), 0)`` with ``f = -e^{-1/2}/sqrt(2)``, maximizer ``(1/sqrt(2), 0)``;
    far away the function is flat, so gradient descent started there barely moves. Start
    ``(-1, 1)`` (the notes' homework), window ``[-2, 2]^2``.

    Notes
    -----
    With ``e = e^{-|x|^2}``: ``grad f = e (e_1 - 2 x_1 x)`` and
    ``hess f = e (4 x_1 x x^T - 2 x_1 I - 2 (e_1 x^T + x e_1^T))``.

    Examples
    --------
    >>> p = gaussian_bump()
    >>> p.minimizers.round(4), round(p.fmin, 4)
    (array([[-0.7071,  0.    ]]), -0.4289)
    """

    def f(x):
        return x[..., 0] * np.exp(-np.sum(x * x, axis=-1))

    def grad(x):
        e = np.exp(-np.sum(x * x, axis=-1))[..., None]
        return e * (np.array([1.0, 0.0]) - 2 * x[..., :1] * x)

    def hess(x):
        x1 = x[..., 0, None, None]
        e = np.exp(-np.sum(x * x, axis=-1))[..., None, None]
        outer = x[..., :, None] * x[..., None, :]
        cross = np.zeros(x.shape + (2,))
        cross[..., 0, :] += x
        cross[..., :, 0] += x
        return e * (4 * x1 * outer - 2 * x1 * np.eye(2) - 2 * cross)

    r = 1.0 / np.sqrt(2.0)
    return Problem(f, grad, hess, n=2, name="gaussian_bump", minimizers=[[-r, 0.0]],
                   x0=[-1.0, 1.0], xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), maximizers=[[r, 0.0]])


def saddle() -> Problem:
    """The saddle ``f(x) = x_1^2 - x_2^2``: unbounded below, saddle point at the origin.

    No minimizer (``fmin = -inf``); ``saddles = [[0, 0]]``. Start ``(-2, 0.05)``, just off the
    stable axis, so gradient descent first approaches the saddle and then slowly escapes.

    Examples
    --------
    >>> p = saddle()
    >>> p.minimizers.shape, p.fmin, p.hess([1, 1])
    ((0, 2), -inf, array([[ 2.,  0.],
           [ 0., -2.]]))
    """

    def f(x):
        return x[..., 0] ** 2 - x[..., 1] ** 2

    def grad(x):
        return x * np.array([2.0, -2.0])

    def hess(x):
        return np.broadcast_to(np.diag([2.0, -2.0]), x.shape + (2,)).copy()

    return Problem(f, grad, hess, n=2, name="saddle", minimizers=None, x0=[-2.0, 0.05],
                   xlim=(-2.5, 2.5), ylim=(-2.5, 2.5), saddles=[[0.0, 0.0]])


# multimodal: bowl + Gaussian wells (depth, centre, width^2) + sine ripples
_MM_BOWL = 0.04
_MM_WELLS = ((1.2, (2.0, 1.5), 1.0), (0.9, (-2.2, -1.4), 0.8), (0.7, (-1.8, 2.4), 0.5))
_MM_RIPPLE, _MM_W1, _MM_W2 = 0.25, 1.7, 1.9
# All 12 local minimizers, sorted by f (global first). Found by Newton's method from every local
# minimum of a fine grid on [-8.5, 8.5]^2; no stationary point lies outside |x| <= 8
# (there |grad| >= 2 * 0.04 |x| - 0.25 * sqrt(1.7^2 + 1.9^2) > 0). tests/test_functions.py
# recomputes this list.
_MM_MINIMIZERS = (
    (2.010773072647292, 1.4041880886479556),
    (-2.2246509427456203, -1.2593025284672166),
    (-1.8939188867185663, 2.335213283806035),
    (0.8364016409544329, -0.7493820154526969),
    (-0.8328022866844527, 0.7608162307385514),
    (2.454137760050324, -2.2403947532419157),
    (-0.8208138638663431, 3.745573131998998),
    (0.8061699373087428, -3.7634860265760297),
    (4.087866826927915, -0.7216490445439403),
    (-4.088559900237689, 0.7222532884329953),
    (0.701560599375, 5.152930162089097),
    (-0.7015690125119987, -5.152943144858037),
)


def multimodal() -> Problem:
    """A deliberately nasty 2-D landscape where gradient descent gets stuck.

    ``f(x) = 0.04 |x|^2 + 0.25 sin(1.7 x_1) sin(1.9 x_2) - sum_k d_k exp(-|x - m_k|^2 / s_k)``
    with three Gaussian wells (depths 1.2, 0.9, 0.7 at ``(2, 1.5)``, ``(-2.2, -1.4)``,
    ``(-1.8, 2.4)``; widths ``s = 1, 0.8, 0.5``). The ripples create twelve local minimizers, all
    listed in ``minimizers`` (global first, ``f = -0.979`` near ``(2.01, 1.40)``). Gradient
    descent from the default start ``(4, -4)`` ends in a local minimizer with ``f = 0.249``.
    Window ``[-5.5, 5.5]^2``.

    Notes
    -----
    Each term is differentiated in closed form; for a well ``w = d e^{-|u|^2/s}``, ``u = x - m``:
    ``grad(-w) = (2/s) w u`` and ``hess(-w) = (2/s) w (I - (2/s) u u^T)``.

    Examples
    --------
    >>> p = multimodal()
    >>> len(p.minimizers), round(p.fmin, 3)
    (12, -0.979)
    >>> bool(abs(p.grad(p.minimizers)).max() < 1e-10)
    True
    """
    w1, w2, R, q = _MM_W1, _MM_W2, _MM_RIPPLE, _MM_BOWL

    def wells(x):
        for d, m, s in _MM_WELLS:
            u = x - np.array(m)
            yield d * np.exp(-np.sum(u * u, axis=-1) / s), u, s

    def f(x):
        x1, x2 = x[..., 0], x[..., 1]
        val = q * np.sum(x * x, axis=-1) + R * np.sin(w1 * x1) * np.sin(w2 * x2)
        return val - sum(w for w, _, _ in wells(x))

    def grad(x):
        x1, x2 = x[..., 0], x[..., 1]
        g = 2 * q * x + R * _stack2(w1 * np.cos(w1 * x1) * np.sin(w2 * x2),
                                    w2 * np.sin(w1 * x1) * np.cos(w2 * x2))
        for w, u, s in wells(x):
            g = g + (2 / s) * w[..., None] * u
        return g

    def hess(x):
        x1, x2 = x[..., 0], x[..., 1]
        ss = np.sin(w1 * x1) * np.sin(w2 * x2)
        cc = np.cos(w1 * x1) * np.cos(w2 * x2)
        H = 2 * q * np.eye(2) + R * _mat2(-w1 * w1 * ss, w1 * w2 * cc, -w2 * w2 * ss)
        for w, u, s in wells(x):
            uu = u[..., :, None] * u[..., None, :]
            H = H + (2 / s) * w[..., None, None] * (np.eye(2) - (2 / s) * uu)
        return H

    return Problem(f, grad, hess, n=2, name="multimodal", minimizers=_MM_MINIMIZERS,
                   x0=[4.0, -4.0], xlim=(-5.5, 5.5), ylim=(-5.5, 5.5))
