"""Submissions that pin down how hw4_sgd is graded (format: tests/grading/README.md).

Graded cells: test_linear_loss (3), test_linear_dloss (3), test_closed_form_theta (5),
test_sgd_sampling (20), test_sgd_update (20), test_step_decay, test_cosine_annealing,
test_linear_warmup (3 each), test_minibatch_gradient_variance (10), test_predicted_variance_ratio
(5), test_logistic_dloss (10), test_logistic_dloss_stable (5); and analysis_variance (10 points, a
written analysis graded by hand: in no expectation).

logistic_dloss is the derivation no lecture gives (regularized logistic regression, the penalty
lam / 2 ||theta||^2 carried by every term, so the gradient summed over b points has b lam theta).
test_logistic_dloss runs the course's gradient checker visibly and compares, hidden, with a
reference (sigma through tanh) on fresh data: batches of 1 to 500 points, lam from 0 to 50, theta
far from 0 (so every penalty mistake shows), the default lam, the sum over a batch = the sum of
its parts, and x up to 1e6 with scores of size 1, where central differences in theta are far off
(the finite-difference cheat fails there; the text forbids it). test_logistic_dloss_stable asks
for finite, right values at scores up to +-3000 (e^z / (1 + e^z) is inf / inf; math.exp raises
OverflowError). Every wrong formula also fails the large-score cell (it compares values), so it
loses both cells (15 points); an unstable but correct formula loses the 5 points only. The
alternatives: a loop with math.exp in a sign branch, a design matrix with tanh, np.where over both
sigma forms (warnings and nan in the unused branch), the naive 1 / (1 + e^-z) (which overflows to
0 correctly). scipy.special.expit is not an alternative: the policy allows no scipy import (the
text says so).

minibatch_gradient_variance is stochastic: its test compares the estimate with the exact
sigma^2 / b (n - b) / (n - 1) at 1500-2000 trials, with a tolerance of more than 7 Monte Carlo
standard deviations (so any correct sampler passes, whatever its random stream), while sampling
with replacement (80 % off at n = 10, b = 5), a forgotten subtraction of the full gradient or a
wrong normalization fail by far more. predicted_variance_ratio is a predicted number: a hard-coded
answer is the task, so it has no hard-coded cheat; the naive 500 (no correction) is a mutant.

The sgd cells test properties, never our random stream: test_sgd_sampling records which points
each call of dL sees (each point at most once per epoch, full batches only, a fresh order per
epoch, xs and ys paired, reproducible from the rng argument); test_sgd_update checks every
recorded step against theta - step * dL(theta, batch) / batch_size (dL returns a sum over the
batch, as the notebook states), the full-data loss after each step, and that batch_size = n
makes each epoch one gradient-descent step. A mistake in the sampling alone costs 20 points, a
mistake in the update alone 20; recording the loss once per epoch breaks both.
"""

SGD_TEMPLATE = """
def sgd(L, dL, theta_0, xs, ys, step=0.1, batch_size=10, epochs=10, rng=None):
    rng = np.random.default_rng(rng)
    xs, ys = np.asarray(xs), np.asarray(ys)
    theta = np.array(theta_0, dtype=float)
    n = len(xs)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            batch = order[start:start + batch_size]
            theta = theta - step * dL(theta, xs[batch], ys[batch]) / batch_size
            losses.append(L(theta, xs, ys))
    return theta, losses
"""


def _sgd(old, new):
    """The reference sgd with one line changed (fails loudly if `old` is not in it)."""
    assert old in SGD_TEMPLATE, old
    return SGD_TEMPLATE.replace(old, new)


VAR = """
def minibatch_gradient_variance(dL, theta, xs, ys, batch_size, trials=1000, rng=None):
    rng = np.random.default_rng(rng)
    xs, ys = np.asarray(xs), np.asarray(ys)
    n = len(xs)
    full = np.asarray(dL(theta, xs, ys), dtype=float) / n
    total = 0.0
    for _ in range(trials):
        batch = rng.permutation(n)[:batch_size]
        diff = np.asarray(dL(theta, xs[batch], ys[batch]), dtype=float) / batch_size - full
        total += float(diff @ diff)
    return total / trials
"""


def _sub(template, old, new):
    assert old in template, old
    return template.replace(old, new)

