"""A cell that ends in ``interactive_plot(...)`` shows its explorer once, not twice."""

from __future__ import annotations

import nbformat
import pytest

from coursetools.notebooks import execute_notebook

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
CELL = """\
import matplotlib.pyplot as plt
from helpers import interactive_plot

def draw(a=1.0):
    fig, ax = plt.subplots()
    ax.plot([0, a])

explorer = interactive_plot(draw, a=(0.0, 2.0))
print(type(explorer).__name__)
interactive_plot(draw, a=(0.0, 2.0))"""


def write_notebook(path, *sources):
    """A Python 3 notebook at ``path`` with one code cell per source; returns ``path``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    return write_notebook(tmp_path_factory.mktemp("widgets") / "explorer.ipynb", CELL,
                          "from IPython.display import display\ndisplay(explorer)")


@pytest.mark.parametrize("static", [False, True], ids=["live", "static"])
def test_two_explorers_two_displays(notebook, static):
    res = execute_notebook(notebook, static=static)
    assert res.ok, (res.error, res.stderr)
    outputs = res.nb.cells[0].outputs
    mime = "image/png" if static else WIDGET_MIME
    shown = sum(mime in o.get("data", {}) for o in outputs)
    assert shown == 2, f"{shown} displays of {mime} for two interactive_plot calls"
    printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert printed.strip() == ("Figure" if static else "VBox"), "the explorer is still returned"


@pytest.mark.parametrize("static", [False, True], ids=["live", "static"])
def test_the_returned_explorer_can_be_displayed_again_later(notebook, static):
    """The echo suppression lasts for the cell only: display(explorer) in a later cell shows
    it (it used to show nothing, the mark stayed on the object)."""
    res = execute_notebook(notebook, static=static)
    assert res.ok, (res.error, res.stderr)
    mime = "image/png" if static else WIDGET_MIME
    later = res.nb.cells[1].outputs
    assert sum(mime in o.get("data", {}) for o in later) == 1, later


PERSISTENT = """\
from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg
from helpers import describe, interactive_plot

FIG = Figure(figsize=(3, 2))
FigureCanvasAgg(FIG)
LINE, = FIG.subplots().plot([0, 1], [0, 1])

def draw(a=1.0):
    LINE.set_ydata([0, a])
    describe(FIG, f"a line from 0 to {a}")
    return FIG

interactive_plot(draw, a=(0.0, 2.0))"""


@pytest.mark.parametrize("static", [False, True], ids=["live", "static"])
def test_a_persistent_figure_before_any_pyplot_figure_is_shown(tmp_path, static):
    """A returned non-pyplot Figure in a fresh kernel, before pyplot ever drew: the inline
    backend has not registered its PNG printer yet, and the figure must still be an image."""
    res = execute_notebook(write_notebook(tmp_path / "persistent.ipynb", PERSISTENT),
                           static=static)
    assert res.ok, (res.error, res.stderr)
    outputs = res.nb.cells[0].outputs
    mime = "image/png" if static else WIDGET_MIME
    images = [o for o in outputs if mime in o.get("data", {})]
    assert len(images) == 1, outputs
    if static:
        assert images[0]["metadata"]["image/png"]["alt"] == "a line from 0 to 1.0"
