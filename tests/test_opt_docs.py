"""The Examples sections of the optimizer modules run and give what they show."""

from __future__ import annotations

import doctest

import pytest

import helpers._validation
import helpers.constrained
import helpers.optim
import helpers.optim.compare
import helpers.optim.driver
import helpers.optim.methods
import helpers.optim.rates
import helpers.optim.result
import helpers.optim.stochastic
import helpers.optim.transforms
import helpers.optim.zeroth
import helpers.optimizers
import helpers.preamble
import helpers.schedules

PUBLIC = [helpers.optimizers, helpers.schedules, helpers.constrained, helpers.optim.methods]
MODULES = [helpers.optim, helpers.optim.methods, helpers.schedules, helpers.constrained,
           helpers.optim.driver, helpers.optim.transforms, helpers.optim.stochastic,
           helpers.optim.zeroth, helpers.optim.result, helpers.optim.rates, helpers._validation,
           helpers.optim.compare, helpers.preamble]


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


def test_every_name_of_helpers_optim_is_documented():
    for name in helpers.optim.__all__:
        doc = getattr(helpers.optim, name).__doc__ or ""
        assert len(doc.strip()) > 20, name
