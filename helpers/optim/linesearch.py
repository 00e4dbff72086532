"""Line searches used by the optimizers: Armijo backtracking and a strong-Wolfe search."""

from __future__ import annotations

import numpy as np

from .driver import EarlyStop, Oracle

_EPS = float(np.finfo(float).eps)


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


# Function values within ROUNDOFF * |f(x)| of f(x) are treated as equal ("flat to round-off").
# The rounding error of f is about eps * (sum of the magnitudes of its terms), which can exceed
# eps * |f| by the condition number (a quadratic with kappa = 1e6 loses 6 digits), so the band
# is sqrt(eps) ~ 1.5e-8, well above the round-off of any f the course uses and well below any
# decrease a line search needs to see away from a minimizer.
ROUNDOFF = float(np.sqrt(np.finfo(float).eps))


def wolfe(oracle: Oracle, x: np.ndarray, f0: float, g0: np.ndarray, d: np.ndarray,
          alpha0: float = 1.0, *, c1: float = 1e-4, c2: float = 0.9,
          alpha_max: float = 1e10, maxiter: int = 40) -> float:
    r"""A step satisfying the strong Wolfe conditions (Nocedal & Wright, Algorithms 3.5-3.6).

    .. math:: f(x+\alpha d) \le f(x) + c_1 \alpha\, g_0^\top d, \qquad
              |\nabla f(x+\alpha d)^\top d| \le c_2\, |g_0^\top d|.

    The bracketing phase doubles the step; the zoom phase shrinks the bracket with a
    safeguarded cubic interpolation (bisection when the cubic is unusable).

    Near a minimizer the decrease of ``f`` along ``d`` falls below the round-off of ``f``:
    its values are then noise, and a search comparing them fails although ``x`` is as good as
    floating point allows. With :math:`\phi(\alpha) = f(x + \alpha d)` and
    :math:`\epsilon_f` = ``ROUNDOFF * |f(x)|``:

    * When the first trial step predicts a decrease :math:`\alpha_0 |\phi'(0)| \le
      \epsilon_f`, the step is found from the directional derivative (the *approximate*
      Wolfe conditions of Hager & Zhang, 2005): :math:`\phi(\alpha) \le \phi(0) +
      \epsilon_f`, :math:`|\phi'(\alpha)| \le c_2 |\phi'(0)|` and :math:`\phi'(\alpha)
      \le (1 - 2c_1) |\phi'(0)|`; the last one is sufficient decrease for the quadratic
      model of ``f`` along ``d`` (exactly the Armijo condition on a quadratic).
    * When the search above ends in a collapsed bracket on which ``f`` is flat to
      :math:`\epsilon_f`, the same derivative search is tried, but only a true approximate
      Wolfe step is accepted (a tiny step along which ``f`` barely rises is also what a wrong
      gradient produces, and that must stay a failure).
    * If the directional derivative changes sign between points that floating point cannot
      separate further, or the step found moves ``x`` by a few units in the last place only,
      ``x`` is converged to machine precision: :class:`EarlyStop` is raised with
      ``converged=True`` and a message starting ``"converged to machine precision"``.

    Parameters
    ----------
    oracle : Oracle
        Counting wrapper of ``f`` and ``grad``.
    x, g0, d : ndarray, shape (n,)
        Current point, the gradient there, and a descent direction (:math:`g_0^\top d < 0`).
    f0 : float
        ``f(x)``.
    alpha0 : float, default 1.0
        First trial step.
    c1, c2 : float
        Sufficient-decrease and curvature constants, :math:`0 < c_1 < c_2 < 1`.
    alpha_max : float
        Largest step tried while bracketing.
    maxiter : int
        Trials per phase (bracketing, zoom, derivative search).

    Returns
    -------
    float
        The step :math:`\alpha`.

    Raises
    ------
    EarlyStop
        ``d`` is not a descent direction, no step is found (``converged=False``: the message
        starts with ``"line search failed"``), or ``x`` is converged to machine precision.
    """
    dphi0 = float(g0 @ d)
    if not dphi0 < 0:
        raise EarlyStop(f"line search: not a descent direction (g.d = {dphi0:.3g})")
    ftol = ROUNDOFF * abs(f0)

    def phi(a):
        xa = x + a * d
        return oracle.f(xa), float(oracle.grad(xa) @ d)

    def resolved(a, b):
        """Whether floating point still separates the points x + a d and x + b d."""
        return abs(b - a) > 4 * _EPS * max(abs(a), abs(b)) and not np.array_equal(
            x + a * d, x + b * d)

    def by_derivative(best_effort):
        gnorm = float(np.linalg.norm(g0))
        a = _derivative_search(phi, resolved, f0, dphi0, ftol, gnorm, alpha0, c1=c1, c2=c2,
                               alpha_max=alpha_max, maxiter=maxiter, best_effort=best_effort)
        if np.all(np.abs(a * d) <= 4 * _EPS * np.abs(x)):
            raise _at_precision("the step found moves x by round-off only", gnorm)
        return a

    if alpha0 * -dphi0 <= ftol:  # the first step cannot show a decrease of f above round-off
        return by_derivative(best_effort=True)

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
            if not resolved(lo, hi):
                break
        if lo > 0 and f_lo < f0:  # best effort: sufficient decrease holds at lo
            return lo
        if abs(f_lo - f0) <= ftol and abs(f_hi - f0) <= ftol:
            # f is flat to round-off where the search ended: look for a Wolfe step (or a sign
            # change of phi' within round-off) from the derivative, but accept no best effort:
            # a tiny step whose f does not rise much is also what a wrong gradient produces.
            return by_derivative(best_effort=False)
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


