"""Learning-rate schedules: callables ``t -> lr`` for the iteration counter ``t = 0, 1, 2, ...``.

Every schedule accepts a scalar ``t`` (and returns a float) or an array of ``t`` (and returns
an array of the same shape), so ``schedule(np.arange(100))`` gives the whole curve for a plot.
Pass a schedule as ``lr=`` (or ``schedule=``) to the optimizers in :mod:`helpers.optimizers`.

Examples
--------
>>> import numpy as np
>>> from helpers import cosine_annealing, linear_warmup, step_decay
>>> step_decay(0.1, drop=0.5, every=10)(np.array([0, 9, 10, 25]))
array([0.1  , 0.1  , 0.05 , 0.025])
>>> sched = linear_warmup(cosine_annealing(1.0, T=100), warmup=10)
>>> sched(np.array([0, 5, 10, 110])).round(3)
array([0. , 0.5, 1. , 0. ])
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from ._validation import check_count, check_positive

__all__ = [
    "Schedule",
    "constant",
    "cosine_annealing",
    "exponential_decay",
    "inverse_sqrt",
    "linear_warmup",
    "step_decay",
]


class Schedule:
    """A learning-rate schedule: a vectorized callable ``t -> lr`` with a readable repr.

    Parameters
    ----------
    fn : callable
        Maps a float array of iteration counters ``t >= 0`` to learning rates.
    description : str
        Shown by ``repr``, e.g. ``"step_decay(lr0=0.1, drop=0.5, every=10)"``.
    """

    def __init__(self, fn: Callable[[np.ndarray], np.ndarray], description: str):
        self._fn = fn
        self.description = description

    def __call__(self, t):
        t_arr = np.asarray(t, dtype=float)
        if not np.all(np.isfinite(t_arr)) or np.any(t_arr < 0):
            raise ValueError(f"a schedule needs iteration counters t >= 0, got {t!r}")
        lr = np.asarray(self._fn(t_arr), dtype=float) * np.ones_like(t_arr)
        return float(lr) if lr.ndim == 0 else lr

    def __repr__(self) -> str:
        return self.description


def _as_schedule(schedule_or_lr, name: str) -> Schedule:
    if isinstance(schedule_or_lr, Schedule):
        return schedule_or_lr
    if callable(schedule_or_lr):
        fn = schedule_or_lr
        return Schedule(lambda t: np.vectorize(fn, otypes=[float])(t), f"custom({fn!r})")
    if isinstance(schedule_or_lr, numbers.Real) and not isinstance(schedule_or_lr, bool):
        return constant(schedule_or_lr)
    raise TypeError(f"{name} must be a positive number or a schedule (callable t -> lr), "
                    f"got {type(schedule_or_lr).__name__}")


def constant(lr: float) -> Schedule:
    r"""The constant schedule :math:`\eta_t = \eta`.

    Examples
    --------
    >>> constant(0.1)(3)
    0.1
    """
    lr = check_positive(lr, "lr")
    return Schedule(lambda t: np.full_like(t, lr), f"constant(lr={lr:g})")


def step_decay(lr0: float, drop: float = 0.5, every: int = 10) -> Schedule:
    r"""Piecewise-constant decay: multiply by ``drop`` every ``every`` steps.

    Notes
    -----
    :math:`\eta_t = \eta_0\, d^{\lfloor t / T \rfloor}` with ``d = drop`` and ``T = every``.

    Examples
    --------
    >>> step_decay(1.0, drop=0.1, every=2)([0, 1, 2, 4])
    array([1.  , 1.  , 0.1 , 0.01])
    """
    lr0 = check_positive(lr0, "lr0")
    drop = check_positive(drop, "drop")
    if drop > 1:
        raise ValueError(f"drop must be in (0, 1] (a decay factor), got {drop}")
    every = check_count(every, "every")
    return Schedule(lambda t: lr0 * drop ** np.floor(t / every),
                    f"step_decay(lr0={lr0:g}, drop={drop:g}, every={every})")


def exponential_decay(lr0: float, gamma: float) -> Schedule:
    r"""Exponential decay :math:`\eta_t = \eta_0 \gamma^t` with ``0 < gamma <= 1``.

    Examples
    --------
    >>> exponential_decay(1.0, 0.5)([0, 1, 3])
    array([1.   , 0.5  , 0.125])
    """
    lr0 = check_positive(lr0, "lr0")
    gamma = check_positive(gamma, "gamma")
    if gamma > 1:
        raise ValueError(f"gamma must be in (0, 1], got {gamma}")
    return Schedule(lambda t: lr0 * gamma**t, f"exponential_decay(lr0={lr0:g}, gamma={gamma:g})")


def inverse_sqrt(C: float) -> Schedule:
    r"""The classic SGD schedule :math:`\eta_t = C / \sqrt{t + 1}`.

    Notes
    -----
    The lectures write :math:`C/\sqrt{t}` with ``t`` counted from 1; the counter here starts at
    0, hence ``t + 1``. The steps go to 0 while their sum diverges; with iterate averaging
    this schedule gives convex SGD its :math:`O(1/\sqrt{T})` rate.

    Examples
    --------
    >>> inverse_sqrt(1.0)([0, 3, 99])
    array([1. , 0.5, 0.1])
    """
    C = check_positive(C, "C")
    return Schedule(lambda t: C / np.sqrt(t + 1.0), f"inverse_sqrt(C={C:g})")


def cosine_annealing(lr_max: float, T: int, lr_min: float = 0.0, restarts: bool = False, *,
                     t_mult: float = 1.0) -> Schedule:
    r"""Cosine annealing from ``lr_max`` down to ``lr_min`` over ``T`` steps (SGDR if ``restarts``).

    Notes
    -----
    Within a cycle of length :math:`T_i`, with :math:`t_c` the steps since the cycle started,

    .. math:: \eta_t = \eta_{\min} + \tfrac12(\eta_{\max} - \eta_{\min})(1 + \cos(\pi t_c / T_i)).

    Without restarts there is one cycle and the rate stays at ``lr_min`` for ``t >= T``.
    With ``restarts=True`` the rate jumps back to ``lr_max`` at the end of each cycle; cycle
    ``i`` has length :math:`T_i = T\, m^i` with ``m = t_mult`` (Loshchilov & Hutter, 2017).

    Examples
    --------
    >>> cosine_annealing(1.0, T=10)([0, 5, 10, 20])
    array([1. , 0.5, 0. , 0. ])
    >>> cosine_annealing(1.0, T=10, restarts=True)([9, 10, 15])
    array([0.02447174, 1.        , 0.5       ])
    """
    lr_max = check_positive(lr_max, "lr_max")
    lr_min = check_positive(lr_min, "lr_min", allow_zero=True)
    if lr_min > lr_max:
        raise ValueError(f"lr_min must be <= lr_max, got lr_min={lr_min}, lr_max={lr_max}")
    T = check_count(T, "T")
    t_mult = check_positive(t_mult, "t_mult")
    if t_mult < 1:
        raise ValueError(f"t_mult must be >= 1, got {t_mult}")

    def cycle_position(t):
        if not restarts:
            return np.minimum(t, T), np.full_like(t, T)
        if t_mult == 1:
            return np.mod(t, T), np.full_like(t, T)
        i = np.floor(np.log1p(t * (t_mult - 1) / T) / np.log(t_mult))
        start = T * (t_mult**i - 1) / (t_mult - 1)
        return t - start, T * t_mult**i

    def fn(t):
        t_cur, T_i = cycle_position(t)
        return lr_min + 0.5 * (lr_max - lr_min) * (1 + np.cos(np.pi * t_cur / T_i))

    extra = f", t_mult={t_mult:g}" if t_mult != 1 else ""
    return Schedule(fn, f"cosine_annealing(lr_max={lr_max:g}, T={T}, lr_min={lr_min:g}, "
                        f"restarts={restarts}{extra})")


def linear_warmup(schedule_or_lr, warmup: int) -> Schedule:
    r"""Ramp the learning rate linearly from 0 over ``warmup`` steps, then follow a schedule.

    Parameters
    ----------
    schedule_or_lr : float or callable
        The schedule to follow after the warm-up (a number means a constant rate).
    warmup : int
        Length :math:`T_w` of the ramp.

    Notes
    -----
    .. math:: \eta_t = \eta^{\text{base}}_0 \, t / T_w \quad (t < T_w), \qquad
              \eta_t = \eta^{\text{base}}_{t - T_w} \quad (t \ge T_w).

    The base schedule starts its own clock when the warm-up ends, so
    ``linear_warmup(cosine_annealing(1, T=100), 10)`` anneals over steps 10 to 110
    (as in Goyal et al., 2017, and optax's ``warmup_cosine_decay_schedule``). At ``t = 0`` the
    rate is exactly 0, so the first update does not move.

    Examples
    --------
    >>> linear_warmup(0.1, warmup=4)([0, 1, 2, 4, 50])
    array([0.   , 0.025, 0.05 , 0.1  , 0.1  ])
    """
    base = _as_schedule(schedule_or_lr, "schedule_or_lr")
    warmup = check_count(warmup, "warmup")
    peak = base(0)

    def fn(t):
        return np.where(t < warmup, peak * t / warmup, base(np.maximum(t - warmup, 0.0)))

    return Schedule(fn, f"linear_warmup({base!r}, warmup={warmup})")
