"""Unit tests of the tamper guard's extensions in ``optml_grading.integrity`` (fast).

The older identity / fresh-reference / delegation tests live in ``tests/test_grading.py``.
"""

from __future__ import annotations

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
    oracle = helpers._opt_driver.Oracle(lambda x: float(x @ x), lambda x: 2 * x)
    x = np.ones(2)
    g = 2 * x
    with pytest.raises(integrity.DelegationError, match="backtracking"):
        with integrity.no_delegation(helpers):
            helpers._opt_linesearch.backtracking(oracle, x, float(x @ x), g, -g)
    with integrity.no_delegation(helpers):
        np.linalg.norm(x)  # numpy is still allowed


def test_snapshot_rejects_a_non_dict():
    with pytest.raises(TypeError, match="globals"):
        integrity.snapshot(["np"])


@pytest.mark.parametrize(
    ("target", "call"),
    [
        ("optimizers", lambda: helpers.optim.methods.gradient_descent(
            lambda x: x @ x, lambda x: 2 * x, [1.0], lr=0.5)),
        ("_opt_driver", lambda: helpers.optim.driver.Oracle(lambda x: 0.0).f(np.ones(1))),
        ("_opt_linesearch", lambda: helpers.optim.linesearch.backtracking(
            helpers.optim.Oracle(lambda x: float(x @ x)), np.ones(1), 1.0, 2 * np.ones(1),
            -2 * np.ones(1))),
    ],
)
def test_no_delegation_of_a_shim_module_watches_the_code_it_re_exports(target, call):
    """hw6 names helpers.optimizers, helpers._opt_driver and helpers._opt_linesearch, whose
    code moved to helpers.optim: the check still covers it (the shims' __reexports__)."""
    module = getattr(helpers, target)
    with pytest.raises(integrity.DelegationError):
        with integrity.no_delegation(module):
            call()
    with integrity.no_delegation(module):
        np.linalg.norm(np.ones(2))


def test_reexports_must_be_module_names():
    import types

    fake = types.ModuleType("fake")
    fake.__file__ = __file__
    fake.__reexports__ = "helpers.optim.driver"
    with pytest.raises(TypeError, match="__reexports__"):
        with integrity.no_delegation(fake):
            pass
