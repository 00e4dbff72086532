"""Every explorer draws without an error or a warning over the whole range of each control.

A student drags a slider to its end, or onto a value the author never tried (a flat tangent at
x = 0, a step size of exactly 2/L): the figure must still be drawn, with no traceback and no
warning. For every lecture the test runs the notebook (static mode) with one cell put in front
that records each ``interactive_plot(draw, **controls)`` call, and one cell appended that calls
every recorded ``draw`` (:mod:`coursetools.explorers`):

* each control in turn at its minimum, maximum and three interior points on its step grid (every
  option of a dropdown, both states of a checkbox), the other controls at their start values;
* all controls at their minimum, and all at their maximum;

with warnings turned into errors, rendering each figure to pixels (some errors only appear
then) and closing it. The appended cell prints the failures as JSON; the test reports each one
with the explorer's name and the control values.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import nbformat
import pytest

from coursetools.explorers import probe_notebook
from coursetools.notebooks import lecture_paths

LECTURES = lecture_paths()


@pytest.fixture(scope="module")
def sweeps(request):
    """{stem: (error, stderr, report)} for the lectures the selected tests ask for (`-k 06_`)."""
    wanted = [
        item.callspec.params["path"]
        for item in request.session.items
        if "sweeps" in getattr(item, "fixturenames", ()) and hasattr(item, "callspec")
    ]
    with ProcessPoolExecutor(max_workers=2) as pool:
        return dict(zip((p.stem for p in wanted), pool.map(probe_notebook, wanted), strict=True))


@pytest.mark.slow
@pytest.mark.parametrize("path", LECTURES, ids=[p.stem for p in LECTURES])
def test_every_explorer_draws_over_its_whole_range(sweeps, path):
    error, stderr, report = sweeps[path.stem]
    assert error is None, error
    assert report is not None, "the sweep cell printed no report"
    nb = nbformat.read(path, as_version=4)
    n_calls = sum(c.source.count("interactive_plot(") for c in nb.cells if c.cell_type == "code")
    assert report["explorers"] == n_calls >= 2, (
        f"recorded {report['explorers']} explorers; the notebook's code calls "
        f"interactive_plot {n_calls} times"
    )
    lines = [
        f"{f['draw']}({', '.join(f'{k}={v}' for k, v in f['values'].items())}): {f['error']}"
        for f in report["failures"]
    ]
    assert not lines, f"{len(lines)} of {report['calls']} draws failed:\n" + "\n".join(lines)
    assert not stderr, "\n".join(stderr)[:2000]


def test_the_sweep_covers_ends_interior_points_and_options():
    """The values come from the controls themselves: ends, 3 interior points on the step grid."""
    from ipywidgets import Dropdown, FloatLogSlider, FloatSlider, IntSlider, fixed

    from coursetools.explorers import cases, control_values

    assert control_values(FloatSlider(value=1, min=-3.9, max=3.9, step=0.1)) == [
        -3.9, -1.9, 0.0, 1.9, 3.9]
    assert control_values(IntSlider(value=2, min=1, max=6)) == [1, 2, 3, 5, 6]
    assert control_values(FloatLogSlider(value=1, base=10, min=-2, max=2, step=1)) == [
        0.01, 0.1, 1.0, 10.0, 100.0]
    assert control_values(Dropdown(options=[("a", 1), ("b", 2)], value=2)) == [1, 2]
    assert control_values(fixed(7)) == [7]

    def draw(x=0.5, k=3, method="gd"):
        pass

    got = cases(draw, {"x": (0.0, 1.0, 0.25), "k": (1, 5), "method": ["gd", "adam"]})
    assert got[0] == {"x": 0.5, "k": 3, "method": "gd"}  # the start values first
    assert {"x": 0.0, "k": 1, "method": "gd"} in got and {"x": 1.0, "k": 5, "method": "adam"} in got
    assert len({repr(sorted(c.items())) for c in got}) == len(got)  # no duplicates
    assert sorted({c["x"] for c in got}) == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_the_layout_check_finds_content_outside_the_figure():
    """Explorers are shown at their own size: a title beyond the figure's top is an error."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from coursetools.explorers import draw_error, outside_figure

    fig = Figure(figsize=(3, 2), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.2, bottom=0.2, top=0.85)
    ax.set_title("fits")
    assert outside_figure(fig) is None

    def draw(top=0.85):
        fig.subplots_adjust(top=top)
        return fig

    assert draw_error(draw, {"top": 0.85}) is None
    err = draw_error(draw, {"top": 0.99})  # the title now sticks out at the top
    assert err.startswith("LayoutError") and "top by" in err


def test_redraw_seconds_times_the_live_redraw(monkeypatch):
    """redraw_seconds calls helpers.widgets.redraw itself (it does not copy it)."""
    import helpers.widgets
    from coursetools.explorers import redraw_seconds

    calls = []
    monkeypatch.setattr(helpers.widgets, "redraw", lambda draw, values: calls.append(values))
    assert redraw_seconds(lambda a: None, {"a": 1}, repeat=3) >= 0
    assert calls == [{"a": 1}] * 3
