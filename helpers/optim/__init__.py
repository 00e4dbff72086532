r"""The optimizer engine: one public driver loop and small composable update rules.

Layout
------
=====================  ====================================================================
``driver``             :func:`run` (stopping, divergence, counting, recording),
                       :class:`Rule`, :class:`Oracle`, :class:`EarlyStop`, :func:`from_step`
``transforms``         the rules: :func:`scale_by_lr`, :func:`trace` (momentum),
                       :func:`scale_by_rss`, :func:`scale_by_rms`, :func:`scale_by_adam`,
                       :func:`scale_by_amsgrad`, :func:`add_decayed_weights`, :func:`chain`
``linesearch``         Armijo backtracking and the strong-Wolfe search
``methods``            the course's optimizers (``gradient_descent`` ... ``lbfgs``), each a
                       rule run by :func:`run`
``stochastic``         :func:`sgd` (its own loop over epochs and minibatches)
``zeroth``             :func:`random_search`, :func:`hill_climbing`
``result``             :class:`Trace`, the result of every run
``rates``              :func:`asymptotic_rate`, measured convergence factors
``compare``            :func:`race`: several methods on one problem, learning rates tuned
=====================  ====================================================================

The constrained methods (:mod:`helpers.constrained`) run through :func:`run` too.

Examples
--------
A homework step function runs through the same driver as the reference methods:

>>> import numpy as np
>>> from helpers.optim import from_step, run
>>> def adam_step(x, m, v, g, t, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8):
...     m = beta1 * m + (1 - beta1) * g
...     v = beta2 * v + (1 - beta2) * g**2
...     return x - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v
>>> rule = from_step(adam_step, np.zeros(2), np.zeros(2), counter=True)
>>> mine = run(rule, (lambda x: x @ x, lambda x: 2 * x), [1.0, -300.0], maxiter=3)
>>> from helpers import adam
>>> ref = adam(lambda x: x @ x, lambda x: 2 * x, [1.0, -300.0], lr=0.1, maxiter=3)
>>> bool(np.allclose(mine.xs, ref.xs)), mine.n_gev
(True, 4)
"""

from .compare import Race, race
from .driver import EarlyStop, Oracle, Rule, UpdateRule, as_oracle, from_step, run
from .linesearch import backtracking, wolfe
from .methods import (
    adagrad,
    adam,
    adamw,
    amsgrad,
    bfgs,
    gauss_newton,
    gradient_descent,
    lbfgs,
    momentum,
    nesterov,
    newton,
    rmsprop,
)
from .rates import asymptotic_rate
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
    "EarlyStop", "Oracle", "Race", "Rule", "Trace", "UpdateRule", "adagrad", "adam", "adamw",
    "add_decayed_weights", "amsgrad", "as_oracle", "asymptotic_rate", "backtracking", "bfgs",
    "chain", "from_step", "gauss_newton", "gradient_descent", "hill_climbing", "lbfgs",
    "momentum", "nesterov", "newton", "race", "random_search", "rmsprop", "run", "scale_by_adam",
    "scale_by_amsgrad", "scale_by_lr", "scale_by_rms", "scale_by_rss", "sgd", "trace",
    "wolfe",
]
