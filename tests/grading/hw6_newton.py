"""Submissions that pin down how hw6_newton is graded (format: tests/grading/README.md).

Graded cells: test_newton (15), test_newton_stopping (10), test_predicted_c (10, Newton's
quadratic-convergence constant C = |phi'''(x*) / (2 phi''(x*))| for phi = cosh x - 2x, predicted
before the demo measures it; within 2%), test_damped_newton (15), test_gauss_newton (20),
test_logistic_grad (10), test_logistic_hessian (10); and analysis_digits (10 points, a written
analysis of the correct digits per Newton step, graded by hand: in no expectation). Each test cell
uses only the function it grades (references are recomputed inside the hidden block), so one mistake
costs one function. The BFGS task was dropped (lecture 6 gives the update verbatim); the logistic
loss's gradient and Hessian are derived by the student. Their text requires finite, accurate results
for margins up to 1000, with a visible test, so the overflowing exp(-m) / (1 + exp(-m)) is a mutant,
while 1 / (1 + exp(-m)) (overflow warning only) is an alternative.
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



LOGISTIC_GRAD = """
def logistic_grad(w, X, y, lam=0.0):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    margins = y * (X @ w)
    weights = 0.5 * (1.0 - np.tanh(0.5 * margins))
    return -X.T @ (y * weights) + lam * w
"""

LOGISTIC_HESSIAN = """
def logistic_hessian(w, X, y, lam=0.0):
    X = np.asarray(X, dtype=float)
    w = np.asarray(w, dtype=float)
    s = 0.5 * (1.0 + np.tanh(0.5 * (X @ w)))
    return X.T @ (X * (s * (1.0 - s))[:, None]) + lam * np.eye(len(w))
"""


def _sub(template, old, new):
    assert old in template, old
    return template.replace(old, new)


GN_PLUS = _sub(GAUSS_NEWTON, "theta = theta - delta", "theta = theta + delta")

SUBMISSIONS = [
    # ---- mutants
    # ---- the logistic loss's derivatives (derived by the student)
    dict(
        id="mutant_logistic_grad_sign",
        kind="mutant",
        about="+X^T (y sigma(-m)): the gradient of the wrong sign",
        replace={"logistic_grad": _sub(LOGISTIC_GRAD, "return -X.T @", "return X.T @")},
        lose=["test_logistic_grad"],
    ),
    dict(
        id="mutant_logistic_grad_sigma_of_m",
        kind="mutant",
        about="sigma(m) instead of sigma(-m) (the derivative of log(1 + e^m))",
        replace={"logistic_grad": _sub(LOGISTIC_GRAD, "1.0 - np.tanh(0.5 * margins)",
                                       "1.0 + np.tanh(0.5 * margins)")},
        lose=["test_logistic_grad"],
    ),
    dict(
        id="mutant_logistic_grad_no_regularization",
        kind="mutant",
        about="forgot the lam w term",
        replace={"logistic_grad": _sub(LOGISTIC_GRAD, " + lam * w", "")},
        lose=["test_logistic_grad"],
    ),
    dict(
        id="mutant_logistic_grad_01_labels",
        kind="mutant",
        about="the formula for labels in {0, 1}: X^T (sigma(X w) - y) + lam w",
        replace={"logistic_grad": """
