"""Submissions that pin down how hw7_constrained is graded (format: tests/grading/README.md).

Graded cells: test_project_halfspace (8), test_halfspace_multiplier (7), test_project_box (5),
test_project_ball (10), test_projected_gradient_descent (15), test_box_kkt_active (5),
test_box_kkt_multipliers (6), test_box_qp_solution (4), test_kkt_stationarity_residual (10),
test_augmented_lagrangian (20); and analysis_rho (10 points, a written analysis of the rho
trade-off graded by hand: not in any expectation). Every hidden test compares with references
written in the test cell itself (never with the student's other functions), so each mistake
costs exactly its cell; the two-part tasks (the half-space point and its multiplier, the box's
active set and its multipliers) have one cell per part, so a mistake in the multiplier alone
costs only that part.

Decisions the notebook documents and these submissions pin down:
* projected_gradient_descent records x0 as given (not projected; every test starts from a
  feasible point, so projecting it anyway is also correct: ``alt_loops_and_einsum``) and makes
  exactly ``maxiter`` updates with no stopping rule;
* kkt_stationarity_residual accepts one constraint (grad_g(x) of shape (n,), a number lam) and
  p constraints (a (p, n) Jacobian, lam of shape (p,));
* project_halfspace returns (x, mu) with the factor 1/2 in L = 1/2 ||x - z||^2 + mu (a^T x - b)
  (the text fixes it: mu for ||x - z||^2 would be twice as large and loses the multiplier cell);
* box_kkt's active set uses the absolute tolerance |x_i - bound_i| <= tol (np.isclose's default
  rtol fails), and its multipliers are not clipped at 0 (a negative one is the "not a KKT point"
  answer the text asks for);
* box_qp_solution is a predicted number: a hard-coded answer *is* the task, so it has no
  hard-coded cheat; a wrong guess of the active set and a sign slip are mutants;
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
    # ---- inequality constraints: the half-space, the box's active set and multipliers
    dict(
        id="mutant_halfspace_no_max",
        kind="mutant",
        about="always projects onto the hyperplane a^T x = b: points inside move, mu < 0",
        replace={
            "project_halfspace": """
def project_halfspace(z, a, b):
    z, a = np.asarray(z, dtype=float), np.asarray(a, dtype=float)
    mu = (a @ z - b) / (a @ a)
    return z - mu * a, mu
"""
        },
        lose=["test_project_halfspace", "test_halfspace_multiplier"],
    ),
    dict(
        id="mutant_halfspace_not_normalized",
        kind="mutant",
        about="mu = a^T z - b and x = z - mu a: right only for a unit vector a",
        replace={
            "project_halfspace": """
def project_halfspace(z, a, b):
    z, a = np.asarray(z, dtype=float), np.asarray(a, dtype=float)
    mu = max(0.0, a @ z - b)
    return z - mu * a, mu
"""
        },
        lose=["test_project_halfspace", "test_halfspace_multiplier"],
    ),
    dict(
        id="mutant_halfspace_mu_over_norm",
        kind="mutant",
        about="right x, but mu = (a^T z - b) / ||a|| (the distance, not the multiplier)",
        replace={
            "project_halfspace": """
def project_halfspace(z, a, b):
    z, a = np.asarray(z, dtype=float), np.asarray(a, dtype=float)
    t = max(0.0, (a @ z - b) / (a @ a))
    return z - t * a, t * np.linalg.norm(a)
"""
        },
        lose=["test_halfspace_multiplier"],
    ),
    dict(
        id="mutant_halfspace_mu_without_half",
        kind="mutant",
        about="right x, mu of ||x - z||^2 instead of 1/2 ||x - z||^2 (twice too large)",
        replace={
            "project_halfspace": """
def project_halfspace(z, a, b):
    z, a = np.asarray(z, dtype=float), np.asarray(a, dtype=float)
    t = max(0.0, (a @ z - b) / (a @ a))
    return z - t * a, 2 * t
"""
        },
        lose=["test_halfspace_multiplier"],
    ),
    dict(
        id="mutant_halfspace_mu_sign",
        kind="mutant",
        about="right x, mu with the opposite sign (L = f - mu h)",
        replace={
            "project_halfspace": """
def project_halfspace(z, a, b):
    z, a = np.asarray(z, dtype=float), np.asarray(a, dtype=float)
    t = max(0.0, (a @ z - b) / (a @ a))
    return z - t * a, -t
"""
        },
        lose=["test_halfspace_multiplier"],
    ),
    dict(
        id="mutant_halfspace_inplace",
        kind="mutant",
        about="z -= mu a on the caller's array (modifies z)",
        replace={
            "project_halfspace": """
