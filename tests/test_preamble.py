"""helpers.setup_notebook: the lectures' first cell in one call."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import setup_notebook  # noqa: E402


@pytest.fixture(autouse=True)
def _restore():
    rc, opts = plt.rcParams.copy(), np.get_printoptions()
    yield
    plt.rcParams.update(rc)
    np.set_printoptions(**opts)


def test_sets_what_the_first_cell_set_and_returns_the_seeded_generator():
    rng = setup_notebook(7, dpi=90, precision=3)
    assert rng.random() == np.random.default_rng(7).random()
    assert plt.rcParams["figure.dpi"] == 90 and plt.rcParams["axes.grid"]
    assert plt.rcParams["grid.alpha"] == 0.3
    assert np.get_printoptions()["precision"] == 3 and np.get_printoptions()["suppress"]


def test_precision_none_leaves_numpy_printing_alone():
    np.set_printoptions(precision=6, suppress=False)
    setup_notebook(1, precision=None)
    assert np.get_printoptions()["precision"] == 6 and not np.get_printoptions()["suppress"]


@pytest.mark.parametrize("kwargs", [{"seed": -1}, {"seed": 1, "dpi": 0},
                                    {"seed": 1, "precision": -2}, {"seed": 1.5}])
def test_refuses_bad_arguments(kwargs):
    with pytest.raises((ValueError, TypeError)):
        setup_notebook(**kwargs)
