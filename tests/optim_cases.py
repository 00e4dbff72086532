# ruff: noqa: B023  (kw is the same dict every loop; the f_target of hill_climbing reads p late, as recorded)
"""The optimizer runs whose traces are pinned by ``tests/test_optim_regression.py``.

``python tests/optim_cases.py`` records every case's :class:`~helpers.Trace` into
``tests/data/optim_traces.json`` (floats as ``repr``, so they round-trip exactly). The file was
recorded at commit eccc7f7, before the optimizers moved into ``helpers/optim/``; re-record only
on purpose, when a change of the numbers is intended, and say so in the commit message.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np

import helpers

GOLDEN = pathlib.Path(__file__).with_name("data") / "optim_traces.json"


def _problems():
    angle = np.pi / 6
    Q = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    quad = helpers.quadratic(Q @ np.diag([1.0, 10.0]) @ Q.T, np.array([1.0, -0.5]))
    return {"quad": (quad, np.array([2.0, 1.5])),
            "rosen": (helpers.rosenbrock(), np.array([-1.2, 1.0])),
            "himmel": (helpers.himmelblau(), np.array([0.3, 0.4])),
            "exp_sum": (helpers.exp_sum(), np.array(helpers.exp_sum().x0, dtype=float))}


def cases():
    """name -> zero-argument callable returning a Trace."""
    out = {}
    for name, (p, x0) in _problems().items():
        f, g, h = p.f, p.grad, p.hess
        kw = {"maxiter": 300}
        out |= {
            f"{name}/gd": lambda f=f, g=g, x0=x0: helpers.gradient_descent(f, g, x0, lr=0.02, **kw),
            f"{name}/gd_bt": lambda f=f, g=g, x0=x0: helpers.gradient_descent(
                f, g, x0, lr=1.0, line_search="backtracking", **kw),
            f"{name}/gd_sched": lambda f=f, g=g, x0=x0: helpers.gradient_descent(
                f, g, x0, schedule=helpers.step_decay(0.02, 0.5, 100), **kw),
            f"{name}/momentum": lambda f=f, g=g, x0=x0: helpers.momentum(f, g, x0, lr=0.005,
                                                                         beta=0.8, **kw),
            f"{name}/nesterov": lambda f=f, g=g, x0=x0: helpers.nesterov(f, g, x0, lr=0.005,
                                                                         beta=0.8, **kw),
            f"{name}/adagrad": lambda f=f, g=g, x0=x0: helpers.adagrad(f, g, x0, lr=0.3, **kw),
            f"{name}/rmsprop": lambda f=f, g=g, x0=x0: helpers.rmsprop(f, g, x0, lr=0.01, **kw),
            f"{name}/adam": lambda f=f, g=g, x0=x0: helpers.adam(f, g, x0, lr=0.05, **kw),
            f"{name}/adam_sched": lambda f=f, g=g, x0=x0: helpers.adam(
                f, g, x0, lr=helpers.cosine_annealing(0.05, 300), **kw),
            f"{name}/adamw": lambda f=f, g=g, x0=x0: helpers.adamw(f, g, x0, lr=0.05,
                                                                   weight_decay=0.1, **kw),
            f"{name}/amsgrad": lambda f=f, g=g, x0=x0: helpers.amsgrad(f, g, x0, lr=0.05, **kw),
            f"{name}/newton": lambda f=f, g=g, h=h, x0=x0: helpers.newton(f, g, h, x0),
            f"{name}/newton_damped": lambda f=f, g=g, h=h, x0=x0: helpers.newton(
                f, g, h, x0, damped=True),
            f"{name}/bfgs": lambda f=f, g=g, x0=x0: helpers.bfgs(f, g, x0, tol=1e-10),
            f"{name}/lbfgs": lambda f=f, g=g, x0=x0: helpers.lbfgs(f, g, x0, m=3, tol=1e-10),
            f"{name}/random_search": lambda f=f, x0=x0: helpers.random_search(
                f, x0, np.random.default_rng(3), scale=0.5, maxiter=150),
            f"{name}/hill_climbing": lambda f=f, x0=x0: helpers.hill_climbing(
                f, x0, np.random.default_rng(4), step=0.2, maxiter=150, f_target=p.f(x0) / 4),
            f"{name}/pgd": lambda f=f, g=g, x0=x0: helpers.projected_gradient_descent(
                f, g, lambda x: helpers.project_box(x, -0.5, 0.8), x0, lr=0.02, **kw),
            f"{name}/pgd_bt": lambda f=f, g=g, x0=x0: helpers.projected_gradient_descent(
                f, g, lambda x: helpers.project_ball(x, 1.0), x0, lr=1.0,
                line_search="backtracking", **kw),
            f"{name}/penalty": lambda f=f, g=g, x0=x0: helpers.penalty_method(
                f, g, lambda x: x[0] + x[1] - 1, lambda x: np.array([1.0, 1.0]), x0),
            f"{name}/auglag": lambda f=f, g=g, x0=x0: helpers.augmented_lagrangian(
                f, g, lambda x: np.array([x[0] ** 2 + x[1] ** 2 - 1.0]),
                lambda x: 2 * x[None, :], x0),
        }
    quad, x0 = _problems()["quad"]
    out |= {
        "quad/gd_exact": lambda: helpers.gradient_descent(quad.f, quad.grad, x0,
                                                          line_search="exact_quadratic"),
        "quad/gd_exact_hess": lambda: helpers.gradient_descent(
            quad.f, quad.grad, x0, line_search="exact_quadratic", hess=quad.hess),
        "quad/gd_diverges": lambda: helpers.gradient_descent(quad.f, quad.grad, x0, lr=0.25),
        "quad/momentum_diverges": lambda: helpers.momentum(quad.f, quad.grad, x0, lr=0.5),
    }
    rng = np.random.default_rng(7)
    X = rng.normal(size=(103, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=103)

    def loss_grad(w, Xb, yb):
        return Xb.T @ (Xb @ w - yb) / len(yb)

    def loss(w, X, y):
        return 0.5 * np.mean((X @ w - y) ** 2)

    def nan_far(w, Xb, yb):  # a gradient that turns nan away from the data's solution
        g = loss_grad(w, Xb, yb)
        return g + np.nan if w[0] > 0.9 else g

    out |= {
        "sgd/plain": lambda: helpers.sgd(loss_grad, np.zeros(3), (X, y), 10, 5, lr=0.05,
                                         rng=np.random.default_rng(1)),
        "sgd/avg_loss": lambda: helpers.sgd(loss_grad, np.zeros(3), (X, y), 7, 4,
                                            lr=helpers.inverse_sqrt(0.1),
                                            rng=np.random.default_rng(2), average=True,
                                            loss=loss, record_every=3),
        "sgd/diverges": lambda: helpers.sgd(loss_grad, np.zeros(3), (X, y), 103, 400, lr=3.0,
                                            rng=np.random.default_rng(3)),
        # added with sgd's move onto the driver (recorded with the old loop): averaging,
        # record_every that divides neither the epoch nor the run, divergence between records
        "sgd/every_partial": lambda: helpers.sgd(loss_grad, np.zeros(3), (X, y), 10, 3,
                                                 lr=0.05, rng=np.random.default_rng(4),
                                                 loss=loss, record_every=4),
        "sgd/avg_every": lambda: helpers.sgd(loss_grad, np.ones(3), (X, y), 9, 5, lr=0.02,
                                             rng=np.random.default_rng(5), average=True,
                                             record_every=7),
        "sgd/avg_diverges_every": lambda: helpers.sgd(loss_grad, np.zeros(3), (X, y), 10, 50,
                                                      lr=3.0, rng=np.random.default_rng(6),
                                                      average=True, loss=loss, record_every=4),
        "sgd/nan_every": lambda: helpers.sgd(nan_far, np.zeros(3), (X, y), 10, 20, lr=0.05,
                                             rng=np.random.default_rng(8), record_every=5),
        "sgd/no_epochs": lambda: helpers.sgd(loss_grad, np.zeros(3), (X, y), 10, 0,
                                             rng=np.random.default_rng(9), loss=loss),
    }
    t = np.linspace(0, 1, 15)
    data = 2.0 * np.exp(-1.5 * t) + 0.01 * np.sin(7 * t)

    def res(p):
        return p[0] * np.exp(p[1] * t) - data

    def jac(p):
        return np.stack([np.exp(p[1] * t), p[0] * t * np.exp(p[1] * t)], axis=1)

    out |= {
        "gn/plain": lambda: helpers.gauss_newton(res, jac, [1.0, 0.0], tol=1e-10),
        "gn/damped": lambda: helpers.gauss_newton(res, jac, [5.0, 2.0], damped=True, tol=1e-10),
    }
    return out


def _plain(value):
    if isinstance(value, np.ndarray):
        return {"array": [repr(float(v)) for v in value.ravel()], "shape": list(value.shape)}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return {"float": repr(float(value))}
    return value


def snapshot(trace) -> dict:
    """Every field of ``trace`` as JSON-ready data."""
    fields = {k: getattr(trace, k) for k in ("xs", "fs", "grad_norms", "steps", "n_iter",
                                              "converged", "message", "n_fev", "n_gev",
                                              "method")}
    fields["extras"] = {k: _plain(np.asarray(v) if np.ndim(v) else v)
                        for k, v in trace.extras.items()}
    return {k: _plain(v) for k, v in fields.items()}


if __name__ == "__main__":
    recorded = {name: snapshot(run()) for name, run in cases().items()}
    GOLDEN.write_text(json.dumps(recorded, indent=0, sort_keys=True) + "\n")
    print(f"recorded {len(recorded)} traces in {GOLDEN}")