def project_halfspace(z, a, b):
    z, a = np.asarray(z), np.asarray(a, dtype=float)
    mu = max(0.0, (a @ z - b) / (a @ a))
    if mu > 0 and z.dtype.kind == "f":
        z -= mu * a
        return z, mu
    return z - mu * a, mu
"""
        },
        lose=["test_project_halfspace"],
    ),
    dict(
        id="mutant_boxkkt_exact_equality",
        kind="mutant",
        about="active only where x == bound exactly (ignores tol); multipliers right on exact "
        "points",
        replace={
            "box_kkt": """
def box_kkt(grad_f, x, lower, upper, tol=1e-8):
    x = np.asarray(x, dtype=float)
    g = np.asarray(grad_f(x), dtype=float)
    lo, hi = np.broadcast_to(lower, x.shape), np.broadcast_to(upper, x.shape)
    return x == lo, x == hi, np.where(x == lo, g, 0.0), np.where(x == hi, -g, 0.0)
"""
        },
        lose=["test_box_kkt_active"],
    ),
    dict(
        id="mutant_boxkkt_isclose_default_rtol",
        kind="mutant",
        about="np.isclose(x, bound, atol=tol) with its default rtol=1e-5: relative, not absolute",
        replace={
            "box_kkt": """
def box_kkt(grad_f, x, lower, upper, tol=1e-8):
    x = np.asarray(x, dtype=float)
    g = np.asarray(grad_f(x), dtype=float)
    ex_lo = np.abs(x - np.asarray(lower, dtype=float)) <= tol   # exact, for the multipliers
    ex_hi = np.abs(x - np.asarray(upper, dtype=float)) <= tol
    return (np.isclose(x, lower, atol=tol), np.isclose(x, upper, atol=tol),
            np.where(ex_lo, g, 0.0), np.where(ex_hi, -g, 0.0))
"""
        },
        lose=["test_box_kkt_active"],
    ),
    dict(
        id="mutant_boxkkt_upper_sign",
        kind="mutant",
        about="mu_upper = +d_i f (the sign of the upper bound's multiplier)",
        replace={
            "box_kkt": """
def box_kkt(grad_f, x, lower, upper, tol=1e-8):
    x = np.asarray(x, dtype=float)
    g = np.asarray(grad_f(x), dtype=float)
    lo = np.abs(x - lower) <= tol
    hi = np.abs(x - upper) <= tol
    return lo, hi, np.where(lo, g, 0.0), np.where(hi, g, 0.0)
"""
        },
        lose=["test_box_kkt_multipliers"],
    ),
    dict(
        id="mutant_boxkkt_clipped",
        kind="mutant",
        about="multipliers clipped at 0 (max(0, .)): hides that a point is not a KKT point",
        replace={
            "box_kkt": """
def box_kkt(grad_f, x, lower, upper, tol=1e-8):
    x = np.asarray(x, dtype=float)
    g = np.asarray(grad_f(x), dtype=float)
    lo = np.abs(x - lower) <= tol
    hi = np.abs(x - upper) <= tol
    return lo, hi, np.where(lo, np.maximum(g, 0.0), 0.0), np.where(hi, np.maximum(-g, 0.0), 0.0)
"""
        },
        lose=["test_box_kkt_multipliers"],
    ),
    dict(
        id="mutant_boxkkt_no_complementary_slackness",
        kind="mutant",
        about="mu = max(0, +-grad) on every coordinate, active or not",
        replace={
            "box_kkt": """
def box_kkt(grad_f, x, lower, upper, tol=1e-8):
    x = np.asarray(x, dtype=float)
    g = np.asarray(grad_f(x), dtype=float)
    return (np.abs(x - lower) <= tol, np.abs(x - upper) <= tol, np.maximum(g, 0.0),
            np.maximum(-g, 0.0))
"""
        },
        lose=["test_box_kkt_multipliers"],
    ),
    dict(
        id="mutant_boxqp_both_bounds_guessed",
        kind="mutant",
        about="guessed the corner (1, 1) as the solution: mu_upper_2 < 0 there",
        replace={
            "box_qp_solution": """
def box_qp_solution():
    A, c = np.array([[3.0, 1.2], [1.2, 1.0]]), np.array([2.0, -0.3])
    x = np.array([1.0, 1.0])
    return x, np.zeros(2), -(A @ (x - c))
"""
        },
        lose=["test_box_qp_solution"],
    ),
    dict(
        id="mutant_boxqp_unconstrained_clipped",
        kind="mutant",
        about="clipped the unconstrained minimizer c into the box: (1, -0.3), mu from the gradient",
        replace={
            "box_qp_solution": """
