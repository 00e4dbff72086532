"""Benchmarks for helpers.gradcheck and the vectorized test problems.

Three Markdown tables:

(a) checker accuracy: normwise relative error max|num - grad| / max|grad| of finite-difference
    gradients (and Hessians) on each test problem, worst case over random points in [-1, 1]^n;
(b) time of ``numerical_jacobian`` (one batched call) vs ``scipy.optimize.approx_fprime``
    (a Python loop of forward differences) at n = 10, 100, 1000 on the vectorized n-D
    Rosenbrock function, median of repeats;
(c) evaluating f on a 200 x 200 grid: one vectorized call vs a Python double loop.

Run ``python benchmarks/bench_gradcheck.py``; ``main()`` returns the Markdown text (used by
``benchmarks/run_all.py``).
"""

from __future__ import annotations

import platform
import time
import timeit

import numpy as np
import scipy
import scipy.optimize

from helpers import (
    beale,
    exp_sum,
    gaussian_bump,
    himmelblau,
    multimodal,
    numerical_gradient,
    numerical_hessian,
    numerical_jacobian,
    quadratic,
    rosenbrock,
)

PROBLEMS = {
    "quadratic (2-D)": lambda: quadratic([[2.0, 0.5], [0.5, 1.0]], b=[1.0, 1.0]),
    "rosenbrock": rosenbrock,
    "rosenbrock (n=10)": lambda: rosenbrock(n=10),
    "beale": beale,
    "himmelblau": himmelblau,
    "exp_sum": exp_sum,
    "gaussian_bump": gaussian_bump,
    "multimodal": multimodal,
}


def _rel(approx: np.ndarray, exact: np.ndarray) -> float:
    return float(np.max(np.abs(approx - exact)) / np.max(np.abs(exact)))


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def accuracy_table(n_points: int = 20, seed: int = 0) -> str:
    """(a) Worst relative error of each finite-difference formula over random points."""
    rng = np.random.default_rng(seed)
    header = ["problem", "forward, h = 1e-10 (notes)", "forward, sqrt(eps) scaled",
              "scipy approx_fprime", "central, cbrt(eps) scaled (ours)",
              "Hessian: central of grad", "Hessian: 2nd differences of f"]
    rows = []
    for name, make in PROBLEMS.items():
        p = make()
        errors = np.zeros((n_points, 6))
        for k, x in enumerate(rng.uniform(-1.0, 1.0, size=(n_points, p.n))):
            g, H = p.grad(x), p.hess(x)
            errors[k] = [
                _rel(numerical_jacobian(p.f, x, h=1e-10, method="forward"), g),
                _rel(numerical_gradient(p.f, x, method="forward"), g),
                _rel(scipy.optimize.approx_fprime(x, p.f), g),
                _rel(numerical_gradient(p.f, x), g),
                _rel(numerical_jacobian(p.grad, x), H),
                _rel(numerical_hessian(p.f, x), H),
            ]
        rows.append([name] + [f"{e:.1e}" for e in errors.max(axis=0)])
    intro = (f"**(a) Checker accuracy.** Worst normwise relative error "
             f"max|numerical - exact| / max|exact| over {n_points} random points in "
             f"[-1, 1]^n (seed {seed}); exact = the analytic gradient/Hessian.")
    return intro + "\n\n" + _table(header, rows)


def _median_time(stmt, repeats: int) -> float:
    """Median CPU time of this process per call (the wall clock of a loaded machine mostly
    measures the other processes)."""
    number, timer = 1, time.process_time
    while (min(timeit.repeat(stmt, number=number, repeat=1, timer=timer)) < 0.02
           and number < 10_000):
        number *= 4
    return float(np.median(timeit.repeat(stmt, number=number, repeat=repeats, timer=timer))
                 / number)


def _plain_central(f, x):
    """The floor: a batched central difference with no checks at all (2n points, one call)."""
    n = x.size
    h = np.cbrt(np.finfo(float).eps) * np.maximum(1.0, np.abs(x))
    X = np.tile(x, (2 * n, 1))
    i = np.arange(n)
    X[i, i] += h
    X[n + i, i] -= h
    Y = f(X)
    return (Y[:n] - Y[n:]) / (2 * h)


