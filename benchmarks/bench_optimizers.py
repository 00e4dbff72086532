"""Benchmark of the reference optimizers in ``helpers`` against ``scipy.optimize.minimize``.

For each problem (quadratics with kappa = 10 and 1000, Rosenbrock, Beale, exp_sum) one
Markdown table: method, converged, iterations, f / gradient / Hessian evaluations, wall time,
final error ||x - x*|| and final gradient norm, for our methods and for scipy's BFGS,
L-BFGS-B, Newton-CG and trust-ncg started from the same point. Then a least-squares problem
with 10^5 samples for SGD, and a table of measured convergence rates vs theory.

Stopping rules differ slightly (documented in benchmarks/README.md): ours stop on
``||grad f||_2 <= TOL``; scipy's BFGS and L-BFGS-B on ``||grad f||_inf <= TOL``, trust-ncg on
``||grad f||_2 <= TOL``, and Newton-CG on the average relative step (``xtol``), so compare the
final-gradient column too.

Run ``python benchmarks/bench_optimizers.py`` (``--overhead``: only the driver-overhead table,
the per-iteration cost of the driver against bare numpy loops); ``main()`` returns the
Markdown text (used by
``benchmarks/run_all.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import scipy.optimize

import helpers
from helpers.optim.rates import asymptotic_rate

TOL = 1e-5
MAXITER = 12_000


# --------------------------------------------------------------------------- problems
def rotated_quadratic(kappa: float, n: int = 50, seed: int = 0) -> helpers.Problem:
    """Eigenvalues evenly spaced in [1, kappa], random orthonormal eigenvectors."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = Q @ np.diag(np.linspace(1.0, kappa, n)) @ Q.T
    return helpers.quadratic(0.5 * (A + A.T), rng.standard_normal(n))


def problems() -> dict[str, tuple[helpers.Problem, np.ndarray, dict]]:
    """name -> (problem, x0, facts used to tune the first-order methods)."""
    out = {}
    for kappa in (10.0, 1000.0):
        p = rotated_quadratic(kappa)
        x0 = np.random.default_rng(1).standard_normal(p.n)
        out[f"quadratic, n = 50, kappa = {kappa:g}"] = (p, x0, {"mu": 1.0, "L": kappa})
    for factory in (helpers.rosenbrock, helpers.beale, helpers.exp_sum):
        p = factory()
        out[f"{p.name}, x0 = {tuple(float(v) for v in p.x0)}"] = (p, np.asarray(p.x0), {})
    return out


# --------------------------------------------------------------------------- runners
def _ours(p, x0, facts) -> dict[str, Callable[[], helpers.Trace]]:
    f, g, h = p.f, p.grad, p.hess
    kw = {"tol": TOL, "maxiter": MAXITER}
    if facts:  # quadratic: the textbook step sizes
        mu, L = facts["mu"], facts["L"]
        sk = np.sqrt(L / mu)
        first_order = {
            "gradient descent, lr = 1/L": lambda: helpers.gradient_descent(f, g, x0, lr=1 / L,
                                                                           **kw),
            "gradient descent, exact line search": lambda: helpers.gradient_descent(
                f, g, x0, line_search="exact_quadratic", hess=h, **kw),
            "heavy ball (Polyak tuning)": lambda: helpers.momentum(
                f, g, x0, lr=4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, beta=((sk - 1) / (sk + 1)) ** 2,
                **kw),
            "Nesterov, lr = 1/L": lambda: helpers.nesterov(f, g, x0, lr=1 / L,
                                                           beta=(sk - 1) / (sk + 1), **kw),
            "Adam, lr = 0.01": lambda: helpers.adam(f, g, x0, lr=0.01, **kw),
        }
    else:
        first_order = {
            "gradient descent, backtracking": lambda: helpers.gradient_descent(
                f, g, x0, lr=1.0, line_search="backtracking", **kw),
            "heavy ball, lr = 1e-3, beta = 0.9": lambda: helpers.momentum(f, g, x0, lr=1e-3,
                                                                          beta=0.9, **kw),
            "Nesterov, lr = 1e-3, beta = 0.9": lambda: helpers.nesterov(f, g, x0, lr=1e-3,
                                                                        beta=0.9, **kw),
            "Adam, lr = 0.01": lambda: helpers.adam(f, g, x0, lr=0.01, **kw),
        }
    second_order = {
        "Newton (damped)": lambda: helpers.newton(f, g, h, x0, damped=True, tol=TOL,
                                                  maxiter=200),
        "BFGS": lambda: helpers.bfgs(f, g, x0, tol=TOL, maxiter=2000),
        "L-BFGS (m = 10)": lambda: helpers.lbfgs(f, g, x0, m=10, tol=TOL, maxiter=2000),
    }
    return first_order | second_order