def box_qp_solution():
    A, c = np.array([[3.0, 1.2], [1.2, 1.0]]), np.array([2.0, -0.3])
    x = np.clip(c, -1.0, 1.0)
    g = A @ (x - c)
    return x, np.zeros(2), np.array([-g[0], 0.0])
"""
        },
        lose=["test_box_qp_solution"],
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
            "project_halfspace": """
def project_halfspace(z, a, b):
    z = np.array(z, dtype=float)
    a = np.array(a, dtype=float)
    if a @ z <= b:                      # inactive: z is feasible
        return z, 0.0
    mu = (a @ z - b) / (a @ a)          # active: x = z - mu a on the boundary
    return z - mu * a, float(mu)
""",
            "box_kkt": """
def box_kkt(grad_f, x, lower, upper, tol=1e-8):
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    lo = np.full(n, lower, dtype=float) if np.ndim(lower) == 0 else np.asarray(lower, float)
    hi = np.full(n, upper, dtype=float) if np.ndim(upper) == 0 else np.asarray(upper, float)
    g = grad_f(x)
    act_lo, act_hi = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    mu_lo, mu_hi = np.zeros(n), np.zeros(n)
    for i in range(n):
        if np.isclose(x[i], lo[i], rtol=0, atol=tol):
            act_lo[i], mu_lo[i] = True, g[i]
        if np.isclose(x[i], hi[i], rtol=0, atol=tol):
            act_hi[i], mu_hi[i] = True, -g[i]
    return act_lo, act_hi, mu_lo, mu_hi
""",
            "box_qp_solution": """
def box_qp_solution():
    A = np.array([[3.0, 1.2], [1.2, 1.0]])
    c = np.array([2.0, -0.3])
    x2 = c[1] - A[1, 0] * (1.0 - c[0]) / A[1, 1]   # x_1 = 1 active, d_2 f = 0
    x = np.array([1.0, x2])
    g = A @ (x - c)
    return x, np.zeros(2), np.array([-g[0], 0.0])
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
            "project_halfspace": """
def project_halfspace(z, a, b):
    # through the unit normal: distance outside d = (n^T z - b / |a|), x = z - max(d, 0) n
    a = np.asarray(a) * 1.0
    norm = np.sqrt(np.sum(a * a))
    n = a / norm
    d = np.dot(n, z) - b / norm
    x = np.asarray(z) - np.maximum(d, 0.0) * n
    mu = np.maximum(d, 0.0) / norm
    return x, mu
""",
            "box_kkt": """
def box_kkt(grad_f, x, lower, upper, tol=1e-8):
    x = np.asarray(x, dtype=float)
    g = np.asarray(grad_f(x), dtype=float)
    act_lo = x - lower <= tol            # x is feasible: one-sided distances suffice
    act_hi = upper - x <= tol
    return act_lo, act_hi, g * act_lo, -g * act_hi
""",
            "box_qp_solution": """
def box_qp_solution():
    # KKT system of the guessed active set {x_1 <= 1}: A (x - c) + mu_up e_1 = 0, x_1 = 1
    A = np.array([[3.0, 1.2], [1.2, 1.0]])
    c = np.array([2.0, -0.3])
    K = np.array([[A[0, 0], A[0, 1], 1.0], [A[1, 0], A[1, 1], 0.0], [1.0, 0.0, 0.0]])
    x1, x2, mu = np.linalg.solve(K, np.array([A[0] @ c, A[1] @ c, 1.0]))
    return np.array([x1, x2]), np.array([0.0, 0.0]), np.array([mu, 0.0])
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
        id="cheat_hardcoded_halfspace_visible",
        kind="cheat",
        about="project_halfspace returns the visible tests' answers by table",
        replace={
            "project_halfspace": """
def project_halfspace(z, a, b):
    z = np.asarray(z, dtype=float)
    if z[0] == 3.0:
        return np.array([1.0, 1.0]), 2.0 if a[0] == 1.0 else 1.0
    return z, 0.0
"""
        },
        lose=["test_project_halfspace", "test_halfspace_multiplier"],
    ),
    dict(
        id="cheat_hardcoded_box_kkt",
        kind="cheat",
        about="box_kkt returns the first visible test's answer",
        replace={
            "box_kkt": """
def box_kkt(grad_f, x, lower, upper, tol=1e-8):
    n = len(x)
    act = np.zeros(n, dtype=bool)
    act_hi = act.copy()
    act_hi[0] = True
    mu_hi = np.zeros(n)
    mu_hi[0] = 2.0
    return act, act_hi, np.zeros(n), mu_hi
"""
        },
        lose=["test_box_kkt_active", "test_box_kkt_multipliers"],
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
