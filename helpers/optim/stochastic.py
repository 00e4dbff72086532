"""Minibatch stochastic gradient descent (re-exported as :func:`helpers.sgd`)."""

from __future__ import annotations

import numpy as np

from .._validation import as_lr_schedule, as_point, check_callable, check_count, check_rng
from .driver import DIVERGENCE_FACTOR, diverged_message
from .result import Trace

__all__ = ["sgd"]


def _as_data(data):
    arrays = tuple(data) if isinstance(data, (tuple, list)) else (data,)
    if not arrays:
        raise ValueError("data must be an array or a non-empty tuple of arrays, got ()")
    arrays = tuple(np.asarray(a) for a in arrays)
    if any(a.ndim == 0 for a in arrays):
        raise ValueError("every data array needs a first (sample) dimension, got a scalar")
    sizes = {a.shape[0] for a in arrays}
    if len(sizes) != 1:
        raise ValueError("all data arrays must have the same first dimension (number of "
                         f"samples), got {[a.shape[0] for a in arrays]}")
    return arrays, sizes.pop()


def sgd(loss_grad_batch, x0, data, batch_size, epochs, lr=1e-2, rng=None, average=False, *,
        loss=None, record_every=1) -> Trace:
    r"""Minibatch stochastic gradient descent :math:`x \leftarrow x - \eta_t \frac{1}{|B|}
    \sum_{i \in B} \nabla \ell_i(x)`.

    Parameters
    ----------
    loss_grad_batch : callable
        ``loss_grad_batch(x, *batch) -> (n,)``: the gradient of the loss *averaged* over the
        samples of the batch. ``batch`` holds the rows of each data array, e.g. ``(X_b, y_b)``.
    x0 : array_like, shape (n,)
    data : array or tuple of arrays
        Training data; all arrays share the first dimension ``N`` (number of samples).
    batch_size : int
        Samples per step, ``1 <= batch_size <= N``.
    epochs : int
        Passes over the data.
    lr : float or callable, default 0.01
        Step size or schedule ``t -> eta`` (``t`` counts steps, not epochs).
    rng : numpy.random.Generator, optional
        Source of the permutations, e.g. ``np.random.default_rng(seed)``. ``None`` (the
        default) means ``np.random.default_rng(0)``, so a run is reproducible; pass your own
        generator for independent runs.
    average : bool, default False
        Polyak-Ruppert averaging: report the running mean
        :math:`\bar x_t = \frac1t \sum_{s=1}^t x_s` instead of the last iterate. ``trace.xs``
        then holds the averaged path and ``trace.xs_raw`` the raw iterates.
    loss : callable, optional
        ``loss(x, *data) -> float`` on the full data. If given, ``trace.fs`` records it at every
        recorded iterate (costs one full pass each time); otherwise ``fs`` is ``nan``.
    record_every : int, default 1
        Record every ``record_every``-th step (and the last one) to keep long runs cheap.

    Returns
    -------
    Trace
        ``grad_norms[j]`` is the norm of the minibatch gradient of the step that produced
        ``xs[j]`` (``nan`` for ``xs[0]``); ``steps`` the learning rates. SGD has no stopping test:
        it runs all epochs (``converged`` is False) unless it diverges.

    Notes
    -----
    Each epoch draws a fresh permutation of the samples and cuts it into consecutive batches,
    so every sample is used exactly once per epoch. When ``batch_size`` does not divide ``N``
    the last, smaller batch is kept (``ceil(N / batch_size)`` steps per epoch); its gradient is
    still the average over its own samples. (Some homework specs drop that partial batch.)
    With ``batch_size = N`` one epoch is exactly one gradient-descent step.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2)); y = X @ np.array([1.0, -2.0])
    >>> g = lambda w, Xb, yb: Xb.T @ (Xb @ w - yb) / len(yb)
    >>> tr = sgd(g, np.zeros(2), (X, y), batch_size=10, epochs=20, lr=0.1, rng=rng)
    >>> tr.n_iter, tr.x.round(3)
    (400, array([ 1., -2.]))
    """
    check_callable(loss_grad_batch, "loss_grad_batch")
    if loss is not None:
        check_callable(loss, "loss")
    x = as_point(x0)
    arrays, N = _as_data(data)
    batch_size = check_count(batch_size, "batch_size")
    if batch_size > N:
        raise ValueError(f"batch_size must be <= number of samples N = {N}, got {batch_size}")
    epochs = check_count(epochs, "epochs", minimum=0)
    lr_t = as_lr_schedule(lr)
    rng = np.random.default_rng(0) if rng is None else check_rng(rng)
    record_every = check_count(record_every, "record_every")

    def full_loss(z):
        if loss is None:
            return np.nan
        return float(np.asarray(loss(z, *arrays), dtype=float).reshape(()))

    limit = DIVERGENCE_FACTOR * (1 + float(np.linalg.norm(x)))
    x_bar = x.copy()
    xs, xs_raw, fs, gns, steps = [x.copy()], [x.copy()], [full_loss(x)], [np.nan], []
    n_fev, t, message = int(loss is not None), 0, ""
    steps_per_epoch = -(-N // batch_size)
    total = epochs * steps_per_epoch
    # Overflow is expected when a run diverges: detected and reported, not warned about.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _epoch in range(epochs):
            order = rng.permutation(N)
            for start in range(0, N, batch_size):
                idx = order[start:start + batch_size]
                g = np.asarray(loss_grad_batch(x, *(a[idx] for a in arrays)), dtype=float)
                if g.shape != x.shape:
                    raise ValueError(f"loss_grad_batch must return shape {x.shape}, "
                                     f"got {g.shape}")
                eta = lr_t(t)
                x = x - eta * g
                t += 1
                x_bar += (x - x_bar) / t
                bad = not np.all(np.isfinite(x)) or np.linalg.norm(x) > limit
                if bad or t % record_every == 0 or t == total:
                    if not np.all(np.isfinite(x)):
                        message = diverged_message(t, "the iterate contains nan/inf")
                        break
                    xs.append(x_bar.copy() if average else x.copy())
                    xs_raw.append(x.copy())
                    fs.append(full_loss(xs[-1]))
                    n_fev += loss is not None
                    gns.append(float(np.linalg.norm(g)))
                    steps.append(eta)
                    if bad:
                        message = diverged_message(t, f"||x|| = {np.linalg.norm(x):.3g} exceeds "
                                                      f"{limit:.3g} = 1e10 (1 + ||x0||)")
                        break
            if message:
                break
    if not message:
        message = (f"ran {epochs} epochs = {t} steps of batch size {batch_size} "
                   f"({'averaged iterate' if average else 'last iterate'}; no stopping test)")
    extras = {"epochs": epochs, "batch_size": batch_size, "steps_per_epoch": steps_per_epoch}
    if average:
        extras["xs_raw"] = np.array(xs_raw)
    return Trace(xs=np.array(xs), fs=np.array(fs, dtype=float),
                 grad_norms=np.array(gns, dtype=float), steps=np.array(steps, dtype=float),
                 n_iter=t, converged=False, message=message, n_fev=n_fev, n_gev=t,
                 method="sgd" + ("(averaged)" if average else ""), extras=extras)


