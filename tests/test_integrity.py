"""Unit tests of the tamper guard's extensions in ``optml_grading.integrity`` (fast).

The older identity / fresh-reference / delegation tests live in ``tests/test_grading.py``.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import helpers
from optml_grading import checks, integrity


def _setup_namespace():
    """What the homework's locked setup cell leaves in ``globals()``."""
    namespace = {
        "np": np,
        "helpers": helpers,
        "_integrity": integrity,
        "expect_close": checks.expect_close,
        "In": [],
        "_i1": "",
        "SHOW_PLOTS": False,
    }
    namespace["_GUARD"] = integrity.snapshot(namespace)
    return namespace


def test_snapshot_records_the_setup_names_only():
    ns = _setup_namespace()
    assert set(ns["_GUARD"].names) == {"np", "helpers", "_integrity", "expect_close"}
    integrity.assert_untampered(ns["_GUARD"])


@pytest.mark.parametrize(
    "patch, message",
    [
        ("expect_close = lambda *a, **k: None", "expect_close was rebound"),
        ("np = FakeNp()", "np was rebound"),
        ("_integrity = FakeNp()", "_integrity was rebound"),
        ("_GUARD = _integrity.snapshot(globals())", "_GUARD is not the snapshot"),
    ],
)
def test_rebinding_a_setup_name_is_detected(patch, message):
    ns = _setup_namespace()
    snap = ns["_GUARD"]

    class FakeNp:
        pass

    exec(patch, ns | {"FakeNp": FakeNp}, ns)
    with pytest.raises(integrity.TamperingError, match=message):
        integrity.assert_untampered(snap)


def test_student_functions_are_not_recorded():
    ns = _setup_namespace()

    def f(x):  # a student's function, defined before the setup cell is re-run
        return x

    ns["f"] = f
    ns["OPTIMAL_X"] = np.zeros(2)
    snap = integrity.snapshot(ns)
    assert "f" not in snap.names and "OPTIMAL_X" not in snap.names
    ns["f"] = lambda x: 2 * x
    ns["_GUARD"] = snap
    integrity.assert_untampered(snap)


def test_setup_name_bound_to_a_lookalike_is_detected():
    ns = _setup_namespace()
    fake = type(integrity)("numpy")  # a module named numpy that is not sys.modules["numpy"]
    ns["np"] = fake
    snap = integrity.snapshot(ns)  # even if the snapshot is taken after the swap
    ns["_GUARD"] = snap
    with pytest.raises(integrity.TamperingError, match="np is not the module numpy"):
        integrity.assert_untampered(snap)


@pytest.mark.parametrize(
    "module, attr",
    [
        (integrity, "_problems"),
        (integrity, "_namespace_problems"),
        (integrity, "no_delegation"),
        (checks, "expect_close"),
    ],
)
@pytest.mark.parametrize("how", ["rebind", "code"])
def test_the_guard_protects_itself(module, attr, how):
    snap = _setup_namespace()["_GUARD"]
    original = getattr(module, attr)
    target = getattr(original, "__wrapped__", original)
    code = target.__code__
    try:
        if how == "rebind":
            setattr(module, attr, lambda *a, **k: [])
        else:
            target.__code__ = (lambda *a, **k: []).__code__
        with pytest.raises(integrity.TamperingError, match=attr):
            integrity.assert_untampered(snap)
    finally:
        target.__code__ = code
        setattr(module, attr, original)
    integrity.assert_untampered(snap)


def test_no_delegation_watches_every_module_of_a_package():
    oracle = helpers.optim.driver.Oracle(lambda x: float(x @ x), lambda x: 2 * x)
    x = np.ones(2)
    g = 2 * x
    with pytest.raises(integrity.DelegationError, match="backtracking"):
        with integrity.no_delegation(helpers):
            helpers.optim.linesearch.backtracking(oracle, x, float(x @ x), g, -g)
    with integrity.no_delegation(helpers):
        np.linalg.norm(x)  # numpy is still allowed


def test_snapshot_rejects_a_non_dict():
    with pytest.raises(TypeError, match="globals"):
        integrity.snapshot(["np"])


def _quadratic():
    return lambda x: float(x @ x), lambda x: 2 * x


