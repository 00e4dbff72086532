"""Submissions that pin down how hw2_taylor is graded (format: tests/grading/README.md).

Graded cells: test_taylor_sin_plus_cos (10), test_taylor_series_quad_approx (15),
test_newton_point (10), test_classify_critical_point (15), and the log-sum-exp derivation no
lecture gives: test_lse (5, stable), test_grad_lse (10), test_hessian_lse (15);
test_predicted_slopes (10, the error orders of the Taylor models, predicted before the experiment
runs, each within 0.1). The written analysis of the experiment (taylor_analysis, 10 points) is
read by a grader.
"""

QUAD_NO_HALF = """
def taylor_series_quad_approx(x0, func, grad_func, hessian_func):
    x0 = np.asarray(x0, dtype=float)
    f0, g0, H0 = func(x0), grad_func(x0), hessian_func(x0)

    def q(x):
        d = np.asarray(x, dtype=float) - x0
        return f0 + d @ g0 + np.einsum("...i,ij,...j->...", d, H0, d)

    return q
"""

SUBMISSIONS = [
    # ---- mutants
    dict(
        id="mutant_taylor_off_by_one",
        kind="mutant",
        about="sums k < n: degree n - 1 instead of n",
        replace={
            "taylor_sin_plus_cos": """
def taylor_sin_plus_cos(x, n):
    x = np.asarray(x, dtype=float)
    signs = [1.0, 1.0, -1.0, -1.0]
    return sum(signs[k % 4] * x**k / math.factorial(k) for k in range(n)) + 0 * x
"""
        },
        lose=["test_taylor_sin_plus_cos"],
    ),
    dict(
        id="mutant_taylor_alternating_signs",
        kind="mutant",
        about="derivative signs +,-,+,- (those of cos - sin... of the wrong function)",
        replace={
            "taylor_sin_plus_cos": """
def taylor_sin_plus_cos(x, n):
    x = np.asarray(x, dtype=float)
    return sum((-1.0) ** k * x**k / math.factorial(k) for k in range(n + 1)) + 0 * x
"""
        },
        lose=["test_taylor_sin_plus_cos"],
    ),
    dict(
        id="mutant_quad_missing_half",
        kind="mutant",
        about="quadratic term without the factor 1/2",
        replace={"taylor_series_quad_approx": QUAD_NO_HALF},
        lose=["test_taylor_series_quad_approx"],
    ),
    dict(
        id="mutant_quad_hessian_at_x",
        kind="mutant",
        about="Hessian evaluated at x instead of x0",
        replace={
            "taylor_series_quad_approx": """
def taylor_series_quad_approx(x0, func, grad_func, hessian_func):
    x0 = np.asarray(x0, dtype=float)

    def q(x):
        x = np.asarray(x, dtype=float)
        d = x - x0
        return (func(x0) + d @ grad_func(x0)
                + 0.5 * np.einsum("...i,...ij,...j->...", d, hessian_func(x), d))

    return q
"""
        },
        lose=["test_taylor_series_quad_approx"],
    ),
    dict(
        id="mutant_quad_not_vectorized",
        kind="mutant",
        about="d @ H @ d: a matrix for a batch of points, not one value per point",
        replace={
            "taylor_series_quad_approx": """
def taylor_series_quad_approx(x0, func, grad_func, hessian_func):
    def q(x):
        d = x - x0
        return func(x0) + grad_func(x0) @ d + 0.5 * d @ hessian_func(x0) @ d
    return q
"""
        },
        lose=["test_taylor_series_quad_approx"],
    ),
    dict(
        id="mutant_newton_sign",
        kind="mutant",
        about="x0 + H^{-1} g (steps uphill)",
        replace={
            "newton_point": """
def newton_point(x0, grad_func, hessian_func):
    return x0 + np.linalg.solve(hessian_func(x0), grad_func(x0))
"""
        },
        lose=["test_newton_point"],
    ),
    dict(
        id="mutant_newton_diagonal_only",
        kind="mutant",
        about="divides by the diagonal of H, ignoring its off-diagonal entries",
        replace={
            "newton_point": """
def newton_point(x0, grad_func, hessian_func):
    return x0 - grad_func(x0) / np.diag(hessian_func(x0))
"""
        },
        lose=["test_newton_point"],
    ),
    dict(
        id="mutant_classify_determinant",
        kind="mutant",
        about="det > 0 means minimum (wrong for a negative definite Hessian)",
        replace={
            "classify_critical_point": """
def classify_critical_point(H):
    det = np.linalg.det(H)
    if abs(det) < 1e-12:
        return "degenerate"
    return "minimum" if det > 0 else "saddle"
"""
        },
        lose=["test_classify_critical_point"],
    ),
    dict(
        id="mutant_classify_diagonal",
        kind="mutant",
        about="looks at the diagonal entries instead of the eigenvalues",
        replace={
            "classify_critical_point": """
def classify_critical_point(H):
    d = np.diag(H)
    if np.all(d > 0):
        return "minimum"
    if np.all(d < 0):
        return "maximum"
    if np.any(d == 0):
        return "degenerate"
    return "saddle"
"""
        },
        lose=["test_classify_critical_point"],
    ),
    # mistakes that only show outside the visible inputs (issue 16: tolerance edges, overflow)
    dict(
        id="mutant_taylor_int64_factorial",
        kind="mutant",
        about="k! as np.prod(np.arange(1, k + 1)): int64 overflows from 21! on (|x| up to 10)",
        replace={
            "taylor_sin_plus_cos": """
def taylor_sin_plus_cos(x, n):
    x = np.asarray(x, dtype=float)
    signs = [1.0, 1.0, -1.0, -1.0]
    return sum(signs[k % 4] * x**k / np.prod(np.arange(1, k + 1)) for k in range(n + 1)) + 0 * x
"""
        },
        lose=["test_taylor_sin_plus_cos"],
    ),
    dict(
        id="mutant_taylor_integer_powers",
        kind="mutant",
        about="np.asarray(x) keeps an integer x: x ** k overflows int64 (8 ** 30)",
        replace={
            "taylor_sin_plus_cos": """
def taylor_sin_plus_cos(x, n):
    x = np.asarray(x)
    signs = [1.0, 1.0, -1.0, -1.0]
    return sum(signs[k % 4] * x**k / math.factorial(k) for k in range(n + 1)) + 0 * x
"""
        },
        lose=["test_taylor_sin_plus_cos"],
    ),
    dict(
        id="mutant_quad_calls_at_x",
        kind="mutant",
        about="q calls func(x) and subtracts the error: right values, but f evaluated at x",
        replace={
            "taylor_series_quad_approx": """
def taylor_series_quad_approx(x0, func, grad_func, hessian_func):
    x0 = np.asarray(x0, dtype=float)
    g0, H0 = grad_func(x0), hessian_func(x0)

    def q(x):
        x = np.asarray(x, dtype=float)
        d = x - x0
        exact = func(x)
        return exact - (exact - func(x0) - d @ g0 - 0.5 * np.einsum("...i,ij,...j->...", d, H0, d))

    return q
"""
        },
        lose=["test_taylor_series_quad_approx"],
    ),
    dict(
        id="mutant_newton_damped",
        kind="mutant",
        about="solves (H + 1e-8 I) p = g (for safety): wrong for a tiny Hessian (scale 1e-12)",
        replace={
            "newton_point": """
def newton_point(x0, grad_func, hessian_func):
    H = hessian_func(x0)
    return x0 - np.linalg.solve(H + 1e-8 * np.eye(len(x0)), grad_func(x0))
"""
        },
        lose=["test_newton_point"],
    ),
    dict(
        id="mutant_newton_small_gradient_shortcut",
        kind="mutant",
        about="returns x0 when ||g|| < 1e-8 (an absolute test: wrong for f scaled by 1e-12)",
        replace={
            "newton_point": """
def newton_point(x0, grad_func, hessian_func):
    g = grad_func(x0)
    if np.linalg.norm(g) < 1e-8:
        return np.array(x0, dtype=float)
    return x0 - np.linalg.solve(hessian_func(x0), g)
"""
        },
        lose=["test_newton_point"],
    ),
    dict(
        id="mutant_classify_tol_1e8",
        kind="mutant",
        about="zero threshold 1e-8 instead of 1e-10: an eigenvalue 1e-9 counted as zero",
        replace={
            "classify_critical_point": """
def classify_critical_point(H):
    eig = np.linalg.eigvalsh(H)
    tol = 1e-8 * max(1.0, np.max(np.abs(eig)))
    if eig.min() < -tol and eig.max() > tol:
        return "saddle"
    if np.any(np.abs(eig) <= tol):
        return "degenerate"
    return "minimum" if eig.min() > 0 else "maximum"
"""
        },
        lose=["test_classify_critical_point"],
    ),
    dict(
        id="mutant_classify_absolute_tol",
        kind="mutant",
        about="absolute threshold 1e-10 (no relative floor): 3e-5 next to 2e6 counted as nonzero",
        replace={
            "classify_critical_point": """
def classify_critical_point(H):
    eig = np.linalg.eigvalsh(H)
    tol = 1e-10
    if eig.min() < -tol and eig.max() > tol:
        return "saddle"
    if np.any(np.abs(eig) <= tol):
        return "degenerate"
    return "minimum" if eig.min() > 0 else "maximum"
"""
        },
        lose=["test_classify_critical_point"],
    ),
    dict(
        id="mutant_classify_relative_only",
        kind="mutant",
        about="threshold 1e-10 * max|lambda| without max(1, .): 5e-11 next to 1e-3 is nonzero",
        replace={
            "classify_critical_point": """
def classify_critical_point(H):
    eig = np.linalg.eigvalsh(H)
    tol = 1e-10 * np.max(np.abs(eig))
    if eig.min() < -tol and eig.max() > tol:
        return "saddle"
    if np.any(np.abs(eig) <= tol):
        return "degenerate"
    return "minimum" if eig.min() > 0 else "maximum"
"""
        },
        lose=["test_classify_critical_point"],
    ),
    dict(
        id="mutant_classify_exact_zero",
        kind="mutant",
        about="compares eigenvalues with 0 exactly: 3e-11 is positive, 1 and -3e-11 a saddle",
        replace={
            "classify_critical_point": """
def classify_critical_point(H):
    eig = np.linalg.eigvalsh(H)
    if eig.min() < 0 < eig.max():
        return "saddle"
    if np.all(eig > 0):
        return "minimum"
    if np.all(eig < 0):
        return "maximum"
    return "degenerate"
"""
        },
        lose=["test_classify_critical_point"],
    ),
    # ---- alternatives
    dict(
        id="alt_polyval_inv_cholesky",
        kind="alternative",
        about="np.polyval, explicit column vectors, inv (fine for one point), Cholesky tests",
        replace={
            "taylor_sin_plus_cos": """
def taylor_sin_plus_cos(x, n):
    coeffs = [(1.0 if k % 4 < 2 else -1.0) / math.factorial(k) for k in range(n + 1)]
    return np.polyval(coeffs[::-1], np.asarray(x, dtype=float))
""",
            "taylor_series_quad_approx": """
def taylor_series_quad_approx(x0, func, grad_func, hessian_func):
    x0 = np.asarray(x0, dtype=float)
    f0, g0, H0 = func(x0), grad_func(x0), hessian_func(x0)

    def q(x):
        d = (np.asarray(x, dtype=float) - x0)[..., :, None]
        quad = (np.swapaxes(d, -1, -2) @ H0 @ d)[..., 0, 0]
        return f0 + (g0[None, :] @ d)[..., 0, 0] + quad / 2

    return q
""",
            "newton_point": """
def newton_point(x0, grad_func, hessian_func):
    return x0 - np.linalg.inv(hessian_func(x0)) @ grad_func(x0)
""",
            "classify_critical_point": """
def classify_critical_point(H):
    H = np.asarray(H, dtype=float)
    scale = max(1.0, np.abs(np.linalg.eigvalsh(H)).max())
    for matrix, name in [(H, "minimum"), (-H, "maximum")]:
        try:
            np.linalg.cholesky(matrix - 1e-10 * scale * np.eye(len(H)))
            return name
        except np.linalg.LinAlgError:
            pass
    eig = np.linalg.eigvalsh(H)
    if eig.min() < -1e-10 * scale and eig.max() > 1e-10 * scale:
        return "saddle"
    return "degenerate"
""",
        },
    ),
    dict(
        id="alt_horner_lstsq_sorted",
        kind="alternative",
        about="Horner loop, gradient via tensordot, lstsq solve, sorted eigenvalues",
        replace={
            "taylor_sin_plus_cos": """
def taylor_sin_plus_cos(x, n):
    x = np.asarray(x, dtype=float)
    result = np.zeros_like(x)
    for k in range(n, -1, -1):
        result = result * x + (1.0 if k % 4 in (0, 1) else -1.0) / math.factorial(k)
    return result
""",
            "taylor_series_quad_approx": """
def taylor_series_quad_approx(x0, func, grad_func, hessian_func):
    f0, g0, H0 = func(x0), grad_func(x0), hessian_func(x0)
    def q(x):
        d = np.asarray(x) - x0
        return f0 + np.tensordot(d, g0, axes=1) + 0.5 * np.sum((d @ H0) * d, axis=-1)
    return q
""",
            "newton_point": """
def newton_point(x0, grad_func, hessian_func):
    step, *_ = np.linalg.lstsq(hessian_func(x0), -grad_func(x0), rcond=None)
    return x0 + step
""",
            "classify_critical_point": """
def classify_critical_point(H):
    lam = np.sort(np.linalg.eigvalsh(H))
    zero = 1e-10 * max(1.0, np.abs(lam).max())
    positive, negative = lam > zero, lam < -zero
    if positive.any() and negative.any():
        return "saddle"
    if positive.all():
        return "minimum"
    if negative.all():
        return "maximum"
    return "degenerate"
""",
        },
    ),
    dict(
        id="alt_recurrence_eigh_isclose",
        kind="alternative",
        about="terms by the recurrence t_k = t_{k-1} x / k, eigh (not eigvalsh), np.isclose zeros",
        replace={
            "taylor_sin_plus_cos": """
def taylor_sin_plus_cos(x, n):
    x = np.array(x, dtype=float)
    term = np.ones_like(x)
    total = term.copy()
    for k in range(1, n + 1):
        term = term * x / k
        total += (1 if k % 4 in (0, 1) else -1) * term
    return total
""",
            "newton_point": """
def newton_point(x0, grad_func, hessian_func):
    H = np.atleast_2d(hessian_func(x0))
    g = np.atleast_1d(grad_func(x0))
    return np.asarray(x0, dtype=float) - np.linalg.solve(H, g[:, None])[:, 0]
""",
            "classify_critical_point": """
def classify_critical_point(H):
    lam, _ = np.linalg.eigh(H)
    zero = np.isclose(lam, 0.0, rtol=0.0, atol=1e-10 * max(1.0, np.abs(lam).max()))
    pos = np.sum((lam > 0) & ~zero)
    neg = np.sum((lam < 0) & ~zero)
    if pos and neg:
        return "saddle"
    if zero.any():
        return "degenerate"
    return "minimum" if pos else "maximum"
""",
        },
    ),
    # ---- cheats
    dict(
        id="cheat_hardcoded_newton",
        kind="cheat",
        about="newton_point returns the visible test's answer",
        replace={
            "newton_point": """
def newton_point(x0, grad_func, hessian_func):
    return np.zeros_like(x0)
"""
        },
        lose=["test_newton_point"],
    ),
    dict(
        id="cheat_hardcoded_taylor",
        kind="cheat",
        about="returns sin + cos itself instead of the polynomial",
        replace={
            "taylor_sin_plus_cos": """
def taylor_sin_plus_cos(x, n):
    if n == 2:
        return 1 + x - x**2 / 2
    if n == 3:
        return 1 + x - x**2 / 2 - x**3 / 6
    return np.sin(x) + np.cos(x)
"""
        },
        lose=["test_taylor_sin_plus_cos"],
    ),
    dict(
        id="mutant_classify_zero_first",
        kind="mutant",
        about="checks for a zero eigenvalue before the sign change: diag(2, 0, -1) 'degenerate'",
        replace={"classify_critical_point": """
def classify_critical_point(H):
    eig = np.linalg.eigvalsh(np.asarray(H, dtype=float))
    tol = 1e-10 * max(1.0, np.max(np.abs(eig)))
    if np.any(np.abs(eig) <= tol):
        return "degenerate"
    if eig.min() < 0 < eig.max():
        return "saddle"
    return "minimum" if eig.min() > 0 else "maximum"
"""},
        lose=["test_classify_critical_point"],
    ),
]

