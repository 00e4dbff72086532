"""Finite-difference derivatives and gradient checking.

Use these to test a hand-derived gradient, Jacobian or Hessian against finite differences
before trusting it in an optimizer:

>>> import numpy as np
>>> from helpers import check_gradient
>>> f = lambda x: np.sum(x**2, axis=-1)
>>> bool(check_gradient(f, lambda x: 2 * x, n=3, seed=0))
True
>>> bool(check_gradient(f, lambda x: x, n=3, seed=0))      # forgot the factor 2
False

Step sizes
----------
A forward difference ``(f(x + h e_i) - f(x)) / h`` has truncation error ``O(h)`` and rounding
error ``O(eps / h)``; both balance at ``h ~ sqrt(eps) ~ 1.5e-8`` and leave about half the
digits (relative error ~1e-8 at best, ~1e-6 with the popular ``h = 1e-10``). The central
difference ``(f(x + h e_i) - f(x - h e_i)) / (2h)`` has truncation error ``O(h^2)``, so the
balance is at ``h ~ cbrt(eps) ~ 6e-6`` with relative error ~1e-10 on smooth O(1) functions.
Steps are scaled per component, ``h_i = h0 * max(1, |x_i|)``, and rounded so that
``x_i + h_i`` is exactly representable.

Vectorization
-------------
The course's functions take points of shape ``(..., n)``. :func:`numerical_jacobian` therefore
stacks all ``2n`` perturbed points into one array ``X`` of shape ``(2n, n)`` and calls ``f(X)``
once. It checks the result (shape ``(2n, *f(x).shape)``, and two rows against single-point
calls); when ``f`` does not accept batches it falls back to a loop over the points.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._validation import as_float_array, check_callable, describe

__all__ = [
    "GradientCheckResult",
    "assert_gradient",
    "check_gradient",
    "numerical_gradient",
    "numerical_hessian",
    "numerical_jacobian",
]

_EPS = np.finfo(np.float64).eps
_BASE_STEP = {"central": _EPS ** (1 / 3), "forward": _EPS**0.5, "backward": _EPS**0.5}
_HESS_STEP = _EPS**0.25
_MAX_BATCH_ELEMENTS = 4_000_000  # split huge batches (numerical_hessian) into chunks


# -- small internals ----------------------------------------------------------------------
def _check_method(method) -> str:
    if method not in _BASE_STEP:
        raise ValueError(
            f"method must be one of {sorted(_BASE_STEP)}; got {method!r}"
        )
    return method


def _steps(x: np.ndarray, h, base: float) -> np.ndarray:
    """Per-component steps, shape ``x.shape``, rounded so that ``x + h`` is exact."""
    if h is None:
        steps = base * np.maximum(1.0, np.abs(x))
    else:
        if isinstance(h, bool) or not isinstance(h, (numbers.Real, np.ndarray, list, tuple)):
            raise TypeError(f"h must be a positive number or an array of steps; got {describe(h)}")
        steps = as_float_array(h, "h")
        if steps.ndim and steps.shape != x.shape:
            raise ValueError(
                f"h must be a scalar or have the shape of x {x.shape}; got shape {steps.shape}"
            )
        if np.any(steps <= 0):
            raise ValueError(f"h must be > 0; got {h!r}")
        steps = np.broadcast_to(steps, x.shape)
    exact = (x + steps) - x
    # rounding can make a very small step vanish (h below the spacing of x): keep it honest
    if not exact.all():
        i = np.flatnonzero(exact == 0)[0]
        raise ValueError(
            f"step h = {steps.flat[i]:.3g} is too small to change x[{i}] = {x.flat[i]:.17g} "
            "in floating point; use a larger h"
        )
    return exact


def _evaluate_single(f, x: np.ndarray, what: str = "f") -> np.ndarray:
    y = np.asarray(f(x))
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{what}(x) must return real numbers; got {describe(y)} "
                        f"of dtype {y.dtype}")
    return y.astype(np.float64, copy=False)


def _agrees(y: np.ndarray, ref: np.ndarray) -> bool:
    """Whether a batched value ``y`` equals the single-point value ``ref`` up to rounding."""
    if ref.ndim == 0:
        a, b = float(y), float(ref)
        if a == b or (a != a and b != b):
            return True
        return abs(a - b) <= 1e-12 * max(1.0, abs(b)) + 1e-9 * abs(b)
    diff = np.abs(y - ref)
    scale = max(1.0, float(np.max(np.abs(ref), initial=0.0, where=np.isfinite(ref))))
    ok = (diff <= 1e-12 * scale + 1e-9 * np.abs(ref)) | ((y == ref) | (np.isnan(y) & np.isnan(ref)))
    return bool(np.all(ok))


def _evaluate_points(f, X: np.ndarray, out_shape: tuple, vectorized, center=None) -> np.ndarray:
    """``f`` at each row of ``X`` (shape ``(k, n)``) -> ``(k, *out_shape)``.

    Tries one batched call ``f(X)`` unless ``vectorized is False``, and accepts its result
    only if it has the right shape and is consistent with single-point calls: when ``center``
    (the single-point value ``f(x)``) is given, the last row of ``X`` must be ``x`` itself and
    the batched value there must equal ``center`` up to rounding (one extra row instead of
    extra single calls); otherwise the first and last rows are compared with single calls. A
    batch of ``2n + 1`` rows (odd) can never be mistaken for the ``n`` coordinates of one
    point, so ``x[0]``-style indexing fails the shape test.
    """
    k = X.shape[0]
    if vectorized is not False:
        try:
            Y = np.asarray(f(X), dtype=np.float64)
        except Exception as err:
            if vectorized:
                raise ValueError(
                    f"f was declared vectorized but f(X) failed for X of shape {X.shape}: {err}"
                ) from err
            Y = None
        if Y is not None and Y.shape == (k,) + out_shape:
            if center is not None:
                consistent = _agrees(Y[-1], center)
            else:
                consistent = all(
                    e.shape == out_shape and _agrees(Y[i], e)
                    for i, e in ((i, _evaluate_single(f, X[i])) for i in (0, k - 1)))
            if consistent:
                return Y
            if vectorized:
                raise ValueError(
                    "f was declared vectorized but f(X) differs from f(X[i]) row by row"
                )
        elif vectorized:
            got = "an error" if Y is None else f"shape {Y.shape}"
            raise ValueError(
                f"f was declared vectorized: f(X) for X of shape {X.shape} must return shape "
                f"{(k,) + out_shape}; got {got}"
            )
    Y = np.empty((k,) + out_shape)
    for i in range(k):
        if center is not None and i == k - 1:
            Y[i] = center
            continue
        y = _evaluate_single(f, X[i])
        if y.shape != out_shape:
            raise ValueError(
                f"f must return the same shape at every point: f(x) has shape {out_shape} "
                f"but f at a perturbed point has shape {y.shape}"
            )
        Y[i] = y
    return Y


def _require_finite(values: np.ndarray, what: str, x: np.ndarray) -> None:
    if values.ndim == 0:
        finite = math.isfinite(values)
    else:
        finite = np.isfinite(values).all()
    if not finite:
        raise ValueError(
            f"{what} contains NaN/inf near x = {np.array2string(x, precision=6)}; "
            "finite differences need finite function values"
        )


# -- derivatives --------------------------------------------------------------------------
def numerical_jacobian(f, x, h=None, method="central", *, vectorized=None) -> np.ndarray:
    """Finite-difference Jacobian of ``f`` at the point ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` for ``x`` of shape ``(n,)`` returns a scalar or an array of shape ``s``
        (usually ``(m,)``). If it also accepts a batch ``(k, n) -> (k, *s)`` all perturbed
        points are evaluated in one call.
    x : array_like, shape (n,)
        The point (ints are fine).
    h : float or array_like of shape (n,), optional
        Absolute step(s). Default ``cbrt(eps) * max(1, |x_i|)`` for central differences and
        ``sqrt(eps) * max(1, |x_i|)`` for one-sided ones.
    method : {"central", "forward", "backward"}
        Difference formula.
    vectorized : bool, optional
        ``None`` (default) detects whether ``f`` accepts batches; ``True`` insists on one
        batched call; ``False`` always loops over the points.

    Returns
    -------
    numpy.ndarray
        Shape ``(*s, n)``: ``(m, n)`` for ``f: R^n -> R^m`` and ``(n,)`` for scalar ``f``.

    Raises
    ------
    TypeError
        If ``f`` is not callable or returns non-numbers.
    ValueError
        If ``x`` is not 1-D or not finite, ``h`` is not positive, or ``f`` returns NaN/inf.

    Notes
    -----
    Central: ``J[:, i] = (f(x + h_i e_i) - f(x - h_i e_i)) / (2 h_i)``, error
    ``O(h^2) + O(eps / h)``, ``2n`` evaluations in one call ``f(X)``, ``X.shape == (2n, n)``.
    Forward: ``J[:, i] = (f(x + h_i e_i) - f(x)) / h_i``, error ``O(h) + O(eps / h)``,
    ``n + 1`` evaluations. The batch also holds ``x`` itself as its last row (``2n + 1`` rows
    for central differences): the batched result is used only if its shape is
    ``(2n + 1, *s)`` and its value at ``x`` agrees with the single-point ``f(x)``; otherwise
    the points are evaluated one by one.

    Examples
    --------
    >>> import numpy as np
    >>> g = lambda x: np.stack([x[..., 0] * x[..., 1], np.sin(x[..., 0])], axis=-1)
    >>> numerical_jacobian(g, [0, 2]).round(8)
    array([[2., 0.],
           [1., 0.]])
    >>> numerical_jacobian(lambda x: np.sum(x**2, axis=-1), np.array([-1, 1])).round(8)
    array([-2.,  2.])
    """
    check_callable(f, "f")
    method = _check_method(method)
    x = as_float_array(x, "x", ndim=1)
    n = x.size
    if n == 0:
        raise ValueError("x must have at least one component; got shape (0,)")
    steps = _steps(x, h, _BASE_STEP[method])
    f0 = _evaluate_single(f, x)
    _require_finite(f0, "f(x)", x)
    if method == "central":
        # rows: x + h_i e_i (i < n), then x - h_i e_i, then x itself (the batching check)
        X = np.empty((2 * n + 1, n))
        X[:] = x
        up, down = x + steps, x - steps
        X[:n].reshape(-1)[:: n + 1] = up  # the diagonals of the two n x n blocks
        X[n:2 * n].reshape(-1)[:: n + 1] = down
        width = up - down  # the true 2h_i, even if x - h_i rounded
        Y = _evaluate_points(f, X, f0.shape, vectorized, center=f0)[:-1]
        diff = (Y[:n] - Y[n:]) / _expand(width, f0.ndim)
    else:
        sign = 1.0 if method == "forward" else -1.0
        X = np.empty((n + 1, n))
        X[:] = x
        X[:n].reshape(-1)[:: n + 1] = x + sign * steps
        Y = _evaluate_points(f, X, f0.shape, vectorized, center=f0)[:-1]
        diff = sign * (Y - f0) / _expand(steps, f0.ndim)
    _require_finite(Y, "f at the perturbed points", x)
    return diff if f0.ndim == 0 else np.moveaxis(diff, 0, -1)


def _expand(steps: np.ndarray, extra_dims: int) -> np.ndarray:
    return steps.reshape(steps.shape + (1,) * extra_dims)


def numerical_gradient(f, x, h=None, method="central") -> np.ndarray:
    """Finite-difference gradient of a scalar function; the result has the shape of ``x``.

    Parameters
    ----------
    f : callable
        Scalar-valued: ``f(x)`` returns a number for ``x`` of the shape given.
    x : array_like
        The point: a vector ``(n,)`` (then ``f`` may be vectorized, see
        :func:`numerical_jacobian`) or any other shape, e.g. a weight matrix ``(d, k)``.
    h : float or array_like, optional
        Step(s), a scalar or an array shaped like ``x``. Default as in :func:`numerical_jacobian`.
    method : {"central", "forward", "backward"}

    Returns
    -------
    numpy.ndarray
        ``df/dx``, shape ``x.shape``.

    Raises
    ------
    ValueError
        If ``f`` is not scalar-valued (use :func:`numerical_jacobian`), or on NaN/inf.

    Notes
    -----
    Central differences ``(f(x + h_i e_i) - f(x - h_i e_i)) / (2 h_i)`` with
    ``h_i = cbrt(eps) max(1, |x_i|)``; for non-vector ``x`` one entry is perturbed at a time.

    Examples
    --------
    >>> import numpy as np
    >>> numerical_gradient(lambda W: np.sum(W**2), np.ones((2, 3))).round(8)
    array([[2., 2., 2.],
           [2., 2., 2.]])
    """
    check_callable(f, "f")
    method = _check_method(method)
    x = as_float_array(x, "x")
    if x.size == 0:
        raise ValueError(f"x must have at least one component; got shape {x.shape}")
    f0 = _evaluate_single(f, x)
    if f0.size != 1 or f0.ndim > 1:
        raise ValueError(
            f"numerical_gradient needs a scalar-valued f, but f(x) has shape {f0.shape}; "
            "use numerical_jacobian for vector-valued functions"
        )
    if x.ndim == 1:
        g = numerical_jacobian(lambda z: _scalarize(f(z)), x, h, method)
        return g.reshape(x.shape)
    steps = _steps(x, h, _BASE_STEP[method])
    g = np.empty(x.size)
    flat = x.ravel()
    for i in range(x.size):
        e = np.zeros_like(flat)
        e[i] = steps.flat[i]
        plus = float(_evaluate_single(f, (flat + e).reshape(x.shape)).reshape(()))
        if method == "central":
            minus = float(_evaluate_single(f, (flat - e).reshape(x.shape)).reshape(()))
            g[i] = (plus - minus) / (2 * e[i])
        elif method == "forward":
            g[i] = (plus - float(f0.reshape(()))) / e[i]
        else:
            minus = float(_evaluate_single(f, (flat - e).reshape(x.shape)).reshape(()))
            g[i] = (float(f0.reshape(())) - minus) / e[i]
    _require_finite(np.append(g, f0.reshape(())), "f at the perturbed points", x.ravel())
    return g.reshape(x.shape)


def _scalarize(y):
    """Drop a trailing length-1 axis (a scalar function returning shape (1,))."""
    y = np.asarray(y)
    return y[..., 0] if y.ndim and y.shape[-1] == 1 else y


def numerical_hessian(f, x, h=None, *, vectorized=None) -> np.ndarray:
    """Finite-difference Hessian of a scalar function at a point ``x`` of shape ``(n,)``.

    Parameters
    ----------
    f : callable
        Scalar-valued; vectorized over ``(k, n)`` batches if possible.
    x : array_like, shape (n,)
    h : float or array_like of shape (n,), optional
        Step(s); default ``eps**(1/4) * max(1, |x_i|)``.
    vectorized : bool, optional
        As in :func:`numerical_jacobian`.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, n)``, exactly symmetric.

    Notes
    -----
    Second-order central differences of function values,
    ``H_ij = (f(x + h_i e_i + h_j e_j) - f(x + h_i e_i - h_j e_j) - f(x - h_i e_i + h_j e_j)
    + f(x - h_i e_i - h_j e_j)) / (4 h_i h_j)`` for ``i <= j`` (for ``i = j`` this is
    ``(f(x + 2h e_i) - 2 f(x) + f(x - 2h e_i)) / (4 h^2)``). Truncation ``O(h^2)`` against
    rounding ``O(eps / h^2)`` gives ``h ~ eps**(1/4)`` and a relative error around 1e-7.
    If you have the gradient, ``numerical_jacobian(grad_f, x)`` is more accurate.

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda x: x[..., 0] ** 2 * x[..., 1]
    >>> numerical_hessian(f, [1, 2]).round(5)
    array([[4., 2.],
           [2., 0.]])
    """
    check_callable(f, "f")
    x = as_float_array(x, "x", ndim=1)
    n = x.size
    if n == 0:
        raise ValueError("x must have at least one component; got shape (0,)")
    steps = _steps(x, h, _HESS_STEP)
    f0 = _evaluate_single(f, x)
    if f0.size != 1 or f0.ndim > 1:
        raise ValueError(
            f"numerical_hessian needs a scalar-valued f, but f(x) has shape {f0.shape}"
        )
    _require_finite(f0, "f(x)", x)
    i, j = np.triu_indices(n)
    ei = np.zeros((i.size, n))
    ej = np.zeros((i.size, n))
    ei[np.arange(i.size), i] = steps[i]
    ej[np.arange(i.size), j] += steps[j]
    signs = ((1, 1), (1, -1), (-1, 1), (-1, -1))
    X = np.concatenate([x + si * ei + sj * ej for si, sj in signs])
    chunk = max(1, _MAX_BATCH_ELEMENTS // n)
    Y = np.concatenate([
        _evaluate_points(lambda z: _scalarize(f(z)), X[k:k + chunk], (), vectorized)
        for k in range(0, X.shape[0], chunk)
    ])
    _require_finite(Y, "f at the perturbed points", x)
    pp, pm, mp, mm = Y.reshape(4, i.size)
    values = (pp - pm - mp + mm) / (4 * steps[i] * steps[j])
    H = np.empty((n, n))
    H[i, j] = values
    H[j, i] = values
    return H


# -- checking -----------------------------------------------------------------------------
class GradientCheckResult:
    """Outcome of comparing an analytic derivative with finite differences.

    Truthy exactly when every component satisfies
    ``|analytic - numerical| <= atol + rtol * |numerical|``.

    Attributes
    ----------
    passed : bool
    x : numpy.ndarray
        The point of the check.
    analytic, numerical : numpy.ndarray
        The two derivatives (same shape).
    abs_error : numpy.ndarray
        ``|analytic - numerical|`` per component.
    max_abs_error, max_rel_error : float
        Largest absolute error; largest ``|a - n| / max(|a|, |n|)`` (0 where both are 0).
    worst_index : tuple
        The component that violates the tolerance most (relative to its allowance).
    rtol, atol : float
    method : str
    name : str
        What was checked (e.g. ``"gradient"`` or ``"Jacobian"``).

    Examples
    --------
    >>> import numpy as np
    >>> res = check_gradient(lambda x: x @ x, lambda x: 2 * x, x=[1.0, 2.0])
    >>> bool(res), res.max_abs_error < 1e-8
    (True, True)
    """

    def __init__(self, *, x, analytic, numerical, rtol, atol, method, name="gradient"):
        self.x = np.asarray(x, dtype=float)
        self.analytic = np.asarray(analytic, dtype=float)
        self.numerical = np.asarray(numerical, dtype=float)
        self.rtol, self.atol, self.method, self.name = float(rtol), float(atol), method, name
        self.abs_error = np.abs(self.analytic - self.numerical)
        allowance = self.atol + self.rtol * np.abs(self.numerical)
        self.passed = bool(np.all(self.abs_error <= allowance))
        denom = np.maximum(np.abs(self.analytic), np.abs(self.numerical))
        rel = np.divide(self.abs_error, denom, out=np.zeros_like(denom), where=denom > 0)
        self.max_abs_error = float(self.abs_error.max())
        self.max_rel_error = float(rel.max())
        with np.errstate(divide="ignore", invalid="ignore"):
            excess = np.where(allowance > 0, self.abs_error / allowance,
                              np.where(self.abs_error > 0, np.inf, 0.0))
        self.worst_index = tuple(int(k) for k in np.unravel_index(np.argmax(excess),
                                                                   self.abs_error.shape))

    def __bool__(self) -> bool:
        return self.passed

    @property
    def message(self) -> str:
        """A multi-line, human-readable report (also the repr)."""
        def arr(a):
            return np.array2string(np.asarray(a), precision=8, threshold=20, edgeitems=3,
                                   max_line_width=90, separator=", ").replace("\n", "\n" + " " * 17)

        k = self.worst_index
        status = "PASSED" if self.passed else "FAILED"
        lines = [
            f"{self.name} check {status} (rtol={self.rtol:g}, atol={self.atol:g}, "
            f"{self.method} differences)",
            f"  max abs error  = {self.max_abs_error:.3e}",
            f"  max rel error  = {self.max_rel_error:.3e}",
            f"  worst entry {list(k)}: analytic {self.analytic[k]:.10g} "
            f"vs numerical {self.numerical[k]:.10g}",
            f"  at x         = {arr(self.x)}",
            f"  analytic     = {arr(self.analytic)}",
            f"  numerical    = {arr(self.numerical)}",
        ]
        scale = float(np.max(np.abs(self.numerical)))
        if scale < 10 * self.atol:
            lines.append(
                f"  note: the derivative is tiny here (max |numerical| = {scale:.1e}, "
                f"atol = {self.atol:g}); the check is weak at this point, try another x"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.message


def check_gradient(f, grad_f, x=None, n=2, rtol=1e-4, atol=1e-6, seed=None, *,
                   h=None, method="central") -> GradientCheckResult:
    """Compare ``grad_f(x)`` with a finite-difference derivative of ``f`` at one point.

    Works for gradients of scalar functions, Jacobians of vector functions and Hessians
    (``check_gradient(grad_f, hess_f)``).

    Parameters
    ----------
    f : callable
        The function (scalar- or vector-valued).
    grad_f : callable
        Its claimed derivative: shape ``x.shape`` for scalar ``f``; ``(*s, n)`` when ``f(x)`` has
        shape ``s`` (so ``(m, n)`` for ``f: R^n -> R^m`` and ``(n, n)`` for a Hessian).
    x : array_like, optional
        The point. Default: uniform random in ``[-2, 2]^n``. For scalar ``f`` it may have any
        shape (e.g. a weight matrix); for vector-valued ``f`` it must be 1-D.
    n : int
        Dimension of the random point when ``x`` is not given.
    rtol, atol : float
        Pass iff ``|analytic - numerical| <= atol + rtol * |numerical|`` for every entry.
    seed : int or numpy.random.Generator, optional
        For the random point (``None``: fresh entropy; pass a seed for reproducible runs).
    h, method
        Passed to the finite-difference routine.

    Returns
    -------
    GradientCheckResult
        Truthy if the derivative is right; its repr reports the errors, the worst entry, the
        point and both derivatives.

    Raises
    ------
    TypeError
        If ``f`` or ``grad_f`` is not callable.
    ValueError
        If ``grad_f(x)`` has the wrong shape (e.g. ``(n, 1)``, ``(1, n)`` or a scalar for a
        vector ``x``), or any value is NaN/inf.

    Notes
    -----
    Central differences are accurate to about 1e-10 relative error on smooth O(1) functions,
    so the default tolerances separate rounding noise from real mistakes by orders of
    magnitude. Entries below ``atol`` are not distinguished: at a point where the derivative
    is tiny (near a stationary point) pick a smaller ``atol`` or another ``x``; the report
    notes this case.

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda x: np.sin(x[..., 0]) * x[..., 1]
    >>> grad = lambda x: np.stack([np.cos(x[..., 0]) * x[..., 1], np.sin(x[..., 0])], -1)
    >>> res = check_gradient(f, grad, seed=1)
    >>> bool(res), res.max_rel_error < 1e-8
    (True, True)
    >>> wrong = lambda x: np.stack([np.cos(x[..., 0]), np.sin(x[..., 0])], -1)
    >>> print(check_gradient(f, wrong, x=[0.0, 2.0]))  # doctest: +ELLIPSIS
    gradient check FAILED (rtol=0.0001, atol=1e-06, central differences)
      max abs error  = 1.000e+00
      max rel error  = 5.000e-01
      worst entry [0]: analytic 1 vs numerical 2
    ...
    """
    check_callable(f, "f")
    check_callable(grad_f, "grad_f")
    for value, label in ((rtol, "rtol"), (atol, "atol")):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
            raise ValueError(f"{label} must be a number >= 0; got {value!r}")
    if x is None:
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"n must be a positive integer (the dimension); got {n!r}")
        rng = np.random.default_rng(seed)
        x = rng.uniform(-2.0, 2.0, size=int(n))
    x = as_float_array(x, "x")
    f0 = _evaluate_single(f, x)
    _require_finite(f0, "f(x)", x)
    scalar = f0.size == 1 and f0.ndim <= 1
    if scalar:
        numerical = numerical_gradient(f, x, h=h, method=method)
        expected, name = x.shape, "gradient"
    else:
        if x.ndim != 1:
            raise ValueError(
                f"for a vector-valued f, x must be a 1-D point of shape (n,); got shape {x.shape}"
            )
        numerical = numerical_jacobian(f, x, h=h, method=method)
        expected = f0.shape + x.shape
    analytic = _evaluate_single(grad_f, x, "grad_f")
    if analytic.shape != expected:
        what = ("the shape of x" if scalar else f"f(x).shape + x.shape = {f0.shape} + {x.shape}")
        raise ValueError(
            f"grad_f(x) must return shape {expected} ({what}); got shape {analytic.shape}"
        )
    _require_finite(analytic, "grad_f(x)", x.ravel())
    if not scalar:
        # a square, symmetric claimed derivative of a vector field is presumably a Hessian
        square = analytic.ndim == 2 and analytic.shape[0] == analytic.shape[1]
        name = "Hessian" if square and np.array_equal(analytic, analytic.T) else "Jacobian"
    return GradientCheckResult(x=x, analytic=analytic, numerical=numerical, rtol=rtol,
                               atol=atol, method=method, name=name)


def assert_gradient(f, grad_f, x=None, n=2, rtol=1e-4, atol=1e-6, seed=None, **kwargs):
    """Like :func:`check_gradient`, but raise ``AssertionError`` (with the report) on failure.

    Returns the :class:`GradientCheckResult` when the check passes.

    Examples
    --------
    >>> import numpy as np
    >>> assert_gradient(lambda x: x @ x, lambda x: -2 * x, x=[1.0, 0.0])
    Traceback (most recent call last):
    ...
    AssertionError: gradient check FAILED (rtol=0.0001, atol=1e-06, central differences)
    ...
    """
    result = check_gradient(f, grad_f, x=x, n=n, rtol=rtol, atol=atol, seed=seed, **kwargs)
    if not result:
        raise AssertionError(result.message)
    return result
