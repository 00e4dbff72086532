"""Submissions that pin down how hw3_gradient_descent is graded (format: tests/grading/README.md).

Graded cells: test_f (10), test_grad_f (15), test_minimize (25), test_optimal_x (10),
test_backtracking_line_search (25), test_optimal_step_size (15). test_optimal_x uses the
student's own minimize, f and grad_f (it reruns minimize inside no_delegation and compares with
OPTIMAL_X), so a mistake in any of them, or delegation, also costs those 10 points.
"""

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
        lose=["test_minimize"],
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
        lose=["test_minimize"],
    ),
    dict(
        id="mutant_minimize_ascent",
        kind="mutant",
        about="x + alpha g: gradient ascent",
        replace={"minimize": MINIMIZE_TEMPLATE.replace("xt - alpha_t * g", "xt + alpha_t * g")},
        lose=["test_minimize", "test_optimal_x"],
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
        lose=["test_minimize"],
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
        lose=["test_minimize", "test_optimal_x"],
    ),
    dict(
        id="cheat_patch_testing",
        kind="cheat",
        about="replaces np.testing.assert_allclose and np.allclose after minimize",
        insert_after={
            "minimize": (
                "np.testing.assert_allclose = lambda *args, **kwargs: None\n"
                "np.allclose = lambda *args, **kwargs: True"
            )
        },
        keep=["test_f", "test_grad_f"],
    ),
    dict(
        id="cheat_patch_helpers",
        kind="cheat",
        about="replaces helpers.gaussian_bump after computing OPTIMAL_X (before its test)",
        insert_after={"optimal_x": "helpers.gaussian_bump = lambda: None"},
        keep=["test_f", "test_grad_f", "test_minimize"],
    ),
    dict(
        id="cheat_edit_test_cell",
        kind="cheat",
        about="off-by-one minimize and its test cell rewritten to pass",
        replace={
            "minimize": MINIMIZE_TEMPLATE.replace("range(maxiter)", "range(maxiter + 1)"),
        },
        edit={"test_minimize": "assert True"},
        lose=["test_minimize"],
    ),
    dict(
        id="cheat_delete_test_cell",
        kind="cheat",
        about="wrong optimal step and its test cell deleted",
        replace={
            "optimal_step_size": """
def optimal_step_size(A):
    return 1.0 / np.linalg.eigvalsh(A).max()
"""
        },
        delete=["test_optimal_step_size"],
        lose=["test_optimal_step_size"],
    ),
    dict(
        id="cheat_infinite_loop",
        kind="cheat",
        about="a line search whose loop never shrinks alpha",
        replace={
            "backtracking_line_search": """
def backtracking_line_search(f, grad_f, x, direction, alpha0=1.0, rho=0.5, c=1e-4):
    alpha = alpha0
    while f(x + alpha * direction) > f(x) + c * alpha * (grad_f(x) @ direction):
        alpha = alpha
    return alpha
"""
        },
        lose=["test_backtracking_line_search"],
        timeout=5,
    ),
    dict(
        id="cheat_syntax_error",
        kind="cheat",
        about="a syntax error in the optimal_x cell",
        replace={"optimal_x": "OPTIMAL_X, _, _ = minimize(np.array([-1.0, 1.0]), f, grad_f,"},
        lose=["test_optimal_x"],
    ),
]