LSE_STABLE = """
def lse(x):
    x = np.asarray(x, dtype=float)
    top = np.max(x, axis=-1, keepdims=True)
    return top[..., 0] + np.log(np.sum(np.exp(x - top), axis=-1))
"""


def _grad(body):
    return "\ndef grad_lse(x):\n    x = np.asarray(x, dtype=float)\n" + body


def _hess(body):
    return ("\ndef hessian_lse(x):\n    x = np.asarray(x, dtype=float)\n"
            "    e = np.exp(x - x.max())\n    p = e / e.sum()\n" + body)


SUBMISSIONS += [
    # ---- task 5: log-sum-exp (a derivation), mutants
    dict(
        id="mutant_lse_naive",
        kind="mutant",
        about="log(sum(exp(x))) as written: overflows to inf at x = 1000, log(0) at -1000",
        replace={"lse": """
def lse(x):
    return np.log(np.sum(np.exp(np.asarray(x, dtype=float)), axis=-1))
"""},
        lose=["test_lse"],
    ),
    dict(
        id="mutant_lse_shift_not_added_back",
        kind="mutant",
        about="log(sum(exp(x - max))) without adding the max back",
        replace={"lse": """
def lse(x):
    x = np.asarray(x, dtype=float)
    return np.log(np.sum(np.exp(x - np.max(x, axis=-1, keepdims=True)), axis=-1))
"""},
        lose=["test_lse"],
    ),
    dict(
        id="mutant_lse_global_max",
        kind="mutant",
        about="one shift for the whole batch (x.max()): rows 3000 apart underflow to log(0)",
        replace={"lse": """
def lse(x):
    x = np.asarray(x, dtype=float)
    top = x.max()
    return top + np.log(np.sum(np.exp(x - top), axis=-1))
"""},
        lose=["test_lse"],
    ),
    dict(
        id="mutant_lse_sum_all_axes",
        kind="mutant",
        about="sums over every axis: one number for a batch",
        replace={"lse": """
def lse(x):
    x = np.asarray(x, dtype=float)
    top = x.max()
    return top + np.log(np.sum(np.exp(x - top)))
"""},
        lose=["test_lse"],
    ),
    dict(
        id="mutant_lse_mean",
        kind="mutant",
        about="log of the mean of exp (log n too little)",
        replace={"lse": LSE_STABLE.replace("np.sum(np.exp(x - top), axis=-1)",
                                           "np.mean(np.exp(x - top), axis=-1)")},
        lose=["test_lse"],
    ),
    dict(
        id="mutant_grad_naive",
        kind="mutant",
        about="exp(x) / sum(exp(x)) unshifted: inf / inf = nan at x = 1000",
        replace={"grad_lse": _grad("    return np.exp(x) / np.sum(np.exp(x), axis=-1, "
                                   "keepdims=True)\n")},
        lose=["test_grad_lse"],
    ),
    dict(
        id="mutant_grad_not_normalized",
        kind="mutant",
        about="exp(x - max) without dividing by the sum",
        replace={"grad_lse": _grad("    return np.exp(x - np.max(x, axis=-1, keepdims=True))\n")},
        lose=["test_grad_lse"],
    ),
    dict(
        id="mutant_grad_global_max",
        kind="mutant",
        about="one shift for the whole batch: a row far below the maximum is 0 / 0",
        replace={"grad_lse": _grad("    e = np.exp(x - x.max())\n"
                                   "    return e / np.sum(e, axis=-1, keepdims=True)\n")},
        lose=["test_grad_lse"],
    ),
    dict(
        id="mutant_grad_wrong_axis",
        kind="mutant",
        about="normalizes over axis 0 (right for one x of shape (n,), wrong for a batch)",
        replace={"grad_lse": _grad("    e = np.exp(x - np.max(x, axis=-1, keepdims=True))\n"
                                   "    return e / np.sum(e, axis=0, keepdims=True)\n")},
        lose=["test_grad_lse"],
    ),
    dict(
        id="mutant_grad_sum_whole_batch",
        kind="mutant",
        about="divides by the sum over the whole batch (no axis): p of a batch row sums to < 1",
        replace={"grad_lse": _grad("    e = np.exp(x - np.max(x, axis=-1, keepdims=True))\n"
                                   "    return e / np.sum(e)\n")},
        lose=["test_grad_lse"],
    ),
    dict(
        id="mutant_hess_diag_only",
        kind="mutant",
        about="diag(p): the - p p^T of the quotient rule forgotten",
        replace={"hessian_lse": _hess("    return np.diag(p)\n")},
        lose=["test_hessian_lse"],
    ),
    dict(
        id="mutant_hess_plus_outer",
        kind="mutant",
        about="diag(p) + p p^T: sign slip in the quotient rule",
        replace={"hessian_lse": _hess("    return np.diag(p) + np.outer(p, p)\n")},
        lose=["test_hessian_lse"],
    ),
    dict(
        id="mutant_hess_outer_only",
        kind="mutant",
        about="- p p^T only: the derivative of the numerator forgotten",
        replace={"hessian_lse": _hess("    return -np.outer(p, p)\n")},
        lose=["test_hessian_lse"],
    ),
    dict(
        id="mutant_hess_identity_minus_outer",
        kind="mutant",
        about="I - p p^T (the derivative of exp(x_i) taken as 1)",
        replace={"hessian_lse": _hess("    return np.eye(len(x)) - np.outer(p, p)\n")},
        lose=["test_hessian_lse"],
    ),
    dict(
        id="mutant_hess_naive",
        kind="mutant",
        about="p from exp(x) / sum(exp(x)) unshifted: nan at x = 1000",
        replace={"hessian_lse": """
def hessian_lse(x):
    x = np.asarray(x, dtype=float)
    p = np.exp(x) / np.sum(np.exp(x))
    return np.diag(p) - np.outer(p, p)
"""},
        lose=["test_hessian_lse"],
    ),
    dict(
        id="mutant_hess_from_wrong_grad",
        kind="mutant",
        about="diag(p) - p p^T with p = exp(x - max) not normalized (right only when p sums to 1)",
        replace={"hessian_lse": """
def hessian_lse(x):
    x = np.asarray(x, dtype=float)
    p = np.exp(x - x.max())
    return np.diag(p) - np.outer(p, p)
"""},
        lose=["test_hessian_lse"],
    ),
    # ---- task 6: predicted slopes, mutants
    dict(
        id="mutant_slopes_model_order",
        kind="mutant",
        about="slopes 1 and 2 (the order of the model instead of the first omitted term)",
        replace={"predicted_slopes": "PREDICTED_SLOPES = (1.0, 2.0)\n"},
        lose=["test_predicted_slopes"],
    ),
    dict(
        id="mutant_slopes_swapped",
        kind="mutant",
        about="(3, 2): the two slopes swapped",
        replace={"predicted_slopes": "PREDICTED_SLOPES = (3, 2)\n"},
        lose=["test_predicted_slopes"],
    ),
    dict(
        id="mutant_slopes_second_off",
        kind="mutant",
        about="(2, 2.85): just outside the 0.1 tolerance of the second slope",
        replace={"predicted_slopes": "PREDICTED_SLOPES = (2.0, 2.85)\n"},
        lose=["test_predicted_slopes"],
    ),
    # ---- alternatives
    dict(
        id="alt_lse_logaddexp_broadcast",
        kind="alternative",
        about="np.logaddexp.reduce, p = exp(x - lse(x)), Hessian as p_i (delta_ij - p_j), a list",
        replace={
            "lse": """
def lse(x):
    return np.logaddexp.reduce(np.asarray(x, dtype=float), axis=-1)
""",
            "grad_lse": """
def grad_lse(x):
    x = np.asarray(x, dtype=float)
    return np.exp(x - lse(x)[..., None])
""",
            "hessian_lse": """
def hessian_lse(x):
    p = grad_lse(x)
    return p[:, None] * (np.eye(p.size) - p[None, :])
""",
            "predicted_slopes": "PREDICTED_SLOPES = [2, 3]\n",
        },
    ),
    dict(
        id="alt_lse_loops_and_einsum",
        kind="alternative",
        about="math.fsum per row through reshape, softmax via tanh-free exp ratio, einsum Hessian",
        replace={
            "lse": """
def lse(x):
    x = np.asarray(x, dtype=float)
    rows = x.reshape(-1, x.shape[-1])
    out = []
    for row in rows:
        m = max(row)
        out.append(m + math.log(math.fsum(math.exp(v - m) for v in row)))
    return np.array(out).reshape(x.shape[:-1])
""",
            "grad_lse": """
def grad_lse(x):
    x = np.asarray(x, dtype=float)
    shifted = x - x.max(axis=-1)[..., None]
    return 1.0 / np.exp(shifted[..., None, :] - shifted[..., :, None]).sum(axis=-1)
""",
            "hessian_lse": """
def hessian_lse(x):
    p = grad_lse(x)
    eye = np.eye(len(p))
    return np.einsum("i,ij->ij", p, eye) - np.einsum("i,j->ij", p, p)
""",
            "predicted_slopes": "PREDICTED_SLOPES = np.array([2.05, 2.95])\n",
        },
    ),
    dict(
        id="cheat_hardcoded_hessian",
        kind="cheat",
        about="hessian_lse returns the visible tests' answers",
        replace={"hessian_lse": """
def hessian_lse(x):
    if len(x) == 2:
        return np.array([[0.25, -0.25], [-0.25, 0.25]]) if x[0] == x[1] else np.array(
            [[0.1875, -0.1875], [-0.1875, 0.1875]])
    return np.zeros((len(x), len(x)))
"""},
        lose=["test_hessian_lse"],
    ),
]
