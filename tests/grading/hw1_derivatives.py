"""Submissions that pin down how hw1_derivatives is graded (format: tests/grading/README.md).

Graded cells: test_f (5), test_grad_f (10), test_hessian_f (10), test_numerical_gradient (15),
test_directional_derivative (10), test_grad_logistic (15) and test_hessian_logistic (15) (a
derivation no lecture gives), test_predicted_best_h (10, predicted before the experiment runs,
within a factor of 10). The experiment's written analysis (fd_analysis, 10) is graded by hand.
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
        id="cheat_patch_isclose_testing",
        kind="cheat",
        about="an added cell replaces np.isclose and np.testing.assert_allclose (after task 4b)",
        insert_after={
            "hessian_logistic": (
                "np.isclose = lambda a, b, **kw: np.ones(np.shape(a), dtype=bool)\n"
                "np.testing.assert_allclose = lambda *args, **kwargs: None"
            )
        },
        lose=["test_hessian_logistic", "test_predicted_best_h"],
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
    # ---- task 4: the logistic loss (a derivation)
    dict(
        id="mutant_logistic_01_labels",
        kind="mutant",
        about="the {0, 1}-label gradient X^T (sigma(Xw) - y) / m used with labels in {-1, +1}",
        replace={"grad_logistic": """
def grad_logistic(w, X, y):
    p = 1 / (1 + np.exp(-(np.asarray(w, dtype=float) @ X.T)))
    return (p - y) @ X / len(y)
"""},
        lose=["test_grad_logistic"],
    ),
    dict(
        id="mutant_logistic_no_mean",
        kind="mutant",
        about="grad and Hessian without the 1/m of the mean",
        replace={"grad_logistic": """
def grad_logistic(w, X, y):
    z = y * (np.asarray(w, dtype=float) @ X.T)
    return -(y * np.exp(-np.logaddexp(0.0, z))) @ X
""", "hessian_logistic": """
def hessian_logistic(w, X, y):
    z = y * (np.asarray(w, dtype=float) @ X.T)
    s = np.exp(-np.logaddexp(0.0, -z))
    return np.einsum("...m,mi,mj->...ij", s * (1 - s), X, X)
"""},
        lose=["test_grad_logistic", "test_hessian_logistic"],
    ),
    dict(
        id="mutant_logistic_sign",
        kind="mutant",
        about="gradient sign lost: +X^T (y sigma(-z)) / m",
        replace={"grad_logistic": """
def grad_logistic(w, X, y):
    z = y * (np.asarray(w, dtype=float) @ X.T)
    return (y * np.exp(-np.logaddexp(0.0, z))) @ X / len(y)
"""},
        lose=["test_grad_logistic"],
    ),
    dict(
        id="mutant_logistic_overflow",
        kind="mutant",
        about="sigma(-z) as e^{-z} / (1 + e^{-z}): inf / inf = nan at large negative margins",
        replace={"grad_logistic": """
def grad_logistic(w, X, y):
    z = y * (np.asarray(w, dtype=float) @ X.T)
    return -(y * np.exp(-z) / (1 + np.exp(-z))) @ X / len(y)
"""},
        lose=["test_grad_logistic"],
    ),
    dict(
        id="mutant_hessian_logistic_quarter",
        kind="mutant",
        about="Hessian with the weight 1/4 of z = 0 for every point (X^T X / 4m)",
        replace={"hessian_logistic": """
def hessian_logistic(w, X, y):
    w = np.asarray(w, dtype=float)
    return np.zeros(w.shape[:-1] + (1, 1)) + X.T @ X / (4 * len(y))
"""},
        lose=["test_hessian_logistic"],
    ),
    dict(
        id="mutant_hessian_logistic_not_batched",
        kind="mutant",
        about="X.T @ diag(weights) @ X: right for one w, fails for a batch (..., n)",
        replace={"hessian_logistic": """
def hessian_logistic(w, X, y):
    z = y * (X @ w)
    s = 1 / (1 + np.exp(-z))
    return X.T @ np.diag(s * (1 - s)) @ X / len(y)
"""},
        lose=["test_hessian_logistic"],
    ),
    dict(
        id="mutant_hessian_logistic_outer_of_grad",
        kind="mutant",
        about="Hessian as the outer product of the gradient with itself (Gauss-Newton-like slip)",
        replace={"hessian_logistic": """
def hessian_logistic(w, X, y):
    g = grad_logistic(w, X, y)
    return g[..., :, None] * g[..., None, :]
"""},
        lose=["test_hessian_logistic"],
    ),
    dict(
        id="alt_logistic_loops_tanh",
        kind="alternative",
        about="loops over the samples, sigma(-z) = (1 - tanh(z/2)) / 2, Hessian by np.outer",
        replace={"grad_logistic": """
def grad_logistic(w, X, y):
    w = np.asarray(w, dtype=float)
    g = np.zeros(w.shape)
    for xi, yi in zip(X, y):
        z = yi * (w @ xi)
        g = g - (yi * (1 - np.tanh(z / 2)) / 2)[..., None] * xi
    return g / len(y)
""", "hessian_logistic": """
def hessian_logistic(w, X, y):
    w = np.asarray(w, dtype=float)
    H = np.zeros(w.shape + (w.shape[-1],))
    for xi, yi in zip(X, y):
        z = yi * (w @ xi)
        weight = (1 - np.tanh(z / 2) ** 2) / 4  # sigma(z) sigma(-z)
        H = H + weight[..., None, None] * np.outer(xi, xi)
    return H / len(y)
"""},
    ),
    dict(
        id="alt_logistic_where_sigmoid",
        kind="alternative",
        about="a two-branch stable sigmoid with np.where (warns on the unused branch), 1 - s",
        replace={"grad_logistic": """
def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def grad_logistic(w, X, y):
    z = y * (np.asarray(w, dtype=float) @ X.T)
    return -(y * (1 - sigmoid(z))) @ X / X.shape[0]
""", "hessian_logistic": """
def hessian_logistic(w, X, y):
    z = y * (np.asarray(w, dtype=float) @ X.T)
    s = sigmoid(z)
    weights = s * (1 - s)
    return np.einsum("...m,mi,mj->...ij", weights, X, X) / len(y)
"""},
    ),
    # ---- task 5: the prediction
    dict(
        id="mutant_predict_forward_h",
        kind="mutant",
        about="PREDICTED_BEST_H = sqrt(eps), the forward difference's optimum",
        replace={"predicted_best_h": """
PREDICTED_BEST_H = np.sqrt(np.finfo(float).eps)
"""},
        lose=["test_predicted_best_h"],
    ),
    dict(
        id="mutant_predict_eps",
        kind="mutant",
        about="PREDICTED_BEST_H = eps: 'as small as possible'",
        replace={"predicted_best_h": """
PREDICTED_BEST_H = np.finfo(float).eps
"""},
        lose=["test_predicted_best_h"],
    ),
    dict(
        id="alt_predict_power_of_ten",
        kind="alternative",
        about="PREDICTED_BEST_H typed as a power of ten from eps^(1/3) ~ 6e-6 rounded",
        replace={"predicted_best_h": """
PREDICTED_BEST_H = 1e-5
"""},
    ),
]