def _scipy(p, x0) -> dict[str, Callable[[], scipy.optimize.OptimizeResult]]:
    f, g, h = p.f, p.grad, p.hess
    return {
        "scipy BFGS": lambda: scipy.optimize.minimize(f, x0, jac=g, method="BFGS",
                                                      options={"gtol": TOL}),
        "scipy L-BFGS-B": lambda: scipy.optimize.minimize(f, x0, jac=g, method="L-BFGS-B",
                                                          options={"gtol": TOL}),
        "scipy Newton-CG": lambda: scipy.optimize.minimize(f, x0, jac=g, hess=h,
                                                           method="Newton-CG"),
        "scipy trust-ncg": lambda: scipy.optimize.minimize(f, x0, jac=g, hess=h,
                                                           method="trust-ncg",
                                                           options={"gtol": TOL}),
    }


def _timed(fn, budget=0.5):
    """Result of ``fn()`` and its best wall time over up to 5 runs (fewer if a run is slow)."""
    best, result, spent = np.inf, None, 0.0
    for _ in range(5):
        t0 = time.perf_counter()
        result = fn()
        dt = time.perf_counter() - t0
        best, spent = min(best, dt), spent + dt
        if spent > budget:
            break
    return result, best


def _row(name, converged, nit, nfev, ngev, nhev, seconds, err, gnorm):
    return (f"| {name} | {'yes' if converged else '**no**'} | {nit} | {nfev} | {ngev} | "
            f"{nhev if nhev else '-'} | {1e3 * seconds:.1f} | {err:.1e} | {gnorm:.1e} |")


HEADER = ("| method | converged | iterations | f evals | grad evals | Hessian evals | "
          "wall time (ms) | ‖x − x*‖ | ‖∇f‖ |\n|---|---|---:|---:|---:|---:|---:|---:|---:|")


def problem_table(name, p, x0, facts) -> str:
    x_star = p.minimizers[0]
    rows = []
    for label, run in _ours(p, x0, facts).items():
        tr, dt = _timed(run)
        rows.append(_row(label, tr.converged, tr.n_iter, tr.n_fev, tr.n_gev,
                         tr.extras.get("n_hev", 0), dt, np.linalg.norm(tr.x - x_star),
                         np.linalg.norm(p.grad(tr.x))))
    for label, run in _scipy(p, x0).items():
        res, dt = _timed(run)
        rows.append(_row(label, res.success, res.nit, res.nfev, res.get("njev", 0),
                         res.get("nhev", 0), dt, np.linalg.norm(res.x - x_star),
                         np.linalg.norm(p.grad(res.x))))
    return f"### {name}\n\n{HEADER}\n" + "\n".join(rows)