def logistic_grad(w, X, y, lam=0.0):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    return X.T @ (1 / (1 + np.exp(-(X @ w))) - y) + lam * np.asarray(w, dtype=float)
"""},
        lose=["test_logistic_grad"],
    ),
    dict(
        id="mutant_logistic_grad_overflow_nan",
        kind="mutant",
        about="exp(-m) / (1 + exp(-m)): inf / inf = nan for margins of -1000",
        replace={"logistic_grad": _sub(LOGISTIC_GRAD, "0.5 * (1.0 - np.tanh(0.5 * margins))",
                                       "np.exp(-margins) / (1.0 + np.exp(-margins))")},
        lose=["test_logistic_grad"],
    ),
    dict(
        id="mutant_logistic_grad_mean",
        kind="mutant",
        about="the mean over the data instead of the sum",
        replace={"logistic_grad": _sub(LOGISTIC_GRAD, "-X.T @ (y * weights)",
                                       "-X.T @ (y * weights) / len(y)")},
        lose=["test_logistic_grad"],
    ),
    dict(
        id="mutant_logistic_hessian_no_regularization",
        kind="mutant",
        about="forgot lam I",
        replace={"logistic_hessian": _sub(LOGISTIC_HESSIAN, " + lam * np.eye(len(w))", "")},
        lose=["test_logistic_hessian"],
    ),
    dict(
        id="mutant_logistic_hessian_sigma_only",
        kind="mutant",
        about="D = diag(sigma) instead of diag(sigma (1 - sigma))",
        replace={"logistic_hessian": _sub(LOGISTIC_HESSIAN, "(s * (1.0 - s))", "s")},
        lose=["test_logistic_hessian"],
    ),
    dict(
        id="mutant_logistic_hessian_gauss_newton_quarter",
        kind="mutant",
        about="X^T X / 4 + lam I: the curvature at w = 0 used everywhere",
        replace={"logistic_hessian": _sub(LOGISTIC_HESSIAN, "(s * (1.0 - s))",
                                          "(0.25 + 0 * s)")},
        lose=["test_logistic_hessian"],
    ),
    dict(
        id="mutant_logistic_hessian_transposed_weights",
        kind="mutant",
        about="X.T @ X * mean(sigma') : one weight for every point",
        replace={"logistic_hessian": _sub(LOGISTIC_HESSIAN, "X.T @ (X * (s * (1.0 - s))[:, None])",
                                          "(X.T @ X) * np.mean(s * (1.0 - s))")},
        lose=["test_logistic_hessian"],
    ),
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
        id="mutant_newton_max_norm",
        kind="mutant",
        about="stops when max |g_i| <= tol (the infinity norm) instead of the Euclidean norm",
        replace={"newton": _sub(NEWTON, "np.linalg.norm(g) <= tol", "np.max(np.abs(g)) <= tol")},
        lose=["test_newton_stopping"],
    ),
    dict(
        id="mutant_newton_one_norm",
        kind="mutant",
        about="stops when sum |g_i| <= tol (the 1-norm)",
        replace={"newton": _sub(NEWTON, "np.linalg.norm(g) <= tol", "np.sum(np.abs(g)) <= tol")},
        lose=["test_newton_stopping"],
    ),
    dict(
        id="mutant_newton_step_length",
        kind="mutant",
        about="stops when the Newton step is shorter than tol (step length, not gradient norm)",
        replace={
            "newton": """
def newton(grad_func, hessian_func, x0, tol=1e-10, maxiter=50):
    x = np.asarray(x0, dtype=float)
    list_of_xs = [x]
    for _ in range(maxiter):
        p = np.linalg.solve(hessian_func(x), grad_func(x))
        if np.linalg.norm(p) <= tol:
            break
        x = x - p
        list_of_xs.append(x)
    return x, list_of_xs
"""
        },
        lose=["test_newton_stopping"],
    ),
    dict(
        id="mutant_damped_armijo_sign",
        kind="mutant",
        about="Armijo with the sign flipped, f(x + a p) > f(x) - c a g@p: accepts equal f (cycles)",
        replace={
            "damped_newton": _sub(DAMPED, "fx + 1e-4 * alpha * (g @ p)",
                                  "fx - 1e-4 * alpha * (g @ p)")
        },
        lose=["test_damped_newton"],
    ),
    dict(
        id="mutant_damped_simple_decrease",
        kind="mutant",
        about="backtracks only while f increases: a step to an equal value is accepted (cycles)",
        replace={"damped_newton": _sub(DAMPED, "fx + 1e-4 * alpha * (g @ p)", "fx")},
        lose=["test_damped_newton"],
    ),
    dict(
        id="mutant_damped_slope_gg",
        kind="mutant",
        about="Armijo slope g@g instead of g@p: rejects full Newton steps at high curvature",
        replace={
            "damped_newton": _sub(DAMPED, "fx + 1e-4 * alpha * (g @ p)",
                                  "fx - 1e-4 * alpha * (g @ g)")
        },
        lose=["test_damped_newton"],
    ),
    dict(
        id="mutant_damped_max_norm",
        kind="mutant",
        about="damped_newton stops on max |g_i| <= tol",
        replace={
            "damped_newton": _sub(DAMPED, "np.linalg.norm(g) <= tol", "np.abs(g).max() <= tol")
        },
        lose=["test_damped_newton"],
    ),
    dict(
        id="mutant_gn_absolute_stop",
        kind="mutant",
        about="stops early when ||J^T r|| < 1e-10 (absolute): no update at all for tiny residuals",
        replace={
            "gauss_newton": """
