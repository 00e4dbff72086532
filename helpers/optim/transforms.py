r"""Composable update rules in the spirit of optax: each one transforms an update.

A chain starts from the gradient :math:`g` and passes the update along; the last link is
usually :func:`scale_by_lr`, which turns a direction into a step :math:`-\eta_t u`. The methods
of the course are short chains that read like their equations:

=================  ===========================================================================
method             chain
=================  ===========================================================================
gradient descent   ``scale_by_lr(lr)``
heavy ball         ``chain(trace(beta), scale_by_lr(lr))``
Nesterov           ``chain(trace(beta, nesterov=True), scale_by_lr(lr))``
AdaGrad            ``scale_by_rss(eps, lr=lr)`` (= ``chain(scale_by_rss(eps), scale_by_lr(lr))``)
RMSprop            ``scale_by_rms(rho, eps, lr=lr)`` (= ``chain(scale_by_rms(...), scale_by_lr)``)
Adam               ``chain(scale_by_adam(beta1, beta2, eps), scale_by_lr(lr))``
AMSGrad            ``chain(scale_by_amsgrad(beta1, beta2, eps), scale_by_lr(lr))``
AdamW              ``chain(scale_by_adam(...), add_decayed_weights(wd), scale_by_lr(lr))``
=================  ===========================================================================

Run one with :func:`helpers.optim.run`. Every learning rate may be a number or a schedule
``t -> lr`` (:mod:`helpers.schedules`).

Examples
--------
>>> import numpy as np
>>> from helpers.optim import chain, run, scale_by_lr, trace
>>> heavy_ball = chain(trace(0.5), scale_by_lr(0.1))
>>> tr = run(heavy_ball, (lambda x: x @ x, lambda x: 2 * x), [1.0, 1.0])
>>> tr.converged, tr.n_iter
(True, 28)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validation import as_lr_schedule, check_fraction, check_positive
from .driver import Rule

__all__ = [
    "add_decayed_weights",
    "chain",
    "scale_by_adam",
    "scale_by_amsgrad",
    "scale_by_lr",
    "scale_by_rms",
    "scale_by_rss",
    "trace",
]


def _no_state(x, g):
    return None


def _zeros(x, g):
    return np.zeros_like(x)


def chain(*rules: Rule) -> Rule:
    """Apply ``rules`` in order, each to the update the previous one returned.

    The step recorded in the trace is the last one a link reports (the learning rate).

    Examples
    --------
    >>> import numpy as np
    >>> rule = chain(scale_by_rss(), scale_by_lr(0.5))
    >>> u, state, step = rule.update(np.array([3.0, -4.0]), rule.init(np.zeros(2), None),
    ...                              np.zeros(2), 0, None)
    >>> u.round(6), step
    (array([-0.5,  0.5]), 0.5)
    """
    if not rules:
        raise ValueError("chain needs at least one rule")
    for r in rules:
        if not isinstance(r, Rule) or r.absolute:
            raise TypeError("chain links must be update rules (helpers.optim.Rule with "
                            f"absolute=False), got {r!r}")
    if len(rules) == 1:
        return rules[0]
    inits = tuple(r.init for r in rules)
    updates = tuple(r.update for r in rules)
    if len(rules) == 2:  # the common case (a scaling, then the learning rate), unrolled
        (init1, init2), (update1, update2) = inits, updates

        def init(x, g):
            return init1(x, g), init2(x, g)

        def update(u, states, x, t, oracle):
            u, s1, st1 = update1(u, states[0], x, t, oracle)
            u, s2, st2 = update2(u, states[1], x, t, oracle)
            return u, (s1, s2), st1 if st2 is None else st2

        return Rule(init, update)

    def init(x, g):
        return tuple(i(x, g) for i in inits)

    def update(u, states, x, t, oracle):
        new, step = [], None
        for upd, s in zip(updates, states, strict=True):
            u, s, st = upd(u, s, x, t, oracle)
            new.append(s)
            if st is not None:
                step = st
        return u, tuple(new), step

    return Rule(init, update)


def scale_by_lr(lr) -> Rule:
    r""":math:`u \mapsto -\eta_t u`: a direction becomes a step of the learning rate.

    ``lr`` is a positive number or a schedule ``t -> eta``; the step reported is
    :math:`\eta_t`.
    """
    lr_t = as_lr_schedule(lr)

    def update(u, state, x, t, oracle):
        eta = lr_t(t)
        return -eta * u, state, eta

    return Rule(_no_state, update)


def trace(beta: float, nesterov: bool = False) -> Rule:
    r"""Momentum: :math:`v \leftarrow \beta v + u`, output :math:`v` (heavy ball) or
    :math:`u + \beta v` (Nesterov's look-ahead form); :math:`v_{-1} = 0`. optax's name."""
    beta = check_fraction(beta, "beta")

    if nesterov:
        def update(u, v, x, t, oracle):
            v = beta * v + u
            return u + beta * v, v, None
    else:
        def update(u, v, x, t, oracle):
            v = beta * v + u
            return v, v, None

    return Rule(_zeros, update)


def _divided_by_root(accumulate, eps, lr):
    r"""Shared body of AdaGrad's and RMSprop's scalings: ``u / (sqrt(acc) + eps)``.

    With ``lr`` the step :math:`-\eta_t u / (\sqrt{acc} + \epsilon)` is computed in the
    order of the equation (``eta * u`` first), which is how the course's traces were always
    computed; ``chain(..., scale_by_lr(lr))`` gives the same method up to one rounding per
    step.
    """
    if lr is None:
        def update(u, acc, x, t, oracle):
            acc = accumulate(acc, u)
            return u / (np.sqrt(acc) + eps), acc, None
    else:
        lr_t = as_lr_schedule(lr)

        def update(u, acc, x, t, oracle):
            eta = lr_t(t)
            acc = accumulate(acc, u)
            return -(eta * u / (np.sqrt(acc) + eps)), acc, eta

    return Rule(_zeros, update)


def scale_by_rss(eps: float = 1e-8, *, lr=None) -> Rule:
    r"""AdaGrad's scaling: :math:`G \leftarrow G + u \odot u`, output :math:`u / (\sqrt G +
    \epsilon)` (root of the sum of squares). With ``lr``, the whole AdaGrad step
    :math:`-\eta_t u / (\sqrt G + \epsilon)`."""
    eps = check_positive(eps, "eps", allow_zero=True)
    return _divided_by_root(lambda G, u: G + u * u, eps, lr)


def scale_by_rms(rho: float = 0.9, eps: float = 1e-8, *, lr=None) -> Rule:
    r"""RMSprop's scaling: :math:`s \leftarrow \rho s + (1-\rho)\, u \odot u`, output
    :math:`u / (\sqrt s + \epsilon)`. With ``lr``, the whole RMSprop step."""
    rho = check_fraction(rho, "rho")
    eps = check_positive(eps, "eps", allow_zero=True)
    return _divided_by_root(lambda s, u: rho * s + (1 - rho) * u * u, eps, lr)


class Moments(NamedTuple):
    """State of :func:`scale_by_adam` and :func:`scale_by_amsgrad`."""

    m: np.ndarray  # first moment (EMA of g)
    v: np.ndarray  # second moment (EMA of g*g)
    v_max: np.ndarray  # running max of v (AMSGrad)


def _moments(x, g):
    return Moments(np.zeros_like(x), np.zeros_like(x), np.zeros_like(x))


def scale_by_adam(beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> Rule:
    r"""Adam's scaling by bias-corrected moments (step number :math:`k = t + 1`):

    .. math:: m \leftarrow \beta_1 m + (1-\beta_1) u, \quad
              v \leftarrow \beta_2 v + (1-\beta_2) u \odot u, \quad
              \text{output } \frac{m / (1-\beta_1^k)}{\sqrt{v / (1-\beta_2^k)} + \epsilon}.
    """
    beta1, beta2 = check_fraction(beta1, "beta1"), check_fraction(beta2, "beta2")
    eps = check_positive(eps, "eps", allow_zero=True)

    def update(u, state, x, t, oracle):
        k = t + 1
        m = beta1 * state.m + (1 - beta1) * u
        v = beta2 * state.v + (1 - beta2) * u * u
        m_hat = m / (1 - beta1**k)
        v_hat = v / (1 - beta2**k)
        return m_hat / (np.sqrt(v_hat) + eps), Moments(m, v, state.v_max), None

    return Rule(_moments, update)


def scale_by_amsgrad(beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> Rule:
    r"""AMSGrad: :func:`scale_by_adam` with :math:`v` replaced by its running maximum
    :math:`\hat v \leftarrow \max(\hat v, v)` (so the effective step never grows)."""
    beta1, beta2 = check_fraction(beta1, "beta1"), check_fraction(beta2, "beta2")
    eps = check_positive(eps, "eps", allow_zero=True)

    def update(u, state, x, t, oracle):
        k = t + 1
        m = beta1 * state.m + (1 - beta1) * u
        v = beta2 * state.v + (1 - beta2) * u * u
        v_max = np.maximum(state.v_max, v)
        m_hat = m / (1 - beta1**k)
        v_hat = v_max / (1 - beta2**k)
        return m_hat / (np.sqrt(v_hat) + eps), Moments(m, v, v_max), None

    return Rule(_moments, update)


def add_decayed_weights(weight_decay: float) -> Rule:
    r"""Decoupled weight decay (AdamW): :math:`u \mapsto u + \lambda x`, placed before
    :func:`scale_by_lr` so the decay is scaled by the learning rate but not by the moments."""
    wd = check_positive(weight_decay, "weight_decay", allow_zero=True)

    def update(u, state, x, t, oracle):
        return u + wd * x, state, None

    return Rule(_no_state, update)
