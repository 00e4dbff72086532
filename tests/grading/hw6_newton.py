"""Submissions that pin down how hw6_newton is graded (format: tests/grading/README.md).

Graded cells: test_newton (20), test_newton_stopping (10), test_damped_newton (25),
test_gauss_newton (25), test_bfgs_inverse_update (20). Each test cell uses only the function it
grades (references are recomputed inside the hidden block), so one mistake costs one function.
"""

NEWTON = """
def newton(grad_func, hessian_func, x0, tol=1e-10, maxiter=50):
    x = np.asarray(x0, dtype=float)
    list_of_xs = [x]
    for _ in range(maxiter):
        g = grad_func(x)
        if np.linalg.norm(g) <= tol:
            break
        x = x - np.linalg.solve(hessian_func(x), g)
        list_of_xs.append(x)
    return x, list_of_xs
"""

DAMPED = """
def damped_newton(f, grad_func, hessian_func, x0, tol=1e-10, maxiter=100):
    x = np.asarray(x0, dtype=float)
    list_of_xs = [x]
    for _ in range(maxiter):
        g = grad_func(x)
        if np.linalg.norm(g) <= tol:
            break
        H = hessian_func(x)
        try:
            np.linalg.cholesky(H)
            p = -np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            p = -g
        if g @ p >= 0:
            p = -g
        alpha, fx = 1.0, f(x)
        while f(x + alpha * p) > fx + 1e-4 * alpha * (g @ p) and alpha > 1e-12:
            alpha = alpha / 2
        x = x + alpha * p
        list_of_xs.append(x)
    return x, list_of_xs
"""

GAUSS_NEWTON = """
def gauss_newton(residual, jacobian, theta0, iters=20):
    theta = np.asarray(theta0, dtype=float)
    for _ in range(iters):
        delta = np.linalg.lstsq(jacobian(theta), residual(theta), rcond=None)[0]
        theta = theta - delta
    return theta
"""

BFGS = """
def bfgs_inverse_update(H, s, y):
    H = np.asarray(H, dtype=float)
    s = np.asarray(s, dtype=float)
    y = np.asarray(y, dtype=float)
    rho = 1.0 / (y @ s)
    V = np.eye(len(s)) - rho * np.outer(s, y)
    return V @ H @ V.T + rho * np.outer(s, s)
"""


def _sub(template, old, new):
    assert old in template, old
    return template.replace(old, new)


GN_PLUS = _sub(GAUSS_NEWTON, "theta = theta - delta", "theta = theta + delta")

