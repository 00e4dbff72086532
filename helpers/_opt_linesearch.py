"""Line searches used by the optimizers: Armijo backtracking and a strong-Wolfe search."""

from __future__ import annotations

import numpy as np

from ._opt_driver import EarlyStop, Oracle


def backtracking(oracle: Oracle, x: np.ndarray, f0: float, g: np.ndarray, d: np.ndarray,
                 alpha0: float = 1.0, *, c1: float = 1e-4, shrink: float = 0.5,
                 max_halvings: int = 60) -> float:
    r"""Armijo backtracking: the first ``alpha = alpha0 * shrink**j`` with sufficient decrease.

    Sufficient decrease means :math:`f(x + \alpha d) \le f(x) + c_1 \alpha\, g^\top d`.
    Raises :class:`EarlyStop` if ``d`` is not a descent direction or no step is accepted.
    """
    slope = float(g @ d)
    if not slope < 0:
        raise EarlyStop(f"line search: not a descent direction (g.d = {slope:.3g})")
    alpha = alpha0
    for _ in range(max_halvings):
        f_new = oracle.f(x + alpha * d)
        if f_new <= f0 + c1 * alpha * slope:  # False for nan, so nan trial points shrink too
            return alpha
        alpha *= shrink
    raise EarlyStop(f"line search failed: no sufficient decrease down to step {alpha:.3g}")


def wolfe(oracle: Oracle, x: np.ndarray, f0: float, g0: np.ndarray, d: np.ndarray,
          alpha0: float = 1.0, *, c1: float = 1e-4, c2: float = 0.9,
          alpha_max: float = 1e10, maxiter: int = 40) -> float:
    r"""A step satisfying the strong Wolfe conditions (Nocedal & Wright, Algorithms 3.5-3.6).

    .. math:: f(x+\alpha d) \le f(x) + c_1 \alpha\, g_0^\top d, \qquad
              |\nabla f(x+\alpha d)^\top d| \le c_2\, |g_0^\top d|.

    The bracketing phase doubles the step; the zoom phase shrinks the bracket with a
    safeguarded cubic interpolation (bisection when the cubic is unusable).
    """
    dphi0 = float(g0 @ d)
    if not dphi0 < 0:
        raise EarlyStop(f"line search: not a descent direction (g.d = {dphi0:.3g})")

    def phi(a):
        xa = x + a * d
        return oracle.f(xa), float(oracle.grad(xa) @ d)

    def zoom(lo, f_lo, df_lo, hi, f_hi, df_hi):
        for _ in range(maxiter):
            a = _cubic_min(lo, f_lo, df_lo, hi, f_hi, df_hi)
            f_a, df_a = phi(a)
            if not np.isfinite(f_a) or f_a > f0 + c1 * a * dphi0 or f_a >= f_lo:
                hi, f_hi, df_hi = a, f_a, df_a
            else:
                if abs(df_a) <= -c2 * dphi0:
                    return a
                if df_a * (hi - lo) >= 0:
                    hi, f_hi, df_hi = lo, f_lo, df_lo
                lo, f_lo, df_lo = a, f_a, df_a
            if abs(hi - lo) <= 1e-14 * max(1.0, abs(lo)):
                break
        if lo > 0 and f_lo < f0:  # best effort: sufficient decrease holds at lo
            return lo
        raise EarlyStop("line search failed: the Wolfe bracket collapsed")

    prev, f_prev, df_prev = 0.0, f0, dphi0
    a = alpha0
    for i in range(maxiter):
        f_a, df_a = phi(a)
        if not np.isfinite(f_a) or f_a > f0 + c1 * a * dphi0 or (i > 0 and f_a >= f_prev):
            return zoom(prev, f_prev, df_prev, a, f_a, df_a)
        if abs(df_a) <= -c2 * dphi0:
            return a
        if df_a >= 0:
            return zoom(a, f_a, df_a, prev, f_prev, df_prev)
        prev, f_prev, df_prev = a, f_a, df_a
        a = min(2.0 * a, alpha_max)
    raise EarlyStop("line search failed: no Wolfe step found (is f unbounded below?)")


def _cubic_min(a, fa, dfa, b, fb, dfb):
    """Minimizer of the cubic through (a, fa, dfa), (b, fb, dfb), kept inside the bracket."""
    lo, hi = min(a, b), max(a, b)
    if np.isfinite(fb) and np.isfinite(dfb):
        d1 = dfa + dfb - 3 * (fa - fb) / (a - b)
        disc = d1 * d1 - dfa * dfb
        if disc >= 0:
            d2 = np.sign(b - a) * np.sqrt(disc)
            denom = dfb - dfa + 2 * d2
            if denom != 0:
                c = b - (b - a) * (dfb + d2 - d1) / denom
                margin = 0.1 * (hi - lo)
                if lo + margin <= c <= hi - margin:
                    return float(c)
    return 0.5 * (a + b)
