"""Measure convergence rates from an optimizer's iterates (used by the tests and benchmarks)."""

from __future__ import annotations

import numpy as np


def asymptotic_rate(xs, x_star, *, lo=1e-12, hi=1e-3) -> float:
    r"""Fitted contraction factor :math:`q` in :math:`\|x_k - x^*\| \approx C q^k` over the tail.

    Uses the iterates whose error relative to the first one lies in ``[lo, hi]`` (past the
    transient, before round-off) and fits :math:`\log\|x_k - x^*\|` against ``k`` by least
    squares; returns :math:`e^{\text{slope}}`.

    Examples
    --------
    >>> import numpy as np
    >>> xs = np.array([[0.5 ** k, 0.0] for k in range(60)])
    >>> round(asymptotic_rate(xs, np.zeros(2)), 12)
    0.5
    """
    xs = np.asarray(getattr(xs, "xs", xs), dtype=float)
    err = np.linalg.norm(xs - np.asarray(x_star, dtype=float), axis=-1)
    rel = err / err[0]
    k = np.flatnonzero((rel >= lo) & (rel <= hi))
    if k.size < 5:
        raise ValueError(f"need at least 5 iterates with relative error in [{lo:g}, {hi:g}], "
                         f"got {k.size}; run longer (smaller tol, larger maxiter)")
    slope = np.polyfit(k, np.log(err[k]), 1)[0]
    return float(np.exp(slope))
