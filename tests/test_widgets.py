"""Tests for helpers.widgets: both modes in-process, and headless notebook execution."""

import doctest
import inspect
import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402
from ipywidgets import (  # noqa: E402
    Button,
    Dropdown,
    FloatSlider,
    IntSlider,
    Output,
    VBox,
    fixed,
    interactive,
)
from matplotlib.figure import Figure  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

import helpers.widgets  # noqa: E402
from helpers.widgets import _initial_value, interactive_plot, static_mode  # noqa: E402

EMPTY = inspect.Parameter.empty  # "draw has no default for this parameter"


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    monkeypatch.delenv("OPTML_STATIC", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    yield
    plt.close("all")


class Recorder:
    """A draw function that records its calls and makes one figure per call."""

    def __init__(self):
        self.calls = []

    def __call__(self, lr, n=3, method="gd"):
        self.calls.append(dict(lr=lr, n=n, method=method))
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.plot(range(n), [lr * i for i in range(n)], label=method)


# --- static_mode ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, False),
        ({"OPTML_STATIC": "1"}, True),
        ({"OPTML_STATIC": "true"}, True),
        ({"OPTML_STATIC": " TRUE "}, True),
        ({"OPTML_STATIC": "0"}, False),
        ({"OPTML_STATIC": ""}, False),
        ({"OPTML_STATIC": "false"}, False),
        ({"NBGRADER_EXECUTION": "autograde"}, True),
        ({"NBGRADER_EXECUTION": ""}, True),
    ],
)
def test_static_mode_reads_environment(monkeypatch, env, expected):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert static_mode() is expected


def test_static_mode_is_read_on_every_call(monkeypatch):
    assert static_mode() is False
    monkeypatch.setenv("OPTML_STATIC", "1")
    assert static_mode() is True
    monkeypatch.delenv("OPTML_STATIC")
    assert static_mode() is False


# --- default values agree with what ipywidgets would build ---------------------------------
CASES = [
    ((0.0, 1.0), EMPTY),
    ((0.01, 1.0, 0.01), EMPTY),
    ((0, 10), EMPTY),
    ((1, 10), EMPTY),
    ((0, 9, 2), EMPTY),
    ((0.0, 2.0, 0.3), EMPTY),
    ((0.0, 1.0), 0.25),
    ((0.0, 1.0), 7.0),  # default outside the range: clipped
    ((1, 100), 10),
    ((-3.0, 3.0, 0.5), -1.0),
    (5, EMPTY),
    (0.3, 0.9),  # single value wins over the default
    (True, EMPTY),
    ("text", EMPTY),
    (["gd", "momentum", "adam"], EMPTY),
    (["gd", "momentum", "adam"], "adam"),
    (["gd", "momentum"], "not an option"),
    ([("small", 0.01), ("large", 0.5)], EMPTY),
    ([("small", 0.01), ("large", 0.5)], 0.5),
    ({"one": 1, "two": 2}, EMPTY),
    (range(3, 7), EMPTY),
]


@pytest.mark.parametrize(("abbrev", "default"), CASES)
def test_initial_value_matches_ipywidgets(abbrev, default):
    widget = interactive.widget_from_abbrev(abbrev, default)
    got = _initial_value("x", abbrev, default)
    assert got == widget.value
    assert type(got) is type(widget.value)


def test_initial_value_of_widgets_and_bad_abbreviations():
    assert _initial_value("x", FloatSlider(value=0.7, min=0, max=1)) == 0.7
    assert _initial_value("x", fixed("keep")) == "keep"
    with pytest.raises(TypeError, match="no value"):
        _initial_value("x", Button())
    for bad in [(1, "a"), (1, 2, 3, 4), (5, 1), (0, 1, 0), None, [], object()]:
        with pytest.raises(ValueError, match="control 'x'"):
            _initial_value("x", bad)


# --- static mode ---------------------------------------------------------------------------
def test_static_mode_draws_once_with_defaults_and_returns_the_figure(monkeypatch):
    monkeypatch.setenv("OPTML_STATIC", "1")
    draw = Recorder()
    fig = interactive_plot(draw, lr=(0.0, 1.0, 0.1), n=(2, 20), method=["gd", "adam"])
    assert draw.calls == [dict(lr=0.5, n=3, method="gd")]
    assert isinstance(fig, Figure)
    (line,) = fig.axes[0].lines
    assert list(line.get_xdata()) == [0, 1, 2] and line.get_label() == "gd"


