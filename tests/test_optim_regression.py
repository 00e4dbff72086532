"""Every optimizer reproduces the traces recorded before the ``helpers/optim/`` redesign.

The cases are in ``tests/optim_cases.py``; the recorded traces in
``tests/data/optim_traces.json``. Arrays must agree to 1e-12 (relative, with an absolute floor
of 1e-12 for values near zero); counts, messages, method names and flags exactly.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from optim_cases import GOLDEN, cases, snapshot

RECORDED = json.loads(GOLDEN.read_text())
CASES = cases()


def _compare(path, got, want):
    if isinstance(want, dict) and "array" in want:
        assert isinstance(got, dict) and "array" in got, f"{path}: expected an array"
        assert got["shape"] == want["shape"], f"{path}: shape {got['shape']} != {want['shape']}"
        a = np.array([float(v) for v in got["array"]])
        b = np.array([float(v) for v in want["array"]])
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, equal_nan=True, err_msg=path)
    elif isinstance(want, dict) and "float" in want:
        np.testing.assert_allclose(float(got["float"]), float(want["float"]), rtol=1e-12,
                                   atol=1e-12, equal_nan=True, err_msg=path)
    elif isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), (
            f"{path}: keys {sorted(got)} != {sorted(want)}")
        for key in want:
            _compare(f"{path}.{key}", got[key], want[key])
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


def test_every_recorded_case_still_exists():
    assert sorted(CASES) == sorted(RECORDED)


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_trace_unchanged(name):
    _compare(name, snapshot(CASES[name]()), RECORDED[name])


def test_the_comparison_can_fail():
    name = "quad/adam"
    got = snapshot(CASES[name]())
    got["xs"]["array"][5] = repr(float(got["xs"]["array"][5]) * (1 + 1e-9))
    with pytest.raises(AssertionError):
        _compare(name, got, RECORDED[name])
    got = snapshot(CASES[name]())
    got["message"] += "!"
    with pytest.raises(AssertionError):
        _compare(name, got, RECORDED[name])