SUBMISSIONS = [
    # ---- mutants: common mistakes, each breaks exactly the cells in `lose`
    dict(
        id="mutant_loss_mean",
        kind="mutant",
        about="mean of the squared residuals instead of their sum",
        replace={
            "linear_loss": """
def linear_loss(theta, xs, ys):
    return np.mean((theta[0] * xs + theta[1] - ys) ** 2)
"""
        },
        lose=["test_linear_loss"],
    ),
    dict(
        id="mutant_loss_intercept_first",
        kind="mutant",
        about="reads theta as (intercept, slope): y = theta[0] + theta[1] x",
        replace={
            "linear_loss": """
def linear_loss(theta, xs, ys):
    return np.sum((theta[0] + theta[1] * np.asarray(xs) - ys) ** 2)
"""
        },
        lose=["test_linear_loss"],
    ),
    dict(
        id="mutant_dloss_missing_2",
        kind="mutant",
        about="gradient without the factor 2 of the square",
        replace={
            "linear_dloss": """
def linear_dloss(theta, xs, ys):
    xs = np.asarray(xs, dtype=float)
    r = theta[0] * xs + theta[1] - np.asarray(ys, dtype=float)
    return np.array([r @ xs, np.sum(r)])
"""
        },
        lose=["test_linear_dloss"],
    ),
    dict(
        id="mutant_closed_form_columns_swapped",
        kind="mutant",
        about="design matrix [1, x]: returns (intercept, slope) instead of (slope, intercept)",
        replace={
            "closed_form_theta": """
def closed_form_theta(xs, ys):
    X = np.column_stack([np.ones_like(xs), xs])
    return np.linalg.solve(X.T @ X, X.T @ ys)
"""
        },
        lose=["test_closed_form_theta"],
    ),
    dict(
        id="mutant_sgd_not_divided_by_batch_size",
        kind="mutant",
        about="steps along dL itself (a sum over the batch), forgetting / batch_size",
        replace={"sgd": _sgd("/ batch_size\n", "\n")},
        lose=["test_sgd_update"],
    ),
    dict(
        id="mutant_sgd_divided_by_n",
        kind="mutant",
        about="divides the batch gradient by n instead of batch_size",
        replace={"sgd": _sgd("/ batch_size\n", "/ n\n")},
        lose=["test_sgd_update"],
    ),
    dict(
        id="mutant_sgd_shuffle_once",
        kind="mutant",
        about="one permutation before the epoch loop, reused in every epoch",
        replace={
            "sgd": _sgd(
                "    for _ in range(epochs):\n        order = rng.permutation(n)\n",
                "    order = rng.permutation(n)\n    for _ in range(epochs):\n",
            )
        },
        lose=["test_sgd_sampling"],
    ),
    dict(
        id="mutant_sgd_independent_batches",
        kind="mutant",
        about="each batch drawn on its own (rng.choice without replacement within the batch)",
        replace={
            "sgd": _sgd(
                "batch = order[start:start + batch_size]",
                "batch = rng.choice(n, size=batch_size, replace=False)",
            )
        },
        lose=["test_sgd_sampling"],
    ),
    dict(
        id="mutant_sgd_keeps_partial_batch",
        kind="mutant",
        about="also steps on the last, partial batch of each epoch",
        replace={
            "sgd": _sgd("range(0, n - batch_size + 1, batch_size)", "range(0, n, batch_size)")
        },
        lose=["test_sgd_sampling"],
    ),
    dict(
        id="mutant_sgd_global_random",
        kind="mutant",
        about="shuffles with the global np.random.shuffle (the seed notes' code): ignores rng",
        replace={
            "sgd": _sgd(
                "order = rng.permutation(n)",
                "order = np.arange(n)\n        np.random.shuffle(order)",
            )
        },
        lose=["test_sgd_sampling"],
    ),
    dict(
        id="mutant_sgd_loss_per_epoch",
        kind="mutant",
        about="records the loss once per epoch instead of after every step",
        replace={
            "sgd": _sgd(
                "            losses.append(L(theta, xs, ys))\n",
                "        losses.append(L(theta, xs, ys))\n",
            )
        },
        lose=["test_sgd_sampling", "test_sgd_update"],
    ),
    dict(
        id="mutant_sgd_initial_loss",
        kind="mutant",
        about="also records the starting loss: one entry too many",
        replace={"sgd": _sgd("    losses = []\n", "    losses = [L(theta, xs, ys)]\n")},
        lose=["test_sgd_sampling", "test_sgd_update"],
    ),
    dict(
        id="mutant_sgd_batch_loss",
        kind="mutant",
        about="records the loss of the batch, not of the full data",
        replace={"sgd": _sgd("L(theta, xs, ys)", "L(theta, xs[batch], ys[batch])")},
        lose=["test_sgd_update"],
    ),
    dict(
        id="mutant_sgd_inplace",
        kind="mutant",
        about="theta -= ... on np.asarray(theta_0): the caller's theta_0 changes",
        replace={
            "sgd": _sgd(
                "theta = np.array(theta_0, dtype=float)", "theta = np.asarray(theta_0, dtype=float)"
            ).replace("theta = theta - step", "theta -= step")
        },
        lose=["test_sgd_update"],
    ),
    dict(
        id="mutant_step_decay_no_floor",
        kind="mutant",
        about="drop ** (t / every): a smooth exponential instead of steps",
        replace={
            "step_decay": """
def step_decay(t, lr0, drop=0.5, every=10):
    return lr0 * drop ** (np.asarray(t) / every)
"""
        },
        lose=["test_step_decay"],
    ),
    dict(
        id="mutant_cosine_no_clip",
        kind="mutant",
        about="the cosine rises again after t = T",
        replace={
            "cosine_annealing": """
def cosine_annealing(t, T, lr_max, lr_min=0.0):
    return lr_min + 0.5 * (lr_max - lr_min) * (1 + np.cos(np.pi * np.asarray(t) / T))
"""
        },
        lose=["test_cosine_annealing"],
    ),
    dict(
        id="mutant_warmup_not_vectorized",
        kind="mutant",
        about="if t < warmup: right for one t, ValueError for an array",
        replace={
            "linear_warmup": """
def linear_warmup(t, warmup, lr_max):
    if t < warmup:
        return lr_max * t / warmup
    return lr_max
"""
        },
        lose=["test_linear_warmup"],
    ),
    dict(
        id="mutant_warmup_off_by_one",
        kind="mutant",
        about="(t + 1) / warmup: the ramp starts above zero and ends one step early",
        replace={
            "linear_warmup": """
def linear_warmup(t, warmup, lr_max):
    return lr_max * np.minimum((np.asarray(t) + 1) / warmup, 1.0)
"""
        },
        lose=["test_linear_warmup"],
    ),
    # mistakes that only show outside the visible inputs (issue 16)
    dict(
        id="mutant_sgd_rng_none_fixed_seed",
        kind="mutant",
        about="rng=None becomes default_rng(0): reproducible, but every rng=None run is the same",
        replace={
            "sgd": """
def sgd(L, dL, theta_0, xs, ys, step=0.1, batch_size=10, epochs=10, rng=None):
    rng = np.random.default_rng(0 if rng is None else rng)
    xs, ys = np.asarray(xs), np.asarray(ys)
    theta = np.array(theta_0, dtype=float)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(xs))
        for start in range(0, len(xs) - batch_size + 1, batch_size):
            batch = order[start:start + batch_size]
            theta = theta - step * dL(theta, xs[batch], ys[batch]) / batch_size
            losses.append(L(theta, xs, ys))
    return theta, losses
"""
        },
        lose=["test_sgd_sampling"],
    ),
    dict(
        id="mutant_sgd_batch_clipped_to_n",
        kind="mutant",
        about="batch_size = min(batch_size, n): steps on all the data when batch_size > n",
        replace={
            "sgd": """
def sgd(L, dL, theta_0, xs, ys, step=0.1, batch_size=10, epochs=10, rng=None):
    rng = np.random.default_rng(rng)
    xs, ys = np.asarray(xs), np.asarray(ys)
    batch_size = min(batch_size, len(xs))
    theta = np.array(theta_0, dtype=float)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(xs))
        for b in range(len(xs) // batch_size):
            batch = order[b * batch_size:(b + 1) * batch_size]
            theta = theta - step * dL(theta, xs[batch], ys[batch]) / batch_size
            losses.append(L(theta, xs, ys))
    return theta, losses
"""
        },
        lose=["test_sgd_sampling"],
    ),
    dict(
        id="mutant_sgd_at_least_one_step",
        kind="mutant",
        about="max(1, n // batch_size) steps: one (short) batch per epoch when batch_size > n",
        replace={
            "sgd": """
def sgd(L, dL, theta_0, xs, ys, step=0.1, batch_size=10, epochs=10, rng=None):
    rng = np.random.default_rng(rng)
    xs, ys = np.asarray(xs), np.asarray(ys)
    theta = np.array(theta_0, dtype=float)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(xs))
        for b in range(max(1, len(xs) // batch_size)):
            batch = order[b * batch_size:(b + 1) * batch_size]
            theta = theta - step * dL(theta, xs[batch], ys[batch]) / batch_size
            losses.append(L(theta, xs, ys))
    return theta, losses
"""
        },
        lose=["test_sgd_sampling"],
    ),
    dict(
        id="mutant_sgd_shuffles_caller_data",
        kind="mutant",
        about="shuffles the caller's xs and ys in place (same permutation) instead of indices",
        replace={
            "sgd": """
def sgd(L, dL, theta_0, xs, ys, step=0.1, batch_size=10, epochs=10, rng=None):
    rng = np.random.default_rng(rng)
    theta = np.array(theta_0, dtype=float)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(xs))
        xs[:], ys[:] = xs[order], ys[order]
        for start in range(0, len(xs) - batch_size + 1, batch_size):
            xb, yb = xs[start:start + batch_size], ys[start:start + batch_size]
            theta = theta - step * dL(theta, xb, yb) / batch_size
            losses.append(L(theta, xs, ys))
    return theta, losses
"""
        },
        lose=["test_sgd_sampling"],
    ),
    # ---- alternative correct implementations: must score 100
    # ---- the minibatch-variance experiment and the prediction
    dict(
        id="mutant_variance_with_replacement",
        kind="mutant",
        about="batches drawn with replacement (rng.integers): sigma^2 / b, no correction",
        replace={"minibatch_gradient_variance": _sub(
            VAR, "rng.permutation(n)[:batch_size]", "rng.integers(0, n, size=batch_size)")},
        lose=["test_minibatch_gradient_variance"],
    ),
    dict(
        id="mutant_variance_no_centering",
        kind="mutant",
        about="E ||g_B||^2: forgot to subtract the full gradient",
        replace={"minibatch_gradient_variance": _sub(
            VAR, "/ batch_size - full", "/ batch_size - 0 * full")},
        lose=["test_minibatch_gradient_variance"],
    ),
    dict(
        id="mutant_variance_not_divided_by_batch_size",
        kind="mutant",
        about="dL(batch) - full gradient: the summed batch gradient, not its mean",
        replace={"minibatch_gradient_variance": _sub(
            VAR, "dtype=float) / batch_size - full", "dtype=float) - full")},
        lose=["test_minibatch_gradient_variance"],
    ),
    dict(
        id="mutant_variance_std",
        kind="mutant",
        about="returns the root mean square distance (a standard deviation), not the variance",
        replace={"minibatch_gradient_variance": _sub(
            VAR, "return total / trials", "return float(np.sqrt(total / trials))")},
        lose=["test_minibatch_gradient_variance"],
    ),
    dict(
        id="mutant_variance_global_random",
        kind="mutant",
        about="np.random.permutation (the global generator): not reproducible from rng",
        replace={"minibatch_gradient_variance": _sub(
            VAR, "rng.permutation(n)[:batch_size]", "np.random.permutation(n)[:batch_size]")},
        lose=["test_minibatch_gradient_variance"],
    ),
    dict(
        id="mutant_variance_one_batch_reused",
        kind="mutant",
        about="draws one batch and reuses it for every trial",
        replace={"minibatch_gradient_variance": _sub(
            _sub(VAR, "    total = 0.0\n",
                 "    total = 0.0\n    batch = rng.permutation(n)[:batch_size]\n"),
            "        batch = rng.permutation(n)[:batch_size]\n", "")},
        lose=["test_minibatch_gradient_variance"],
    ),
    dict(
        id="mutant_prediction_without_correction",
        kind="mutant",
        about="V(1) / V(500) = 500: the finite-population correction forgotten",
        replace={"predicted_variance_ratio": "def predicted_variance_ratio():\n    return 500.0\n"},
        lose=["test_predicted_variance_ratio"],
    ),
    dict(
        id="mutant_prediction_inverted",
        kind="mutant",
        about="V(500) / V(1) instead of V(1) / V(500)",
        replace={
            "predicted_variance_ratio": "def predicted_variance_ratio():\n    return 1 / 999\n"
        },
        lose=["test_predicted_variance_ratio"],
    ),
    dict(
        id="alt_loops_shuffle_lstsq",
        kind="alternative",
        about="Python loops, rng.shuffle in place, reshaped batches, np.where schedules, lstsq",
        replace={
            "linear_loss": """
def linear_loss(theta, xs, ys):
    total = 0.0
    for x, y in zip(xs, ys):
        total += (theta[0] * x + theta[1] - y) ** 2
    return total
""",
            "linear_dloss": """
def linear_dloss(theta, xs, ys):
    X = np.stack([np.asarray(xs, dtype=float), np.ones(len(xs))], axis=1)
    return 2 * X.T @ (X @ np.asarray(theta, dtype=float) - ys)
""",
            "closed_form_theta": """
def closed_form_theta(xs, ys):
    X = np.stack([xs, np.ones(len(xs))], axis=1)
    return np.linalg.lstsq(X, ys, rcond=None)[0]
""",
            "sgd": """
def sgd(L, dL, theta_0, xs, ys, step=0.1, batch_size=10, epochs=10, rng=None):
    if rng is None:
        rng = np.random.default_rng()
    theta = np.copy(theta_0).astype(float)
    idx = np.arange(len(xs))
    steps = len(xs) // batch_size
    losses = []
    epoch = 0
    while epoch < epochs:
        rng.shuffle(idx)
        for batch in idx[:steps * batch_size].reshape(steps, batch_size):
            grad = dL(theta, np.take(xs, batch), np.take(ys, batch))
            theta = theta - step / batch_size * grad
            losses.append(float(L(theta, xs, ys)))
        epoch += 1
    return theta, losses
""",
            "step_decay": """
def step_decay(t, lr0, drop=0.5, every=10):
    return lr0 * np.power(drop, np.asarray(t) // every)
""",
            "cosine_annealing": """
def cosine_annealing(t, T, lr_max, lr_min=0.0):
    t = np.asarray(t)
    inside = lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * t / T)) / 2
    return np.where(t < T, inside, lr_min)
""",
            "linear_warmup": """
def linear_warmup(t, warmup, lr_max):
    t = np.asarray(t)
    return np.where(t < warmup, lr_max * t / warmup, lr_max)
""",
        },
    ),
    dict(
        id="alt_permuted_copies_polyfit",
        kind="alternative",
        about="permuted copies of xs and ys, array of losses, polyfit, scalar-friendly schedules",
        replace={
            "linear_loss": """
def linear_loss(theta, xs, ys):
    r = np.polyval(theta, xs) - ys
    return r @ r
""",
            "linear_dloss": """
def linear_dloss(theta, xs, ys):
    r = np.polyval(theta, xs) - ys
    return np.array([2 * np.dot(r, xs), 2 * r.sum()])
""",
            "closed_form_theta": """
def closed_form_theta(xs, ys):
    return np.polyfit(xs, ys, 1)
""",
            "sgd": """
def sgd(L, dL, theta_0, xs, ys, step=0.1, batch_size=10, epochs=10, rng=None):
    rng = np.random.default_rng(rng)
    xs, ys = np.asarray(xs), np.asarray(ys)
    theta = np.asarray(theta_0) + 0.0
    n_batches = len(xs) // batch_size
    losses = np.empty(epochs * n_batches)
    k = 0
    for epoch in range(epochs):
        perm = rng.permutation(len(xs))
        x_perm, y_perm = xs[perm], ys[perm]
        for b in range(n_batches):
            sl = slice(b * batch_size, (b + 1) * batch_size)
            theta = theta - step * (dL(theta, x_perm[sl], y_perm[sl]) / batch_size)
            losses[k] = L(theta, xs, ys)
            k += 1
    return theta, losses
""",
            "step_decay": """
def step_decay(t, lr0, drop=0.5, every=10):
    return lr0 * drop ** np.floor_divide(t, every)
""",
            "cosine_annealing": """
def cosine_annealing(t, T, lr_max, lr_min=0.0):
    frac = np.clip(np.divide(t, T), 0.0, 1.0)
    return lr_min + (lr_max - lr_min) * np.cos(np.pi * frac / 2) ** 2
""",
            "linear_warmup": """
def linear_warmup(t, warmup, lr_max):
    return np.clip(np.multiply(lr_max / warmup, t), 0.0, lr_max)
""",
        },
    ),
    dict(
        id="alt_choice_permutation_index_loop",
        kind="alternative",
        about="rng.choice(n, n, replace=False) as the permutation, an index loop, np.where warmup",
        replace={
            "sgd": """
def sgd(L, dL, theta_0, xs, ys, step=0.1, batch_size=10, epochs=10, rng=None):
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    xs = np.array(xs)
    ys = np.array(ys)
    n = xs.shape[0]
    theta = np.array(theta_0, dtype=float)
    losses = []
    for epoch in range(epochs):
        perm = rng.choice(n, size=n, replace=False)
        i = 0
        while i + batch_size <= n:
            idx = perm[i:i + batch_size]
            theta = theta - (step / batch_size) * np.asarray(dL(theta, xs[idx], ys[idx]))
            losses.append(float(L(theta, xs, ys)))
            i += batch_size
    return theta, losses
""",
            "linear_warmup": """
def linear_warmup(t, warmup, lr_max):
    t = np.asarray(t, dtype=float)
    return np.where(t >= warmup, lr_max, lr_max * t / warmup)
""",
        },
    ),
    # ---- cheats
    dict(
        id="alt_variance_vectorized_choice",
        kind="alternative",
        about="rng.choice(replace=False) per trial, one array of batch gradients, closed-form "
        "prediction",
        replace={
            "minibatch_gradient_variance": """
def minibatch_gradient_variance(dL, theta, xs, ys, batch_size, trials=1000, rng=None):
    rng = np.random.default_rng(rng)
    xs = np.asarray(xs)
    ys = np.asarray(ys)
    n = xs.shape[0]
    gs = np.array([dL(theta, xs[idx], ys[idx]) / batch_size
                   for idx in (rng.choice(n, size=batch_size, replace=False)
                               for _ in range(trials))])
    full = dL(theta, xs, ys) / n
    return float(np.mean(np.sum((gs - full) ** 2, axis=1)))
""",
            "predicted_variance_ratio": """
def predicted_variance_ratio():
    n, b = 1000, 500
    return 1.0 / ((n - b) / (b * (n - 1)))
""",
        },
    ),
    dict(
        id="alt_variance_sorted_batches_running_mean",
        kind="alternative",
        about="argsort of uniform numbers as the random subset, a running mean, the prediction "
        "as an int",
        replace={
            "minibatch_gradient_variance": """
def minibatch_gradient_variance(dL, theta, xs, ys, batch_size, trials=1000, rng=None):
    rng = np.random.default_rng(rng)
    xs, ys = np.array(xs), np.array(ys)
    gbar = np.array(dL(theta, xs, ys)) / len(xs)
    mean = 0.0
    for k in range(1, trials + 1):
        idx = np.argsort(rng.random(len(xs)))[:batch_size]   # a uniformly random subset
        d = np.array(dL(theta, xs[idx], ys[idx])) / batch_size - gbar
        mean += (np.dot(d, d) - mean) / k
    return mean
""",
            "predicted_variance_ratio": "def predicted_variance_ratio():\n    return 999\n",
        },
    ),
    dict(
        id="cheat_hardcoded_closed_form",
        kind="cheat",
        about="closed_form_theta returns the visible test's answer",
        replace={
            "closed_form_theta": "def closed_form_theta(xs, ys):\n    return np.array([2.0, 1.0])\n"
        },
        lose=["test_closed_form_theta"],
    ),
    dict(
        id="cheat_hardcoded_schedule",
        kind="cheat",
        about="step_decay as a lookup table of the visible test's values",
        replace={
            "step_decay": """
def step_decay(t, lr0, drop=0.5, every=10):
    table = {0: 0.1, 9: 0.1, 10: 0.05, 19: 0.05, 20: 0.025}
    if np.ndim(t) == 0:
        return table[int(t)]
    return np.array([table[int(k)] for k in t])
"""
        },
        lose=["test_step_decay"],
    ),
    dict(
        id="cheat_delegate_to_helpers",
        kind="cheat",
        about="step_decay and cosine_annealing wrap helpers.step_decay / helpers.cosine_annealing",
        replace={
            "step_decay": """
def step_decay(t, lr0, drop=0.5, every=10):
    return helpers.step_decay(lr0, drop=drop, every=every)(t)
""",
            "cosine_annealing": """
def cosine_annealing(t, T, lr_max, lr_min=0.0):
    return helpers.cosine_annealing(lr_max, T, lr_min=lr_min)(t)
""",
        },
        lose=["test_step_decay", "test_cosine_annealing"],
    ),
]
LOGISTIC = """
def logistic_dloss(theta, xs, ys, lam=0.1):
    theta = np.asarray(theta, dtype=float)
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    z = theta[0] * xs + theta[1]
    p = np.exp(-np.logaddexp(0.0, -z))
    data = np.array([np.sum((p - ys) * xs), np.sum(p - ys)])
    return data + len(xs) * lam * theta
"""

