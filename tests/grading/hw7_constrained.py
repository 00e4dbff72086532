"""Submissions that pin down how hw7_constrained is graded (format: tests/grading/README.md).

Graded cells: test_lagrange_solution (10), test_project_box (10), test_project_ball (15),
test_projected_gradient_descent (20), test_kkt_stationarity_residual (15),
test_augmented_lagrangian (30). Every hidden test compares with references written in the test
cell itself (never with the student's other functions), so each mistake costs exactly its cell.

Decisions the notebook documents and these submissions pin down:
* projected_gradient_descent records x0 as given (not projected; every test starts from a
  feasible point, so projecting it anyway is also correct: ``alt_loops_and_einsum``) and makes
  exactly ``maxiter`` updates with no stopping rule;
* kkt_stationarity_residual accepts one constraint (grad_g(x) of shape (n,), a number lam) and
  p constraints (a (p, n) Jacobian, lam of shape (p,));
* augmented_lagrangian is graded by its result on five problems (feasible, stationary, x and lam
  equal to the true solution) plus a start at the solution with lam0 = lam*; the tests pass
  outer_iters=30, inner_iters=1500 so a runaway mutant costs about a second, not the cell
  timeout. Other stopping rules and inner loops score 100
  (``alt_*``), while the penalty method, a wrong update sign or the f - lam g convention fail.
"""

AL_TEMPLATE = """
def augmented_lagrangian(f, grad_f, g, grad_g, x0, rho=10.0, lam0=0.0, lr=0.01, outer_iters=50,
                         inner_iters=5000, tol=1e-9):
    x, lam = np.array(x0, dtype=float), float(lam0)
    for _ in range(outer_iters):
        for _ in range(inner_iters):
            d = grad_f(x) + (lam + rho * g(x)) * grad_g(x)
            if np.linalg.norm(d) <= tol:
                break
            x = x - lr * d
        gx = float(g(x))
        lam = lam + rho * gx
        if abs(gx) <= tol:
            break
    return x, lam
"""

PGD_TEMPLATE = """
def projected_gradient_descent(grad_func, project, x0, lr, maxiter):
    x = np.array(x0, dtype=float)
    list_of_xs = [x]
    for _ in range(maxiter):
        x = project(x - lr * grad_func(x))
        list_of_xs.append(x)
    return x, list_of_xs
"""

def _sub(template, old, new):
    assert old in template, old
    return template.replace(old, new)


