"""The Examples sections of the optimizer modules run and give what they show."""

from __future__ import annotations

import doctest

import pytest

import helpers._opt_rates
import helpers._opt_sgd
import helpers._opt_trace
import helpers._opt_zeroth
import helpers.constrained
import helpers.optimizers
import helpers.schedules

PUBLIC = [helpers.optimizers, helpers.schedules, helpers.constrained]
MODULES = [*PUBLIC, helpers._opt_sgd, helpers._opt_zeroth, helpers._opt_trace,
           helpers._opt_rates]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{module.__name__} has no examples"
    assert result.failed == 0


@pytest.mark.parametrize("module", PUBLIC, ids=lambda m: m.__name__)
def test_every_public_function_has_notes_or_examples(module):
    for name in module.__all__:
        doc = getattr(module, name).__doc__ or ""
        assert "Examples" in doc or "Notes" in doc or name in {"Schedule"}, name