def gauss_newton(residual, jacobian, theta0, iters=20):
    theta = np.asarray(theta0, dtype=float)
    for _ in range(iters):
        J, r = jacobian(theta), residual(theta)
        if np.linalg.norm(J.T @ r) < 1e-10:
            break
        theta = theta - np.linalg.lstsq(J, r, rcond=None)[0]
    return theta
"""
        },
        lose=["test_gauss_newton"],
    ),
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
        },
    ),
    dict(
        id="alt_sqrt_norm_eig_armijo_ratio",
        kind="alternative",
        about="np.sqrt(g @ g) as the norm, eigvalsh definiteness, Armijo as a ratio test, "
        "expanded BFGS with np.dot",
        replace={
            "newton": """
def newton(grad_func, hessian_func, x0, tol=1e-10, maxiter=50):
    x = np.array(x0, dtype=float)
    xs = [x.copy()]
    k = 0
    while k < maxiter:
        g = np.asarray(grad_func(x), dtype=float)
        if np.sqrt(g @ g) <= tol:
            break
        x = x + np.linalg.solve(hessian_func(x), -g)
        xs.append(x.copy())
        k += 1
    return x, xs
""",
            "damped_newton": """
def damped_newton(f, grad_func, hessian_func, x0, tol=1e-10, maxiter=100):
    x = np.array(x0, dtype=float)
    xs = [x]
    for _ in range(maxiter):
        g = grad_func(x)
        if np.sqrt(np.dot(g, g)) <= tol:
            break
        H = hessian_func(x)
        if np.linalg.eigvalsh(H).min() > 0:
            p = np.linalg.solve(H, -g)
        else:
            p = -g
        slope = np.dot(g, p)
        if slope >= 0:
            p, slope = -g, -np.dot(g, g)
        alpha = 1.0
        f0 = f(x)
        for _ in range(60):
            if f0 - f(x + alpha * p) >= -1e-4 * alpha * slope:
                break
            alpha *= 0.5
        x = x + alpha * p
        xs.append(x)
    return x, xs
""",
        },
    ),
    dict(
        id="alt_logistic_loops_expit_naive",
        kind="alternative",
        about="1 / (1 + exp(-t)) (overflow warnings only), loops over the data, outer products",
        replace={
            "logistic_grad": """
def logistic_grad(w, X, y, lam=0.0):
    X = np.asarray(X, dtype=float)
    g = lam * np.asarray(w, dtype=float)
    for xi, yi in zip(X, y):
        m = yi * (xi @ w)
        g = g - yi * xi / (1.0 + np.exp(m))
    return g
""",
            "logistic_hessian": """
def logistic_hessian(w, X, y, lam=0.0):
    X = np.asarray(X, dtype=float)
    d = X.shape[1]
    H = lam * np.eye(d)
    for xi in X:
        s = 1.0 / (1.0 + np.exp(-(xi @ w)))
        H = H + s * (1 - s) * np.outer(xi, xi)
    return H
""",
        },
    ),
    dict(
        id="alt_logistic_einsum_diag_sigma_minus",
        kind="alternative",
        about="sigma(m) sigma(-m) with the labels kept in, np.diag on the n x n weights, einsum",
        replace={
            "logistic_grad": """
def logistic_grad(w, X, y, lam=0.0):
    X, y, w = (np.asarray(a, dtype=float) for a in (X, y, w))
    m = y * np.einsum("nd,d->n", X, w)
    p = np.exp(-np.logaddexp(0.0, m))      # sigma(-m) = 1 / (1 + e^m), stably
    return lam * w - np.einsum("nd,n->d", X, y * p)
""",
            "logistic_hessian": """
def logistic_hessian(w, X, y, lam=0.0):
    X, y, w = (np.asarray(a, dtype=float) for a in (X, y, w))
    m = y * (X @ w)
    sp, sm = np.exp(-np.logaddexp(0.0, -m)), np.exp(-np.logaddexp(0.0, m))
    return X.T @ np.diag(sp * sm) @ X + lam * np.identity(X.shape[1])
