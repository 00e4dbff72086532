"""Interactive explorers (ipywidgets) that degrade to a static figure without a front end.

Lectures call :func:`interactive_plot` with a drawing function and its controls. In a live
Jupyter front end the user gets the controls above an ``Output`` area that is redrawn on every
change. When the notebook is executed headless for the HTML/slide build (``OPTML_STATIC=1``)
or by nbgrader (``NBGRADER_EXECUTION`` set), :func:`static_mode` is true and the same call
draws one ordinary figure for the default values instead of a widget nobody can move.

Both functions read the environment on every call; the module keeps no state.

**Redraws** (:func:`redraw`, used by the live explorer and timed by
:func:`coursetools.explorers.redraw_seconds`): ``draw`` is called with the garbage collector
paused, then each new pyplot figure and a returned :class:`~matplotlib.figure.Figure` (new or
persistent) is rendered to PNG exactly once, *at the figure's own size* (``bbox_inches=None``, no
"tight" crop or expansion: an extra layout pass that cost 11-36 % of a redraw). Contract:
explorer figures have a fixed layout (``fig.subplots_adjust``, no ``tight_layout``/
``constrained`` re-layout needed) with everything (titles, legends, colour bars, tick labels)
inside ``fig.bbox``; the explorer sweep (``tests/test_explorers.py``) fails when a figure's
``get_tightbbox()`` extends beyond it at any setting, so nothing can be silently clipped.
"""

from __future__ import annotations

import base64
import contextlib
import gc
import inspect
import os
from collections.abc import Iterable, Mapping
from numbers import Integral, Real

__all__ = ["interactive_plot", "redraw", "static_mode"]

_TRUE = {"1", "true"}
_EMPTY = inspect.Parameter.empty


def static_mode() -> bool:
    """Whether explorers should draw a static figure instead of live widgets.

    Returns
    -------
    bool
        True when the environment variable ``OPTML_STATIC`` is ``"1"`` or ``"true"``
        (any case, surrounding spaces ignored), or when ``NBGRADER_EXECUTION`` is set (to
        anything). Read on every call, so a change of the environment takes effect at once.

    Examples
    --------
    >>> import os
    >>> os.environ["OPTML_STATIC"] = "1"
    >>> static_mode()
    True
    >>> del os.environ["OPTML_STATIC"]
    """
    flag = os.environ.get("OPTML_STATIC", "").strip().lower()
    return flag in _TRUE or "NBGRADER_EXECUTION" in os.environ


# --------------------------------------------------------------------------------------------
# default values (static mode): the value the live widget would start with
# --------------------------------------------------------------------------------------------
def _slider_midpoint(lo, hi, step=None):
    """Initial value of an interact-style ``(min, max[, step])`` slider without a default.

    Same rule as ipywidgets: the midpoint (integer midpoint for integer sliders), moved down
    onto the step grid ``min + k * step``.
    """
    diff = hi - lo
    value = lo + diff / 2
    if not isinstance(value, type(diff)):
        value = lo + diff // 2
    if step is not None:
        value = lo + int((value - lo) / step) * step
    return value


def _option_values(options) -> list:
    """Values of a dropdown built from an iterable (labels dropped), as ipywidgets does."""
    items = list(options.items()) if isinstance(options, Mapping) else list(options)
    if items and all(isinstance(i, (list, tuple)) and len(i) == 2 for i in items):
        return [v for _, v in items]
    return items