SUBMISSIONS = [
    # ---- mutants
    dict(
        id="mutant_newton_sign",
        kind="mutant",
        about="x + solve(H, g): the step goes uphill in the model",
        replace={"newton": _sub(NEWTON, "x = x - np.linalg.solve", "x = x + np.linalg.solve")},
        lose=["test_newton", "test_newton_stopping"],
    ),
    dict(
        id="mutant_newton_inv_elementwise",
        kind="mutant",
        about="inv(H) * g (elementwise): an (n, n) array instead of a vector",
        replace={
            "newton": _sub(NEWTON, "x = x - np.linalg.solve(hessian_func(x), g)",
                           "x = x - np.linalg.inv(hessian_func(x)) * g")
        },
        lose=["test_newton", "test_newton_stopping"],
    ),
    dict(
        id="mutant_newton_off_by_one",
        kind="mutant",
        about="maxiter + 1 updates",
        replace={"newton": _sub(NEWTON, "range(maxiter)", "range(maxiter + 1)")},
        lose=["test_newton", "test_newton_stopping"],
    ),
    dict(
        id="mutant_newton_check_after_step",
        kind="mutant",
        about="tests convergence only after a step: a start at the minimizer still steps",
        replace={
            "newton": """
def newton(grad_func, hessian_func, x0, tol=1e-10, maxiter=50):
    x = np.asarray(x0, dtype=float)
    list_of_xs = [x]
    for _ in range(maxiter):
        x = x - np.linalg.solve(hessian_func(x), grad_func(x))
        list_of_xs.append(x)
        if np.linalg.norm(grad_func(x)) <= tol:
            break
    return x, list_of_xs
"""
        },
        lose=["test_newton_stopping"],
    ),
    dict(
        id="mutant_damped_full_step",
        kind="mutant",
        about="damped_newton without the line search (always alpha = 1)",
        replace={
            "damped_newton": _sub(DAMPED, "alpha > 1e-12", "alpha > 2")
        },
        lose=["test_damped_newton"],
    ),
    dict(
        id="mutant_damped_no_fallback",
        kind="mutant",
        about="damped_newton keeps the Newton direction when the Hessian is indefinite",
        replace={
            "damped_newton": """
def damped_newton(f, grad_func, hessian_func, x0, tol=1e-10, maxiter=100):
    x = np.asarray(x0, dtype=float)
    list_of_xs = [x]
    for _ in range(maxiter):
        g = grad_func(x)
        if np.linalg.norm(g) <= tol:
            break
        p = -np.linalg.solve(hessian_func(x), g)
        alpha, fx = 1.0, f(x)
        while f(x + alpha * p) > fx + 1e-4 * alpha * (g @ p) and alpha > 1e-12:
            alpha = alpha / 2
        x = x + alpha * p
        list_of_xs.append(x)
    return x, list_of_xs
"""
        },
        lose=["test_damped_newton"],
    ),
    dict(
        id="mutant_gn_sign",
        kind="mutant",
        about="theta + delta",
        replace={"gauss_newton": GN_PLUS},
        lose=["test_gauss_newton"],
    ),
    dict(
        id="mutant_gn_jacobian_once",
        kind="mutant",
        about="the Jacobian evaluated once, at theta0",
        replace={
            "gauss_newton": """
def gauss_newton(residual, jacobian, theta0, iters=20):
    theta = np.asarray(theta0, dtype=float)
    J = jacobian(theta)
    for _ in range(iters):
        theta = theta - np.linalg.lstsq(J, residual(theta), rcond=None)[0]
    return theta
"""
        },
        lose=["test_gauss_newton"],
    ),
    dict(
        id="mutant_gn_wrong_normal_equations",
        kind="mutant",
        about="solve(J J^T, J r): shapes of a square-J habit",
        replace={
            "gauss_newton": """
def gauss_newton(residual, jacobian, theta0, iters=20):
    theta = np.asarray(theta0, dtype=float)
    for _ in range(iters):
        J, r = jacobian(theta), residual(theta)
        theta = theta - np.linalg.solve(J @ J.T, J @ r)
    return theta
"""
        },
        lose=["test_gauss_newton"],
    ),
    dict(
        id="mutant_gn_one_less",
        kind="mutant",
        about="iters - 1 updates",
        replace={"gauss_newton": _sub(GAUSS_NEWTON, "range(iters)", "range(iters - 1)")},
        lose=["test_gauss_newton"],
    ),
    dict(
        id="mutant_bfgs_missing_term",
        kind="mutant",
        about="forgot + rho s s^T",
        replace={"bfgs_inverse_update": _sub(BFGS, " + rho * np.outer(s, s)", "")},
        lose=["test_bfgs_inverse_update"],
    ),
    dict(
        id="mutant_bfgs_rho_ss",
        kind="mutant",
        about="rho = 1 / (s^T s)",
        replace={"bfgs_inverse_update": _sub(BFGS, "rho = 1.0 / (y @ s)", "rho = 1.0 / (s @ s)")},
        lose=["test_bfgs_inverse_update"],
    ),
    dict(
        id="mutant_bfgs_is_dfp",
        kind="mutant",
        about="the DFP update (also satisfies the secant condition, but is not BFGS)",
        replace={
            "bfgs_inverse_update": """
def bfgs_inverse_update(H, s, y):
    H = np.asarray(H, dtype=float)
    Hy = H @ y
    return H - np.outer(Hy, Hy) / (y @ Hy) + np.outer(s, s) / (y @ s)
"""
        },
        lose=["test_bfgs_inverse_update"],
    ),
    # ---- alternative correct implementations
    dict(
        id="alt_lstsq_shift_normal_expanded",
        kind="alternative",
        about="while loops, lstsq Newton step, Hessian shift H + tau I, normal equations, "
              "expanded BFGS formula",
        replace={
            "newton": """
def newton(grad_func, hessian_func, x0, tol=1e-10, maxiter=50):
    xs = [np.array(x0, dtype=float)]
    while len(xs) <= maxiter:
        g = grad_func(xs[-1])
        if np.sqrt(np.sum(g * g)) <= tol:
            break
        xs.append(xs[-1] - np.linalg.lstsq(hessian_func(xs[-1]), g, rcond=None)[0])
    return xs[-1], xs
""",
            "damped_newton": """
def damped_newton(f, grad_func, hessian_func, x0, tol=1e-10, maxiter=100):
    x = np.array(x0, dtype=float)
    xs = [x.copy()]
    k = 0
    while k < maxiter:
        g = grad_func(x)
        if np.linalg.norm(g) <= tol:
            break
        H = hessian_func(x)
        tau = 0.0
        while True:  # shift the Hessian until it is positive definite
            try:
                L = np.linalg.cholesky(H + tau * np.eye(len(x)))
                break
            except np.linalg.LinAlgError:
                tau = max(2 * tau, 1e-3)
        p = -np.linalg.solve(L.T, np.linalg.solve(L, g))
        t = 1.0
        while f(x + t * p) > f(x) + 1e-4 * t * g.dot(p) and t > 1e-14:
            t *= 0.5
        x = x + t * p
        xs.append(x.copy())
        k += 1
    return x, xs
""",
            "gauss_newton": """
def gauss_newton(residual, jacobian, theta0, iters=20):
    theta = np.array(theta0, dtype=float)
    for _ in range(iters):
        J, r = jacobian(theta), residual(theta)
        theta -= np.linalg.solve(J.T @ J, J.T @ r)
    return theta
""",
            "bfgs_inverse_update": """
def bfgs_inverse_update(H, s, y):
    sy = float(np.dot(s, y))
    Hy = H @ y
    return (H + (sy + y @ Hy) * np.outer(s, s) / sy**2
            - (np.outer(Hy, s) + np.outer(s, Hy)) / sy)
""",
        },
    ),
    dict(
        id="alt_inverse_eig_pinv_einsum",
        kind="alternative",
        about="inv(H) @ g, eigenvalue test for definiteness, pinv(J) @ r, einsum",
        replace={
            "newton": """
def newton(grad_func, hessian_func, x0, tol=1e-10, maxiter=50):
    x = np.asarray(x0, dtype=float).copy()
    out = [x]
    for i in range(maxiter):
        g = grad_func(x)
        if np.linalg.norm(g) <= tol:
            return x, out
        x = x - np.linalg.inv(hessian_func(x)) @ g
        out.append(x)
    return x, out
""",
            "damped_newton": """
def damped_newton(f, grad_func, hessian_func, x0, tol=1e-10, maxiter=100):
    x = np.asarray(x0, dtype=float)
    out = [x]
    for _ in range(maxiter):
        g = grad_func(x)
        if np.linalg.norm(g) <= tol:
            break
        H = hessian_func(x)
        if np.linalg.eigvalsh(H).min() > 0:
            p = np.linalg.solve(H, -g)
            if g @ p >= 0:
                p = -g
        else:
            p = -g
        step = 1.0
        for _ in range(60):
            if f(x + step * p) <= f(x) + 1e-4 * step * (g @ p):
                break
            step /= 2
        x = x + step * p
        out.append(x)
    return x, out
""",
            "gauss_newton": """
def gauss_newton(residual, jacobian, theta0, iters=20):
    theta = np.asarray(theta0, dtype=float)
    for _ in range(iters):
        theta = theta - np.linalg.pinv(jacobian(theta)) @ residual(theta)
    return theta
""",
            "bfgs_inverse_update": """
def bfgs_inverse_update(H, s, y):
    n = len(s)
    rho = 1 / np.einsum("i,i->", y, s)
    left = np.eye(n) - rho * np.einsum("i,j->ij", s, y)
    right = np.eye(n) - rho * np.einsum("i,j->ij", y, s)
    return np.einsum("ij,jk,kl->il", left, H, right) + rho * np.einsum("i,j->ij", s, s)
""",
        },
    ),
    # ---- cheats
    dict(
        id="cheat_hardcoded_gauss_newton",
        kind="cheat",
        about="gauss_newton returns the visible test's parameters",
        replace={
            "gauss_newton": """
def gauss_newton(residual, jacobian, theta0, iters=20):
    return np.array([2.0, -1.5])
"""
        },
        lose=["test_gauss_newton"],
    ),
    dict(
        id="cheat_delegate_to_helpers",
        kind="cheat",
        about="newton wraps helpers.newton",
        replace={
            "newton": """
def newton(grad_func, hessian_func, x0, tol=1e-10, maxiter=50):
    trace = helpers.newton(lambda x: 0.0, grad_func, hessian_func, x0, tol=tol, maxiter=maxiter)
    return trace.xs[-1], list(trace.xs)
"""
        },
        lose=["test_newton", "test_newton_stopping"],
    ),
    dict(
        id="cheat_patch_testing",
        kind="cheat",
        about="replaces np.allclose and np.testing.assert_allclose after the Newton tests",
        insert_after={
            "test_newton_stopping": (
                "np.testing.assert_allclose = lambda *args, **kwargs: None\n"
                "np.allclose = lambda *args, **kwargs: True"
            )
        },
        keep=["test_newton", "test_newton_stopping"],
    ),
    dict(
        id="cheat_patch_helpers",
        kind="cheat",
        about="replaces helpers.rosenbrock before the damped Newton test",
        insert_after={"damped_newton": "helpers.rosenbrock = lambda *args, **kwargs: None"},
        keep=["test_newton", "test_newton_stopping"],
    ),
    dict(
        id="cheat_edit_test_cell",
        kind="cheat",
        about="BFGS without the s s^T term and its test cell rewritten to pass",
        replace={"bfgs_inverse_update": _sub(BFGS, " + rho * np.outer(s, s)", "")},
        edit={"test_bfgs_inverse_update": "assert True"},
        lose=["test_bfgs_inverse_update"],
    ),
    dict(
        id="cheat_delete_test_cell",
        kind="cheat",
        about="wrong Gauss-Newton and its test cell deleted",
        replace={"gauss_newton": GN_PLUS},
        delete=["test_gauss_newton"],
        lose=["test_gauss_newton"],
    ),
    dict(
        id="cheat_infinite_loop",
        kind="cheat",
        about="a damped Newton line search that never shrinks the step",
        replace={
            "damped_newton": _sub(DAMPED, "alpha = alpha / 2", "alpha = alpha")
        },
        lose=["test_damped_newton"],
        timeout=5,
    ),
    dict(
        id="cheat_syntax_error",
        kind="cheat",
        about="a syntax error in the BFGS cell",
        replace={"bfgs_inverse_update": "def bfgs_inverse_update(H, s, y):\n    return H +\n"},
        lose=["test_bfgs_inverse_update"],
    ),
]
