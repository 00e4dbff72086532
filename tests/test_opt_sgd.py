"""SGD and the zeroth-order baselines: sampling bookkeeping, equivalences, reproducibility."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from helpers import gradient_descent, hill_climbing, inverse_sqrt, random_search, sgd


def linear_regression(n_samples=103, n_features=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    w_true = np.arange(1.0, n_features + 1)
    y = X @ w_true + 0.1 * rng.standard_normal(n_samples)
    return X, y


def grad_batch(w, Xb, yb):
    """Gradient of the mean squared error / 2 over the batch."""
    return Xb.T @ (Xb @ w - yb) / len(yb)


def loss_full(w, X, y):
    return 0.5 * np.mean((X @ w - y) ** 2)


def test_full_batch_one_epoch_equals_one_gd_step():
    X, y = linear_regression()
    w0 = np.array([0.5, -1.0, 2.0])
    tr = sgd(grad_batch, w0, (X, y), batch_size=len(y), epochs=1, lr=0.3,
             rng=np.random.default_rng(1))
    gd = gradient_descent(lambda w: loss_full(w, X, y), lambda w: grad_batch(w, X, y), w0,
                          lr=0.3, maxiter=1, tol=0)
    assert tr.n_iter == 1
    # The same gradient summed in a shuffled order: rounding ~ N eps max|term| ~ 1e-13 at most
    # for N = 103 O(1) terms, times lr = 0.3 (measured 1e-16); rtol 1e-12 on O(1) entries.
    np.testing.assert_allclose(tr.xs[1], gd.xs[1], rtol=1e-12, atol=1e-14)


def test_every_sample_is_used_exactly_once_per_epoch_and_the_partial_batch_is_kept():
    X, y = linear_regression(n_samples=103)
    seen = []

    def recording_grad(w, Xb, yb, idx):
        seen.append(idx.copy())
        return grad_batch(w, Xb, yb)

    tr = sgd(recording_grad, np.zeros(3), (X, y, np.arange(103)), batch_size=10, epochs=3,
             lr=0.01, rng=np.random.default_rng(0))
    assert len(seen) == 3 * 11 == tr.n_iter == tr.n_gev  # 10 full batches + one of 3 samples
    sizes = [len(b) for b in seen]
    assert sizes == ([10] * 10 + [3]) * 3
    epochs = [np.concatenate(seen[11 * e: 11 * (e + 1)]) for e in range(3)]
    for used in epochs:
        np.testing.assert_array_equal(np.sort(used), np.arange(103))
    # A fresh permutation every epoch (not the same order replayed).
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[1], epochs[2])


def test_batches_carry_matching_rows_of_every_data_array():
    X, y = linear_regression(n_samples=40)

    def checking_grad(w, Xb, yb, idx):
        np.testing.assert_array_equal(Xb, X[idx])
        np.testing.assert_array_equal(yb, y[idx])
        return grad_batch(w, Xb, yb)

    sgd(checking_grad, np.zeros(3), (X, y, np.arange(40)), batch_size=7, epochs=2, lr=0.01,
        rng=np.random.default_rng(5))


def test_same_seed_same_path_different_seed_different_path():
    X, y = linear_regression()
    run = lambda seed: sgd(grad_batch, np.zeros(3), (X, y), batch_size=8, epochs=2,  # noqa: E731
                           lr=0.05, rng=np.random.default_rng(seed))
    np.testing.assert_array_equal(run(4).xs, run(4).xs)
    assert not np.array_equal(run(4).xs, run(5).xs)


def test_sgd_with_decaying_steps_and_averaging_reaches_the_least_squares_solution():
    X, y = linear_regression(n_samples=2000, seed=2)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    tr = sgd(grad_batch, np.zeros(3), (X, y), batch_size=20, epochs=10, lr=inverse_sqrt(0.5),
             rng=np.random.default_rng(0), average=True, record_every=10)
    # Measured relative error 2.6e-3, 8x inside 0.02: the transient of the decaying steps
    # dominates the noise floor sigma / sqrt(samples seen) / ||w*|| = 0.1 / 141 / 3.7 ~ 2e-4.
    # The batches are fixed by the seed
    # (numpy's Generator streams are the same on every platform), so only rounding
    # (~1e-15) differs between machines.
    assert np.linalg.norm(tr.x - w_star) < 0.02 * np.linalg.norm(w_star)


def test_averaged_path_is_the_running_mean_of_the_raw_iterates():
    X, y = linear_regression()
    tr = sgd(grad_batch, np.zeros(3), (X, y), batch_size=5, epochs=1, lr=0.05,
             rng=np.random.default_rng(0), average=True)
    raw = tr.xs_raw
    running_mean = np.cumsum(raw[1:], axis=0) / np.arange(1, len(raw))[:, None]
    # Incremental mean vs cumsum / k: ~k eps relative for k <= 21 steps (measured 2e-16).
    np.testing.assert_allclose(tr.xs[1:], running_mean, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(tr.xs[0], raw[0])


def test_losses_are_recorded_only_when_a_loss_is_given():
    X, y = linear_regression()
    kw = dict(batch_size=10, epochs=2, lr=0.05)
    silent = sgd(grad_batch, np.zeros(3), (X, y), rng=np.random.default_rng(0), **kw)
    assert np.all(np.isnan(silent.fs)) and silent.n_fev == 0
    logged = sgd(grad_batch, np.zeros(3), (X, y), rng=np.random.default_rng(0), loss=loss_full,
                 **kw)
    np.testing.assert_array_equal(logged.xs, silent.xs)
    # The same loss_full calls on the same points: equal (default rtol 1e-7 is slack).
    np.testing.assert_allclose(logged.fs, [loss_full(w, X, y) for w in logged.xs])
    assert logged.n_fev == len(logged.xs)
    # Measured 0.088: a seeded run, so only rounding (~1e-15 relative) changes between
    # machines; the 12% gap to 0.1 is a change of the algorithm, not of the CPU.
    assert logged.fs[-1] < 0.1 * logged.fs[0]


def test_record_every_thins_the_trace_but_keeps_the_last_step():
    X, y = linear_regression()
    full = sgd(grad_batch, np.zeros(3), (X, y), batch_size=10, epochs=2, lr=0.05,
               rng=np.random.default_rng(0))
    thin = sgd(grad_batch, np.zeros(3), (X, y), batch_size=10, epochs=2, lr=0.05,
               rng=np.random.default_rng(0), record_every=5)
    assert full.n_iter == thin.n_iter == 22
    np.testing.assert_array_equal(thin.xs, full.xs[[0, 5, 10, 15, 20, 22]])


def test_schedule_values_are_the_recorded_steps():
    X, y = linear_regression()
    sched = inverse_sqrt(0.1)
    tr = sgd(grad_batch, np.zeros(3), (X, y), batch_size=50, epochs=2, lr=sched,
             rng=np.random.default_rng(0))
    # The recorded steps are the schedule's values themselves: equal.
    np.testing.assert_allclose(tr.steps, sched(np.arange(tr.n_iter)))


def test_sgd_divergence_is_reported_without_warnings():
    X, y = linear_regression()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = sgd(grad_batch, np.zeros(3), (X, y), batch_size=10, epochs=200, lr=5.0,
                 rng=np.random.default_rng(0))
    assert tr.message.startswith("diverged") and np.all(np.isfinite(tr.xs))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"rng": 42}, TypeError, "default_rng"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"batch_size": 500}, ValueError, "number of samples"),
        ({"data": (np.zeros((5, 2)), np.zeros(4))}, ValueError, "same first dimension"),
    ],
)
def test_sgd_bad_input(kwargs, error, match):
    X, y = linear_regression()
    args = dict(data=(X, y), batch_size=10, epochs=1, lr=0.1, rng=np.random.default_rng(0))
    args.update(kwargs)
    with pytest.raises(error, match=match):
        sgd(grad_batch, np.zeros(3), **args)


def test_sgd_default_rng_is_seeded():
    """``rng=None`` (the default) means ``default_rng(0)``: the same run every time."""
    X, y = linear_regression()
    args = dict(data=(X, y), batch_size=10, epochs=2, lr=0.1)
    a = sgd(grad_batch, np.zeros(3), **args)
    b = sgd(grad_batch, np.zeros(3), **args, rng=np.random.default_rng(0))
    c = sgd(grad_batch, np.zeros(3), **args, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a.xs, b.xs)
    assert not np.array_equal(a.xs, c.xs)


# ---------------------------------------------------------------- zeroth order
def counting(f):
    calls = []

    def wrapped(x):
        calls.append(x.copy())
        return f(x)

    return wrapped, calls


def sphere(x):
    return float(np.sum((x - 1.0) ** 2))


def test_random_search_keeps_the_best_of_independent_samples():
    f, calls = counting(sphere)
    x0 = np.zeros(2)
    tr = random_search(f, x0, np.random.default_rng(0), scale=2.0, maxiter=400)
    assert tr.n_fev == len(calls) == 401
    samples = tr.samples
    assert samples.shape == (400, 2)
    # Samples are centred at x0 with the requested spread, not at the current best point.
    # Standard errors for 400 normal samples of scale 2: 0.1 for the mean, 0.035 relative for
    # the std, so atol 0.3 and rtol 0.15 are 3 and 4 standard errors (measured |mean| <= 0.14,
    # std within 0.4%). The sample itself is fixed by the seed on every platform.
    np.testing.assert_allclose(samples.mean(axis=0), x0, atol=0.3)
    np.testing.assert_allclose(samples.std(axis=0), 2.0, rtol=0.15)
    best = np.minimum.accumulate([sphere(x0)] + [sphere(s) for s in samples])
    np.testing.assert_allclose(tr.fs, best)  # the same sphere values: equal
    assert tr.f == pytest.approx(min(sphere(s) for s in samples))


def test_hill_climbing_accepts_only_improvements_and_gets_close():
    f, calls = counting(sphere)
    tr = hill_climbing(f, [-2.0, 3.0], np.random.default_rng(1), step=0.3, maxiter=500)
    assert tr.n_fev == len(calls) == 501 and tr.n_gev == 0
    assert np.all(np.diff(tr.fs) <= 0)
    moved = np.any(tr.xs[1:] != tr.xs[:-1], axis=1)
    # A step length against the norm of the realised move x_new - x: ~eps relative.
    np.testing.assert_allclose(tr.steps[moved], np.linalg.norm(np.diff(tr.xs, axis=0),
                                                               axis=1)[moved])
    assert np.all(tr.steps[~moved] == 0)
    assert tr.f < 0.05  # measured 1.2e-3 (step 0.3, 500 tries): 40x margin, seeded
    assert np.all(np.isnan(tr.grad_norms))


def test_zeroth_order_f_target_stops_early():
    tr = hill_climbing(sphere, [0.0, 0.0], np.random.default_rng(0), step=0.3, maxiter=10_000,
                       f_target=0.1)
    assert tr.converged and tr.f <= 0.1 and tr.n_iter < 10_000


def test_zeroth_order_is_reproducible_from_the_rng():
    a = hill_climbing(sphere, [0.0, 0.0], np.random.default_rng(3), maxiter=50)
    b = hill_climbing(sphere, [0.0, 0.0], np.random.default_rng(3), maxiter=50)
    np.testing.assert_array_equal(a.xs, b.xs)
    with pytest.raises(TypeError, match="default_rng"):
        random_search(sphere, [0.0, 0.0], 42)