SUBMISSIONS = [
    # ---- mutants
    dict(
        id="mutant_lagrange_sign_convention",
        kind="mutant",
        about="lam = +1: the multiplier of L = f - lam g",
        replace={"lagrange_solution": "def lagrange_solution():\n    return 0.5, 0.5, 1.0\n"},
        lose=["test_lagrange_solution"],
    ),
    dict(
        id="mutant_box_scalar_bounds_only",
        kind="mutant",
        about="boolean-mask assignment of the bounds: works for numbers, not per-coordinate ones",
        replace={
            "project_box": """
def project_box(x, lower, upper):
    out = np.array(x, dtype=float)
    out[out < lower] = lower
    out[out > upper] = upper
    return out
"""
        },
        lose=["test_project_box"],
    ),
    dict(
        id="mutant_box_min_max_order",
        kind="mutant",
        about="min with lower, then max with upper: every point lands on the upper corner",
        replace={
            "project_box": """
def project_box(x, lower, upper):
    return np.maximum(np.minimum(x, lower), upper)
"""
        },
        lose=["test_project_box"],
    ),
    dict(
        id="mutant_ball_moves_inside_points",
        kind="mutant",
        about="r x / ||x|| for every point: points inside are pushed out to the sphere",
        replace={
            "project_ball": """
def project_ball(x, radius):
    x = np.asarray(x, dtype=float)
    return radius * x / np.linalg.norm(x, axis=-1, keepdims=True)
"""
        },
        lose=["test_project_ball"],
    ),
    dict(
        id="mutant_ball_one_norm_for_the_batch",
        kind="mutant",
        about="np.linalg.norm(x) of the whole batch: not vectorized",
        replace={
            "project_ball": """
def project_ball(x, radius):
    x = np.asarray(x, dtype=float)
    norm = np.linalg.norm(x)
    return x if norm <= radius else radius * x / norm
"""
        },
        lose=["test_project_ball"],
    ),
    dict(
        id="mutant_ball_norm_without_keepdims",
        kind="mutant",
        about="norm along axis -1 without keepdims: divides columns, not rows, in a batch",
        replace={
            "project_ball": """
def project_ball(x, radius):
    x = np.asarray(x, dtype=float)
    norm = np.linalg.norm(x, axis=-1)
    return x * np.minimum(1.0, radius / np.maximum(norm, 1e-300))
"""
        },
        lose=["test_project_ball"],
    ),
    dict(
        id="mutant_pgd_off_by_one",
        kind="mutant",
        about="maxiter - 1 updates (range(1, maxiter))",
        replace={
            "projected_gradient_descent": PGD_TEMPLATE.replace(
                "range(maxiter)", "range(1, maxiter)"
            )
        },
        lose=["test_projected_gradient_descent"],
    ),
    dict(
        id="mutant_pgd_projects_before_the_step",
        kind="mutant",
        about="x = project(x) - lr grad(project(x)): the iterates leave the set",
        replace={
            "projected_gradient_descent": PGD_TEMPLATE.replace(
                "x = project(x - lr * grad_func(x))",
                "x = project(x)\n        x = x - lr * grad_func(x)",
            )
        },
        lose=["test_projected_gradient_descent"],
    ),
    dict(
        id="mutant_pgd_inplace",
        kind="mutant",
        about="x -= lr g: changes the caller's x0 and the recorded iterates",
        replace={
            "projected_gradient_descent": """
def projected_gradient_descent(grad_func, project, x0, lr, maxiter):
    x = np.asarray(x0, dtype=float)
    list_of_xs = [x]
    for _ in range(maxiter):
        x -= lr * grad_func(x)
        x[:] = project(x)
        list_of_xs.append(x)
    return x, list_of_xs
"""
        },
        lose=["test_projected_gradient_descent"],
    ),
    dict(
        id="mutant_pgd_stops_at_fixed_point",
        kind="mutant",
        about="an undocumented stopping rule: stops once a step moves less than 1e-8",
        replace={
            "projected_gradient_descent": PGD_TEMPLATE.replace(
                "        x = project(x - lr * grad_func(x))\n",
                "        x_new = project(x - lr * grad_func(x))\n"
                "        if np.linalg.norm(x_new - x) < 1e-8:\n"
                "            break\n"
                "        x = x_new\n",
            )
        },
        lose=["test_projected_gradient_descent"],
    ),
    dict(
        id="mutant_kkt_minus_sign",
        kind="mutant",
        about="grad f - lam grad g (the f - lam g convention)",
        replace={
            "kkt_stationarity_residual": """
def kkt_stationarity_residual(grad_f, grad_g, x, lam):
    jac = np.atleast_2d(grad_g(x))
    return float(np.linalg.norm(grad_f(x) - np.atleast_1d(lam) @ jac))
"""
        },
        lose=["test_kkt_stationarity_residual"],
    ),
    dict(
        id="mutant_kkt_squared_norm",
        kind="mutant",
        about="the squared norm (sum of squares without the square root)",
        replace={
            "kkt_stationarity_residual": """
def kkt_stationarity_residual(grad_f, grad_g, x, lam):
    r = grad_f(x) + np.atleast_1d(lam) @ np.atleast_2d(grad_g(x))
    return float(np.sum(r**2))
"""
        },
        lose=["test_kkt_stationarity_residual"],
    ),
    dict(
        id="mutant_kkt_elementwise_lam",
        kind="mutant",
        about="lam * grad_g(x) elementwise: fine for one constraint, wrong for a (p, n) Jacobian",
        replace={
            "kkt_stationarity_residual": """
def kkt_stationarity_residual(grad_f, grad_g, x, lam):
    return float(np.linalg.norm(grad_f(x) + lam * grad_g(x)))
"""
        },
        lose=["test_kkt_stationarity_residual"],
    ),
    dict(
        id="mutant_al_penalty_only",
        kind="mutant",
        about="quadratic penalty with a fixed rho: lam never enters, returned as rho g(x)",
        replace={
            "augmented_lagrangian": AL_TEMPLATE.replace(
                "d = grad_f(x) + (lam + rho * g(x)) * grad_g(x)",
                "d = grad_f(x) + rho * g(x) * grad_g(x)",
            ).replace("lam = lam + rho * gx", "lam = rho * gx")
        },
        lose=["test_augmented_lagrangian"],
    ),
    dict(
        id="mutant_al_update_sign",
        kind="mutant",
        about="lam <- lam - rho g(x): the multiplier runs away",
        replace={
            "augmented_lagrangian": AL_TEMPLATE.replace(
                "lam = lam + rho * gx", "lam = lam - rho * gx"
            )
        },
        lose=["test_augmented_lagrangian"],
    ),
    dict(
        id="mutant_al_minus_convention",
        kind="mutant",
        about="L = f - lam g throughout: right x, multiplier of the opposite sign",
        replace={
            "augmented_lagrangian": AL_TEMPLATE.replace(
                "d = grad_f(x) + (lam + rho * g(x)) * grad_g(x)",
                "d = grad_f(x) + (-lam + rho * g(x)) * grad_g(x)",
            ).replace("lam = lam + rho * gx", "lam = lam - rho * gx")
        },
        lose=["test_augmented_lagrangian"],
    ),
    dict(
        id="mutant_al_inner_without_lam",
        kind="mutant",
        about="inner gradient f + rho/2 g^2 without the lam g term, lam updated anyway",
        replace={
            "augmented_lagrangian": AL_TEMPLATE.replace(
                "d = grad_f(x) + (lam + rho * g(x)) * grad_g(x)",
                "d = grad_f(x) + rho * g(x) * grad_g(x)",
            )
        },
        lose=["test_augmented_lagrangian"],
    ),
    # mistakes that only show outside the visible inputs (issue 16)
    dict(
        id="mutant_al_cold_start",
        kind="mutant",
        about="every inner solve restarts from x0 instead of the current x (cold start)",
        replace={
            "augmented_lagrangian": _sub(AL_TEMPLATE, "    for _ in range(outer_iters):\n",
                                         "    for _ in range(outer_iters):\n"
                                         "        x = np.array(x0, dtype=float)\n")
        },
        lose=["test_augmented_lagrangian"],
    ),
    dict(
        id="mutant_al_hardcoded_lr",
        kind="mutant",
        about="inner step fixed at 1/22 (the worked example's) instead of the lr argument",
        replace={"augmented_lagrangian": _sub(AL_TEMPLATE, "x = x - lr * d", "x = x - d / 22")},
        lose=["test_augmented_lagrangian"],
    ),
    dict(
        id="mutant_ball_eps_in_denominator",
        kind="mutant",
        about="r x / (||x|| + 1e-12) 'to avoid dividing by zero': wrong for tiny radii",
        replace={
            "project_ball": """
def project_ball(x, radius):
    x = np.asarray(x, dtype=float)
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return np.where(norm > radius, radius * x / (norm + 1e-12), x)
"""
        },
        lose=["test_project_ball"],
    ),
    # ---- alternatives
    dict(
        id="alt_loops_and_einsum",
        kind="alternative",
        about="np.clip, np.where for the ball, x0 projected first, einsum residual, while loops",
        replace={
            "lagrange_solution": """
def lagrange_solution():
    lam = -1.0          # 2x + lam = 0 = 2y + lam and x + y = 1  =>  -lam = 1
    return -lam / 2, -lam / 2, lam
""",
            "project_box": """
def project_box(x, lower, upper):
    return np.clip(x, lower, upper)
""",
            "project_ball": """
def project_ball(x, radius):
    x = np.asarray(x, dtype=float)
    norm = np.sqrt(np.einsum("...i,...i->...", x, x))[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(norm > radius, x / norm * radius, x)
""",
            "projected_gradient_descent": """
def projected_gradient_descent(grad_func, project, x0, lr, maxiter):
    x = project(np.array(x0, dtype=float))      # a feasible x0 does not move
    xs = [x.copy()]
    k = 0
    while k < maxiter:
        x = project(x - lr * grad_func(x))
        xs.append(x.copy())
        k += 1
    return xs[-1], xs
""",
            "kkt_stationarity_residual": """
def kkt_stationarity_residual(grad_f, grad_g, x, lam):
    G = np.asarray(grad_g(x), dtype=float)
    lam = np.asarray(lam, dtype=float)
    if G.ndim == 1:
        r = grad_f(x) + lam.reshape(()) * G
    else:
        r = grad_f(x) + np.einsum("p,pn->n", lam, G)
    return np.sqrt(np.sum(r * r))
""",
            "augmented_lagrangian": """
def augmented_lagrangian(f, grad_f, g, grad_g, x0, rho=10.0, lam0=0.0, lr=0.01, outer_iters=50,
                         inner_iters=5000, tol=1e-9):
    x = np.asarray(x0) * 1.0
    lam = lam0
    k = 0
    while k < outer_iters:
        t = 0
        while t < inner_iters:
            step = lr * (grad_f(x) + (lam + rho * g(x)) * grad_g(x))
            x = x - step
            t += 1
            if np.sqrt(np.sum(step**2)) <= lr * tol:
                break
        lam = lam + rho * g(x)
        k += 1
        if abs(g(x)) <= tol:
            break
    return x, float(lam)
""",
        },
    ),
    dict(
        id="alt_fixed_inner_budget",
        kind="alternative",
        about="fixed 300 inner steps and a stop on the change of lam; tensordot residual; lstsq",
        replace={
            "lagrange_solution": """
def lagrange_solution():
    K = np.array([[2.0, 0.0, 1.0], [0.0, 2.0, 1.0], [1.0, 1.0, 0.0]])
    sol = np.linalg.lstsq(K, np.array([0.0, 0.0, 1.0]), rcond=None)[0]
    return tuple(float(v) for v in sol)
""",
            "project_box": """
def project_box(x, lower, upper):
    x = np.asarray(x, dtype=float)
    lower = np.broadcast_to(lower, x.shape)
    upper = np.broadcast_to(upper, x.shape)
    return np.where(x < lower, lower, np.where(x > upper, upper, x))
""",
            "project_ball": """
def project_ball(x, radius):
    x = np.asarray(x, dtype=float)
    out = x.copy()
    flat = out.reshape(-1, x.shape[-1])
    for i, row in enumerate(flat):
        n = np.linalg.norm(row)
        if n > radius:
            flat[i] = row / n * radius
    return flat.reshape(x.shape)
""",
            "projected_gradient_descent": """
def projected_gradient_descent(grad_func, project, x0, lr, maxiter):
    path = [np.asarray(x0) * 1.0]
    for _ in range(maxiter):
        path.append(project(path[-1] - lr * grad_func(path[-1])))
    return path[-1], path
""",
            "kkt_stationarity_residual": """
def kkt_stationarity_residual(grad_f, grad_g, x, lam):
    lam = np.asarray(lam, dtype=float)
    return float(np.linalg.norm(grad_f(x) + np.tensordot(lam, grad_g(x), axes=lam.ndim)))
""",
            "augmented_lagrangian": """
def augmented_lagrangian(f, grad_f, g, grad_g, x0, rho=10.0, lam0=0.0, lr=0.01, outer_iters=50,
                         inner_iters=5000, tol=1e-9):
    x, lam = np.array(x0, dtype=float), lam0
    for _ in range(outer_iters):
        for _ in range(min(inner_iters, 300)):
            x = x - lr * (grad_f(x) + (lam + rho * g(x)) * grad_g(x))
        new_lam = lam + rho * g(x)
        done = abs(new_lam - lam) <= 1e-10
        lam = new_lam
        if done:
            break
    return x, lam
""",
        },
    ),
    dict(
        id="alt_where_ball_linesearch_al",
        kind="alternative",
        about="np.where ball projection (warns at the origin: warnings cost nothing), "
        "backtracking inner solves in the augmented Lagrangian",
        replace={
            "project_ball": """
def project_ball(x, radius):
    x = np.asarray(x, dtype=float)
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return np.where(norm > radius, radius * x / norm, x)
""",
            "augmented_lagrangian": """
def augmented_lagrangian(f, grad_f, g, grad_g, x0, rho=10.0, lam0=0.0, lr=0.01, outer_iters=50,
                         inner_iters=5000, tol=1e-9):
    def merit(z, lam):
        gz = g(z)
        return f(z) + lam * gz + 0.5 * rho * gz**2

    x, lam = np.array(x0, dtype=float), float(lam0)
    for _ in range(outer_iters):
        for _ in range(inner_iters):
            d = grad_f(x) + (lam + rho * g(x)) * grad_g(x)
            if np.linalg.norm(d) <= tol:
                break
            step, m0 = lr, merit(x, lam)
            while merit(x - step * d, lam) > m0 - 1e-4 * step * (d @ d) and step > 1e-3 * lr:
                step /= 2
            x = x - step * d
        gx = g(x)
        lam += rho * gx
        if abs(gx) <= tol:
            break
    return x, lam
""",
        },
    ),
    # ---- cheats
    dict(
        id="cheat_hardcoded_al",
        kind="cheat",
        about="augmented_lagrangian returns the visible test's answer",
        replace={
            "augmented_lagrangian": """
def augmented_lagrangian(f, grad_f, g, grad_g, x0, rho=10.0, lam0=0.0, lr=0.01, outer_iters=50,
                         inner_iters=5000, tol=1e-9):
    return np.array([0.5, 0.5]), -1.0
"""
        },
        lose=["test_augmented_lagrangian"],
    ),
    dict(
        id="cheat_hardcoded_kkt_zero",
        kind="cheat",
        about="kkt_stationarity_residual always returns 0",
        replace={
            "kkt_stationarity_residual": """
def kkt_stationarity_residual(grad_f, grad_g, x, lam):
    return 0.0
"""
        },
        lose=["test_kkt_stationarity_residual"],
    ),
    dict(
        id="cheat_delegate_to_helpers",
        kind="cheat",
        about="project_ball, projected GD and the augmented Lagrangian call helpers",
        replace={
            "project_ball": """
def project_ball(x, radius):
    return helpers.project_ball(x, radius)
""",
            "projected_gradient_descent": """
def projected_gradient_descent(grad_func, project, x0, lr, maxiter):
    trace = helpers.projected_gradient_descent(lambda x: 0.0, grad_func, project, x0, lr=lr,
                                               tol=0.0, maxiter=maxiter)
    return trace.xs[-1], list(trace.xs)
""",
            "augmented_lagrangian": """
def augmented_lagrangian(f, grad_f, g, grad_g, x0, rho=10.0, lam0=0.0, lr=0.01, outer_iters=50,
                         inner_iters=5000, tol=1e-9):
    trace = helpers.augmented_lagrangian(f, grad_f, g, grad_g, x0)
    return trace.x, float(trace.lam)
""",
        },
        lose=["test_project_ball", "test_projected_gradient_descent", "test_augmented_lagrangian"],
    ),
]