def _initial_value(name: str, abbrev, default=_EMPTY):
    """The value a control starts with in live mode, computed without creating a widget.

    Rules (those of ``ipywidgets.interact``):

    - a widget (or ``ipywidgets.fixed``): its current ``.value``;
    - a tuple ``(min, max)`` or ``(min, max, step)``: the draw function's default for this
      parameter if it has one (clipped into the range), else the midpoint of the range on
      the step grid; integer if all entries are ints, else float;
    - a single bool, str, int or float: that value itself (a checkbox, text field, or a
      slider around it);
    - a list / dict / other iterable of options: the draw function's default if it is one
      of the options, else the first option (for a dict or ``(label, value)`` pairs, its
      value).
    """
    from ipywidgets import ValueWidget, Widget, fixed

    if isinstance(abbrev, (ValueWidget, fixed)):
        return abbrev.value
    if isinstance(abbrev, Widget):
        raise TypeError(f"control {name!r}: {type(abbrev).__name__} has no value to pass")
    if isinstance(abbrev, tuple):
        if len(abbrev) not in (2, 3) or not all(
            isinstance(v, Real) and not isinstance(v, bool) for v in abbrev
        ):
            raise ValueError(
                f"control {name!r}: a tuple must be (min, max) or (min, max, step) of numbers, "
                f"got {abbrev!r}"
            )
        lo, hi = abbrev[0], abbrev[1]
        step = abbrev[2] if len(abbrev) == 3 else None
        if step is not None and step <= 0:
            raise ValueError(f"control {name!r}: step must be > 0, got {step!r}")
        if not lo <= hi:
            raise ValueError(f"control {name!r}: need min <= max, got {abbrev!r}")
        integer = all(isinstance(v, Integral) for v in abbrev)
        cast = int if integer else float
        if default is not _EMPTY and isinstance(default, Real):
            return cast(min(max(default, lo), hi))
        return cast(_slider_midpoint(lo, hi, step))
    if isinstance(abbrev, (str, bool)):
        return abbrev
    if isinstance(abbrev, Integral):
        return int(abbrev)
    if isinstance(abbrev, Real):
        return float(abbrev)
    if isinstance(abbrev, Iterable):
        values = _option_values(abbrev)
        if not values:
            raise ValueError(f"control {name!r}: the list of options is empty")
        if default is not _EMPTY and any(default == v for v in values):
            return default
        return values[0]
    raise ValueError(
        f"control {name!r}: cannot make a control from {abbrev!r} (expected a widget, a "
        "(min, max[, step]) tuple, a bool/str/number, or a list/dict of options)"
    )


# --------------------------------------------------------------------------------------------
# argument checking shared by both modes
# --------------------------------------------------------------------------------------------
def _defaults(draw, controls) -> dict:
    """Check that ``draw`` accepts the controls; return its defaults for their names."""
    if not callable(draw):
        raise TypeError(f"draw must be a callable drawing a figure, got {type(draw).__name__}")
    if not controls:
        raise ValueError("interactive_plot needs at least one control, e.g. lr=(0.01, 1.0)")
    try:
        params = inspect.signature(draw).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return {}
    takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    named = {n: p for n, p in params.items()
             if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                           inspect.Parameter.KEYWORD_ONLY)}
    unknown = [n for n in controls if n not in named and not takes_kwargs]
    if unknown:
        raise TypeError(
            f"draw() has no parameter(s) {unknown} for the given controls; "
            f"its parameters are {list(named)}"
        )
    missing = [n for n, p in named.items() if p.default is _EMPTY and n not in controls]
    if missing:
        raise TypeError(f"draw() needs a value for {missing}: give a control or a default")
    return {n: named[n].default for n in controls if n in named}


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the course
        return False
    return get_ipython() is not None


