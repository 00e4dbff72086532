"""Submissions that pin down how hw1_derivatives is graded (format: tests/grading/README.md).

Graded cells: test_f (10), test_grad_f, test_hessian_f, test_numerical_gradient,
test_directional_derivative, test_dT_dt, test_polar_jacobian (15 each).
"""

GRAD_WRONG_SIGN = """
def grad_f(x):
    x = np.asarray(x, dtype=float)
    b1, b2, b3 = np.array([2.0, 1.0]), np.array([1.0, -2.0]), np.array([-1.0, 0.0])
    return (0.06 * np.exp(x @ b1)[..., None] * b1 + 0.05 * np.exp(x @ b2)[..., None] * b2
            - np.exp(x @ b3)[..., None] * b3)
"""

HESSIAN_ELEMENTWISE = """
def hessian_f(x):
    x = np.asarray(x, dtype=float)
    total = np.zeros(x.shape + (2,))
    for c, b in [(0.06, [2.0, 1.0]), (0.05, [1.0, -2.0]), (1.0, [-1.0, 0.0])]:
        b = np.array(b)
        total = total + c * np.exp(x @ b)[..., None, None] * np.diag(b * b)
    return total
"""

SUBMISSIONS = [
    # ---- mutants: common mistakes, each breaks exactly the cells in `lose`
    dict(
        id="mutant_f_not_vectorized",
        kind="mutant",
        about="f indexes x[0], x[1]: right for one point, wrong for a batch",
        replace={
            "f": """
def f(x):
    return (0.06 * np.exp(2 * x[0] + x[1]) + 0.05 * np.exp(x[0] - 2 * x[1])
            + np.exp(-x[0]))
"""
        },
        lose=["test_f"],
    ),
    dict(
        id="mutant_grad_sign",
        kind="mutant",
        about="sign error in the gradient of e^{-x1}",
        replace={"grad_f": GRAD_WRONG_SIGN},
        lose=["test_grad_f"],
    ),
    dict(
        id="mutant_hessian_no_outer",
        kind="mutant",
        about="Hessian uses b*b (diagonal) instead of the outer product b b^T",
        replace={"hessian_f": HESSIAN_ELEMENTWISE},
        lose=["test_hessian_f"],
    ),
    dict(
        id="mutant_numgrad_forward",
        kind="mutant",
        about="forward instead of central differences",
        replace={
            "numerical_gradient": """
def numerical_gradient(f, x, h=1e-6):
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = (f(x + e) - f(x)) / h
    return grad
"""
        },
        lose=["test_numerical_gradient"],
    ),
    dict(
        id="mutant_numgrad_ignores_h",
        kind="mutant",
        about="central differences with a hard-coded step instead of the argument h",
        replace={
            "numerical_gradient": """
def numerical_gradient(f, x, h=1e-6):
    x = np.asarray(x, dtype=float)
    step = 1e-6
    return np.array([(f(x + step * e) - f(x - step * e)) / (2 * step) for e in np.eye(x.size)])
"""
        },
        lose=["test_numerical_gradient"],
    ),
    dict(
        id="mutant_dirderiv_not_normalized",
        kind="mutant",
        about="forgot to normalize u",
        replace={
            "directional_derivative": """
def directional_derivative(grad_f, x, u):
    return np.sum(grad_f(x) * u, axis=-1)
"""
        },
        lose=["test_directional_derivative"],
    ),
    dict(
        id="mutant_dirderiv_norm_of_batch",
        kind="mutant",
        about="np.linalg.norm(u) without axis=-1: one norm for the whole batch",
        replace={
            "directional_derivative": """
def directional_derivative(grad_f, x, u):
    return np.sum(grad_f(x) * u, axis=-1) / np.linalg.norm(u)
"""
        },
        lose=["test_directional_derivative"],
    ),
    dict(
        id="mutant_dT_dt_missing_2",
        kind="mutant",
        about="dT/dy = y instead of 2y",
        replace={
            "dT_dt": """
def dT_dt(t):
    t = np.asarray(t, dtype=float)
    y = t**2 - t + 0.25
    return 1.0 + y * (2 * t - 1)
"""
        },
        lose=["test_dT_dt"],
    ),
    dict(
        id="mutant_polar_transposed",
        kind="mutant",
        about="rows and columns swapped (Jacobian transposed)",
        replace={
            "polar_jacobian": """
def polar_jacobian(r, theta):
    r, theta = np.broadcast_arrays(np.asarray(r, dtype=float), np.asarray(theta, dtype=float))
    c, s = np.cos(theta), np.sin(theta)
    return np.stack([np.stack([c, s], axis=-1), np.stack([-r * s, r * c], axis=-1)], axis=-2)
"""
        },
        lose=["test_polar_jacobian"],
    ),
    dict(
        id="mutant_polar_not_vectorized",
        kind="mutant",
        about="np.array of nested lists: (2, 2) for numbers, (2, 2, m) for arrays",
        replace={
            "polar_jacobian": """
def polar_jacobian(r, theta):
    return np.array([[np.cos(theta), -r * np.sin(theta)], [np.sin(theta), r * np.cos(theta)]])
"""
        },
        lose=["test_polar_jacobian"],
    ),
    # mistakes that only show outside the visible inputs (issue 16)
    dict(
        id="mutant_numgrad_integer_shift",
        kind="mutant",
        about="np.zeros_like(x) for the shift: h is truncated to 0 for an integer x",
        replace={
            "numerical_gradient": """
def numerical_gradient(f, x, h=1e-6):
    x = np.asarray(x)
    grad = np.zeros(x.shape)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad
"""
        },
        lose=["test_numerical_gradient"],
    ),
    dict(
        id="mutant_dirderiv_eps_normalization",
        kind="mutant",
        about="divides by ||u|| + 1e-12 'to be safe': wrong for short u",
        replace={
            "directional_derivative": """
def directional_derivative(grad_f, x, u):
    u = np.asarray(u, dtype=float)
    return np.sum(grad_f(x) * u, axis=-1) / (np.linalg.norm(u, axis=-1) + 1e-12)
"""
        },
        lose=["test_directional_derivative"],
    ),
    # ---- alternative correct implementations: must score 100
    dict(
        id="alt_components_batched",
        kind="alternative",
        about="component formulas with np.stack, batched finite differences, einsum",
        replace={
            "f": """
def f(x):
    x1, x2 = x[..., 0], x[..., 1]
    return 0.06 * np.exp(2 * x1 + x2) + 0.05 * np.exp(x1 - 2 * x2) + np.exp(-x1)
""",
            "grad_f": """
def grad_f(x):
    x1, x2 = x[..., 0], x[..., 1]
    e1, e2, e3 = 0.06 * np.exp(2 * x1 + x2), 0.05 * np.exp(x1 - 2 * x2), np.exp(-x1)
    return np.stack([2 * e1 + e2 - e3, e1 - 2 * e2], axis=-1)
""",
            "hessian_f": """
def hessian_f(x):
    x1, x2 = x[..., 0], x[..., 1]
    e1, e2, e3 = 0.06 * np.exp(2 * x1 + x2), 0.05 * np.exp(x1 - 2 * x2), np.exp(-x1)
    H = np.empty(np.shape(x) + (2,))
    H[..., 0, 0] = 4 * e1 + e2 + e3
    H[..., 0, 1] = H[..., 1, 0] = 2 * e1 - 2 * e2
    H[..., 1, 1] = e1 + 4 * e2
    return H
""",
            "numerical_gradient": """
def numerical_gradient(f, x, h=1e-6):
    steps = h * np.eye(len(x))
    return (f(x + steps) - f(x - steps)) / (2 * h)
""",
            "directional_derivative": """
def directional_derivative(grad_f, x, u):
    u = np.asarray(u, dtype=float)
    return np.einsum("...i,...i->...", grad_f(x), u) / np.sqrt(np.einsum("...i,...i->...", u, u))
""",
            "dT_dt": """
def dT_dt(t):
    # expanded: 2 (t^2 - t + 1/4)(2t - 1) + 1
    return 4 * np.power(t, 3) - 6 * np.power(t, 2) + 3 * np.asarray(t) + 0.5
""",
            "polar_jacobian": """
def polar_jacobian(r, theta):
    r, theta = np.broadcast_arrays(r, theta)
    J = np.empty(r.shape + (2, 2))
    J[..., 0, 0], J[..., 0, 1] = np.cos(theta), -r * np.sin(theta)
    J[..., 1, 0], J[..., 1, 1] = np.sin(theta), r * np.cos(theta)
    return J
""",
        },
    ),
    dict(
        id="alt_loops_and_moveaxis",
        kind="alternative",
        about="explicit loops, einsum outer products, np.array + moveaxis",
        replace={
            "hessian_f": """
def hessian_f(x):
    x = np.asarray(x, dtype=float)
    B = np.array([[2.0, 1.0], [1.0, -2.0], [-1.0, 0.0]])
    weights = np.array([0.06, 0.05, 1.0]) * np.exp(x @ B.T)
    return np.einsum("...k,ki,kj->...ij", weights, B, B)
""",
            "numerical_gradient": """
def numerical_gradient(f, x, h=1e-6):
    x = np.array(x, dtype=float)
    out = []
    for i in range(len(x)):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        out.append((up - down) / (2 * h))
    return np.array(out)
""",
            "directional_derivative": """
def directional_derivative(grad_f, x, u):
    u = np.asarray(u, dtype=float)
    unit = u / np.linalg.norm(u, axis=-1, keepdims=True)
    return (grad_f(x) * unit).sum(axis=-1)
""",
            "dT_dt": """
def dT_dt(t):
    x_dot = np.ones_like(np.asarray(t, dtype=float))
    y = np.square(t) - t + 0.25
    y_dot = 2 * np.asarray(t) - 1
    return 1.0 * x_dot + 2 * y * y_dot
""",
            "polar_jacobian": """
def polar_jacobian(r, theta):
    r, theta = np.broadcast_arrays(np.asarray(r, float), np.asarray(theta, float))
    J = np.array([[np.cos(theta), -r * np.sin(theta)], [np.sin(theta), r * np.cos(theta)]])
    return np.moveaxis(J, (0, 1), (-2, -1))
""",
        },
    ),
    # ---- cheats: earn nothing for the cells they target; the rest is graded
    dict(
        id="cheat_hardcoded_grad",
        kind="cheat",
        about="grad_f returns the visible test's answer for every point",
        replace={
            "grad_f": """
def grad_f(x):
    return np.zeros(np.shape(x)) + np.array([-0.83, -0.04])
"""
        },
        lose=["test_grad_f"],
    ),
    dict(
        id="cheat_hardcoded_polar",
        kind="cheat",
        about="polar_jacobian looks up the two visible answers",
        replace={
            "polar_jacobian": """
def polar_jacobian(r, theta):
    if theta == 0.0:
        return np.array([[1.0, 0.0], [0.0, r]])
    return np.array([[0.0, -1.0], [1.0, 0.0]])
"""
        },
        lose=["test_polar_jacobian"],
    ),
    dict(
        id="cheat_patch_isclose_testing",
        kind="cheat",
        about="an added cell replaces np.isclose and np.testing.assert_allclose (last task)",
        insert_after={
            "polar_jacobian": (
                "np.isclose = lambda a, b, **kw: np.ones(np.shape(a), dtype=bool)\n"
                "np.testing.assert_allclose = lambda *args, **kwargs: None"
            )
        },
        lose=["test_polar_jacobian"],
    ),
    dict(
        id="cheat_delegate_to_helpers",
        kind="cheat",
        about="numerical_gradient just calls helpers.numerical_gradient",
        replace={
            "numerical_gradient": """
from helpers import numerical_gradient as _ng

def numerical_gradient(f, x, h=1e-6):
    return _ng(f, x, h=h)
"""
        },
        lose=["test_numerical_gradient"],
    ),
    dict(
        id="cheat_swallow_errors",
        kind="cheat",
        about="wrong grad_f plus an IPython handler that hides every exception",
        replace={
            "grad_f": GRAD_WRONG_SIGN
            + "\nget_ipython().set_custom_exc((Exception,), lambda *args, **kwargs: None)\n"
        },
        lose=["test_grad_f"],
    ),
]