""",
        },
    ),
    # ---- task 1b: the predicted constant C = |phi'''(x*) / (2 phi''(x*))| = 1/sqrt(5) = 0.4472
    dict(
        id="mutant_predict_c_no_half",
        kind="mutant",
        about="PREDICTED_C = phi'''(x*) / phi''(x*) without the 1/2 (2/sqrt(5) = 0.894)",
        replace={"predicted_c": """
PREDICTED_C = np.sinh(np.arcsinh(2.0)) / np.cosh(np.arcsinh(2.0))
"""},
        lose=["test_predicted_c"],
    ),
    dict(
        id="mutant_predict_c_reciprocal",
        kind="mutant",
        about="PREDICTED_C = 2 phi''(x*) / phi'''(x*), the reciprocal (sqrt(5) = 2.236)",
        replace={"predicted_c": """
PREDICTED_C = 2 * np.cosh(np.arcsinh(2.0)) / np.sinh(np.arcsinh(2.0))
"""},
        lose=["test_predicted_c"],
    ),
    dict(
        id="mutant_predict_c_one",
        kind="mutant",
        about="PREDICTED_C = 1 ('quadratic: the error squares')",
        replace={"predicted_c": "PREDICTED_C = 1\n"},
        lose=["test_predicted_c"],
    ),
    dict(
        id="mutant_predict_c_at_x0",
        kind="mutant",
        about="PREDICTED_C from the derivatives at x0 = 1 instead of x*: tanh(1)/2 = 0.381",
        replace={"predicted_c": """
PREDICTED_C = np.sinh(1.0) / (2 * np.cosh(1.0))
"""},
        lose=["test_predicted_c"],
    ),
    dict(
        id="mutant_predict_c_exp_example",
        kind="mutant",
        about="PREDICTED_C = 1/2, the constant of e^x - 2x (phi''' = phi''), not of cosh x - 2x",
        replace={"predicted_c": "PREDICTED_C = 0.5\n"},
        lose=["test_predicted_c"],
    ),
    dict(
        id="mutant_predict_c_x_star_zero",
        kind="mutant",
        about="PREDICTED_C with x* taken as 0 (where sinh vanishes): 0 / 2 = 0",
        replace={"predicted_c": "PREDICTED_C = np.sinh(0.0) / (2 * np.cosh(0.0))\n"},
        lose=["test_predicted_c"],
    ),
    dict(
        id="mutant_predict_c_as_list",
        kind="mutant",
        about="PREDICTED_C as a list of measured-looking ratios instead of one number",
        replace={"predicted_c": "PREDICTED_C = [0.46, 0.44, 0.447]\n"},
        lose=["test_predicted_c"],
    ),
    dict(
        id="alt_predict_c_expression",
        kind="alternative",
        about="PREDICTED_C by hand: sinh(x*) = 2, cosh(x*) = sqrt(1 + 2^2), so 2 / (2 sqrt(5)); "
              "x* written as log(2 + sqrt(5))",
        replace={"predicted_c": """
x_star = np.log(2 + np.sqrt(5))      # arcsinh 2 by hand
c_half = 2 / (2 * np.sqrt(1 + 2**2))  # sinh(x*) = 2, cosh(x*) = sqrt(1 + sinh^2)
PREDICTED_C = c_half
"""},
    ),
    dict(
        id="alt_predict_c_rounded_float",
        kind="alternative",
        about="PREDICTED_C = 0.45, a rounded hand value (0.6% off, inside the stated 2%)",
        replace={"predicted_c": "PREDICTED_C = 0.45\n"},
    ),
    dict(
        id="alt_predict_c_numpy_tanh",
        kind="alternative",
        about="PREDICTED_C = np.tanh(np.arcsinh(2)) / 2, a numpy float64 (tanh = sinh / cosh)",
        replace={"predicted_c": "PREDICTED_C = np.tanh(np.arcsinh(2)) / 2\n"},
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
        id="cheat_hardcoded_logistic_visible",
        kind="cheat",
        about="logistic_grad and logistic_hessian return the w = 0 visible answers",
        replace={
            "logistic_grad": (
                "def logistic_grad(w, X, y, lam=0.0):\n    return np.array([-1.0, -1.5])\n"),
            "logistic_hessian": (
                "def logistic_hessian(w, X, y, lam=0.0):\n"
                "    return np.array([[1.0, 0.5], [0.5, 1.75]])\n"),
        },
        lose=["test_logistic_grad", "test_logistic_hessian"],
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
]
