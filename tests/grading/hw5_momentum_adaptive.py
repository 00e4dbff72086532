"""Submissions that pin down how hw5_momentum_adaptive is graded (format: tests/grading/README.md).

Graded cells: test_momentum_step (8), test_nesterov_step (12), test_optimal_heavy_ball (4),
test_predicted_steps (8), test_adagrad_step (8), test_rmsprop_step (6), test_adam_step (14),
test_adamw_step (10), test_logcosh_loss (5), test_grad_logcosh_loss (15); and analysis_momentum
(10 points, a written analysis of heavy ball and Nesterov on a non-quadratic function, graded by
hand: in no expectation).

Task 8 is a derivation no lecture gives: f(x) = sum_j log cosh((A x - b)_j) and its gradient
A^T tanh(A x - b), batched over rows of x, accurate for residuals up to 1e4. The hidden tests use
fresh non-square and square (non-symmetric) A, batches (m, n) and (m, p, n), residuals from 1e-12
to 1e4, and the bottom of the valley; the mutants are the plausible wrong derivations (sign,
transposed, sinh without the 1/cosh, the second derivative, the forgotten b, the stable form
differentiated without its chain factor 2, one point only) and the unstable forms (log(cosh),
sinh/cosh); finite differences, which the text forbids, fail at large residuals.

predicted_steps is a predicted pair of numbers: a hard-coded answer is the task, so it has no
hard-coded cheat; each count is accepted within +-1 (ceil, floor or a counting loop all pass),
while the wrong rates (1 - 1/kappa, 1 - 1/sqrt(kappa)) or the swapped order fail.

Every step function is checked over several consecutive steps on random arrays of two shapes
against a reference written in the hidden block (never against the student's other functions,
so one mistake costs one cell), with non-default hyperparameters, and for not modifying its
inputs. test_nesterov_step also records where grad_func was called (the look-ahead point).
"""

ADAM_TEMPLATE = """
def adam_step(x, m, v, g, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
"""

ADAMW_TEMPLATE = """
def adamw_step(x, m, v, g, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return x - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * x), m, v
"""


def _edit(template, old, new):
    """The reference code with one piece changed (fails loudly if `old` is not in it)."""
    assert old in template, old
    return template.replace(old, new)


LOSS_TEMPLATE = """
def logcosh_loss(x, A, b):
    r = np.abs(np.asarray(x, dtype=float) @ np.asarray(A, dtype=float).T - b)
    return np.sum(r + np.log1p(np.exp(-2 * r)) - np.log(2.0), axis=-1)
"""

GRAD_TEMPLATE = """
def grad_logcosh_loss(x, A, b):
    A = np.asarray(A, dtype=float)
    r = np.asarray(x, dtype=float) @ A.T - b
    return np.tanh(r) @ A
"""