# --------------------------------------------------------------------------- SGD
def sgd_table(n_samples=100_000, n_features=20, seed=0) -> str:
    """Linear least squares f(w) = 1/(2N) ||X w - y||^2 with N = 10^5 samples."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features)) * np.linspace(0.5, 2.0, n_features)
    w_true = rng.standard_normal(n_features)
    y = X @ w_true + 0.5 * rng.standard_normal(n_samples)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]

    def loss(w, X=X, y=y):
        r = X @ w - y
        return 0.5 * float(r @ r) / len(y)

    def grad_batch(w, Xb, yb):
        return Xb.T @ (Xb @ w - yb) / len(yb)

    full_grad = lambda w: grad_batch(w, X, y)  # noqa: E731
    L = float(np.linalg.eigvalsh(X.T @ X / n_samples).max())
    f_star = loss(w_star)
    w0 = np.zeros(n_features)
    runs = {
        "SGD, batch 64, lr = 0.5/L, 5 epochs": lambda: helpers.sgd(
            grad_batch, w0, (X, y), 64, 5, lr=0.5 / L, rng=np.random.default_rng(1),
            record_every=100),
        "SGD, batch 64, lr = 0.5/L, averaged, 5 epochs": lambda: helpers.sgd(
            grad_batch, w0, (X, y), 64, 5, lr=0.5 / L, rng=np.random.default_rng(1),
            average=True, record_every=100),
        "SGD, batch 8, lr = C/sqrt(t+1), C = 0.5/L, averaged, 1 epoch": lambda: helpers.sgd(
            grad_batch, w0, (X, y), 8, 1, lr=helpers.inverse_sqrt(0.5 / L),
            rng=np.random.default_rng(1), average=True, record_every=1000),
        "gradient descent (full batch), lr = 1/L": lambda: helpers.gradient_descent(
            loss, full_grad, w0, lr=1 / L, tol=TOL),
        "L-BFGS (full batch)": lambda: helpers.lbfgs(loss, full_grad, w0, tol=TOL),
        "scipy L-BFGS-B (full batch)": lambda: scipy.optimize.minimize(
            loss, w0, jac=full_grad, method="L-BFGS-B", options={"gtol": TOL}),
    }
    rows = []
    for label, run in runs.items():
        res, dt = _timed(run, budget=1.0)
        if isinstance(res, helpers.Trace):
            w, nit, ngev = res.x, res.n_iter, res.n_gev
            samples = (res.n_iter * res.batch_size if "batch_size" in res.extras
                       else res.n_gev * n_samples)
        else:
            w, nit, ngev = res.x, res.nit, res.njev
            samples = res.njev * n_samples
        rows.append(f"| {label} | {nit} | {ngev} | {samples / n_samples:.1f} | "
                    f"{1e3 * dt:.0f} | {np.linalg.norm(w - w_star):.1e} | "
                    f"{loss(w) - f_star:.1e} |")
    exact, dt = _timed(lambda: np.linalg.lstsq(X, y, rcond=None)[0], budget=1.0)
    rows.append(f"| np.linalg.lstsq (direct) | - | - | - | {1e3 * dt:.0f} | "
                f"{np.linalg.norm(exact - w_star):.1e} | {loss(exact) - f_star:.1e} |")
    head = ("| method | iterations | gradient evals (batches) | passes over data | "
            "wall time (ms) | ‖w − w*‖ | f(w) − f* |\n|---|---:|---:|---:|---:|---:|---:|")
    return (f"### Least squares, N = {n_samples:,} samples, d = {n_features} "
            f"(L = {L:.2f}, f* = {f_star:.4f})\n\n{head}\n" + "\n".join(rows))


# --------------------------------------------------------------------------- rates vs theory
def rates_table() -> str:
    """Measured asymptotic rates on quadratics (n = 50) vs the textbook formulas."""
    rows = []
    for kappa in (10.0, 100.0, 1000.0):
        p = rotated_quadratic(kappa)
        x0 = np.random.default_rng(1).standard_normal(p.n)
        xs = p.minimizers[0]
        mu, L, sk = 1.0, kappa, np.sqrt(kappa)
        tight = {"tol": 1e-10, "maxiter": 200_000}
        gd1 = helpers.gradient_descent(p.f, p.grad, x0, lr=1 / L, **tight)
        gd2 = helpers.gradient_descent(p.f, p.grad, x0, lr=2 / (mu + L), **tight)
        hb = helpers.momentum(p.f, p.grad, x0, lr=4 / (np.sqrt(L) + np.sqrt(mu)) ** 2,
                              beta=((sk - 1) / (sk + 1)) ** 2, **tight)
        nag = helpers.nesterov(p.f, p.grad, x0, lr=1 / L, beta=(sk - 1) / (sk + 1), **tight)
        for label, tr, theory in [
            ("GD, lr = 1/L", gd1, 1 - mu / L),
            ("GD, lr = 2/(mu+L)", gd2, (kappa - 1) / (kappa + 1)),
            ("heavy ball, Polyak tuning", hb, (sk - 1) / (sk + 1)),
            ("Nesterov, lr = 1/L", nag, 1 - 1 / sk),
        ]:
            measured = asymptotic_rate(tr, xs)
            rows.append(f"| {kappa:g} | {label} | {measured:.5f} | {theory:.5f} | "
                        f"{100 * (measured - theory) / theory:+.2f}% | {tr.n_iter} |")
    head = ("| kappa | method | measured rate | theory | deviation | iterations to "
            "‖∇f‖ ≤ 1e-10 |\n|---:|---|---:|---:|---:|---:|")
    note = ("Rates are least-squares fits of log‖x_k − x*‖ over the iterates with relative "
            "error in [1e-12, 1e-3]. For heavy ball and for Nesterov with these parameters the "
            "slowest mode has a double root q (for Nesterov q = 1 − 1/sqrt(kappa) exactly), so "
            "the error behaves like k q^k and the fitted rate is slightly above q at small "
            "kappa.")
    return f"### Convergence rates on quadratics vs theory\n\n{note}\n\n{head}\n" + "\n".join(rows)


def newton_digits_table() -> str:
    p = helpers.exp_sum()
    x_star = scipy.optimize.root(p.grad, p.minimizers[0], jac=p.hess, tol=1e-15).x
    rows = []
    for x0 in [(-1.0, 1.0), (-1.0, -1.0), tuple(float(v) for v in p.x0)]:
        tr = helpers.newton(p.f, p.grad, p.hess, x0, tol=1e-13)
        e = np.linalg.norm(tr.xs - x_star, axis=1)
        digits = ", ".join(f"{-np.log10(v):.2f}" if v > 0 else "exact" for v in e)
        rows.append(f"| {x0} | {tr.n_iter} | {digits} |")
    return ("### Newton on exp_sum: correct digits −log10‖x_k − x*‖ per iterate\n\n"
            "| x0 | iterations | digits at k = 0, 1, 2, ... |\n|---|---:|---|\n"
            + "\n".join(rows))


# --------------------------------------------------------------------------- driver overhead
OVERHEAD_ITERS = 5000
OVERHEAD_GOAL = 1.5


def _bare_loops(f, grad, x0, lr, beta, n):
    """The same methods as plain numpy loops recording x, f(x) and ||grad f(x)|| every step."""

    def gd():
        x = x0.copy()
        g = grad(x)
        xs, fs, gns = [x], [f(x)], [np.linalg.norm(g)]
        for _ in range(n):
            x = x - lr * g
            g = grad(x)
            xs.append(x)
            fs.append(f(x))
            gns.append(np.linalg.norm(g))
        return np.array(xs), np.array(fs), np.array(gns)

    def heavy_ball():
        x = x0.copy()
        g, v = grad(x), np.zeros_like(x0)
        xs, fs, gns = [x], [f(x)], [np.linalg.norm(g)]
        for _ in range(n):
            v = beta * v + g
            x = x - lr * v
            g = grad(x)
            xs.append(x)
            fs.append(f(x))
            gns.append(np.linalg.norm(g))
        return np.array(xs), np.array(fs), np.array(gns)

    def adam(b1=0.9, b2=0.999, eps=1e-8):
        x = x0.copy()
        g, m, v = grad(x), np.zeros_like(x0), np.zeros_like(x0)
        xs, fs, gns = [x], [f(x)], [np.linalg.norm(g)]
        for t in range(1, n + 1):
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            x = x - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
            g = grad(x)
            xs.append(x)
            fs.append(f(x))
            gns.append(np.linalg.norm(g))
        return np.array(xs), np.array(fs), np.array(gns)

    return {"gradient descent": gd, "momentum": heavy_ball, "adam": adam}


SGD_SAMPLES, SGD_BATCH = 1000, 10  # 100 steps per epoch: OVERHEAD_ITERS / 100 epochs


def _sgd_problem(seed=0):
    """2-D least squares for the sgd row: data, averaged minibatch gradient, x0."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(SGD_SAMPLES, 2))
    y = X @ np.array([1.0, -2.0]) + 0.1 * rng.normal(size=SGD_SAMPLES)

    def grad_batch(w, Xb, yb):
        return Xb.T @ (Xb @ w - yb) / len(yb)

    return X, y, grad_batch, np.array([4.0, -3.0])


