"""Run several methods on one problem, optionally tuning each one's learning rate."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from .._validation import as_point, check_callable
from .result import Trace

__all__ = ["Race", "race"]


class Race(NamedTuple):
    """The result of :func:`race`.

    Attributes
    ----------
    runs : dict
        ``{name: Trace}``: each method's run (its best one when learning rates were tuned).
    lr : dict
        ``{name: learning rate}`` of that run (``None`` when ``lrs`` was not given).
    scores : dict
        ``{name: ndarray}``: the score of every run (one per learning rate; ``inf`` for a
        diverged run), lower is better.
    """

    runs: dict[str, Trace]
    lr: dict[str, float | None]
    scores: dict[str, np.ndarray]

    def ranking(self) -> list[str]:
        """Method names, best score first."""
        return sorted(self.runs, key=lambda name: float(np.min(self.scores[name])))


def _score_of(score, problem) -> Callable[[Trace], float]:
    if callable(score):
        return score
    if score == "dist":
        x_star = np.asarray(problem.minimizers[0], dtype=float)
        return lambda tr: float(np.linalg.norm(tr.x - x_star))
    if score == "f":
        return lambda tr: tr.f
    if score == "grad_norm":
        return lambda tr: tr.grad_norm
    raise ValueError(f"score must be 'dist', 'f', 'grad_norm' or a callable, got {score!r}")


def race(methods: Mapping[str, Any], problem, x0=None, *, lrs: Sequence[float] | None = None,
         score="dist", **common) -> Race:
    r"""Run every method of ``methods`` on ``problem``; with ``lrs``, keep each one's best rate.

    Parameters
    ----------
    methods : dict
        ``{name: method}`` or ``{name: (method, kwargs)}``, where ``method(f, grad, x0,
        **kwargs)`` returns a Trace (``helpers.gradient_descent``, ``helpers.adam``, ...).
    problem : helpers.Problem
        Supplies ``f``, ``grad``, the start ``x0`` (unless given) and, for ``score="dist"``,
        ``minimizers[0]``.
    x0 : array_like, optional
        Starting point; default ``problem.x0``.
    lrs : sequence of float, optional
        Learning rates to try for every method (each method then runs ``len(lrs)`` times and
        the run with the lowest score is kept).
    score : {"dist", "f", "grad_norm"} or callable, default "dist"
        What "best" means: final distance to ``problem.minimizers[0]``, final ``f``, final
        gradient norm, or ``score(trace) -> float``. nan/inf scores (diverged runs) rank last.
    **common
        Passed to every method (``tol``, ``maxiter``, ...).

    Returns
    -------
    Race
        ``runs``, ``lr`` and ``scores`` per method; ``ranking()`` sorts the names.

    Examples
    --------
    >>> import numpy as np
    >>> from helpers import adam, gradient_descent, momentum, quadratic
    >>> bowl = quadratic(np.diag([1.0, 10.0]), x0=[1.0, 1.0])
    >>> r = race({"GD": gradient_descent, "momentum": (momentum, {"beta": 0.5}),
    ...           "Adam": adam}, bowl, lrs=[0.01, 0.05, 0.1], maxiter=300)
    >>> r.lr
    {'GD': 0.1, 'momentum': 0.1, 'Adam': 0.1}
    >>> {name: tr.n_iter for name, tr in r.runs.items()}
    {'GD': 88, 'momentum': 32, 'Adam': 177}
    """
    if not isinstance(methods, Mapping) or not methods:
        raise TypeError("methods must be a non-empty dict {name: method or (method, kwargs)}")
    if not (hasattr(problem, "f") and hasattr(problem, "grad")):
        raise TypeError(f"problem must have f and grad (a helpers.Problem), "
                        f"got {type(problem).__name__}")
    start = as_point(problem.x0 if x0 is None else x0)
    measure = _score_of(score, problem)
    rates = [None] if lrs is None else list(lrs)
    if not rates:
        raise ValueError("lrs must not be empty")
    runs, best_lr, scores = {}, {}, {}
    for name, spec in methods.items():
        method, kwargs = spec if isinstance(spec, tuple) else (spec, {})
        check_callable(method, f"methods[{name!r}]")
        trials = [method(problem.f, problem.grad, start,
                         **({} if lr is None else {"lr": lr}), **common, **kwargs)
                  for lr in rates]
        s = np.array([measure(tr) for tr in trials], dtype=float)
        s = np.where(np.isfinite(s), s, np.inf)
        k = int(np.argmin(s))
        runs[name], best_lr[name], scores[name] = trials[k], rates[k], s
    return Race(runs, best_lr, scores)
