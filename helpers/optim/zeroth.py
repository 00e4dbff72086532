"""Zeroth-order baselines: random search and hill climbing (re-exported from helpers)."""

from __future__ import annotations

import numpy as np

from .._validation import as_point, check_callable, check_count, check_positive, check_rng
from .driver import Oracle, Rule, run
from .result import Trace

__all__ = ["hill_climbing", "random_search"]


def _zeroth_order(f, x0, rng, propose, *, maxiter, f_target, method) -> Trace:
    """The derivative-free baselines as a rule: propose a point, keep it if ``f`` decreases.

    The state is ``(best f, samples so far)``; a rejected proposal returns the current point
    itself, so the driver records it again without evaluating ``f``.
    """
    check_callable(f, "f")
    x, rng = as_point(x0), check_rng(rng)
    maxiter = check_count(maxiter, "maxiter", minimum=0)
    oracle = Oracle(f)

    def init(x, g):
        return oracle.f(x), []

    def update(g, state, x, t, oracle):
        best_f, samples = state
        candidate = propose(x, rng)
        f_c = oracle.f(candidate)
        samples.append(candidate)
        if f_c < best_f:  # nan never wins
            return candidate, (f_c, samples), float(np.linalg.norm(candidate - x))
        return x, state, 0.0

    def stop(t, x, f, gn, state):
        if f_target is None or not state[0] <= f_target:
            return None
        return True, (f"reached f_target = {f_target:g}" if t == maxiter else
                      f"reached f_target = {f_target:g} after {t} iterations")

    return run(Rule(init, update, absolute=True), oracle, x, maxiter=maxiter, method=method,
               stop=stop,
               extras=lambda state: {"samples": np.array(state[1]).reshape(-1, x.size)})


def random_search(f, x0, rng, *, scale=1.0, maxiter=1000, f_target=None) -> Trace:
    r"""Pure random search: sample :math:`x_0 + \sigma z`, :math:`z \sim N(0, I)`, keep the best.

    Parameters
    ----------
    f : callable
        Objective.
    x0 : array_like, shape (n,)
        Centre of the sampling distribution (and the first "best" point).
    rng : numpy.random.Generator
    scale : float, default 1.0
        Standard deviation :math:`\sigma` of the samples around ``x0``.
    maxiter : int, default 1000
        Number of samples.
    f_target : float, optional
        Stop as soon as the best value is ``<= f_target`` (then ``converged`` is True).

    Returns
    -------
    Trace
        ``xs``/``fs``: the best point/value after each sample; ``trace.samples`` all samples;
        ``grad_norms`` is ``nan`` (no gradients are used); ``steps`` the length of each
        improvement (0 when the sample was not better).

    Notes
    -----
    Samples are independent, so the method does not "walk": it is the baseline that shows why
    using the local shape of ``f`` (even just "better than here?") pays off.

    Examples
    --------
    >>> import numpy as np
    >>> tr = random_search(lambda x: x @ x, [1.0, 1.0], np.random.default_rng(0), maxiter=200)
    >>> tr.n_fev, bool(tr.f < 0.05)
    (201, True)
    """
    scale = check_positive(scale, "scale")
    x_center = as_point(x0)
    return _zeroth_order(f, x_center, rng,
                         lambda x, rng: x_center + scale * rng.standard_normal(x.size),
                         maxiter=maxiter, f_target=f_target, method="random_search")


def hill_climbing(f, x0, rng, *, step=0.1, maxiter=1000, f_target=None) -> Trace:
    r"""Random local search: perturb the current point, move only if ``f`` decreases.

    .. math:: x' = x_k + \sigma z,\; z \sim N(0, I); \qquad
              x_{k+1} = x' \text{ if } f(x') < f(x_k) \text{ else } x_k.

    Parameters
    ----------
    f, x0, rng, maxiter, f_target : see :func:`random_search`
    step : float, default 0.1
        Standard deviation :math:`\sigma` of the perturbation.

    Returns
    -------
    Trace
        ``xs`` is the walk (repeated rows where a proposal was rejected); ``steps`` the length of
        each accepted move (0 if rejected); ``trace.samples`` all proposals.

    Examples
    --------
    >>> import numpy as np
    >>> tr = hill_climbing(lambda x: x @ x, [1.0, 1.0], np.random.default_rng(0), step=0.2,
    ...                    maxiter=300)
    >>> bool(tr.f < 0.01), bool(np.all(np.diff(tr.fs) <= 0))
    (True, True)
    """
    step = check_positive(step, "step")
    return _zeroth_order(f, x0, rng, lambda x, rng: x + step * rng.standard_normal(x.size),
                         maxiter=maxiter, f_target=f_target, method="hill_climbing")
