"""The one driver loop behind every optimizer: stopping, counting and recording.

A method is an :class:`UpdateRule`, a pair ``init(x0, g0) -> state`` and
``update(x, g, state, t, oracle) -> (x_new, state, step)`` in the spirit of optax. The rule
only says how to move; :func:`run` evaluates ``f`` and ``grad`` at every iterate (through a
counting :class:`Oracle`), records the path, stops on the gradient-norm tolerance, on
``maxiter`` or on divergence, and packs everything into a :class:`~helpers.Trace`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ._opt_trace import Trace
from ._validation import check_callable, check_integer, check_positive

__all__ = [
    "EarlyStop", "Oracle", "UpdateRule", "as_lr_schedule", "as_point", "check_callable",
    "check_count", "check_fraction", "check_positive", "check_rng", "run",
]

# An iterate is declared divergent when ||x|| exceeds DIVERGENCE_FACTOR * (1 + ||x0||), or
# when |f| or ||grad f|| exceed HUGE, or when anything becomes nan/inf.
DIVERGENCE_FACTOR = 1e10
HUGE = 1e100


class EarlyStop(Exception):
    """Raised by an update rule to stop the run with a message (e.g. a failed line search)."""

    def __init__(self, message: str, converged: bool = False):
        super().__init__(message)
        self.message = message
        self.converged = converged


class UpdateRule(NamedTuple):
    """An optimizer method: how to initialise its state and how to take one step."""

    init: Callable[[np.ndarray, np.ndarray], Any]
    update: Callable[..., tuple[np.ndarray, Any, float]]


# --------------------------------------------------------------------------- input checks
def as_point(x0: Any, name: str = "x0") -> np.ndarray:
    """Return ``x0`` as a finite 1-D float array (a copy), or raise a clear error."""
    try:
        x = np.array(x0, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a 1-D array of numbers, got {type(x0).__name__}") from err
    if x.ndim == 0:
        x = x.reshape(1)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of shape (n,), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite, got {x}")
    return x


def check_fraction(value: Any, name: str) -> float:
    """A number in [0, 1) such as a momentum or decay coefficient."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number in [0, 1), got {type(value).__name__}")
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


def check_count(value: Any, name: str, *, minimum: int = 1) -> int:
    """An integer ``>= minimum`` such as ``maxiter`` or ``batch_size``."""
    return check_integer(value, name, minimum=minimum)


def check_rng(rng: Any) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy Generator, e.g. np.random.default_rng(0), "
            f"got {type(rng).__name__}"
        )
    return rng


def as_lr_schedule(lr: Any, name: str = "lr") -> Callable[[int], float]:
    """Turn a learning rate (positive number or callable ``t -> lr``) into a callable."""
    if callable(lr):
        return lr
    value = check_positive(lr, name)
    return lambda t: value


# --------------------------------------------------------------------------- counting oracle
def _scalar(value: Any, x: np.ndarray) -> float:
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
    """

    CACHE = 4

    def __init__(self, f=None, grad=None, hess=None):
        self._fns = {"f": f, "grad": grad, "hess": hess}
        # {kind: {x.tobytes(): value}}, oldest first; a few entries suffice for line searches.
        self._cache: dict[str, dict[bytes, Any]] = {"f": {}, "grad": {}, "hess": {}}
        self.counts = {"f": 0, "grad": 0, "hess": 0}

    def _call(self, kind: str, x: np.ndarray):
        key = x.tobytes()
        cache = self._cache[kind]
        if key in cache:
            return cache[key]
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

    @property
    def has_f(self) -> bool:
        return self._fns["f"] is not None


# --------------------------------------------------------------------------- divergence test
def divergence_reason(x: np.ndarray, f: float, g: np.ndarray | None, x0_norm: float) -> str | None:
    """Return why ``(x, f, g)`` looks divergent, or None if it looks fine."""
    xnorm = math.sqrt(float(x @ x))
    gsq = 0.0 if g is None else float(g @ g)
    if (xnorm <= DIVERGENCE_FACTOR * (1.0 + x0_norm) and gsq <= HUGE * HUGE
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
def run(
    rule: UpdateRule,
    oracle: Oracle,
    x0: np.ndarray,
    *,
    tol: float,
    maxiter: int,
    method: str,
    record_f: bool = True,
    stop_norm: Callable[[np.ndarray, np.ndarray, Any], float] | None = None,
    extras: Callable[[Any], dict] | None = None,
) -> Trace:
    """Iterate ``rule`` from ``x0`` until ``||grad f|| <= tol``, ``maxiter`` or divergence.

    ``stop_norm(x, g, state)`` replaces ``||g||`` as the quantity recorded in ``grad_norms``
    and tested against ``tol`` (projected gradient uses the gradient mapping).
    """
    tol = check_positive(tol, "tol", allow_zero=True)
    maxiter = check_count(maxiter, "maxiter", minimum=0)
    # Overflow is expected when a run diverges: it is detected and reported, not warned about.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _run(rule, oracle, x0, tol=tol, maxiter=maxiter, method=method,
                    record_f=record_f, stop_norm=stop_norm, extras=extras)


def _run(rule, oracle, x0, *, tol, maxiter, method, record_f, stop_norm, extras) -> Trace:
    x = x0
    x0_norm = float(np.linalg.norm(x0))
    g = oracle.grad(x)
    f = oracle.f(x) if record_f and oracle.has_f else np.nan
    state = rule.init(x, g)
    norm = (lambda x, g, s: float(np.linalg.norm(g))) if stop_norm is None else stop_norm
    gn = norm(x, g, state)
    xs, fs, gns, steps = [x], [f], [gn], []
    converged, message = False, ""
    reason = divergence_reason(x, f, g, x0_norm)
    if reason is not None:
        message = f"stopped at the start: {reason}"
    t = 0
    while not message:
        if gn <= tol:
            converged = True
            message = f"converged: gradient norm {gn:.3g} <= tol = {tol:g} after {t} iterations"
            break
        if t >= maxiter:
            message = f"maxiter = {maxiter} reached; gradient norm {gn:.3g} > tol = {tol:g}"
            break
        try:
            x_new, state, step = rule.update(x, g, state, t, oracle)
        except EarlyStop as stop:
            converged, message = stop.converged, f"{stop.message} (iteration {t})"
            break
        x_new = np.asarray(x_new, dtype=float)
        if not np.all(np.isfinite(x_new)):
            # Not recorded: a path with nan/inf rows cannot be plotted.
            message = diverged_message(t + 1, "the iterate contains nan/inf")
            break
        t += 1
        x = x_new
        g = oracle.grad(x)
        f = oracle.f(x) if record_f and oracle.has_f else np.nan
        gn = norm(x, g, state)
        xs.append(x)
        fs.append(f)
        gns.append(gn)
        steps.append(step)
        reason = divergence_reason(x, f, g, x0_norm)
        if reason is not None:
            message = diverged_message(t, reason)
    info = {} if extras is None else dict(extras(state))
    if oracle.counts["hess"]:
        info["n_hev"] = oracle.counts["hess"]
    return Trace(
        xs=np.array(xs),
        fs=np.array(fs, dtype=float),
        grad_norms=np.array(gns, dtype=float),
        steps=np.array(steps, dtype=float),
        n_iter=t,
        converged=converged,
        message=message,
        n_fev=oracle.counts["f"],
        n_gev=oracle.counts["grad"],
        method=method,
        extras=info,
    )