LOGCOSH_SUBMISSIONS = [
    # ---- the log-cosh derivation (task 8): each wrong derivation loses its own cell only
    dict(
        id="mutant_logcosh_loss_overflows",
        kind="mutant",
        about="logcosh_loss as np.log(np.cosh(r)): inf for residuals beyond ~710",
        replace={"logcosh_loss": _edit(
            LOSS_TEMPLATE, "r + np.log1p(np.exp(-2 * r)) - np.log(2.0)", "np.log(np.cosh(r))")},
        lose=["test_logcosh_loss"],
    ),
    dict(
        id="mutant_logcosh_loss_without_log2",
        kind="mutant",
        about="stable form |r| + log(1 + exp(-2|r|)) without the - log 2 (cosh r = (e^r+e^-r)/2)",
        replace={"logcosh_loss": _edit(LOSS_TEMPLATE, " - np.log(2.0)", "")},
        lose=["test_logcosh_loss"],
    ),
    dict(
        id="mutant_logcosh_loss_not_batched",
        kind="mutant",
        about="logcosh_loss sums over every axis: one number for a whole batch",
        replace={"logcosh_loss": _edit(LOSS_TEMPLATE, ", axis=-1)", ")")},
        lose=["test_logcosh_loss"],
    ),
    dict(
        id="mutant_logcosh_loss_plus_b",
        kind="mutant",
        about="residual A x + b instead of A x - b in the loss",
        replace={"logcosh_loss": _edit(LOSS_TEMPLATE, ".T - b)", ".T + b)")},
        lose=["test_logcosh_loss"],
    ),
    dict(
        id="mutant_logcosh_loss_quadratic",
        kind="mutant",
        about="the small-residual approximation r^2 / 2 instead of log cosh r",
        replace={"logcosh_loss": _edit(
            LOSS_TEMPLATE, "r + np.log1p(np.exp(-2 * r)) - np.log(2.0)", "0.5 * r**2")},
        lose=["test_logcosh_loss"],
    ),
    dict(
        id="mutant_grad_logcosh_sign",
        kind="mutant",
        about="sign error: -A^T tanh(A x - b)",
        replace={"grad_logcosh_loss": _edit(GRAD_TEMPLATE, "return np.tanh(r) @ A",
                                            "return -np.tanh(r) @ A")},
        lose=["test_grad_logcosh_loss"],
    ),
    dict(
        id="mutant_grad_logcosh_transposed",
        kind="mutant",
        about="transposed chain rule: tanh(r) @ A.T (A instead of A^T in A^T tanh(r))",
        replace={"grad_logcosh_loss": _edit(GRAD_TEMPLATE, "return np.tanh(r) @ A",
                                            "return np.tanh(r) @ A.T")},
        lose=["test_grad_logcosh_loss"],
    ),
    dict(
        id="mutant_grad_logcosh_sinh",
        kind="mutant",
        about="forgot the 1/cosh of the log: A^T sinh(r)",
        replace={"grad_logcosh_loss": _edit(GRAD_TEMPLATE, "return np.tanh(r) @ A",
                                            "return np.sinh(r) @ A")},
        lose=["test_grad_logcosh_loss"],
    ),
    dict(
        id="mutant_grad_logcosh_sech2",
        kind="mutant",
        about="the second derivative 1 - tanh^2 r instead of the first, tanh r",
        replace={"grad_logcosh_loss": _edit(GRAD_TEMPLATE, "return np.tanh(r) @ A",
                                            "return (1 - np.tanh(r) ** 2) @ A")},
        lose=["test_grad_logcosh_loss"],
    ),
    dict(
        id="mutant_grad_logcosh_forgot_b",
        kind="mutant",
        about="forgotten term: tanh(A x) without b",
        replace={"grad_logcosh_loss": _edit(GRAD_TEMPLATE, "@ A.T - b", "@ A.T")},
        lose=["test_grad_logcosh_loss"],
    ),
    dict(
        id="mutant_grad_logcosh_stable_form_missing_2",
        kind="mutant",
        about="derivative of |r| + log(1 + e^{-2|r|}) without the chain factor 2: "
        "sign(r) / (1 + e^{-2|r|})",
        replace={"grad_logcosh_loss": _edit(
            GRAD_TEMPLATE, "return np.tanh(r) @ A",
            "return (np.sign(r) / (1 + np.exp(-2 * np.abs(r)))) @ A")},
        lose=["test_grad_logcosh_loss"],
    ),
    dict(
        id="mutant_grad_logcosh_sinh_over_cosh",
        kind="mutant",
        about="tanh written as sinh(r) / cosh(r): inf / inf = nan for residuals beyond ~710",
        replace={"grad_logcosh_loss": _edit(GRAD_TEMPLATE, "return np.tanh(r) @ A",
                                            "return (np.sinh(r) / np.cosh(r)) @ A")},
        lose=["test_grad_logcosh_loss"],
    ),
    dict(
        id="mutant_grad_logcosh_one_point_only",
        kind="mutant",
        about="A.T @ tanh(A @ x - b): right for one point, not for a batch of rows",
        replace={"grad_logcosh_loss": """
def grad_logcosh_loss(x, A, b):
    return A.T @ np.tanh(A @ x - b)
"""},
        lose=["test_grad_logcosh_loss"],
    ),
    dict(
        id="alt_logcosh_logaddexp_einsum",
        kind="alternative",
        about="loss with np.logaddexp(r, -r) - log 2, gradient with np.einsum",
        replace={
            "logcosh_loss": """
def logcosh_loss(x, A, b):
    r = np.einsum("...n,kn->...k", x, A) - b
    return (np.logaddexp(r, -r) - np.log(2)).sum(axis=-1)
""",
            "grad_logcosh_loss": """
def grad_logcosh_loss(x, A, b):
    return np.einsum("...k,kn->...n", np.tanh(np.einsum("...n,kn->...k", x, A) - b), A)
""",
        },
    ),
    dict(
        id="alt_logcosh_loops_expm1",
        kind="alternative",
        about="a loop over the k rows of A; the gradient from the stable form, "
        "sign(r) (1 - e^{-2|r|}) / (1 + e^{-2|r|})",
        replace={
            "logcosh_loss": """
import math


def logcosh_loss(x, A, b):
    x = np.asarray(x, dtype=float)
    total = np.zeros(x.shape[:-1])
    for j in range(len(b)):
        r = np.abs(x @ A[j] - b[j])
        total = total + r + np.log1p(np.exp(-2 * r)) - math.log(2)
    return total
""",
            "grad_logcosh_loss": """
def grad_logcosh_loss(x, A, b):
    x = np.asarray(x, dtype=float)
    grad = np.zeros(x.shape)
    for j in range(len(b)):
        r = x @ A[j] - b[j]
        e = np.exp(-2 * np.abs(r))
        slope = np.sign(r) * (1 - e) / (1 + e)       # = tanh(r), written from the stable form
        grad = grad + slope[..., None] * A[j]
    return grad
""",
        },
    ),
    dict(
        id="alt_logcosh_threshold",
        kind="alternative",
        about="np.where with a threshold: log(cosh(r)) for |r| < 20, |r| - log 2 beyond; "
        "tanh from exp(2r) clipped",
        replace={
            "logcosh_loss": """
def logcosh_loss(x, A, b):
    r = np.abs(x @ A.T - b)
    small = np.minimum(r, 20.0)
    return np.sum(np.where(r < 20, np.log(np.cosh(small)), r - np.log(2)), axis=-1)
""",
            "grad_logcosh_loss": """
def grad_logcosh_loss(x, A, b):
    r = x @ A.T - b
    e = np.exp(2 * np.clip(r, -300, 300))
    return ((e - 1) / (e + 1)) @ A
""",
        },
    ),
    dict(
        id="cheat_grad_logcosh_finite_differences",
        kind="cheat",
        about="central differences of the student's own logcosh_loss instead of the derivation "
        "(the text forbids it; inexact at large residuals)",
        replace={"grad_logcosh_loss": """
def grad_logcosh_loss(x, A, b):
    x = np.asarray(x, dtype=float)
    h = 1e-6
    grad = np.zeros(x.shape)
    for i in range(x.shape[-1]):
        e = np.zeros(x.shape[-1])
        e[i] = h
        grad[..., i] = (logcosh_loss(x + e, A, b) - logcosh_loss(x - e, A, b)) / (2 * h)
    return grad
"""},
        lose=["test_grad_logcosh_loss"],
    ),
    dict(
        id="cheat_grad_logcosh_helpers_numerical_gradient",
        kind="cheat",
        about="grad_logcosh_loss delegates to helpers.numerical_gradient",
        replace={"grad_logcosh_loss": """
def grad_logcosh_loss(x, A, b):
    return helpers.numerical_gradient(lambda z: logcosh_loss(z, A, b), x)
"""},
        lose=["test_grad_logcosh_loss"],
    ),
    dict(
        id="cheat_hardcoded_logcosh_worked_example",
        kind="cheat",
        about="logcosh_loss and its gradient return the worked example's numbers",
        replace={
            "logcosh_loss": "def logcosh_loss(x, A, b):\n    return 2 * np.log(np.cosh(1.0))\n",
            "grad_logcosh_loss": ("def grad_logcosh_loss(x, A, b):\n"
                                  "    return np.array([3 * np.tanh(1.0), 0.0])\n"),
        },
        lose=["test_logcosh_loss", "test_grad_logcosh_loss"],
    ),
]


