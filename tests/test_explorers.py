"""Every explorer draws without an error or a warning over the whole range of each control.

A student drags a slider to its end, or onto a value the author never tried (a flat tangent at
x = 0, a step size of exactly 2/L): the figure must still be drawn, with no traceback and no
warning. For every lecture the test runs the notebook (static mode) with one cell put in front
that records each ``interactive_plot(draw, **controls)`` call, and one cell appended that calls
every recorded ``draw``:

* each control in turn at its minimum, maximum and three interior points on its step grid (every
  option of a dropdown, both states of a checkbox), the other controls at their start values;
* all controls at their minimum, and all at their maximum;

with warnings turned into errors, rendering each figure to pixels (some errors only appear
then) and closing it. The appended cell prints the failures as JSON; the test reports each one
with the explorer's name and the control values.
"""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor

import nbformat
import pytest

from coursetools.notebooks import execute_notebook, lecture_paths

LECTURES = lecture_paths()
MARK = "OPTML-EXPLORER-SWEEP "

RECORD = r'''
import helpers as _h, helpers.widgets as _hw
_optml_explorers = []
_optml_original_interactive_plot = _hw.interactive_plot


def _optml_recording_interactive_plot(draw, **controls):
    _optml_explorers.append((draw, controls))
    return _optml_original_interactive_plot(draw, **controls)


_h.interactive_plot = _hw.interactive_plot = _optml_recording_interactive_plot
'''

SWEEP = r'''
import inspect as _inspect, json as _json, traceback as _tb, warnings as _warnings
import matplotlib.pyplot as _plt
import numpy as _np
from ipywidgets import ValueWidget as _VW, fixed as _fixed, interactive as _interactive


def _grid(lo, hi, step=None, n=5):
    """lo, hi and n - 2 interior points, snapped to the step grid as a slider would be."""
    vals = [lo + (hi - lo) * k / (n - 1) for k in range(n)]
    if step:
        vals = [lo + round((v - lo) / step) * step for v in vals]
    vals = [round(v, 10) for v in vals]
    return sorted(set(min(max(v, lo), hi) for v in vals))


def _values(widget):
    """Values a student can reach with this control (endpoints and interior points)."""
    name = type(widget).__name__
    if isinstance(widget, _fixed):
        return [widget.value]
    if name == "FloatLogSlider":
        return [widget.base ** e for e in _grid(widget.min, widget.max, widget.step)]
    if name in ("IntSlider", "BoundedIntText"):
        return sorted(set(int(v) for v in _grid(widget.min, widget.max, widget.step)))
    if name in ("FloatSlider", "BoundedFloatText"):
        return _grid(widget.min, widget.max, widget.step)
    if hasattr(widget, "_options_values"):
        return list(widget._options_values)
    if name in ("Checkbox", "ToggleButton"):
        return [False, True]
    return [widget.value]


def _widget(abbrev, default):
    if isinstance(abbrev, (_VW, _fixed)):
        return abbrev
    return _interactive.widget_from_abbrev(abbrev, default)


def _draw(draw, values):
    before = set(_plt.get_fignums())
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("error")
            result = draw(**values)
            figs = [_plt.figure(n) for n in _plt.get_fignums() if n not in before]
            if hasattr(result, "canvas") and all(result is not f for f in figs):
                figs.append(result)
            for f in figs:
                f.canvas.draw()
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}\n" + "".join(_tb.format_exc().splitlines(True)[-6:])
    finally:
        for n in _plt.get_fignums():
            if n not in before:
                _plt.close(n)


_failures, _calls = [], 0
for _i, (_draw_fn, _controls) in enumerate(_optml_explorers):
    _params = _inspect.signature(_draw_fn).parameters
    _ws = {k: _widget(a, _params[k].default if k in _params else _inspect.Parameter.empty)
           for k, a in _controls.items()}
    _start = {k: w.value for k, w in _ws.items()}
    _ranges = {k: _values(w) for k, w in _ws.items()}
    _cases = [dict(_start, **{k: v}) for k, vs in _ranges.items() for v in vs]
    _cases += [{k: vs[0] for k, vs in _ranges.items()}, {k: vs[-1] for k, vs in _ranges.items()}]
    _seen = set()
    for _case in _cases:
        _key = repr(sorted(_case.items(), key=str))
        if _key in _seen:
            continue
        _seen.add(_key)
        _calls += 1
        _err = _draw(_draw_fn, _case)
        if _err:
            _failures.append({"explorer": _i, "draw": getattr(_draw_fn, "__name__", "?"),
                              "values": {k: repr(v) for k, v in _case.items()}, "error": _err})
print("''' + MARK + r'''" + _json.dumps({"explorers": len(_optml_explorers), "calls": _calls,
                                          "failures": _failures}))
'''


def _sweep(path):
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(RECORD))
    nb.cells.append(nbformat.v4.new_code_cell(SWEEP))
    tmp = path.parent / f".sweep-{path.name}"
    nbformat.write(nb, tmp)
    try:
        res = execute_notebook(tmp, static=True, timeout=600)
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


@pytest.fixture(scope="module")
def sweeps(request):
    """{stem: (error, stderr, report)} for the lectures the selected tests ask for (`-k 06_`)."""
    wanted = [
        item.callspec.params["path"]
        for item in request.session.items
        if "sweeps" in getattr(item, "fixturenames", ()) and hasattr(item, "callspec")
    ]
    with ProcessPoolExecutor(max_workers=2) as pool:
        return dict(zip((p.stem for p in wanted), pool.map(_sweep, wanted), strict=True))


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
