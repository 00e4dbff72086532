"""The result type of every optimizer in :mod:`helpers` (:class:`Trace`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Trace"]


@dataclass(repr=False, eq=False)
class Trace:
    """Everything an optimizer run produced: the path, the values along it and the bookkeeping.

    Attributes
    ----------
    xs : ndarray, shape (k+1, n)
        Iterates ``x_0, ..., x_k`` (row ``i`` is ``x_i``).
    fs : ndarray, shape (k+1,)
        Objective values ``f(x_i)`` (``nan`` where a method does not evaluate ``f``).
    grad_norms : ndarray, shape (k+1,)
        Euclidean norms ``||grad f(x_i)||`` (for projected gradient the norm of the gradient
        mapping; for SGD the norm of the minibatch gradient; ``nan`` where not available).
    steps : ndarray, shape (k,)
        Step size (learning rate, line-search step or damping factor) used in iteration ``i``.
    n_iter : int
        Number of iterations (updates) performed.
    converged : bool
        True when the stopping test (e.g. ``||grad f|| <= tol``) was met, or when BFGS/L-BFGS
        stopped because the iterate is as good as floating point allows (``message`` then
        starts with ``"converged to machine precision"``, and the gradient norm, at round-off
        level, may be above ``tol``).
    message : str
        Why the run stopped, in words.
    n_fev, n_gev : int
        Number of distinct objective and gradient evaluations (the counting wrappers do not
        count a repeated evaluation at the very same point).
    method : str
        Name of the method that produced the trace.
    extras : dict
        Method-specific records, also reachable as attributes (``trace.lam`` for the
        multiplier of the constrained methods, ``trace.n_hev`` for Newton, ...).

    Notes
    -----
    The names scipy's ``OptimizeResult`` uses are aliases (read-only properties), so code
    written for ``scipy.optimize.minimize`` reads a Trace unchanged:

    ================  ===================  ==========================================
    scipy             Trace                meaning
    ================  ===================  ==========================================
    ``x``             ``x`` = ``xs[-1]``   final iterate
    ``fun``           ``f`` = ``fs[-1]``   objective at the final iterate
    ``nit``           ``n_iter``           iterations
    ``success``       ``converged``        the stopping test was met
    ``message``       ``message``          why the run stopped
    ``nfev``          ``n_fev``            objective evaluations
    ``njev``          ``n_gev``            gradient evaluations
    ``nhev``          ``n_hev`` (extras)   Hessian evaluations (Newton only)
    ================  ===================  ==========================================

    scipy has no path; ``xs``, ``fs``, ``grad_norms`` and ``steps`` are the Trace's own.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers import gradient_descent
    >>> tr = gradient_descent(lambda x: x @ x, lambda x: 2 * x, np.array([1.0, -1.0]), lr=0.5)
    >>> tr.converged, tr.n_iter, tr.xs.shape
    (True, 1, (2, 2))
    >>> tr.x
    array([0., 0.])
    >>> tr.nit, tr.success, tr.fun, tr.nfev, tr.njev  # scipy's names
    (1, True, 0.0, 2, 2)
    """

    xs: np.ndarray
    fs: np.ndarray
    grad_norms: np.ndarray
    steps: np.ndarray
    n_iter: int
    converged: bool
    message: str
    n_fev: int = 0
    n_gev: int = 0
    method: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: expose the method-specific extras.
        extras = self.__dict__.get("extras", {})
        if name in extras:
            return extras[name]
        raise AttributeError(
            f"'Trace' object has no attribute {name!r}"
            + (f" (extras available: {sorted(extras)})" if extras else "")
        )

    @property
    def x(self) -> np.ndarray:
        """The final iterate ``xs[-1]``."""
        return self.xs[-1]

    @property
    def f(self) -> float:
        """The objective value at the final iterate, ``fs[-1]``."""
        return float(self.fs[-1])

    @property
    def grad_norm(self) -> float:
        """The gradient norm at the final iterate, ``grad_norms[-1]``."""
        return float(self.grad_norms[-1])

    # scipy.optimize.OptimizeResult names (see Notes)
    @property
    def fun(self) -> float:
        """scipy's name for :attr:`f`."""
        return self.f

    @property
    def nit(self) -> int:
        """scipy's name for :attr:`n_iter`."""
        return self.n_iter

    @property
    def success(self) -> bool:
        """scipy's name for :attr:`converged`."""
        return self.converged

    @property
    def nfev(self) -> int:
        """scipy's name for :attr:`n_fev`."""
        return self.n_fev

    @property
    def njev(self) -> int:
        """scipy's name for :attr:`n_gev`."""
        return self.n_gev

    @property
    def nhev(self) -> int:
        """scipy's name for ``n_hev`` (Hessian evaluations; 0 when none were made)."""
        return int(self.extras.get("n_hev", 0))

    def __len__(self) -> int:
        return len(self.xs)

    def __repr__(self) -> str:
        with np.printoptions(precision=6, suppress=False, threshold=6, edgeitems=2):
            x = np.array2string(self.x, separator=", ")
        lines = [
            f"Trace({self.method or 'optimizer'}: {self.message})",
            f"  converged={self.converged}, n_iter={self.n_iter}, "
            f"n_fev={self.n_fev}, n_gev={self.n_gev}",
            f"  x={x}, f={self.f:.6g}, grad_norm={self.grad_norm:.3g}",
        ]
        if self.extras:
            shown = []
            for key, value in self.extras.items():
                if np.ndim(value) == 0:
                    shown.append(f"{key}={value:.6g}" if isinstance(value, float) else
                                 f"{key}={value}")
                else:
                    shown.append(f"{key}=<array {np.shape(value)}>")
            lines.append("  " + ", ".join(shown))
        return "\n".join(lines)
