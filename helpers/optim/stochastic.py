"""Minibatch stochastic gradient descent (re-exported as :func:`helpers.sgd`)."""

from __future__ import annotations

import math

import numpy as np

from .._validation import as_lr_schedule, as_point, check_callable, check_count, check_rng
from .driver import DIVERGENCE_FACTOR, Oracle, Rule, diverged_message, run
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

    The run goes through :func:`helpers.optim.run` like every other method: the rule's state
    holds the minibatch stream, one update takes the steps up to the next recorded one and
    returns the point to record, and the driver records it, evaluates ``loss`` there and
    applies its divergence test (``||x|| > 1e10 (1 + ||x0||)`` or nan/inf, checked after every
    step; with a ``loss``, also a recorded loss that is inf or above ``1e100``).

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
    stream = _Minibatches(loss_grad_batch, arrays, N, batch_size, epochs, rng)
    oracle = _FullLoss(loss, arrays, stream)

    def stop(t, x, f, gn, state):
        if state.message:
            return False, state.message
        if state.t == stream.total:
            return False, (f"ran {epochs} epochs = {state.t} steps of batch size {batch_size} "
                           f"({'averaged iterate' if average else 'last iterate'}; "
                           "no stopping test)")
        return None

    def extras(state):
        info = {"epochs": epochs, "batch_size": batch_size,
                "steps_per_epoch": stream.steps_per_epoch}
        if average:
            info["xs_raw"] = np.array(state.xs_raw)
        return info

    return run(_sgd_rule(stream, lr_t, average, record_every, x), oracle, x,
               maxiter=stream.total, method="sgd" + ("(averaged)" if average else ""),
               stop=stop, stop_norm=lambda x, g, state: state.gn, extras=extras,
               n_steps=lambda state: state.t)


class _Minibatches:
    """The minibatch stream: a fresh permutation of the samples per epoch, cut into
    consecutive batches; :meth:`batches` yields the rows of every data array, batch after
    batch. ``n_grad`` is the number of minibatch gradients taken (set by the rule)."""

    def __init__(self, loss_grad_batch, arrays, N, batch_size, epochs, rng):
        self.loss_grad_batch, self.arrays, self.N, self.rng = loss_grad_batch, arrays, N, rng
        self.batch_size, self.epochs = batch_size, epochs
        self.steps_per_epoch = -(-N // batch_size)
        self.total = epochs * self.steps_per_epoch
        self.n_grad = 0

    def batches(self):
        N, B, arrays = self.N, self.batch_size, self.arrays
        for _epoch in range(self.epochs):
            order = self.rng.permutation(N)  # drawn when the epoch's first batch is needed
            for start in range(0, N, B):
                idx = order[start:start + B]
                yield [a[idx] for a in arrays]


class _FullLoss(Oracle):
    """The driver's oracle for sgd: ``f`` is the loss on the full data (``nan`` without a
    loss), evaluated at every recorded iterate and counted every time (no cache); the
    gradient evaluations counted are the minibatch gradients of the stream."""

    CACHE = 0

    def __init__(self, loss, arrays, stream):
        super().__init__(None if loss is None else
                         lambda z: np.asarray(loss(z, *arrays), dtype=float).reshape(()))
        self.stream = stream

    def evaluations(self):
        return {"f": self.counts["f"], "grad": self.stream.n_grad, "hess": 0}


class _SGDState:
    __slots__ = ("x", "x_bar", "t", "gn", "message", "xs_raw")

    def __init__(self, x0, average):
        self.x, self.t, self.gn, self.message = x0, 0, np.nan, ""
        self.x_bar = x0.copy() if average else None
        self.xs_raw = [x0.copy()] if average else None


def _sgd_rule(stream, lr_t, average, record_every, x0) -> Rule:
    r"""SGD as a driver rule: one update runs the steps :math:`x \leftarrow x - \eta_t g_t`
    up to the next recorded one and returns the point to record (the running mean
    :math:`\bar x_t = \bar x_{t-1} + (x_t - \bar x_{t-1}) / t` with ``average``)."""
    limit = DIVERGENCE_FACTOR * (1 + float(np.linalg.norm(x0)))
    safe_sq = (limit * (1 - 1e-9)) ** 2  # below it, ||x|| <= limit without computing the norm
    total, loss_grad_batch = stream.total, stream.loss_grad_batch
    batches = stream.batches()

    def init(x, g):
        return _SGDState(x, average)

    def update(g, state, x, t, oracle):
        x, x_bar, k, bad = state.x, state.x_bar, state.t, False
        while True:
            g = np.asarray(loss_grad_batch(x, *next(batches)), dtype=float)
            if g.shape != x.shape:
                raise ValueError(f"loss_grad_batch must return shape {x.shape}, "
                                 f"got {g.shape}")
            eta = lr_t(k)
            x = x - eta * g
            k += 1
            if average:
                x_bar += (x - x_bar) / k
            if not float(x @ x) <= safe_sq:  # nan, inf or (close to) the divergence bound
                if not np.all(np.isfinite(x)):  # the driver stops: not recorded
                    state.t = stream.n_grad = k
                    return x, state, eta
                bad = np.linalg.norm(x) > limit
            if bad or k % record_every == 0 or k == total:
                break
        state.x, state.t, state.gn = x, k, math.sqrt(float(g.dot(g)))  # = np.linalg.norm(g)
        stream.n_grad = k
        if bad:
            state.message = diverged_message(k, f"||x|| = {np.linalg.norm(x):.3g} exceeds "
                                                f"{limit:.3g} = 1e10 (1 + ||x0||)")
        if not average:
            return x, state, eta  # a new array, never changed in place
        state.xs_raw.append(x.copy())
        return x_bar.copy(), state, eta

    return Rule(init, update, absolute=True)
