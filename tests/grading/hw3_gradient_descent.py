"""Submissions that pin down how hw3_gradient_descent is graded (format: tests/grading/README.md).

Graded cells: test_f (5), test_grad_f (5), test_minimize (15: iterates, lists, x0 untouched,
integer x0), test_minimize_stopping (10: the stopping rule, a start at the minimizer, maxiter=0),
test_optimal_x (5), test_backtracking_line_search (20), test_optimal_step_size (5),
test_grad_pseudo_huber (10, a derivation no lecture gives), test_predicted_steps (10, predicted
before the experiment runs, within 2%), test_measured_rate (5). The written analysis of the
experiment (task 9) is read by a grader. test_optimal_x uses the student's own minimize, f and
grad_f (it reruns minimize inside no_delegation and compares with OPTIMAL_X), so a mistake in any
of them, or delegation, also costs those 5 points."""

MINIMIZE_TEMPLATE = """
def minimize(x0, f, grad_func, alpha_t=0.2, maxiter=100):
    xt = np.asarray(x0, dtype=float)
    list_of_xts, list_of_fs = [xt], [f(xt)]
    for _ in range(maxiter):
        g = grad_func(xt)
        if np.linalg.norm(g) <= 1e-4:
            break
        xt = xt - alpha_t * g
        list_of_xts.append(xt)
        list_of_fs.append(f(xt))
    return xt, list_of_xts, list_of_fs
"""