def _bare_sgd(lr, n):
    """Minibatch SGD as a plain loop recording x and the minibatch gradient norm every step."""
    X, y, grad_batch, x0 = _sgd_problem()
    epochs = n * SGD_BATCH // SGD_SAMPLES

    def sgd():
        rng = np.random.default_rng(0)
        x = x0.copy()
        xs, gns = [x], [np.nan]
        for _ in range(epochs):
            order = rng.permutation(SGD_SAMPLES)
            for start in range(0, SGD_SAMPLES, SGD_BATCH):
                idx = order[start:start + SGD_BATCH]
                g = grad_batch(x, X[idx], y[idx])
                x = x - lr * g
                xs.append(x)
                gns.append(np.linalg.norm(g))
        return np.array(xs), None, np.array(gns)

    def ours():
        return helpers.sgd(grad_batch, x0, (X, y), SGD_BATCH, epochs, lr=lr,
                           rng=np.random.default_rng(0))

    return ours, sgd


def overhead_table(repeats: int = 7) -> str:
    """Per-iteration cost of helpers' driver against bare numpy loops (2-D quadratic)."""
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -1.0])

    def f(x):
        return 0.5 * x @ A @ x - b @ x

    def grad(x):
        return A @ x - b

    x0, lr, beta, n = np.array([4.0, -3.0]), 0.01, 0.9, OVERHEAD_ITERS
    kw = {"tol": 0.0, "maxiter": n}
    ours = {
        "gradient descent": lambda: helpers.gradient_descent(f, grad, x0, lr=lr, **kw),
        "momentum": lambda: helpers.momentum(f, grad, x0, lr=lr, beta=beta, **kw),
        "adam": lambda: helpers.adam(f, grad, x0, lr=lr, **kw),
    }
    bare = _bare_loops(f, grad, x0, lr, beta, n)
    ours["sgd (batch 10, 2-D least squares)"], bare["sgd (batch 10, 2-D least squares)"] = (
        _bare_sgd(lr, n))
    rows = []
    for name, run in ours.items():
        tr = run()
        assert tr.n_iter == n, (name, tr.message)
        xs, _, _ = bare[name]()
        assert np.allclose(xs, tr.xs, rtol=1e-9, atol=1e-12), name
        # interleaved best-of-repeats: both see the same load
        # CPU time of this process, not wall time: on a loaded machine the wall clock mostly
        # measures the other processes.
        t_ours, t_bare = np.inf, np.inf
        for _ in range(repeats):
            t0 = time.process_time()
            run()
            t_ours = min(t_ours, time.process_time() - t0)
            t0 = time.process_time()
            bare[name]()
            t_bare = min(t_bare, time.process_time() - t0)
        ratio = t_ours / t_bare
        rows.append(f"| {name} | {1e6 * t_bare / n:.2f} | {1e6 * t_ours / n:.2f} | "
                    f"{1e6 * (t_ours - t_bare) / n:.2f} | {ratio:.2f}x | "
                    f"{'yes' if ratio <= OVERHEAD_GOAL else '**no**'} |")
    head = ("| method | bare numpy loop (µs/iter) | helpers (µs/iter) | "
            f"bookkeeping (µs/iter) | ratio | ≤ {OVERHEAD_GOAL}x |\n"
            "|---|---:|---:|---:|---:|---|")
    note = (f"2-D quadratic, {n:,} iterations (tol = 0), best of {repeats} interleaved runs "
            "(process CPU time). "
            "The bare loop records the iterate, f(x) and np.linalg.norm(grad f(x)) at every "
            "step, as the driver does; the driver also counts evaluations, caches them for "
            "line searches and tests for divergence at every step. The sgd row: 2-D least "
            f"squares with {SGD_SAMPLES} samples, batch {SGD_BATCH}, {n:,} steps; the bare "
            "loop records x and the minibatch gradient norm.")
    title = "### Driver overhead against a bare numpy loop"
    return f"{title}\n\n{note}\n\n{head}\n" + "\n".join(rows)


def main() -> str:
    t0 = time.perf_counter()
    parts = ["## Optimizers (`benchmarks/bench_optimizers.py`)",
             f"Tolerance ‖∇f‖ ≤ {TOL:g} (scipy: see benchmarks/README.md), first-order methods "
             f"capped at {MAXITER:,} iterations. Wall time: best of up to 5 runs."]
    parts.append(overhead_table())
    for name, (p, x0, facts) in problems().items():
        parts.append(problem_table(name, p, x0, facts))
    parts.append(sgd_table())
    parts.append(rates_table())
    parts.append(newton_digits_table())
    parts.append(f"_Optimizer benchmark ran in {time.perf_counter() - t0:.0f} s._")
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    import sys

    print(overhead_table() if "--overhead" in sys.argv[1:] else main())