# --------------------------------------------------------------------------------------------
# public
# --------------------------------------------------------------------------------------------
def interactive_plot(draw, **controls):
    """An ipywidgets explorer for a drawing function, or one static figure when headless.

    Parameters
    ----------
    draw : callable
        ``draw(**values)`` makes a figure with matplotlib (``plt.subplots`` inside) for the
        current control values. Parameters without a control must have defaults. To
        describe the figure for screen readers (its alt text, see :func:`helpers.describe`)
        with the current values, ``draw`` returns the description as a ``str`` (or calls
        ``helpers.describe(fig, ...)`` itself); the text is updated on every redraw.
    **controls
        One per parameter of ``draw`` to explore: an ipywidgets widget
        (``FloatSlider(...)``, ``Dropdown(...)``...), ``ipywidgets.fixed(value)``, or an
        interact-style abbreviation: ``(min, max)`` / ``(min, max, step)`` for a slider
        (integer if all are ints), a list or dict of options for a dropdown, a bool for a
        checkbox, a str for a text box.

    Returns
    -------
    ipywidgets.VBox or matplotlib.figure.Figure or None
        Live mode: the container (controls above an ``Output``) that was displayed.
        Static mode: the Figure that ``draw`` returned, else the last figure it created
        (None if it created none; a ``str`` returned by ``draw`` describes them). Either
        was displayed by this call and is marked so that ending a cell with
        ``interactive_plot(...)`` does not display it a second time.

    Notes
    -----
    **Live mode** (default): widgets are made with ipywidgets' own interact machinery
    (``interactive.widget_from_abbrev``); on every change the ``Output`` is cleared
    (``clear_output(wait=True)``) and :func:`redraw` draws and renders each figure once at its
    own size, displayed with its description (``text/plain``, the ``alt`` of ``image/png``,
    and a ``text/html`` ``<img alt=...>`` for JupyterLab). ``draw`` may return a persistent
    Figure it updates in place (built with ``matplotlib.figure.Figure`` and a
    ``FigureCanvasAgg``, not pyplot): it is shown on every redraw and kept open. Explorer
    figures need a fixed layout with nothing outside the figure (no "tight" crop).
    Sliders update continuously while dragged; for an expensive ``draw`` pass a widget with
    ``continuous_update=False``.

    **Static mode** (:func:`static_mode` true): ``draw`` is called once with the values the
    live widgets would start with: a widget's ``.value``; for a ``(min, max[, step])``
    tuple, ``draw``'s own default for that parameter if it has one (clipped into the
    range), else the midpoint of the range (on the step grid); a single bool/str/number is
    its own value; for options, ``draw``'s default if it is one of them, else the first
    option. No widget is created. In IPython the new figure(s) are displayed as ordinary
    image output and closed (so the inline backend does not show them twice); outside
    IPython they are left open.

    Examples
    --------
    >>> import os, matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> def draw(steps, lr=0.1):
    ...     fig, ax = plt.subplots()
    ...     ax.plot([(1 - lr) ** k for k in range(steps)])
    ...     ax.set_title(f"lr = {lr}")
    >>> os.environ["OPTML_STATIC"] = "1"
    >>> fig = interactive_plot(draw, lr=(0.0, 1.0, 0.05), steps=(2, 50))
    >>> fig.axes[0].get_title(), len(fig.axes[0].lines[0].get_xdata())
    ('lr = 0.1', 26)
    >>> del os.environ["OPTML_STATIC"]
    >>> plt.close(fig)
    """
    defaults = _defaults(draw, controls)
    if static_mode():
        return _static(draw, controls, defaults)
    return _live(draw, controls, defaults)


def _describing(draw):
    """``draw`` wrapped so that a returned ``str`` describes the figures it created."""

    def run(**values):
        import matplotlib.pyplot as plt

        from .accessibility import describe

        before = set(plt.get_fignums())
        result = draw(**values)
        if isinstance(result, str):
            for num in plt.get_fignums():
                if num not in before:
                    describe(plt.figure(num), result)
        return result

    return run


def _static(draw, controls, defaults):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    values = {n: _initial_value(n, a, defaults.get(n, _EMPTY)) for n, a in controls.items()}
    before = set(plt.get_fignums())
    result = _describing(draw)(**values)
    figures = [plt.figure(num) for num in plt.get_fignums() if num not in before]
    if isinstance(result, Figure) and all(result is not fg for fg in figures):
        figures.append(result)
    fig = result if isinstance(result, Figure) else (figures[-1] if figures else None)
    if _in_ipython():
        from IPython.display import display

        for fg in figures:
            display(fg)
            plt.close(fg)
            _mark_shown(fg)
    return fig


def _png(fig) -> bytes | None:
    """``fig`` rendered once to PNG at its own size (None for a figure without axes)."""
    from IPython.core.pylabtools import print_figure

    return print_figure(fig, "png", bbox_inches=None)


def figure_bundle(fig, png: bytes) -> tuple[dict, dict]:
    """The display data of a figure already rendered to ``png``, with its description.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (its description comes from :func:`helpers.description_of`).
    png : bytes
        Its PNG.

    Returns
    -------
    tuple of dict
        ``(data, metadata)`` for ``IPython.display.display(data, raw=True, metadata=...)``:
        ``text/plain`` (the description), ``image/png`` (base64) with the description as its
        ``alt`` metadata (classic notebook, nbconvert), and ``text/html``, an
        ``<img src="data:image/png;base64,..." alt="...">`` of the same PNG, which JupyterLab
        prefers and whose ``alt`` reaches a screen reader (JupyterLab ignores the ``alt``
        metadata of ``image/png``).
    """
    from .accessibility import description_of, image_html

    text = description_of(fig)
    b64 = base64.b64encode(png).decode("ascii")
    return ({"text/plain": text, "image/png": b64, "text/html": image_html(b64, text)},
            {"image/png": {"alt": text}})