def test_nbgrader_execution_also_means_static(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    draw = Recorder()
    fig = interactive_plot(draw, lr=IntSlider(value=4, min=0, max=9))
    assert draw.calls == [dict(lr=4, n=3, method="gd")]
    assert isinstance(fig, Figure)


def test_static_mode_returns_figure_returned_by_draw(monkeypatch):
    monkeypatch.setenv("OPTML_STATIC", "true")

    def draw(a=1.0):
        fig = Figure()
        fig.add_subplot().plot([0, a])
        return fig

    fig = interactive_plot(draw, a=(0.0, 4.0))
    assert isinstance(fig, Figure) and fig.axes[0].lines[0].get_ydata()[1] == 1.0


# --- live mode -----------------------------------------------------------------------------
def test_live_mode_builds_controls_and_redraws_on_change():
    draw = Recorder()
    box = interactive_plot(draw, lr=(0.0, 1.0, 0.1), n=(2, 20), method=["gd", "adam"])
    assert isinstance(box, VBox)
    *controls, out = box.children
    assert isinstance(out, Output)
    assert [type(c) for c in controls] == [FloatSlider, IntSlider, Dropdown]
    assert [c.description for c in controls] == ["lr", "n", "method"]
    assert [c.value for c in controls] == [0.5, 3, "gd"]
    assert draw.calls == [dict(lr=0.5, n=3, method="gd")]  # initial draw
    controls[0].value = 0.2
    controls[2].value = "adam"
    assert draw.calls[1:] == [dict(lr=0.2, n=3, method="gd"),
                              dict(lr=0.2, n=3, method="adam")]


def test_live_mode_uses_given_widget_instance():
    draw = Recorder()
    slider = FloatSlider(value=0.3, min=0.0, max=1.0, description="step size")
    box = interactive_plot(draw, lr=slider)
    assert box.children[0] is slider and slider.description == "step size"
    assert draw.calls == [dict(lr=0.3, n=3, method="gd")]


def test_fixed_controls_are_passed_but_not_shown():
    draw = Recorder()
    box = interactive_plot(draw, lr=(0.0, 1.0), method=fixed("adam"))
    assert len(box.children) == 2  # one slider + the output
    assert draw.calls[0]["method"] == "adam"


@pytest.mark.parametrize("static", [False, True])
def test_bad_arguments(monkeypatch, static):
    if static:
        monkeypatch.setenv("OPTML_STATIC", "1")
    with pytest.raises(TypeError, match="callable"):
        interactive_plot(42, lr=(0, 1))
    with pytest.raises(TypeError, match="no parameter"):
        interactive_plot(Recorder(), lr=(0.0, 1.0), momentum=(0.0, 1.0))
    with pytest.raises(TypeError, match=r"needs a value for \['lr'\]"):
        interactive_plot(Recorder(), n=(2, 5))
    with pytest.raises(ValueError, match="at least one control"):
        interactive_plot(Recorder())
    with pytest.raises(ValueError, match="control 'lr'"):
        interactive_plot(Recorder(), lr=(1.0, "a"))


# --- headless execution of a notebook, both modes -------------------------------------------
NOTEBOOK_CELL = """\
import matplotlib.pyplot as plt
from helpers import interactive_plot, static_mode

def draw(k, lr=0.1, method="gd"):
    print(f"draw k={k} lr={lr} method={method}")
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot(range(k + 1), [lr * i for i in range(k + 1)], label=method)
    ax.legend()

result = interactive_plot(draw, k=(0, 10), lr=(0.01, 1.0, 0.01), method=["gd", "adam"])
print(type(result).__name__, static_mode())
"""


def run_notebook(monkeypatch, static):
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel must use the inline backend
    if static:
        monkeypatch.setenv("OPTML_STATIC", "1")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(NOTEBOOK_CELL)]
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    return nb


def _kinds(outputs):
    streams = {}
    for o in outputs:
        if o["output_type"] == "stream":
            streams[o["name"]] = streams.get(o["name"], "") + o["text"]
    mimes = [m for o in outputs if o["output_type"] == "display_data" for m in o["data"]]
    return streams, mimes


@pytest.mark.parametrize("static", [True, False], ids=["OPTML_STATIC=1", "live"])
def test_headless_notebook_execution(monkeypatch, static):
    nb = run_notebook(monkeypatch, static)
    outputs = nb.cells[0].outputs
    streams, mimes = _kinds(outputs)
    assert "stderr" not in streams, streams.get("stderr")
    assert not [o for o in outputs if o["output_type"] == "error"]
    widget_view = "application/vnd.jupyter.widget-view+json"
    if static:
        assert "image/png" in mimes and widget_view not in mimes
        assert mimes.count("image/png") == 1  # shown once, not again by the inline backend
        assert "draw k=5 lr=0.1 method=gd" in streams["stdout"]
        assert "Figure True" in streams["stdout"]
    else:
        assert widget_view in mimes and "image/png" not in mimes
        assert "VBox False" in streams["stdout"]
        assert "draw k=" not in streams["stdout"]  # the drawing went into the Output widget
        state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
        (captured,) = [m["state"]["outputs"] for m in state.values()
                       if m["model_name"] == "OutputModel"]
        assert "draw k=5 lr=0.1 method=gd" in captured[0]["text"]
        assert [o for o in captured if "image/png" in o.get("data", {})]