def _derivative_search(phi, resolved, f0, dphi0, ftol, gnorm, alpha0, *, c1, c2, alpha_max,
                       maxiter, best_effort):
    r"""Approximate strong-Wolfe step from :math:`\phi'(\alpha)` alone (``f`` is only a guard).

    Keeps a bracket ``[lo, hi]`` with :math:`\phi'(lo) < 0` and either :math:`\phi'(hi) > 0` or
    ``f`` clearly too large at ``hi``, and shrinks it by safeguarded secant steps on
    :math:`\phi'` (exact on a quadratic) or bisection.
    """
    curv = -c2 * dphi0  # |phi'(a)| <= curv: the strong Wolfe curvature condition
    upper = min(curv, -(1 - 2 * c1) * dphi0)  # phi'(a) <= upper: approximate sufficient decrease
    lo, dlo = 0.0, dphi0
    hi, dhi = None, np.nan
    sign_change = False  # phi' > 0 seen at a point where f is flat: a derivative bracket
    a = alpha0
    for _ in range(maxiter):
        f_a, df_a = phi(a)
        f_ok = bool(np.isfinite(f_a) and np.isfinite(df_a) and f_a <= f0 + ftol)
        if f_ok and -curv <= df_a <= upper:
            return a
        if f_ok and df_a < 0:
            lo, dlo = a, df_a
        else:
            hi, dhi = a, df_a
            sign_change = sign_change or f_ok
        if hi is None:  # still descending: expand
            if a >= alpha_max:
                break
            a = min(2.0 * a, alpha_max)
            continue
        if not resolved(lo, hi):
            break
        width = hi - lo
        a = lo + 0.5 * width
        if np.isfinite(dhi) and dhi > dlo:  # secant on phi', kept away from the ends
            secant = lo - dlo * width / (dhi - dlo)
            if lo + 0.01 * width <= secant <= hi - 0.01 * width:
                a = secant
    if lo > 0 and best_effort:  # f is flat to round-off at lo and phi'(lo) < 0
        return lo
    if sign_change:
        raise _at_precision("the directional derivative changes sign within the round-off "
                            "of x, where f is flat", gnorm)
    raise EarlyStop("line search failed: the Wolfe bracket collapsed")


def _at_precision(reason: str, gnorm: float) -> EarlyStop:
    """The stop of a run whose iterate is as good as floating point allows (``converged``)."""
    return EarlyStop(f"converged to machine precision: {reason} (gradient norm {gnorm:.3g})",
                     converged=True)


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