def jacobian_timing_table(sizes=(10, 100, 1000), repeats: int = 7) -> str:
    """(b) numerical_jacobian (batched central / looped central) vs scipy approx_fprime."""
    rows = []
    for n in sizes:
        p = rosenbrock(n=n)
        x = np.random.default_rng(n).uniform(-1, 1, n)
        g = p.grad(x)
        t_batch = _median_time(lambda p=p, x=x: numerical_jacobian(p.f, x), repeats)
        t_loop = _median_time(lambda p=p, x=x: numerical_jacobian(p.f, x, vectorized=False),
                              repeats)
        t_scipy = _median_time(lambda p=p, x=x: scipy.optimize.approx_fprime(x, p.f), repeats)
        t_plain = _median_time(lambda p=p, x=x: _plain_central(p.f, x), repeats)
        rows.append([
            str(n),
            f"{t_batch * 1e3:.3g} ms",
            f"{t_plain * 1e3:.3g} ms",
            f"{t_loop * 1e3:.3g} ms",
            f"{t_scipy * 1e3:.3g} ms",
            f"{t_scipy / t_batch:.1f}x" + (" (goal ≥ 4x: **no**)" if n == 10 and
                                           t_scipy / t_batch < 4 else ""),
            f"{_rel(numerical_jacobian(p.f, x), g):.0e}",
            f"{_rel(scipy.optimize.approx_fprime(x, p.f), g):.0e}",
        ])
    header = ["n", "numerical_jacobian (1 batched call, 2n + 1 points, checked)",
              "plain batched central difference (no checks)",
              "numerical_jacobian (loop, vectorized=False)", "scipy approx_fprime (n+1 calls)",
              "speed-up vs scipy", "rel. error ours", "rel. error scipy"]
    intro = (f"**(b) Gradient time** on the vectorized n-D Rosenbrock function "
             f"(`helpers.rosenbrock(n=n).f`, input validation included in every call), "
             f"median of {repeats} repeats, CPU time of the process. The batching check is "
             "one extra row, x itself, compared with the single-point f(x).")
    return intro + "\n\n" + _table(header, rows)


def grid_timing_table(num: int = 200, repeats: int = 3) -> str:
    """(c) f on a num x num grid: one vectorized call vs a Python double loop."""
    rows = []
    for name in ["rosenbrock", "multimodal"]:
        p = PROBLEMS[name]()
        xs = np.linspace(*p.xlim, num)
        ys = np.linspace(*p.ylim, num)
        grid = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1)

        def loop(p=p, xs=xs, ys=ys):
            Z = np.empty((num, num))
            for i, a in enumerate(xs):
                for j, b in enumerate(ys):
                    Z[i, j] = p.f(np.array([a, b]))
            return Z

        t_vec = _median_time(lambda p=p, grid=grid: p.f(grid), repeats)
        loop_times = []
        for _ in range(repeats):  # seconds per run: no calibration needed
            start = time.perf_counter()
            Z = loop()
            loop_times.append(time.perf_counter() - start)
            assert np.allclose(Z, p.f(grid), rtol=1e-14, atol=1e-14)
        t_loop = float(np.median(loop_times))
        rows.append([name, f"{t_vec * 1e3:.3g} ms", f"{t_loop * 1e3:.4g} ms",
                     f"{t_loop / t_vec:.0f}x"])
    header = ["problem", "vectorized `p.f(grid)`", "double loop `p.f(point)`", "speed-up"]
    intro = (f"**(c) Grid evaluation** of f on a {num} x {num} grid over the problem's "
             f"plotting window, median of {repeats} repeats (both give identical values).")
    return intro + "\n\n" + _table(header, rows)


def main(repeats: int = 7) -> str:
    """Run all three benchmarks and return the Markdown text."""
    env = (f"numpy {np.__version__}, scipy {scipy.__version__}, "
           f"Python {platform.python_version()}, {platform.machine()}")
    parts = [
        "## Gradient checking and test problems (`benchmarks/bench_gradcheck.py`)",
        env,
        accuracy_table(),
        jacobian_timing_table(repeats=repeats),
        grid_timing_table(repeats=3),
    ]
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    import sys

    print(jacobian_timing_table(sizes=(10, 100)) if "--jacobian" in sys.argv[1:] else main())
