r"""The one driver loop behind every optimizer: stopping, divergence, counting and recording.

A method is a :class:`Rule`: a pair ``init(x0, g0) -> state`` and
``update(g, state, x, t, oracle) -> (u, state, step)`` in the spirit of optax. The rule only
says how to move: it returns the *update* ``u`` (the driver sets ``x <- x + u``) and the step
size it used (or ``None``), so rules chain (:func:`helpers.optim.chain`). :func:`run` does the
rest for every method: it evaluates ``f`` and ``grad`` at every iterate through a counting
:class:`Oracle`, records the path, stops on the gradient-norm tolerance (or a method's own
test), on ``maxiter`` or on divergence, and packs everything into a :class:`~helpers.Trace`.

Examples
--------
Gradient descent is "scale the gradient by the learning rate":

>>> import numpy as np
>>> from helpers.optim import run, scale_by_lr
>>> f, grad = lambda x: x @ x, lambda x: 2 * x
>>> tr = run(scale_by_lr(0.5), (f, grad), [1.0, -2.0], maxiter=50)
>>> tr.converged, tr.n_iter, tr.x
(True, 1, array([0., 0.]))
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .._validation import (
    as_lr_schedule,
    as_point,
    check_callable,
    check_count,
    check_fraction,
    check_positive,
    check_rng,
)
from .result import Trace

__all__ = [
    "EarlyStop", "Oracle", "Rule", "UpdateRule", "as_lr_schedule", "as_oracle", "as_point",
    "check_callable", "check_count", "check_fraction", "check_positive", "check_rng",
    "from_step", "run",
]

# An iterate is declared divergent when ||x|| exceeds DIVERGENCE_FACTOR * (1 + ||x0||), or
# when |f| or ||grad f|| exceed HUGE, or when anything becomes nan/inf.
DIVERGENCE_FACTOR = 1e10
HUGE = 1e100
_HUGE_SQ = HUGE * HUGE


class EarlyStop(Exception):
    """Raised by a rule to stop the run with a message (e.g. a failed line search).

    ``converged=True`` marks a stop that is a success (BFGS at machine precision).
    """

    def __init__(self, message: str, converged: bool = False):
        super().__init__(message)
        self.message = message
        self.converged = converged


class Rule(NamedTuple):
    """An optimizer method: how to initialise its state and how to compute one update.

    Attributes
    ----------
    init : callable
        ``init(x0, g0) -> state`` (``g0`` is ``None`` for a gradient-free oracle).
    update : callable
        ``update(g, state, x, t, oracle) -> (u, state, step)``: the update ``u`` (the driver
        sets ``x <- x + u``), the new state and the step size used (``None`` if the rule has
        none). ``t = 0, 1, ...`` counts iterations; ``oracle`` gives line searches access to
        ``f`` and ``grad``.
    absolute : bool, default False
        The rule returns the new point instead of an update (projections, zeroth-order
        proposals, and hw5-style step functions through :func:`from_step`).
    """

    init: Callable[[np.ndarray, np.ndarray | None], Any]
    update: Callable[..., tuple[np.ndarray, Any, float | None]]
    absolute: bool = False


class UpdateRule(NamedTuple):
    """The pre-``helpers.optim`` rule form, kept for old callers: ``update(x, g, state, t,
    oracle) -> (x_new, state, step)`` returns the new point. New code uses :class:`Rule`."""

    init: Callable[[np.ndarray, np.ndarray], Any]
    update: Callable[..., tuple[np.ndarray, Any, float]]


def from_step(step: Callable, *state0: Any, counter: bool = False, name: str = "step") -> Rule:
    r"""A :class:`Rule` from a step function ``step(x, *state, g) -> (x_new, *state)``.

    This is how a homework's step functions (``momentum_step(x, v, g, lr, beta)``, ...) run
    through :func:`run`: fix the hyperparameters with ``functools.partial`` or a lambda.

    Parameters
    ----------
    step : callable
        ``step(x, *state, g)`` (or ``step(x, *state, g, k)`` with ``counter=True``, where
        ``k = 1, 2, ...`` is the step number, as in Adam's bias correction) returning the new
        point followed by the new state, ``(x_new, *state)``.
    *state0 : array_like
        The initial state (e.g. ``np.zeros(2)`` for a velocity); none for a stateless step.
    counter : bool, default False
        Pass the step number ``k = t + 1`` after ``g``.
    name : str
        Used in error messages.

    Returns
    -------
    Rule
        An ``absolute`` rule (the step function returns the new point). ``step`` in the
        trace is ``nan``.

    Examples
    --------
    >>> import numpy as np
    >>> def momentum_step(x, v, g, lr, beta):
    ...     v = beta * v + g
    ...     return x - lr * v, v
    >>> rule = from_step(lambda x, v, g: momentum_step(x, v, g, lr=0.1, beta=0.5), np.zeros(2))
    >>> tr = run(rule, (lambda x: x @ x, lambda x: 2 * x), [1.0, 1.0])
    >>> tr.converged, tr.n_iter
    (True, 28)
    """
    check_callable(step, name)
    n_state = len(state0)
    copies = tuple(np.array(s, dtype=float) for s in state0)

    def init(x, g):
        return tuple(s.copy() for s in copies)

    def update(g, state, x, t, oracle):
        out = step(x, *state, g, t + 1) if counter else step(x, *state, g)
        if n_state == 0 and not isinstance(out, tuple):
            return out, state, None
        if not isinstance(out, tuple) or len(out) != n_state + 1:
            raise TypeError(f"{name} must return (x_new, {n_state} state value(s)), "
                            f"got {type(out).__name__}"
                            + (f" of length {len(out)}" if isinstance(out, tuple) else ""))
        return out[0], tuple(out[1:]), None

    return Rule(init, update, absolute=True)


# --------------------------------------------------------------------------- counting oracle
def _scalar(value: Any, x: np.ndarray) -> float:
    if type(value) is float:
        return value
    arr = np.asarray(value, dtype=float)
    if arr.size != 1:
        raise ValueError(
            f"the objective must return a scalar for a point of shape {x.shape}, "
            f"got an array of shape {arr.shape}"
        )
    return float(arr.reshape(()))


class Oracle:
    """Calls ``f``, ``grad`` and ``hess`` and counts distinct evaluations.

    The last few evaluations are cached, so asking again for the value at a point a line
    search has already visited costs nothing and is not counted twice. It is meant to be
    called inside :func:`run`, which silences floating-point overflow warnings: a run that
    blows up is reported by the divergence test, not by a page of RuntimeWarnings.

    Examples
    --------
    >>> import numpy as np
    >>> o = Oracle(lambda x: x @ x, lambda x: 2 * x)
    >>> x = np.array([1.0, 2.0])
    >>> o.f(x), o.f(x), o.grad(x), o.counts
    (5.0, 5.0, array([2., 4.]), {'f': 1, 'grad': 1, 'hess': 0})
    """

    CACHE = 4

    def __init__(self, f=None, grad=None, hess=None):
        for fn, name in ((f, "f"), (grad, "grad"), (hess, "hess")):
            if fn is not None:
                check_callable(fn, name)
        self._fns = {"f": f, "grad": grad, "hess": hess}
        # {kind: {x.tobytes(): value}}, oldest first; a few entries suffice for line searches.
        self._cache: dict[str, dict[bytes, Any]] = {"f": {}, "grad": {}, "hess": {}}
        self.counts = {"f": 0, "grad": 0, "hess": 0}

    def _call(self, kind: str, x: np.ndarray):
        key = x.tobytes()
        cache = self._cache[kind]
        value = cache.get(key)
        if value is not None:
            return value
        fn = self._fns[kind]
        if fn is None:
            raise TypeError(f"this method needs {kind!r} but none was given")
        raw = fn(x.copy())  # run() has silenced overflow warnings: divergence is reported
        if kind == "f":
            value = _scalar(raw, x)
        else:
            value = np.asarray(raw, dtype=float)
            want = x.shape if kind == "grad" else x.shape * 2
            if value.shape != want:
                raise ValueError(f"{kind}(x) must return shape {want} for x of shape "
                                 f"{x.shape}, got {value.shape}")
        self.counts[kind] += 1
        cache[key] = value
        if len(cache) > self.CACHE:
            del cache[next(iter(cache))]
        return value

    def f(self, x: np.ndarray) -> float:
        return self._call("f", x)

    def grad(self, x: np.ndarray) -> np.ndarray:
        return self._call("grad", x)

    def hess(self, x: np.ndarray) -> np.ndarray:
        return self._call("hess", x)

    def evaluations(self) -> dict[str, int]:
        """The counts the trace reports, ``{"f": ..., "grad": ..., "hess": ...}``."""
        return self.counts

    @property
    def has_f(self) -> bool:
        return self._fns["f"] is not None

    @property
    def has_grad(self) -> bool:
        return self._fns["grad"] is not None


def as_oracle(oracle: Any) -> Oracle:
    """An :class:`Oracle` from an Oracle, a tuple ``(f[, grad[, hess]])`` or a problem object
    with ``f``/``grad``/``hess`` methods (a :class:`helpers.Problem`)."""
    if isinstance(oracle, Oracle):
        return oracle
    if isinstance(oracle, tuple):
        if not 1 <= len(oracle) <= 3:
            raise ValueError(f"oracle tuple must be (f,), (f, grad) or (f, grad, hess), "
                             f"got {len(oracle)} items")
        return Oracle(*oracle)
    if hasattr(oracle, "f") and hasattr(oracle, "grad"):
        return Oracle(oracle.f, oracle.grad, getattr(oracle, "hess", None))
    raise TypeError("oracle must be an Oracle, a tuple (f, grad[, hess]) or an object with "
                    f"f and grad methods (a helpers.Problem), got {type(oracle).__name__}")


# --------------------------------------------------------------------------- divergence test
def divergence_reason(x: np.ndarray, f: float, g: np.ndarray | None, x0_norm: float) -> str | None:
    """Return why ``(x, f, g)`` looks divergent, or None if it looks fine."""
    xnorm = math.sqrt(float(x @ x))
    gsq = 0.0 if g is None else float(g @ g)
    if (xnorm <= DIVERGENCE_FACTOR * (1.0 + x0_norm) and gsq <= _HUGE_SQ
            and (math.isnan(f) or abs(f) <= HUGE)):
        return None  # the fast path: comparisons with nan are False, so nan/inf fall through
    if not np.all(np.isfinite(x)):
        return "the iterate contains nan/inf"
    if np.isinf(f) or (np.isnan(f) and g is not None and not np.all(np.isfinite(g))):
        return f"f(x) = {f}"
    if g is not None and not np.all(np.isfinite(g)):
        return "the gradient contains nan/inf"
    xnorm = float(np.linalg.norm(x))
    limit = DIVERGENCE_FACTOR * (1.0 + x0_norm)
    if xnorm > limit:
        return f"||x|| = {xnorm:.3g} exceeds {limit:.3g} = 1e10 (1 + ||x0||)"
    if abs(f) > HUGE:
        return f"|f(x)| = {abs(f):.3g} exceeds {HUGE:.0e}"
    if g is not None and np.linalg.norm(g) > HUGE:
        return f"||grad f(x)|| exceeds {HUGE:.0e}"
    return None


def diverged_message(t: int, reason: str) -> str:
    return f"diverged at iteration {t}: {reason} (is the step size too large?)"


# --------------------------------------------------------------------------- the driver loop
StopTest = Callable[[int, np.ndarray, float, float, Any], "tuple[bool, str] | None"]


def run(
    rule: Rule | UpdateRule,
    oracle: Any,
    x0: Any,
    *,
    tol: float = 1e-4,
    maxiter: int = 10_000,
    method: str = "",
    stop: StopTest | None = None,
    stop_norm: Callable[[np.ndarray, np.ndarray, Any], float] | None = None,
    extras: Callable[[Any], dict] | None = None,
    note: Callable[[Any, int], str] | None = None,
    n_steps: Callable[[Any], int] | None = None,
) -> Trace:
    r"""Iterate ``rule`` from ``x0`` until ``||grad f|| <= tol``, ``maxiter`` or divergence.

    Parameters
    ----------
    rule : Rule
        The method (see :class:`Rule`; :func:`helpers.optim.chain` composes several).
    oracle : Oracle, tuple or Problem
        ``Oracle(f, grad[, hess])``, a tuple ``(f, grad[, hess])`` or a
        :class:`helpers.Problem`. Without ``grad`` the run is gradient-free (zeroth order):
        ``grad_norms`` is ``nan`` and only ``stop`` or ``maxiter`` end it.
    x0 : array_like, shape (n,)
        Starting point.
    tol : float, default 1e-4
        Stop (``converged=True``) when the gradient norm is ``<= tol``.
    maxiter : int, default 10000
        Maximum number of iterations.
    method : str
        Name stored in ``trace.method``.
    stop : callable, optional
        ``stop(t, x, f, gn, state) -> None or (converged, message)``, tested before every
        iteration *instead of* the gradient-norm test (the ``maxiter`` test still follows).
    stop_norm : callable, optional
        ``stop_norm(x, g, state)`` replaces ``||g||`` as the quantity recorded in
        ``grad_norms`` and tested against ``tol`` (projected gradient uses the gradient
        mapping, the constrained outer loops the Lagrangian's gradient).
    extras : callable, optional
        ``extras(state) -> dict`` of method-specific records for ``trace.extras``.
    note : callable, optional
        ``note(state, n_iter) -> str`` appended to the final message.
    n_steps : callable, optional
        ``n_steps(state) -> int``, the number of elementary steps taken so far, for a rule
        whose one update takes several of them and returns only the point to record
        (:func:`helpers.sgd` with ``record_every > 1``). ``n_iter`` and the iteration numbers
        in the messages then count these steps; by default they count updates.

    Returns
    -------
    Trace
        ``xs``, ``fs``, ``grad_norms`` at every iterate, ``steps`` per iteration, and the
        counts of the oracle (``n_fev``, ``n_gev``, ``extras["n_hev"]`` when the Hessian was
        used).

    Notes
    -----
    Divergence: the run stops (``converged=False``, message ``"diverged at iteration k:
    ..."``) when the iterate or the gradient contains nan/inf, ``||x_k|| > 10^{10}(1 +
    ||x_0||)``, or ``|f|`` or ``||grad f||`` exceed ``1e100``; a non-finite iterate is not
    recorded, so the path can always be plotted. Floating-point overflow warnings are silenced
    during the run. A rule ends a run early by raising :class:`EarlyStop`.

    Examples
    --------
    Adam is a chain: scale by the moments, then by the learning rate.

    >>> import numpy as np
    >>> from helpers.optim import chain, scale_by_adam, scale_by_lr
    >>> tr = run(chain(scale_by_adam(), scale_by_lr(0.1)), (lambda x: x @ x, lambda x: 2 * x),
    ...          [1.0, -300.0], maxiter=1)
    >>> tr.xs[1] - tr.xs[0]
    array([-0.1,  0.1])
    """
    if isinstance(rule, UpdateRule):
        legacy = rule.update
        rule = Rule(rule.init, lambda g, s, x, t, o: legacy(x, g, s, t, o), absolute=True)
    elif not isinstance(rule, Rule):
        raise TypeError(f"rule must be a helpers.optim.Rule, got {type(rule).__name__}")
    oracle = as_oracle(oracle)
    x0 = as_point(x0)
    tol = check_positive(tol, "tol", allow_zero=True)
    maxiter = check_count(maxiter, "maxiter", minimum=0)
    # Overflow is expected when a run diverges: it is detected and reported, not warned about.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _run(rule, oracle, x0, tol=tol, maxiter=maxiter, method=method, stop=stop,
                    stop_norm=stop_norm, extras=extras, note=note, n_steps=n_steps)


def _steps(n_steps, state, t: int) -> int:
    """The iteration number of messages and ``n_iter``: ``t`` unless the rule counts steps."""
    return t if n_steps is None else n_steps(state)


def _run(rule, oracle, x0, *, tol, maxiter, method, stop, stop_norm, extras, note,
         n_steps) -> Trace:

    x = x0
    x0_norm = float(np.linalg.norm(x0))
    limit = DIVERGENCE_FACTOR * (1.0 + x0_norm)
    has_grad, has_f = oracle.has_grad, oracle.has_f
    grad_of, f_of = oracle.grad, oracle.f
    update, absolute = rule.update, rule.absolute
    g = grad_of(x) if has_grad else None
    f = f_of(x) if has_f else math.nan
    state = rule.init(x, g)
    gsq = float(g @ g) if has_grad else 0.0
    if stop_norm is not None:
        gn = stop_norm(x, g, state)
    else:
        gn = math.sqrt(gsq) if has_grad else math.nan
    xs, fs, gns, steps = [x], [f], [gn], []
    converged, message = False, ""
    reason = divergence_reason(x, f, g, x0_norm)
    if reason is not None:
        message = f"stopped at the start: {reason}"
    xnorm, t = x0_norm, 0
    while not message:
        if stop is not None:
            verdict = stop(t, x, f, gn, state)
            if verdict is not None:
                converged, message = verdict
                break
        elif gn <= tol:
            converged = True
            message = f"converged: gradient norm {gn:.3g} <= tol = {tol:g} after {t} iterations"
            break
        if t >= maxiter:
            message = (f"maxiter = {maxiter} reached; gradient norm {gn:.3g} > tol = {tol:g}"
                       if has_grad else
                       f"maxiter = {maxiter} reached (no gradient test for a zeroth-order method)")
            break
        try:
            u, state, step = update(g, state, x, t, oracle)
        except EarlyStop as early:
            converged, message = early.converged, (
                f"{early.message} (iteration {_steps(n_steps, state, t)})")
            break
        if not absolute:
            x_new = x + u
        elif u is x:  # the rule stayed put (a rejected proposal): same values, no new calls
            x_new = None
        elif type(u) is np.ndarray and u.dtype == np.float64:
            x_new = u
        else:
            x_new = np.asarray(u, dtype=float)
        if x_new is not None:
            xnorm = math.sqrt(float(x_new @ x_new))
            if not xnorm <= limit and not np.all(np.isfinite(x_new)):
                # Not recorded: a path with nan/inf rows cannot be plotted.
                message = diverged_message(_steps(n_steps, state, t + 1),
                                           "the iterate contains nan/inf")
                break
            x = x_new
            if has_grad:
                g = grad_of(x)
                gsq = float(g @ g)
            f = f_of(x) if has_f else math.nan
        t += 1
        if stop_norm is not None:
            gn = stop_norm(x, g, state)
        elif has_grad:
            gn = math.sqrt(gsq)
        xs.append(x)
        fs.append(f)
        gns.append(gn)
        steps.append(math.nan if step is None else step)
        # the fast path of divergence_reason, inlined (comparisons with nan are False)
        if not (xnorm <= limit and gsq <= _HUGE_SQ and (f != f or abs(f) <= HUGE)):
            reason = divergence_reason(x, f, g, x0_norm)
            if reason is not None:
                message = diverged_message(_steps(n_steps, state, t), reason)
    info = {} if extras is None else dict(extras(state))
    counts = oracle.evaluations()
    if counts["hess"]:
        info["n_hev"] = counts["hess"]
    if note is not None:
        message += note(state, t)
    t = _steps(n_steps, state, t)
    return Trace(
        xs=np.array(xs),
        fs=np.array(fs, dtype=float),
        grad_norms=np.array(gns, dtype=float),
        steps=np.array(steps, dtype=float),
        n_iter=t,
        converged=converged,
        message=message,
        n_fev=counts["f"],
        n_gev=counts["grad"],
        method=method,
        extras=info,
    )