SUBMISSIONS = [
    # ---- mutants: common mistakes, each breaks exactly the cells in `lose`
    dict(
        id="mutant_momentum_ema",
        kind="mutant",
        about="v <- beta v + (1 - beta) g: the moving-average convention, not the one asked for",
        replace={
            "momentum_step": """
def momentum_step(x, v, g, lr, beta):
    v = beta * v + (1 - beta) * g
    return x - lr * v, v
"""
        },
        lose=["test_momentum_step"],
    ),
    dict(
        id="mutant_momentum_inplace",
        kind="mutant",
        about="x -= lr * v and v *= beta: changes the caller's arrays",
        replace={
            "momentum_step": """
def momentum_step(x, v, g, lr, beta):
    v *= beta
    v += g
    x -= lr * v
    return x, v
"""
        },
        lose=["test_momentum_step"],
    ),
    dict(
        id="mutant_nesterov_gradient_at_x",
        kind="mutant",
        about="takes the gradient at x: plain heavy ball",
        replace={
            "nesterov_step": """
def nesterov_step(x, v, grad_func, lr, beta):
    v = beta * v + grad_func(x)
    return x - lr * v, v
"""
        },
        lose=["test_nesterov_step"],
    ),
    dict(
        id="mutant_nesterov_lookahead_without_lr",
        kind="mutant",
        about="look-ahead point x - beta v (forgets that v is in gradient units)",
        replace={
            "nesterov_step": """
def nesterov_step(x, v, grad_func, lr, beta):
    v = beta * v + grad_func(x - beta * v)
    return x - lr * v, v
"""
        },
        lose=["test_nesterov_step"],
    ),
    dict(
        id="mutant_heavy_ball_beta_not_squared",
        kind="mutant",
        about="beta = (sqrt(kappa) - 1) / (sqrt(kappa) + 1): Nesterov's momentum, not Polyak's",
        replace={
            "optimal_heavy_ball": """
def optimal_heavy_ball(mu, L):
    k = np.sqrt(L / mu)
    return 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, (k - 1) / (k + 1)
"""
        },
        lose=["test_optimal_heavy_ball"],
    ),
    dict(
        id="mutant_heavy_ball_gd_step",
        kind="mutant",
        about="lr = 2 / (mu + L), the best gradient-descent step, with the right beta",
        replace={
            "optimal_heavy_ball": """
def optimal_heavy_ball(mu, L):
    k = np.sqrt(L / mu)
    return 2 / (mu + L), ((k - 1) / (k + 1)) ** 2
"""
        },
        lose=["test_optimal_heavy_ball"],
    ),
    dict(
        id="mutant_adagrad_no_accumulation",
        kind="mutant",
        about="G <- g^2: forgets the sum over past gradients",
        replace={
            "adagrad_step": """
def adagrad_step(x, G, g, lr, eps=1e-8):
    G = g**2
    return x - lr * g / (np.sqrt(G) + eps), G
"""
        },
        lose=["test_adagrad_step"],
    ),
    dict(
        id="mutant_adagrad_no_sqrt",
        kind="mutant",
        about="divides by G + eps instead of sqrt(G) + eps",
        replace={
            "adagrad_step": """
def adagrad_step(x, G, g, lr, eps=1e-8):
    G = G + g**2
    return x - lr * g / (G + eps), G
"""
        },
        lose=["test_adagrad_step"],
    ),
    dict(
        id="mutant_rmsprop_no_one_minus_gamma",
        kind="mutant",
        about="s <- gamma s + g^2: a discounted sum, not an average",
        replace={
            "rmsprop_step": """
def rmsprop_step(x, s, g, lr, gamma=0.9, eps=1e-8):
    s = gamma * s + g**2
    return x - lr * g / (np.sqrt(s) + eps), s
"""
        },
        lose=["test_rmsprop_step"],
    ),
    dict(
        id="mutant_rmsprop_no_eps",
        kind="mutant",
        about="forgets eps: 0 / 0 = nan for a zero gradient from a zero state",
        replace={
            "rmsprop_step": """
def rmsprop_step(x, s, g, lr, gamma=0.9, eps=1e-8):
    s = gamma * s + (1 - gamma) * g**2
    return x - lr * g / np.sqrt(s), s
"""
        },
        lose=["test_rmsprop_step"],
    ),
    dict(
        id="mutant_adam_no_bias_correction",
        kind="mutant",
        about="steps with the raw moments m, v",
        replace={
            "adam_step": _edit(
                ADAM_TEMPLATE,
                "    m_hat = m / (1 - beta1**t)\n    v_hat = v / (1 - beta2**t)\n",
                "    m_hat, v_hat = m, v\n",
            )
        },
        lose=["test_adam_step"],
    ),
    dict(
        id="mutant_adam_t_from_zero",
        kind="mutant",
        about="bias correction with beta ** (t + 1), as if t counted from 0",
        replace={
            "adam_step": ADAM_TEMPLATE.replace("**t)", "**(t + 1))"),
        },
        lose=["test_adam_step"],
    ),
    dict(
        id="mutant_adam_stores_corrected",
        kind="mutant",
        about="returns the bias-corrected m_hat, v_hat as the new state",
        replace={
            "adam_step": _edit(
                ADAM_TEMPLATE,
                "return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v",
                "return x - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat",
            )
        },
        lose=["test_adam_step"],
    ),
    dict(
        id="mutant_adamw_coupled_l2",
        kind="mutant",
        about="Adam + L2: adds weight_decay * x to the gradient instead of decoupling it",
        replace={
            "adamw_step": _edit(
                ADAMW_TEMPLATE,
                "    m = beta1 * m",
                "    g = g + weight_decay * x\n    m = beta1 * m",
            ).replace("+ weight_decay * x), m, v", "), m, v")
        },
        lose=["test_adamw_step"],
    ),
    dict(
        id="mutant_adamw_decay_without_lr",
        kind="mutant",
        about="x - lr * adam - weight_decay * x: the decay not multiplied by lr",
        replace={
            "adamw_step": _edit(
                ADAMW_TEMPLATE,
                "return x - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * x), m, v",
                "return x - lr * m_hat / (np.sqrt(v_hat) + eps) - weight_decay * x, m, v",
            )
        },
        lose=["test_adamw_step"],
    ),
    # mistakes that only show outside the visible inputs (issue 16)
    dict(
        id="mutant_nesterov_two_gradients",
        kind="mutant",
        about="evaluates grad_func at x too (heavy-ball habit): two calls per step",
        replace={
            "nesterov_step": """
def nesterov_step(x, v, grad_func, lr, beta):
    g_here = grad_func(x)
    y = x - lr * beta * v
    g = grad_func(y) if np.any(v) else g_here
    v = beta * v + g
    return x - lr * v, v
"""
        },
        lose=["test_nesterov_step"],
    ),
    dict(
        id="mutant_adagrad_eps_inside_sqrt",
        kind="mutant",
        about="sqrt(G + eps) instead of sqrt(G) + eps: wrong for tiny gradients",
        replace={
            "adagrad_step": """
def adagrad_step(x, G, g, lr, eps=1e-8):
    G = G + g**2
    return x - lr * g / np.sqrt(G + eps), G
"""
        },
        lose=["test_adagrad_step"],
    ),
    # ---- alternative correct implementations: must score 100
    # ---- the predicted step counts
    dict(
        id="mutant_predicted_steps_gd_rate_one_minus_inverse_kappa",
        kind="mutant",
        about="gradient descent's rate taken as 1 - 1/kappa (the step 1/L) instead of "
        "(kappa-1)/(kappa+1)",
        replace={"predicted_steps": """
def predicted_steps():
    kappa = 1e4
    return (int(np.ceil(np.log(1e-6) / np.log(1 - 1 / kappa))),
            int(np.ceil(np.log(1e-6) / np.log((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)))))
"""},
        lose=["test_predicted_steps"],
    ),
    dict(
        id="mutant_predicted_steps_hb_rate_nesterov",
        kind="mutant",
        about="the heavy ball's rate taken as 1 - 1/sqrt(kappa) (Nesterov's bound)",
        replace={"predicted_steps": """
def predicted_steps():
    kappa = 1e4
    return (int(np.ceil(np.log(1e-6) / np.log((kappa - 1) / (kappa + 1)))),
            int(np.ceil(np.log(1e-6) / np.log(1 - 1 / np.sqrt(kappa)))))
"""},
        lose=["test_predicted_steps"],
    ),
    dict(
        id="mutant_predicted_steps_log10_of_rate_inverted",
        kind="mutant",
        about="t = log(rate) / log(1e-6): the ratio upside down",
        replace={"predicted_steps": """
def predicted_steps():
    kappa = 1e4
    return (np.log((kappa - 1) / (kappa + 1)) / np.log(1e-6) + 2,
            np.log((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) / np.log(1e-6) + 1)
"""},
        lose=["test_predicted_steps"],
    ),
    dict(
        id="alt_copies_and_inplace",
        kind="alternative",
        about="copies then in-place updates, Polyak's (x, x_prev) form, Kingma-Ba efficient Adam",
        replace={
            "momentum_step": """
def momentum_step(x, v, g, lr, beta):
    v_new = np.array(v, dtype=float)
    v_new *= beta
    v_new += g
    x_new = np.array(x, dtype=float)
    x_new -= lr * v_new
    return x_new, v_new
""",
            "nesterov_step": """
def nesterov_step(x, v, grad_func, lr, beta):
    x_prev = x + lr * v               # the previous iterate, in Polyak's notation
    y = x + beta * (x - x_prev)       # the look-ahead point
    x_new = y - lr * grad_func(y)
    return x_new, (x - x_new) / lr
""",
            "optimal_heavy_ball": """
def optimal_heavy_ball(mu, L):
    kappa = L / mu
    beta = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    return (1 + np.sqrt(beta)) ** 2 / L, beta
""",
            "adagrad_step": """
def adagrad_step(x, G, g, lr, eps=1e-8):
    G_new = G.copy()
    G_new += np.square(g)
    return x - np.multiply(lr / (np.sqrt(G_new) + eps), g), G_new
""",
            "rmsprop_step": """
def rmsprop_step(x, s, g, lr, gamma=0.9, eps=1e-8):
    s_new = s + (1 - gamma) * (g * g - s)
    return x - lr * g / (np.sqrt(s_new) + eps), s_new
""",
            "adam_step": """
def adam_step(x, m, v, g, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = m + (1 - beta1) * (g - m)
    v = v + (1 - beta2) * (g * g - v)
    # Kingma and Ba's efficient form: fold both corrections into the step size
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return x - lr_t * m / (np.sqrt(v) + eps * np.sqrt(1 - beta2**t)), m, v
""",
            "adamw_step": """
def adamw_step(x, m, v, g, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    shrunk = x * (1 - lr * weight_decay)   # PyTorch order: decay first, then the Adam step
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return shrunk - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
""",
        },
    ),
    dict(
        id="alt_loops_and_math",
        kind="alternative",
        about="element-by-element loops with math.sqrt, adamw calling its own adam step",
        replace={
            "momentum_step": """
def momentum_step(x, v, g, lr, beta):
    v_new = beta * np.asarray(v) + np.asarray(g)
    return np.asarray(x) - lr * v_new, v_new
""",
            "nesterov_step": """
def nesterov_step(x, v, grad_func, lr, beta):
    lookahead = x - lr * beta * v
    g = grad_func(lookahead)
    v = beta * v + g
    x = x - lr * v
    return x, v
""",
            "optimal_heavy_ball": """
import math


def optimal_heavy_ball(mu, L):
    a, b = math.sqrt(L), math.sqrt(mu)
    return 4 / (a + b) ** 2, (a - b) ** 2 / (a + b) ** 2
""",
            "adagrad_step": """
import math


def adagrad_step(x, G, g, lr, eps=1e-8):
    x_new, G_new = np.array(x, dtype=float), np.array(G, dtype=float)
    for i in np.ndindex(np.shape(x)):
        G_new[i] = G_new[i] + g[i] ** 2
        x_new[i] = x_new[i] - lr * g[i] / (math.sqrt(G_new[i]) + eps)
    return x_new, G_new
""",
            "rmsprop_step": """
def rmsprop_step(x, s, g, lr, gamma=0.9, eps=1e-8):
    x_new, s_new = np.empty_like(x, dtype=float), np.empty_like(s, dtype=float)
    for i in np.ndindex(np.shape(x)):
        s_new[i] = gamma * s[i] + (1 - gamma) * g[i] * g[i]
        x_new[i] = x[i] - lr * g[i] / (s_new[i] ** 0.5 + eps)
    return x_new, s_new
""",
            "adam_step": """
def adam_step(x, m, v, g, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new = beta1 * m + (1 - beta1) * g
    v_new = beta2 * v + (1 - beta2) * np.power(g, 2)
    corrected_m = m_new / (1 - np.power(beta1, t))
    corrected_v = v_new / (1 - np.power(beta2, t))
    return x - lr * corrected_m / (np.sqrt(corrected_v) + eps), m_new, v_new
""",
            "adamw_step": """
def adamw_step(x, m, v, g, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    x_adam, m, v = adam_step(x, m, v, g, t, lr, beta1, beta2, eps)
    return x_adam - lr * weight_decay * x, m, v
""",
        },
    ),
    dict(
        id="alt_predicted_steps_counting_loop",
        kind="alternative",
        about="predicted_steps by counting steps until rate^t <= 1e-6 (math, no numpy)",
        replace={"predicted_steps": """
def predicted_steps():
    import math
    kappa = 100 / 0.01
    counts = []
    for rate in ((kappa - 1) / (kappa + 1), (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)):
        t, r = 0, 1.0
        while r > 1e-6:
            r *= rate
            t += 1
        counts.append(t)
    return tuple(counts)
"""},
    ),
    dict(
        id="alt_predicted_steps_floor_floats",
        kind="alternative",
        about="predicted_steps as unrounded floats of log(1e-6) / log(rate) (within 1 of the "
        "count)",
        replace={"predicted_steps": """
def predicted_steps():
    k = 1e4
    return (float(np.log(1e-6) / np.log((k - 1) / (k + 1))),
            float(np.log(1e-6) / np.log((k**0.5 - 1) / (k**0.5 + 1))))
"""},
    ),
    # ---- cheats
    dict(
        id="cheat_hardcoded_heavy_ball",
        kind="cheat",
        about="optimal_heavy_ball returns the visible test's answer",
        replace={
            "optimal_heavy_ball": "def optimal_heavy_ball(mu, L):\n    return 4 / 121, 81 / 121\n"
        },
        lose=["test_optimal_heavy_ball"],
    ),
    dict(
        id="cheat_hardcoded_adam_first_step",
        kind="cheat",
        about="adam_step returns x - lr * sign(g): right for the first step only",
        replace={
            "adam_step": """
def adam_step(x, m, v, g, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return x - lr * np.sign(g), (1 - beta1) * g, (1 - beta2) * g**2
"""
        },
        lose=["test_adam_step"],
    ),
    dict(
        id="cheat_patch_isclose",
        kind="cheat",
        about="replaces np.allclose, np.isclose and np.array_equal after the momentum task",
        insert_after={
            "momentum_step": (
                "np.allclose = lambda *args, **kwargs: True\n"
                "np.isclose = lambda *args, **kwargs: True\n"
                "np.array_equal = lambda *args, **kwargs: True"
            )
        },
        keep=[],
    ),
] + LOGCOSH_SUBMISSIONS