LOGISTIC_CELLS = ["test_logistic_dloss", "test_logistic_dloss_stable"]


def _logistic(about, old, new, lose=LOGISTIC_CELLS, name=None):
    """A mutant of the reference logistic_dloss with one line changed."""
    return dict(
        id=name,
        kind="mutant",
        about=about,
        replace={"logistic_dloss": _sub(LOGISTIC, old, new)},
        lose=list(lose),
    )


_DATA_LINE = "    data = np.array([np.sum((p - ys) * xs), np.sum(p - ys)])"
_PENALTY_LINE = "    return data + len(xs) * lam * theta"
_SIGMA_LINE = "    p = np.exp(-np.logaddexp(0.0, -z))"

LOGISTIC_SUBMISSIONS = [
    # ---- mutants of the derivation: each plausible wrong gradient loses both of its cells
    # (the large-score cell compares values too); only the unstable sigma loses the 5 alone
    _logistic("logistic_dloss: sign flipped, (y - p) instead of (p - y)", _DATA_LINE,
              "    data = np.array([np.sum((ys - p) * xs), np.sum(ys - p)])",
              name="mutant_logistic_dloss_sign"),
    _logistic("logistic_dloss: d/dz log(1 + e^z) taken as sigma(-z) = 1 / (1 + e^z)",
              _SIGMA_LINE, "    p = np.exp(-np.logaddexp(0.0, z))",
              name="mutant_logistic_dloss_sigma_of_minus_z"),
    _logistic("logistic_dloss: chain rule forgotten, no factor x_i in the slope's derivative",
              _DATA_LINE, "    data = np.array([np.sum(p - ys), np.sum(p - ys)])",
              name="mutant_logistic_dloss_no_x"),
    _logistic("logistic_dloss: intercept's derivative first (components swapped)", _DATA_LINE,
              "    data = np.array([np.sum(p - ys), np.sum((p - ys) * xs)])",
              name="mutant_logistic_dloss_swapped"),
    _logistic("logistic_dloss: the label term -y z forgotten (gradient of log(1 + e^z) only)",
              _DATA_LINE, "    data = np.array([np.sum(p * xs), np.sum(p)])",
              name="mutant_logistic_dloss_no_label_term"),
    _logistic("logistic_dloss: the penalty's gradient added once, not once per point",
              _PENALTY_LINE, "    return data + lam * theta",
              name="mutant_logistic_dloss_penalty_once"),
    _logistic("logistic_dloss: penalty gradient lam theta / 2 (the factor 2 of the square lost)",
              _PENALTY_LINE, "    return data + len(xs) * lam * theta / 2",
              name="mutant_logistic_dloss_penalty_half"),
    _logistic("logistic_dloss: the penalty forgotten", _PENALTY_LINE, "    return data",
              name="mutant_logistic_dloss_no_penalty"),
    _logistic("logistic_dloss: only the slope penalized (the text penalizes both parameters)",
              _PENALTY_LINE, "    return data + len(xs) * lam * np.array([theta[0], 0.0])",
              name="mutant_logistic_dloss_slope_only_penalty"),
    _logistic("logistic_dloss: the mean over the points instead of the sum (sgd divides again)",
              _PENALTY_LINE, "    return (data + len(xs) * lam * theta) / len(xs)",
              name="mutant_logistic_dloss_mean"),
    _logistic("logistic_dloss: the lam argument ignored (the default 0.1 always)", _PENALTY_LINE,
              "    return data + len(xs) * 0.1 * theta", name="mutant_logistic_dloss_lam_ignored"),
    _logistic("logistic_dloss: hw1's margin form for labels +-1, -y sigma(-y z) (x, 1), with "
              "labels 0/1", _DATA_LINE,
              "    data = np.array([np.sum(-ys * (1 - p) * xs), np.sum(-ys * (1 - p))])",
              name="mutant_logistic_dloss_pm1_labels"),
    _logistic("logistic_dloss: sigma(z) = e^z / (1 + e^z), nan (inf / inf) at z = 1000",
              _SIGMA_LINE, "    p = np.exp(z) / (1 + np.exp(z))",
              lose=["test_logistic_dloss_stable"], name="mutant_logistic_dloss_unstable"),
    dict(
        id="mutant_logistic_dloss_math_exp_loop",
        kind="mutant",
        about="logistic_dloss: a loop with math.exp(-z), OverflowError at z = -1000",
        replace={
            "logistic_dloss": """
import math


def logistic_dloss(theta, xs, ys, lam=0.1):
    g = np.zeros(2)
    for x, y in zip(xs, ys):
        p = 1.0 / (1.0 + math.exp(-(theta[0] * x + theta[1])))
        g += (p - y) * np.array([x, 1.0]) + lam * theta
    return g
"""
        },
        lose=["test_logistic_dloss_stable"],
    ),
    # ---- correct derivations written differently
    dict(
        id="alt_logistic_dloss_loop_branches",
        kind="alternative",
        about="logistic_dloss: a loop over the points, math.exp in a sign branch, the penalty "
        "added per point",
        replace={
            "logistic_dloss": """
import math


def logistic_dloss(theta, xs, ys, lam=0.1):
    g0, g1 = 0.0, 0.0
    for x, y in zip(xs, ys):
        z = theta[0] * x + theta[1]
        if z >= 0:
            p = 1.0 / (1.0 + math.exp(-z))
        else:
            e = math.exp(z)
            p = e / (1.0 + e)
        g0 += (p - y) * x + lam * theta[0]
        g1 += (p - y) + lam * theta[1]
    return np.array([g0, g1])
"""
        },
    ),
    dict(
        id="alt_logistic_dloss_tanh_matrix",
        kind="alternative",
        about="logistic_dloss: design matrix X = [x, 1], sigma = (1 + tanh(z / 2)) / 2, "
        "X.T @ (p - y) + b lam theta",
        replace={
            "logistic_dloss": """
def logistic_dloss(theta, xs, ys, lam=0.1):
    X = np.column_stack([xs, np.ones(len(xs))])
    p = (1 + np.tanh(X @ theta / 2)) / 2
    return X.T @ (p - ys) + len(ys) * lam * np.asarray(theta)
"""
        },
    ),
    dict(
        id="alt_logistic_dloss_where_naive",
        kind="alternative",
        about="logistic_dloss: np.where over both sigma forms (overflow warnings, nan in the "
        "unused branch), per-point gradients summed",
        replace={
            "logistic_dloss": """
def logistic_dloss(theta, xs, ys, lam=0.1):
    z = theta[0] * xs + theta[1]
    p = np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
    per_point = np.stack([(p - ys) * xs + lam * theta[0], (p - ys) + lam * theta[1]], axis=1)
    return per_point.sum(axis=0)
"""
        },
    ),
    dict(
        id="alt_logistic_dloss_naive_sigmoid",
        kind="alternative",
        about="logistic_dloss: 1 / (1 + np.exp(-z)) (overflows to 1 / inf = 0, a warning), "
        "np.dot",
        replace={
            "logistic_dloss": """
def logistic_dloss(theta, xs, ys, lam=0.1):
    r = 1.0 / (1.0 + np.exp(-(theta[0] * xs + theta[1]))) - ys
    return np.array([np.dot(r, xs) + len(xs) * lam * theta[0], r.sum() + len(xs) * lam * theta[1]])
"""
        },
    ),
    # ---- cheats
    dict(
        id="cheat_logistic_dloss_finite_differences",
        kind="cheat",
        about="logistic_dloss: central differences of logistic_loss instead of the derivation "
        "(the text forbids it)",
        replace={
            "logistic_dloss": """
def logistic_dloss(theta, xs, ys, lam=0.1):
    theta = np.asarray(theta, dtype=float)
    g = np.zeros(2)
    for k in range(2):
        e = np.zeros(2)
        e[k] = 1e-6
        up, down = logistic_loss(theta + e, xs, ys, lam), logistic_loss(theta - e, xs, ys, lam)
        g[k] = (up - down) / 2e-6
    return g
"""
        },
        lose=LOGISTIC_CELLS,
    ),
    dict(
        id="cheat_logistic_dloss_helpers_gradient",
        kind="cheat",
        about="logistic_dloss: helpers.numerical_gradient of logistic_loss",
        replace={
            "logistic_dloss": """
def logistic_dloss(theta, xs, ys, lam=0.1):
    return helpers.numerical_gradient(lambda t: logistic_loss(t, xs, ys, lam), theta)
"""
        },
        lose=LOGISTIC_CELLS,
    ),
    dict(
        id="cheat_hardcoded_logistic_dloss",
        kind="cheat",
        about="logistic_dloss: the visible tests' answers, the right formula without the penalty "
        "elsewhere",
        replace={
            "logistic_dloss": """
def logistic_dloss(theta, xs, ys, lam=0.1):
    if len(xs) == 2 and theta[0] == 10.0:
        return np.array([202.0, 0.0])
    p = 1 / (1 + np.exp(-(theta[0] * xs + theta[1])))
    return np.array([np.sum((p - ys) * xs), np.sum(p - ys)]) + len(xs) * 0.3 * theta
"""
        },
        lose=LOGISTIC_CELLS,
    ),
]

SUBMISSIONS += LOGISTIC_SUBMISSIONS
