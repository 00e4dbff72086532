"""Find every explorer of a lecture, then sweep its controls or time its redraws.

A lecture's explorers are ``helpers.interactive_plot(draw, **controls)`` calls in its cells. To
test or benchmark them without a browser, :func:`probe_notebook` runs the lecture (static mode)
with one cell put in front that records each call (:func:`install_recorder`, run inside the
kernel) and one cell appended that works on the recorded ``draw`` functions:

* ``"sweep"`` (:func:`sweep`): call every ``draw`` at the ends and interior points of each control
  (every option of a dropdown, both states of a checkbox), one control at a time with the others
  at their start values, plus all controls at their minimum and all at their maximum; warnings are
  errors, each figure (a returned Figure included) is rendered to PNG as the live explorer does
  (some errors only appear then), and a figure whose content reaches outside it fails
  (:func:`outside_figure`: explorers are shown at their own size, nothing is cropped);
* ``"time"`` (:func:`time_redraws`): the server-side redraw time of each explorer, as the kernel
  pays it when a slider moves: :func:`helpers.widgets.redraw` (``draw`` plus one PNG of each of
  its figures), best of ``repeat`` for each of ``settings`` control settings.

The appended cell prints one JSON line after :data:`MARK`; :func:`probe_notebook` returns it parsed.
The functions marked "in the kernel" run inside the lecture's kernel (they import this module).
"""

from __future__ import annotations

import inspect
import json
import os
import time
from pathlib import Path

MARK = "OPTML-EXPLORER-PROBE "
_EMPTY = inspect.Parameter.empty

#: the explorers recorded in this kernel, in call order: (draw, controls) (in the kernel)
RECORDED: list[tuple] = []


def install_recorder() -> None:
    """Make ``helpers.interactive_plot`` record each call before drawing (in the kernel)."""
    import helpers
    import helpers.widgets

    original = helpers.widgets.interactive_plot

    def recording_interactive_plot(draw, **controls):
        RECORDED.append((draw, controls))
        return original(draw, **controls)

    helpers.interactive_plot = helpers.widgets.interactive_plot = recording_interactive_plot


def _grid(lo, hi, step=None, n=5):
    """``lo``, ``hi`` and ``n - 2`` interior points, snapped to the step grid as a slider is."""
    vals = [lo + (hi - lo) * k / (n - 1) for k in range(n)]
    if step:
        vals = [lo + round((v - lo) / step) * step for v in vals]
    return sorted({min(max(round(v, 10), lo), hi) for v in vals})


def control_values(widget, n: int = 5) -> list:
    """Values a student can reach with one control: its ends and interior points."""
    from ipywidgets import fixed

    name = type(widget).__name__
    if isinstance(widget, fixed):
        return [widget.value]
    if name == "FloatLogSlider":
        return [widget.base**e for e in _grid(widget.min, widget.max, widget.step, n)]
    if name in ("IntSlider", "BoundedIntText"):
        return sorted({int(v) for v in _grid(widget.min, widget.max, widget.step, n)})
    if name in ("FloatSlider", "BoundedFloatText"):
        return _grid(widget.min, widget.max, widget.step, n)
    if hasattr(widget, "_options_values"):
        return list(widget._options_values)
    if name in ("Checkbox", "ToggleButton"):
        return [False, True]
    return [widget.value]


def _widgets(draw, controls) -> dict:
    from ipywidgets import ValueWidget, fixed, interactive

    params = inspect.signature(draw).parameters
    out = {}
    for name, abbrev in controls.items():
        if isinstance(abbrev, (ValueWidget, fixed)):
            out[name] = abbrev
        else:
            default = params[name].default if name in params else _EMPTY
            out[name] = interactive.widget_from_abbrev(abbrev, default)
    return out


def cases(draw, controls) -> list[dict]:
    """The control settings :func:`sweep` draws (no duplicates; the start values first)."""
    widgets = _widgets(draw, controls)
    start = {k: w.value for k, w in widgets.items()}
    ranges = {k: control_values(w) for k, w in widgets.items()}
    candidates = [start] + [dict(start, **{k: v}) for k, vs in ranges.items() for v in vs]
    candidates += [{k: vs[0] for k, vs in ranges.items()}, {k: vs[-1] for k, vs in ranges.items()}]
    seen, out = set(), []
    for case in candidates:
        key = repr(sorted(case.items(), key=str))
        if key not in seen:
            seen.add(key)
            out.append(case)
    return out


def _close_new(before):
    import matplotlib.pyplot as plt

    for n in plt.get_fignums():
        if n not in before:
            plt.close(n)


#: how far (in pixels) a figure's drawn content may reach beyond the figure's edge
OUTSIDE_TOLERANCE_PX = 2.0


