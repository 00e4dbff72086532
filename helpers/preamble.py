"""The one-call preamble of the lecture notebooks."""

from __future__ import annotations

import numpy as np

from ._validation import check_count

__all__ = ["setup_notebook"]


def setup_notebook(seed: int, *, dpi: int = 80, precision: int | None = 4) -> np.random.Generator:
    """Set the figure and print defaults every lecture uses and return its seeded generator.

    Equivalent to the lectures' first cell::

        rng = np.random.default_rng(seed)
        plt.rcParams.update({"figure.dpi": dpi, "axes.grid": True, "grid.alpha": 0.3})
        np.set_printoptions(precision=precision, suppress=True)

    Parameters
    ----------
    seed : int
        Seed of the returned ``numpy.random.Generator``.
    dpi : int, default 80
        ``figure.dpi`` (lectures 01 and 02 use 90).
    precision : int or None, default 4
        Digits numpy prints (with ``suppress=True``); None leaves numpy's print options as they
        are (lectures 01 and 02 print with numpy's defaults).

    Returns
    -------
    numpy.random.Generator

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> rng = setup_notebook(5)
    >>> float(rng.random()) == float(np.random.default_rng(5).random())
    True
    >>> import matplotlib.pyplot as plt
    >>> plt.rcParams["axes.grid"], plt.rcParams["figure.dpi"]
    (True, 80.0)
    >>> np.set_printoptions(precision=8, suppress=False)  # restore numpy's defaults
    """
    import matplotlib.pyplot as plt

    seed = check_count(seed, "seed", minimum=0)
    dpi = check_count(dpi, "dpi")
    if precision is not None:
        precision = check_count(precision, "precision", minimum=0)
    plt.rcParams.update({"figure.dpi": dpi, "axes.grid": True, "grid.alpha": 0.3})
    if precision is not None:
        np.set_printoptions(precision=precision, suppress=True)
    return np.random.default_rng(seed)
