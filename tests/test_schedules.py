"""Learning-rate schedules: formulas, vectorization, composition, input checks."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import (
    constant,
    cosine_annealing,
    exponential_decay,
    inverse_sqrt,
    linear_warmup,
    step_decay,
)

T = np.arange(0, 200)

# Every comparison in this file is between two evaluations of the same closed form (numpy
# arrays vs Python scalars, or one schedule against its definition). They differ only by the
# rounding of a few operations: libm's pow, exp and cos are within 1-2 ulps, so the relative
# difference is below ~1e-15 and rtol 1e-12 (or numpy's default 1e-7) holds with 3 or more
# orders of margin on any CPU.


@pytest.mark.parametrize(
    ("schedule", "formula"),
    [
        (constant(0.3), lambda t: 0.3),
        (step_decay(0.1, drop=0.5, every=10), lambda t: 0.1 * 0.5 ** (t // 10)),
        (exponential_decay(2.0, 0.97), lambda t: 2.0 * 0.97**t),
        (inverse_sqrt(0.5), lambda t: 0.5 / np.sqrt(t + 1)),
        (cosine_annealing(1.0, T=50, lr_min=0.1),
         lambda t: 0.1 + 0.45 * (1 + np.cos(np.pi * min(t, 50) / 50))),
    ],
)
def test_schedule_matches_its_formula_scalar_and_vectorized(schedule, formula):
    expected = np.array([formula(t) for t in T])
    # The powers 0.97**t, 0.5**(t // 10) for t < 200 and cos: a few ulps (see above).
    np.testing.assert_allclose(schedule(T), expected, rtol=1e-12)
    assert isinstance(schedule(7), float)
    assert schedule(7) == pytest.approx(formula(7))  # rel 1e-6 vs ~1e-16
    assert schedule(T.reshape(10, 20)).shape == (10, 20)


def test_cosine_restarts_jump_back_to_lr_max_every_period():
    sched = cosine_annealing(1.0, T=20, lr_min=0.0, restarts=True)
    lr = sched(T)
    # cos(0) = 1 exactly at every restart, and periods repeat (t mod T): equal up to an ulp.
    np.testing.assert_allclose(lr[::20], 1.0)
    np.testing.assert_allclose(lr[:20], lr[20:40])
    assert np.all(np.diff(lr[:20]) < 0)


def test_cosine_restarts_with_growing_periods():
    sched = cosine_annealing(1.0, T=10, restarts=True, t_mult=2)
    lr = sched(np.arange(0, 80))
    restarts = np.flatnonzero(np.diff(lr) > 0) + 1
    np.testing.assert_array_equal(restarts, [10, 30, 70])


def test_cosine_without_restarts_stays_at_lr_min():
    sched = cosine_annealing(1.0, T=20, lr_min=0.05)
    # t >= T is clipped to T: lr_min + 0 exactly. At t = T/2, cos(pi/2) = 6e-17, not 0:
    # 0.525 up to 1e-16, against pytest.approx's rel 1e-6.
    np.testing.assert_allclose(sched(np.arange(20, 60)), 0.05)
    assert sched(10) == pytest.approx(0.525)


def test_linear_warmup_ramps_then_hands_over_to_the_base_schedule():
    base = step_decay(0.1, drop=0.5, every=10)
    sched = linear_warmup(base, warmup=5)
    lr = sched(T)
    # The ramp lr * t / warmup and the shifted base schedule: a few ulps (default rtol 1e-7).
    np.testing.assert_allclose(lr[:5], 0.1 * np.arange(5) / 5)
    np.testing.assert_allclose(lr[5:], base(T[5:] - 5))
    # A number means a constant base rate.
    np.testing.assert_allclose(linear_warmup(0.2, warmup=4)(np.arange(8)),
                               [0, 0.05, 0.1, 0.15, 0.2, 0.2, 0.2, 0.2])


def test_linear_warmup_composes_with_a_plain_callable():
    sched = linear_warmup(lambda t: 1.0 / (1 + t), warmup=2)
    np.testing.assert_allclose(sched(np.arange(5)), [0.0, 0.5, 1.0, 0.5, 1 / 3])


def test_schedules_have_readable_reprs():
    assert repr(step_decay(0.1, 0.5, 10)) == "step_decay(lr0=0.1, drop=0.5, every=10)"
    assert "warmup=5" in repr(linear_warmup(cosine_annealing(1.0, 10), 5))


@pytest.mark.parametrize(
    ("factory", "error", "match"),
    [
        (lambda: constant(-1.0), ValueError, "lr must be"),
        (lambda: step_decay(0.1, drop=2.0), ValueError, "drop"),
        (lambda: step_decay(0.1, every=0), ValueError, "every"),
        (lambda: exponential_decay(0.1, 1.5), ValueError, "gamma"),
        (lambda: cosine_annealing(0.1, T=10, lr_min=0.5), ValueError, "lr_min"),
        (lambda: cosine_annealing(0.1, T=2.5), TypeError, "T must be an integer"),
        (lambda: linear_warmup("fast", 3), TypeError, "schedule_or_lr"),
        (lambda: inverse_sqrt(1.0)(-1), ValueError, "t >= 0"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(factory, error, match):
    with pytest.raises(error, match=match):
        factory()