@contextlib.contextmanager
def _gc_paused():
    """Disable the garbage collector inside the block; re-enable it after if it was enabled.

    Re-enabled in a ``finally`` clause (also when the block raises); nested blocks leave it to
    the outermost. Objects created meanwhile are collected by the next automatic collection.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def redraw(draw, values: dict) -> list[tuple]:
    """One explorer redraw: ``draw(**values)``, then its figures rendered to PNG once each.

    This is what the live explorer does on every change of a control (and what
    :func:`coursetools.explorers.redraw_seconds` times).

    Parameters
    ----------
    draw : callable
        The explorer's drawing function. It may create pyplot figures (``plt.subplots``), and/or
        return a :class:`matplotlib.figure.Figure` (e.g. a persistent figure built once with a
        ``FigureCanvasAgg`` and updated in place), or return a ``str`` describing the pyplot
        figures it created.
    values : dict
        The control values, passed as keyword arguments.

    Returns
    -------
    list of tuple
        ``(figure, data, metadata)`` for each figure to show, in creation order (a returned
        Figure last): ``data``/``metadata`` as :func:`figure_bundle` makes them. New pyplot
        figures are closed (the inline backend does not show them again); a returned
        non-pyplot Figure is left as it is, for the next redraw. A figure without axes is
        not shown.

    Notes
    -----
    The garbage collector is disabled during ``draw`` and the rendering (a full collection
    in a lecture kernel holding ~200k objects takes up to 0.1 s and would land inside a redraw
    at random) and re-enabled in a ``finally`` clause if it was enabled before, also when
    ``draw`` raises; nothing else is changed (the live explorer keeps it paused until the PNG
    is sent, so a collection that falls due comes after the student sees the figure). Figures
    are rendered at their own size (``bbox_inches=None``): explorer figures must have a fixed
    layout with everything inside the figure (see the module docstring).
    """
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    before = set(plt.get_fignums())
    new = []
    with _gc_paused():
        try:
            result = _describing(draw)(**values)
            new = [plt.figure(num) for num in plt.get_fignums() if num not in before]
            figures = list(new)
            if isinstance(result, Figure) and all(result is not fg for fg in figures):
                figures.append(result)
            shown = []
            for fig in figures:
                png = _png(fig)
                if png is not None:
                    shown.append((fig, *figure_bundle(fig, png)))
            return shown
        finally:
            for fig in new or [plt.figure(n) for n in plt.get_fignums() if n not in before]:
                plt.close(fig)


def _live(draw, controls, defaults):
    from IPython.display import clear_output, display
    from ipywidgets import Output, VBox, Widget, fixed, interactive

    widgets = {}
    for name, abbrev in controls.items():
        _initial_value(name, abbrev, defaults.get(name, _EMPTY))  # same validation as static
        widget = interactive.widget_from_abbrev(abbrev, defaults.get(name, _EMPTY))
        if isinstance(widget, Widget) and not getattr(widget, "description", ""):
            widget.description = name
        widgets[name] = widget
    out = Output()

    def update(change=None):
        values = {k: w.value for k, w in widgets.items()}
        with out, _gc_paused():  # a collection, if due, comes after the PNG is sent
            clear_output(wait=True)
            for _fig, data, metadata in redraw(draw, values):
                display(data, raw=True, metadata=metadata)

    for widget in widgets.values():
        if not isinstance(widget, fixed):
            widget.observe(update, "value")
    update()
    box = VBox([w for w in widgets.values() if isinstance(w, Widget)] + [out])
    display(box)
    return _mark_shown(box)


def _already_shown(**kwargs):
    """IPython display hook of an object this module has displayed: show nothing more."""


def _mark_shown(obj):
    """Make ``obj`` display as nothing when it is echoed as the current cell's value.

    ``interactive_plot`` displays its widget or figure itself (so a call in the middle of a
    cell shows it too) and returns it for inspection; without this mark, a cell *ending* in
    ``interactive_plot(...)`` would show it a second time (two synchronized widgets, or the
    same figure twice). IPython looks ``_ipython_display_`` up on the instance, so only this
    object is affected, and only until the cell has run: a ``post_run_cell`` callback removes
    the mark, so ``display(obj)`` in a later cell shows it again. Outside IPython there is no
    echo and nothing is marked.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of ipywidgets
        return obj
    shell = get_ipython()
    if shell is None:
        return obj
    obj._ipython_display_ = _already_shown

    def unmark(*args, **kwargs):
        shell.events.unregister("post_run_cell", unmark)
        vars(obj).pop("_ipython_display_", None)

    shell.events.register("post_run_cell", unmark)
    return obj