def outside_figure(fig) -> str | None:
    """What of ``fig``'s content lies outside the figure (None if all is inside).

    Explorers are shown at the figure's own size (:func:`helpers.widgets.redraw`, no "tight"
    bounding box), so a title, legend or tick label beyond ``fig.bbox`` would be cut off:
    compares ``fig.get_tightbbox()`` with the figure's extent, with a tolerance of
    :data:`OUTSIDE_TOLERANCE_PX` pixels.
    """
    tight = fig.get_tightbbox()  # inches
    if tight is None:
        return None
    w, h = fig.get_size_inches()
    tol = OUTSIDE_TOLERANCE_PX / fig.dpi
    over = {"left": -tight.x0, "bottom": -tight.y0, "right": tight.x1 - w, "top": tight.y1 - h}
    bad = {side: d * fig.dpi for side, d in over.items() if d > tol}
    if not bad:
        return None
    sides = ", ".join(f"{side} by {px:.0f} px" for side, px in bad.items())
    return (f"content drawn outside the {w:g}x{h:g} in figure ({sides}): it would be cut off "
            "(explorer figures need a fixed layout with everything inside the figure)")


def draw_error(draw, values) -> str | None:
    """One live redraw with warnings as errors, then the layout check (in the kernel).

    Calls :func:`helpers.widgets.redraw` (``draw`` and each figure's PNG, the returned Figure
    included, as the live explorer does), then :func:`outside_figure` on each shown figure.
    Returns the error text, or None.
    """
    import traceback
    import warnings

    import matplotlib.pyplot as plt

    from helpers.widgets import redraw

    before = set(plt.get_fignums())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            shown = redraw(draw, values)
            for fig, _data, _metadata in shown:
                outside = outside_figure(fig)
                if outside:
                    return f"LayoutError: {outside}"
        return None
    except Exception as exc:  # any failure is what the sweep reports
        tail = "".join(traceback.format_exc().splitlines(True)[-6:])
        return f"{type(exc).__name__}: {exc}\n{tail}"
    finally:
        _close_new(before)


def sweep() -> dict:
    """Draw every recorded explorer over its controls' ranges (in the kernel)."""
    failures, calls = [], 0
    for i, (draw, controls) in enumerate(RECORDED):
        for case in cases(draw, controls):
            calls += 1
            err = draw_error(draw, case)
            if err:
                failures.append({"explorer": i, "draw": getattr(draw, "__name__", "?"),
                                 "values": {k: repr(v) for k, v in case.items()}, "error": err})
    return {"explorers": len(RECORDED), "calls": calls, "failures": failures}


def redraw_seconds(draw, values, repeat: int = 5) -> float:
    """Best of ``repeat`` live redraws, :func:`helpers.widgets.redraw` (in the kernel).

    That is ``draw`` plus one PNG of each of its figures at their own size, with the garbage
    collector paused: exactly what the live explorer does on a change of a control (sending
    the PNG to the browser is not included).
    """
    import matplotlib.pyplot as plt

    from helpers.widgets import redraw

    best = float("inf")
    for _ in range(repeat):
        before = set(plt.get_fignums())
        start = time.perf_counter()
        try:
            redraw(draw, values)
            best = min(best, time.perf_counter() - start)
        finally:
            _close_new(before)
    return best


def time_redraws(settings: int = 5, repeat: int = 5) -> dict:
    """Redraw time of every recorded explorer: best of ``repeat`` per setting (in the kernel).

    The settings are the start values followed by the first others of :func:`cases`, spread over
    the controls (at most ``settings`` in all).
    """
    rows = []
    for draw, controls in RECORDED:
        all_cases = cases(draw, controls)
        step = max(1, (len(all_cases) - 1) // max(1, settings - 1))
        chosen = [all_cases[0]] + all_cases[1::step][: settings - 1]
        times = [redraw_seconds(draw, case, repeat) for case in chosen]
        rows.append({"draw": getattr(draw, "__name__", "?"), "seconds": times})
    return {"explorers": len(RECORDED), "rows": rows}


def probe_notebook(path: os.PathLike | str, mode: str = "sweep", **options) -> tuple:
    """Run a lecture with the recorder in front and ``mode`` appended (on the host).

    Returns
    -------
    tuple
        ``(error, stderr, report)``: the notebook's first error (None if none), its stderr texts,
        and the JSON report of :func:`sweep` or :func:`time_redraws` (None if none was printed).
    """
    import nbformat

    from coursetools.notebooks import execute_notebook

    if mode not in ("sweep", "time"):
        raise ValueError(f"mode must be 'sweep' or 'time', got {mode!r}")
    path = Path(path)
    call = "sweep()" if mode == "sweep" else f"time_redraws(**{options!r})"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        "import coursetools.explorers as _optml_probe\n_optml_probe.install_recorder()"))
    nb.cells.append(nbformat.v4.new_code_cell(
        f"import json as _json\nprint({MARK!r} + _json.dumps(_optml_probe.{call}))"))
    tmp = path.parent / f".probe-{os.getpid()}-{path.name}"
    nbformat.write(nb, tmp)
    try:
        res = execute_notebook(tmp, static=True, timeout=900)
    finally:
        tmp.unlink(missing_ok=True)
    text = "".join(
        o.get("text", "") for o in res.nb.cells[-1].get("outputs", []) if o.get("name") == "stdout"
    )
    report = None
    for line in text.splitlines():
        if line.startswith(MARK):
            report = json.loads(line[len(MARK):])
    return res.error, res.stderr, report