SUBMISSIONS = [
    # ---- mutants
    dict(
        id="mutant_grad_sign",
        kind="mutant",
        about="sign error in d/dx2: +2 x1 x2 e^{-r^2}",
        replace={
            "grad_f": """
def grad_f(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.sum(x**2, axis=-1))
    return np.stack([e * (1 - 2 * x[..., 0] ** 2), 2 * e * x[..., 0] * x[..., 1]], axis=-1)
"""
        },
        lose=["test_grad_f", "test_optimal_x"],
    ),
    dict(
        id="mutant_grad_missing_2",
        kind="mutant",
        about="d/dx1 written as e^{-r^2} (1 - x1^2): factor 2 forgotten",
        replace={
            "grad_f": """
def grad_f(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.sum(x**2, axis=-1))
    return np.stack([e * (1 - x[..., 0] ** 2), -2 * e * x[..., 0] * x[..., 1]], axis=-1)
"""
        },
        lose=["test_grad_f", "test_optimal_x"],
    ),
    dict(
        id="mutant_minimize_off_by_one",
        kind="mutant",
        about="maxiter + 1 updates (the seed notebook's loop: check after the update)",
        replace={
            "minimize": """
def minimize(x0, f, grad_func, alpha_t=0.2, maxiter=100):
    t = 0
    xt = np.asarray(x0, dtype=float)
    grad_f_t = grad_func(xt)
    list_of_xts, list_of_fs = [xt], [f(xt)]
    while np.linalg.norm(grad_f_t) > 1e-4:
        xt = xt - alpha_t * grad_f_t
        grad_f_t = grad_func(xt)
        list_of_xts.append(xt)
        list_of_fs.append(f(xt))
        if t >= maxiter:
            break
        t += 1
    return xt, list_of_xts, list_of_fs
"""
        },
        lose=["test_minimize", "test_minimize_stopping"],
    ),
    dict(
        id="mutant_minimize_inplace",
        kind="mutant",
        about="xt -= alpha g on x0 itself: every recorded iterate is the same array",
        replace={
            "minimize": """
def minimize(x0, f, grad_func, alpha_t=0.2, maxiter=100):
    xt = x0
    list_of_xts, list_of_fs = [xt], [f(xt)]
    for _ in range(maxiter):
        g = grad_func(xt)
        if np.linalg.norm(g) <= 1e-4:
            break
        xt -= alpha_t * g
        list_of_xts.append(xt)
        list_of_fs.append(f(xt))
    return xt, list_of_xts, list_of_fs
"""
        },
        lose=["test_minimize", "test_minimize_stopping"],
    ),
    dict(
        id="mutant_minimize_ascent",
        kind="mutant",
        about="x + alpha g: gradient ascent",
        replace={"minimize": MINIMIZE_TEMPLATE.replace("xt - alpha_t * g", "xt + alpha_t * g")},
        lose=["test_minimize", "test_minimize_stopping", "test_optimal_x"],
    ),
    dict(
        id="mutant_minimize_no_x0",
        kind="mutant",
        about="the lists start with the first update instead of x0",
        replace={
            "minimize": MINIMIZE_TEMPLATE.replace(
                "list_of_xts, list_of_fs = [xt], [f(xt)]", "list_of_xts, list_of_fs = [], []"
            )
        },
        lose=["test_minimize", "test_minimize_stopping"],
    ),
    dict(
        id="mutant_backtracking_no_c",
        kind="mutant",
        about="plain decrease f(x + a d) < f(x) instead of the Armijo condition",
        replace={
            "backtracking_line_search": """
def backtracking_line_search(f, grad_f, x, direction, alpha0=1.0, rho=0.5, c=1e-4):
    alpha = alpha0
    while f(x + alpha * direction) >= f(x):
        alpha *= rho
    return alpha
"""
        },
        lose=["test_backtracking_line_search"],
    ),
    dict(
        id="mutant_backtracking_uses_gradient",
        kind="mutant",
        about="steps along -grad f instead of the given direction",
        replace={
            "backtracking_line_search": """
def backtracking_line_search(f, grad_f, x, direction, alpha0=1.0, rho=0.5, c=1e-4):
    g = grad_f(x)
    alpha = alpha0
    while f(x - alpha * g) > f(x) - c * alpha * (g @ g):
        alpha *= rho
    return alpha
"""
        },
        lose=["test_backtracking_line_search"],
    ),
    dict(
        id="mutant_step_one_over_lmax",
        kind="mutant",
        about="returns the safe step 1 / lambda_max instead of 2 / (lambda_min + lambda_max)",
        replace={
            "optimal_step_size": """
def optimal_step_size(A):
    return 1.0 / np.linalg.eigvalsh(A).max()
"""
        },
        lose=["test_optimal_step_size"],
    ),
    dict(
        id="mutant_step_from_diagonal",
        kind="mutant",
        about="uses the diagonal entries of A as if they were its eigenvalues",
        replace={
            "optimal_step_size": """
def optimal_step_size(A):
    d = np.diag(A)
    return 2.0 / (d.min() + d.max())
"""
        },
        lose=["test_optimal_step_size"],
    ),
    # mistakes that only show outside the visible inputs (issue 16)
    dict(
        id="mutant_minimize_max_norm",
        kind="mutant",
        about="stops when max |g_i| <= 1e-4 (the infinity norm)",
        replace={
            "minimize": """
def minimize(x0, f, grad_func, alpha_t=0.2, maxiter=100):
    xt = np.asarray(x0, dtype=float)
    list_of_xts, list_of_fs = [xt], [f(xt)]
    for _ in range(maxiter):
        g = grad_func(xt)
        if np.max(np.abs(g)) <= 1e-4:
            break
        xt = xt - alpha_t * g
        list_of_xts.append(xt)
        list_of_fs.append(f(xt))
    return xt, list_of_xts, list_of_fs
"""
        },
        lose=["test_minimize_stopping"],
    ),
    dict(
        id="mutant_minimize_step_length",
        kind="mutant",
        about="stops when the step alpha_t * g is shorter than 1e-4 (step length, not gradient)",
        replace={
            "minimize": """
def minimize(x0, f, grad_func, alpha_t=0.2, maxiter=100):
    xt = np.asarray(x0, dtype=float)
    list_of_xts, list_of_fs = [xt], [f(xt)]
    for _ in range(maxiter):
        step = alpha_t * grad_func(xt)
        if np.linalg.norm(step) <= 1e-4:
            break
        xt = xt - step
        list_of_xts.append(xt)
        list_of_fs.append(f(xt))
    return xt, list_of_xts, list_of_fs
"""
        },
        lose=["test_minimize_stopping", "test_optimal_x"],
    ),
    dict(
        id="mutant_backtracking_strict",
        kind="mutant",
        about="Armijo with a strict <: rejects a step that meets the condition with equality",
        replace={
            "backtracking_line_search": """
def backtracking_line_search(f, grad_f, x, direction, alpha0=1.0, rho=0.5, c=1e-4):
    x = np.asarray(x, dtype=float)
    direction = np.asarray(direction, dtype=float)
    fx, slope = f(x), grad_f(x) @ direction
    alpha = alpha0
    while not f(x + alpha * direction) < fx + c * alpha * slope:
        alpha = rho * alpha
    return alpha
"""
        },
        lose=["test_backtracking_line_search"],
    ),
    dict(
        id="mutant_backtracking_slope_sign",
        kind="mutant",
        about="Armijo right-hand side f(x) - c alpha g@d (sign flipped: accepts increases)",
        replace={
            "backtracking_line_search": """
def backtracking_line_search(f, grad_f, x, direction, alpha0=1.0, rho=0.5, c=1e-4):
    x = np.asarray(x, dtype=float)
    direction = np.asarray(direction, dtype=float)
    fx, slope = f(x), grad_f(x) @ direction
    alpha = alpha0
    while f(x + alpha * direction) > fx - c * alpha * slope:
        alpha = rho * alpha
    return alpha
"""
        },
        lose=["test_backtracking_line_search"],
    ),
    # ---- alternatives
    dict(
        id="alt_while_loop_and_eig",
        kind="alternative",
        about="while loop with a counter, np.linalg.norm checks, eigvals, recursion-free search",
        replace={
            "f": """
def f(x):
    x1, x2 = x[..., 0], x[..., 1]
    return x1 * np.exp(-(x1**2 + x2**2))
""",
            "grad_f": """
def grad_f(x):
    x1, x2 = x[..., 0], x[..., 1]
    fx = x1 * np.exp(-(x1**2 + x2**2))
    d1 = np.exp(-(x1**2 + x2**2)) - 2 * x1 * fx
    d2 = -2 * x2 * fx
    return np.stack([d1, d2], axis=-1)
""",
            "minimize": """
def minimize(x0, f, grad_func, alpha_t=0.2, maxiter=100):
    xt = np.array(x0, dtype=float)
    xs, fs = [xt.copy()], [f(xt)]
    t = 0
    g = grad_func(xt)
    while np.linalg.norm(g) > 1e-4 and t < maxiter:
        xt = xt - alpha_t * g
        t += 1
        xs.append(xt.copy())
        fs.append(f(xt))
        g = grad_func(xt)
    return xt, xs, fs
""",
            "backtracking_line_search": """
def backtracking_line_search(f, grad_f, x, direction, alpha0=1.0, rho=0.5, c=1e-4):
    f0 = f(x)
    decrease = c * np.dot(grad_f(x), direction)
    k = 0
    while f(x + alpha0 * rho**k * direction) > f0 + alpha0 * rho**k * decrease:
        k += 1
    return alpha0 * rho**k
""",
            "optimal_step_size": """
def optimal_step_size(A):
    lam = np.real(np.linalg.eigvals(A))
    return 2 / (lam.min() + lam.max())
""",
        },
    ),
    dict(
        id="alt_generator_and_svd",
        kind="alternative",
        about="for/else loop, integer x0 accepted, singular values for the eigenvalues",
        replace={
            "minimize": """
def minimize(x0, f, grad_func, alpha_t=0.2, maxiter=100):
    path = [np.asarray(x0) * 1.0]
    for _ in range(maxiter):
        grad = grad_func(path[-1])
        if np.sqrt(np.sum(grad**2)) <= 1e-4:
            break
        path.append(path[-1] - alpha_t * grad)
    return path[-1], path, [f(p) for p in path]
""",
            "backtracking_line_search": """
def backtracking_line_search(f, grad_f, x, direction, alpha0=1.0, rho=0.5, c=1e-4):
    slope = float(np.sum(grad_f(x) * direction))
    fx = f(x)
    alpha = alpha0
    for _ in range(200):
        if f(x + alpha * direction) <= fx + c * alpha * slope:
            return alpha
        alpha = alpha * rho
    return alpha
""",
            "optimal_step_size": """
def optimal_step_size(A):
    s = np.linalg.svd(A, compute_uv=False)  # = eigenvalues for symmetric positive definite A
    return 2 / (s[0] + s[-1])
""",
        },
    ),
    dict(
        id="cheat_private_helpers_backtracking",
        kind="cheat",
        about="backtracking_line_search delegates to helpers.optim.linesearch (not public API)",
        replace={
            "backtracking_line_search": """
import helpers.optim.linesearch as _ls
import helpers.optim.driver as _drv


def backtracking_line_search(f, grad_f, x, direction, alpha0=1.0, rho=0.5, c=1e-4):
    x = np.asarray(x, dtype=float)
    d = np.asarray(direction, dtype=float)
    oracle = _drv.Oracle(f=f, grad=grad_f)
    return _ls.backtracking(oracle, x, f(x), grad_f(x), d, alpha0, c1=c, shrink=rho,
                            max_halvings=200)
"""
        },
        lose=["test_backtracking_line_search"],
    ),
    # ---- cheats
    dict(
        id="cheat_hardcoded_optimal_x",
        kind="cheat",
        about="OPTIMAL_X and OPTIMAL_X_2 typed in as the exact minimizer",
        replace={
            "optimal_x": """
OPTIMAL_X = np.array([-1 / np.sqrt(2), 0.0])
OPTIMAL_X_2 = np.array([-1 / np.sqrt(2), 0.0])
"""
        },
        lose=["test_optimal_x"],
    ),
    dict(
        id="cheat_hardcoded_step",
        kind="cheat",
        about="optimal_step_size returns the visible test's answer",
        replace={
            "optimal_step_size": """
def optimal_step_size(A):
    return 0.5
"""
        },
        lose=["test_optimal_step_size"],
    ),
    dict(
        id="cheat_delegate_to_helpers",
        kind="cheat",
        about="minimize wraps helpers.gradient_descent",
        replace={
            "minimize": """
def minimize(x0, f, grad_func, alpha_t=0.2, maxiter=100):
    trace = helpers.gradient_descent(f, grad_func, x0, lr=alpha_t, maxiter=maxiter)
    return trace.xs[-1], list(trace.xs), list(trace.fs)
"""
        },
        lose=["test_minimize", "test_minimize_stopping", "test_optimal_x"],
    ),
    # ---- task 6: the pseudo-Huber gradient (a derivation)
    dict(
        id="mutant_huber_no_mean",
        kind="mutant",
        about="grad_pseudo_huber without the 1/m of the mean",
        replace={"grad_pseudo_huber": """
def grad_pseudo_huber(w, X, y, delta=1.0):
    r = np.asarray(w, dtype=float) @ X.T - y
    return (r / np.sqrt(1 + (r / delta) ** 2)) @ X
"""},
        lose=["test_grad_pseudo_huber"],
    ),
    dict(
        id="mutant_huber_no_delta",
        kind="mutant",
        about="r / sqrt(1 + r^2): delta forgotten inside the root (right only for delta = 1)",
        replace={"grad_pseudo_huber": """
def grad_pseudo_huber(w, X, y, delta=1.0):
    r = np.asarray(w, dtype=float) @ X.T - y
    return (r / np.sqrt(1 + r**2)) @ X / len(y)
"""},
        lose=["test_grad_pseudo_huber"],
    ),
    dict(
        id="mutant_huber_clipped",
        kind="mutant",
        about="the derivative of the Huber loss, clip(r, -delta, delta), not of the pseudo-Huber",
        replace={"grad_pseudo_huber": """
def grad_pseudo_huber(w, X, y, delta=1.0):
    r = np.asarray(w, dtype=float) @ X.T - y
    return np.clip(r, -delta, delta) @ X / len(y)
"""},
        lose=["test_grad_pseudo_huber"],
    ),
    dict(
        id="mutant_huber_chain_rule_half",
        kind="mutant",
        about="chain rule slip: delta^2 * r / sqrt(1 + (r/delta)^2) (the 1/delta^2 of the inner "
              "derivative dropped)",
        replace={"grad_pseudo_huber": """
def grad_pseudo_huber(w, X, y, delta=1.0):
    r = np.asarray(w, dtype=float) @ X.T - y
    return delta**2 * (r / np.sqrt(1 + (r / delta) ** 2)) @ X / len(y)
"""},
        lose=["test_grad_pseudo_huber"],
    ),
    dict(
        id="mutant_huber_not_batched",
        kind="mutant",
        about="X @ w: right for one w of shape (n,), fails for a batch (..., n)",
        replace={"grad_pseudo_huber": """
def grad_pseudo_huber(w, X, y, delta=1.0):
    r = X @ w - y
    return X.T @ (r / np.sqrt(1 + (r / delta) ** 2)) / len(y)
"""},
        lose=["test_grad_pseudo_huber"],
    ),
    dict(
        id="alt_huber_loop_hypot",
        kind="alternative",
        about="grad_pseudo_huber as a loop over samples with delta r / hypot(delta, r)",
        replace={"grad_pseudo_huber": """
def grad_pseudo_huber(w, X, y, delta=1.0):
    w = np.asarray(w, dtype=float)
    total = np.zeros(w.shape)
    for xi, yi in zip(X, y):
        r = w @ xi - yi
        total = total + (delta * r / np.hypot(delta, r))[..., None] * xi
    return total / len(y)
"""},
    ),
    # ---- task 7: the prediction
    dict(
        id="mutant_predict_from_f_gap",
        kind="mutant",
        about="PREDICTED_STEPS from the rate of f (rho^2 per step): half the steps",
        replace={"predicted_steps": """
PREDICTED_STEPS = math.ceil(math.log(1e-6) / (2 * math.log(999 / 1001)))
"""},
        lose=["test_predicted_steps"],
    ),
    dict(
        id="mutant_predict_safe_step_rate",
        kind="mutant",
        about="PREDICTED_STEPS with the rate 1 - 1/kappa of the step 1/lambda_max: twice the steps",
        replace={"predicted_steps": """
PREDICTED_STEPS = math.ceil(math.log(1e-6) / math.log(1 - 1 / 1000))
"""},
        lose=["test_predicted_steps"],
    ),
    dict(
        id="mutant_predict_as_array",
        kind="mutant",
        about="PREDICTED_STEPS as a list of candidates instead of one number",
        replace={"predicted_steps": """
PREDICTED_STEPS = [6908, 3454]
"""},
        lose=["test_predicted_steps"],
    ),
    dict(
        id="alt_predict_estimate",
        kind="alternative",
        about="PREDICTED_STEPS from ln(rho) ~ -2/kappa, a float (kappa/2 ln 1e6 = 6907.76), and "
              "measured_rate as the geometric mean of the per-step factors",
        replace={
            "predicted_steps": """
PREDICTED_STEPS = 1000 / 2 * np.log(1e6)
""",
            "measured_rate": """
def measured_rate(list_of_xts):
    norms = [np.linalg.norm(x) for x in list_of_xts]
    factors = [b / a for a, b in zip(norms[:-1], norms[1:])]
    return float(np.prod(factors) ** (1 / len(factors)))
""",
        },
    ),
    dict(
        id="alt_predict_loop",
        kind="alternative",
        about="PREDICTED_STEPS by a loop over t (a numpy integer), rate with exp/log",
        replace={
            "predicted_steps": """
rho = 999 / 1001
PREDICTED_STEPS = np.int64(0)
while rho**PREDICTED_STEPS > 1e-6:
    PREDICTED_STEPS += 1
""",
            "measured_rate": """
def measured_rate(list_of_xts):
    xs = np.array(list_of_xts)
    T = xs.shape[0] - 1
    return np.exp((np.log(np.linalg.norm(xs[-1])) - np.log(np.linalg.norm(xs[0]))) / T)
""",
        },
    ),
    # ---- task 8: measured_rate
    dict(
        id="mutant_rate_t_plus_one",
        kind="mutant",
        about="measured_rate takes the (T+1)-th root (counts iterates, not steps)",
        replace={"measured_rate": """
def measured_rate(list_of_xts):
    xs = np.asarray(list_of_xts, dtype=float)
    return (np.linalg.norm(xs[-1]) / np.linalg.norm(xs[0])) ** (1 / len(xs))
"""},
        lose=["test_measured_rate"],
    ),
    dict(
        id="mutant_rate_last_step",
        kind="mutant",
        about="measured_rate is the last step's factor ||x_T|| / ||x_{T-1}||",
        replace={"measured_rate": """
def measured_rate(list_of_xts):
    return np.linalg.norm(list_of_xts[-1]) / np.linalg.norm(list_of_xts[-2])
"""},
        lose=["test_measured_rate"],
    ),
    dict(
        id="mutant_rate_arithmetic_mean",
        kind="mutant",
        about="measured_rate as the arithmetic mean of the per-step factors",
        replace={"measured_rate": """
def measured_rate(list_of_xts):
    n = [np.linalg.norm(x) for x in list_of_xts]
    return np.mean([b / a for a, b in zip(n[:-1], n[1:])])
"""},
        lose=["test_measured_rate"],
    ),
    dict(
        id="cheat_hardcoded_rate",
        kind="cheat",
        about="measured_rate returns the first visible test's answer",
        replace={"measured_rate": """
def measured_rate(list_of_xts):
    return 0.5
"""},
        lose=["test_measured_rate"],
    ),
]