_TRACE = helpers.optim.result.Trace(np.zeros((1, 2)), np.zeros(1), np.zeros(1), np.zeros(0), 0,
                                    True, "done")


# One call into each module of helpers.optim that hw6's damped_newton check used to name
# (helpers.optimizers -> methods, stochastic, zeroth; the old private driver and line-search
# modules -> driver, linesearch), plus the modules that moved there with them.
OPTIM_CALLS = [
    ("methods", "gradient_descent", lambda: helpers.optim.methods.gradient_descent(
        *_quadratic(), [1.0], lr=0.5)),
    ("stochastic", "sgd", lambda: helpers.optim.stochastic.sgd(
        lambda w, xb: 2 * w, np.ones(2), np.arange(4.0), 2, 1, lr=0.1,
        rng=np.random.default_rng(0))),
    ("zeroth", "random_search", lambda: helpers.optim.zeroth.random_search(
        _quadratic()[0], np.ones(2), maxiter=2, rng=np.random.default_rng(0))),
    ("driver", "Oracle", lambda: helpers.optim.driver.Oracle(lambda x: 0.0).f(np.ones(1))),
    ("linesearch", "backtracking", lambda: helpers.optim.linesearch.backtracking(
        helpers.optim.Oracle(lambda x: float(x @ x)), np.ones(1), 1.0, 2 * np.ones(1),
        -2 * np.ones(1))),
    ("transforms", "scale_by_lr", lambda: helpers.optim.transforms.scale_by_lr(0.1)),
    ("result", "Trace", lambda: _TRACE.x),  # Trace's own code (a dataclass __init__ is not)
]


@pytest.mark.parametrize(("module", "name", "call"), OPTIM_CALLS,
                         ids=[m for m, _, _ in OPTIM_CALLS])
def test_no_delegation_of_helpers_optim_watches_each_of_its_modules(module, name, call):
    """hw6's damped_newton check is ``no_delegation(helpers.optim)`` (it named
    helpers.optimizers and the old private driver and line-search modules before they were
    removed): a call into any module under helpers.optim fails the block."""
    assert getattr(helpers.optim, module).__name__ == f"helpers.optim.{module}"
    with pytest.raises(integrity.DelegationError, match=name):
        with integrity.no_delegation(helpers.optim):
            call()
    with integrity.no_delegation(helpers.optim):
        np.linalg.norm(np.ones(2))


def test_helpers_optim_covers_every_file_the_old_hw6_targets_covered():
    """The old targets (helpers.optimizers and what it re-exports, helpers.optim.driver and
    helpers.optim.linesearch, the homes of the removed private paths) all lie under the
    helpers.optim package that hw6 now names."""
    *_, dirs = integrity._targets_to_code([helpers.optim])
    _, files, _, old_dirs = integrity._targets_to_code(
        [helpers.optimizers, helpers.optim.driver, helpers.optim.linesearch])
    assert not old_dirs
    files.discard(os.path.realpath(helpers.optimizers.__file__))  # imports only, no code
    assert files and all(f.startswith(dirs) for f in files)


@pytest.mark.parametrize(
    "call",
    [
        lambda: helpers.optim.methods.gradient_descent(*_quadratic(), [1.0], lr=0.5),
        lambda: helpers.optim.stochastic.sgd(
            lambda w, xb: 2 * w, np.ones(2), np.arange(4.0), 2, 1, lr=0.1,
            rng=np.random.default_rng(0)),
    ],
)
def test_no_delegation_of_a_shim_module_watches_the_code_it_re_exports(call):
    """helpers.optimizers (public, kept for ``from helpers.optimizers import newton``) only
    re-exports code from helpers.optim: the check covers that code (its __reexports__)."""
    with pytest.raises(integrity.DelegationError):
        with integrity.no_delegation(helpers.optimizers):
            call()
    with integrity.no_delegation(helpers.optimizers):
        np.linalg.norm(np.ones(2))


def test_reexports_must_be_module_names():
    import types

    fake = types.ModuleType("fake")
    fake.__file__ = __file__
    fake.__reexports__ = "helpers.optim.driver"
    with pytest.raises(TypeError, match="__reexports__"):
        with integrity.no_delegation(fake):
            pass