def test_environment_is_restored_between_tests():
    assert "OPTML_STATIC" not in os.environ


def test_docstring_examples_run():
    result = doctest.testmod(helpers.widgets)
    assert result.attempted > 0 and result.failed == 0


# --- the live redraw: what draw returns, rendered once, with its description ----------------
def _persistent_explorer():
    """A draw function updating one Figure (not pyplot-managed) in place and returning it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from helpers import describe

    fig = Figure(figsize=(2, 2), dpi=50)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 0])
    ax.set_ylim(0, 1)
    calls = []

    def draw(a=0.5):
        calls.append(a)
        line.set_ydata([0, a])
        describe(fig, f"A line rising to {a}.")
        return fig

    return fig, draw, calls


class _Shell:
    """Records what the live Output displays (IPython.display.display with raw=True)."""

    def __init__(self, monkeypatch):
        import IPython.display

        self.shown = []
        self.cleared = 0
        monkeypatch.setattr(IPython.display, "display", self._display)
        monkeypatch.setattr(IPython.display, "clear_output", self._clear)

    def _display(self, obj, *args, raw=False, metadata=None, **kwargs):
        if raw:
            self.shown.append((obj, metadata))

    def _clear(self, wait=False):
        self.cleared += 1
        self.shown.clear()


def test_live_redraw_shows_a_persistent_figure_on_every_change(monkeypatch):
    import base64

    shell = _Shell(monkeypatch)
    fig, draw, calls = _persistent_explorer()
    box = interactive_plot(draw, a=(0.0, 1.0))
    slider = box.children[0]
    for value in (0.2, 0.9):
        slider.value = value
        (data, md), = shell.shown  # the returned Figure, shown once per redraw
        assert data["text/plain"] == f"A line rising to {value}." == md["image/png"]["alt"]
        png = base64.b64decode(data["image/png"])
        assert png.startswith(b"\x89PNG")
        assert f'alt="A line rising to {value}."' in data["text/html"]
        assert data["image/png"] in data["text/html"]  # the same PNG, rendered once
    assert calls == [0.5, 0.2, 0.9] and shell.cleared == 3
    # shown at the figure's own size (2 x 2 in at 50 dpi), no tight crop
    import io

    import matplotlib.image as mpimg
    assert mpimg.imread(io.BytesIO(png)).shape[:2] == (100, 100)
    assert fig.axes[0].lines[0].get_ydata()[1] == 0.9  # the same figure, kept alive


def test_live_redraw_shows_pyplot_figures_once_and_closes_them(monkeypatch):
    shell = _Shell(monkeypatch)

    def draw(a=1.0):
        for k in range(2):
            fig, ax = plt.subplots(figsize=(2, 2))
            ax.plot([0, a * k])
        return f"two lines, a = {a}"

    before = set(plt.get_fignums())
    box = interactive_plot(draw, a=(0.0, 2.0))
    assert len(shell.shown) == 2 and set(plt.get_fignums()) == before
    box.children[0].value = 0.5
    assert [d["text/plain"] for d, _ in shell.shown] == ["two lines, a = 0.5"] * 2
    assert set(plt.get_fignums()) == before  # closed: the inline backend shows nothing more


def test_redraw_restores_the_garbage_collector_after_an_error():
    import gc

    from helpers.widgets import redraw

    states = []

    def broken(a=1.0):
        states.append(gc.isenabled())
        plt.subplots()
        raise RuntimeError("boom")

    assert gc.isenabled()
    before = set(plt.get_fignums())
    with pytest.raises(RuntimeError, match="boom"):
        redraw(broken, {"a": 1.0})
    assert states == [False] and gc.isenabled()  # paused during draw, re-enabled after
    assert set(plt.get_fignums()) == before  # the half-drawn figure is closed
    gc.disable()
    try:
        redraw(lambda a: None, {"a": 1})
        assert not gc.isenabled()  # a disabled collector stays disabled
    finally:
        gc.enable()


def test_redraw_returns_one_bundle_per_figure_and_skips_empty_ones():
    from helpers.widgets import redraw

    def draw(a=1.0):
        plt.figure()  # no axes: nothing to show
        fig, ax = plt.subplots()
        ax.plot([0, a], label="line")
        ax.set_title("t")

    (shown,) = redraw(draw, {"a": 2.0})
    fig, data, md = shown
    assert fig.axes[0].get_title() == "t"
    assert set(data) == {"text/plain", "image/png", "text/html"}
    assert data["text/plain"].startswith("Figure (generated summary")
