"""Every lecture notebook meets the conventions in CONTRIBUTING.md.

Each lecture is executed twice with nbclient (two notebooks at a time): as a student runs it (live
widgets) and as the build runs it (``OPTML_STATIC=1``: static figures). Any error or any text on
stderr (warnings included) fails.
"""

from __future__ import annotations

import json
import re

import pytest

from coursetools.notebooks import lecture_paths, metadata_problems

LECTURES = lecture_paths()
IDS = [p.stem for p in LECTURES]
REQUIRED_HEADINGS = [
    "learning objectives",
    "prerequisites",
    "summary",
    "check your understanding",
    "references",
]
LEGACY_RANDOM = re.compile(r"np\.random\.(?!default_rng\b|Generator\b)[A-Za-z_]+")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def test_there_are_lectures():
    assert LECTURES, "no notebooks/NN_*.ipynb found"


@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_metadata_and_no_outputs(path):
    problems = metadata_problems(path)
    assert not problems, "\n".join(problems[:20])


def test_metadata_check_accepts_missing_type_and_refuses_dash(tmp_path):
    """No slide_type continues the slide; the literal "-" is refused (the live deck drops it)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    title = nbformat.v4.new_markdown_cell("# Title")
    title.metadata["slideshow"] = {"slide_type": "slide"}
    code = nbformat.v4.new_code_cell("x = 1")
    code.metadata["jupyter"] = {"source_hidden": True}
    nb.cells = [title, nbformat.v4.new_markdown_cell("continues the slide"), code]
    path = tmp_path / "01_ok.ipynb"
    nbformat.write(nb, path)
    assert metadata_problems(path) == []
    nb.cells[1].metadata["slideshow"] = {"slide_type": "-"}
    nb.cells[0].metadata["jupyter"] = {"source_hidden": True}
    nbformat.write(nb, path)
    problems = metadata_problems(path)
    assert len(problems) == 2, problems
    assert problems[0].startswith("cell 0: jupyter.source_hidden on a markdown cell"), problems
    assert problems[1].startswith("cell 1: slideshow.slide_type is '-'"), problems


@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_structure(path):
    cells = _cells(path)
    first = cells[0]
    assert first["cell_type"] == "markdown" and _source(first).lstrip().startswith("# "), (
        "the first cell must be a markdown title ('# ...')"
    )
    assert first["metadata"]["slideshow"]["slide_type"] == "slide"
    headings = [
        line.lstrip("#").strip().lower()
        for c in cells
        if c["cell_type"] == "markdown"
        for line in _source(c).splitlines()
        if line.startswith("#")
    ]
    for required in REQUIRED_HEADINGS:
        assert any(required in h for h in headings), f"missing a heading containing {required!r}"


@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_interaction_animation_and_seeding(path):
    code = "\n".join(_source(c) for c in _cells(path) if c["cell_type"] == "code")
    assert code.count("interactive_plot(") >= 2, "need at least two interactive_plot explorers"
    assert "animate_trajectories(" in code and "to_html(" in code, "need a jshtml animation"
    legacy = LEGACY_RANDOM.findall(code)
    assert not legacy, f"legacy global numpy randomness {legacy}: use np.random.default_rng(seed)"
    assert "sys.path" not in code, "import helpers as an installed package, no sys.path hacks"


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["live", "static"])
@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_executes_cleanly(executed, path, mode):
    res = executed[(path.stem, mode)]
    assert res.error is None, res.error
    assert not res.stderr, "stderr output (warnings count):\n" + "\n---\n".join(res.stderr)[:3000]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["live", "static"])
@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_widgets_live_and_static(executed, path, mode):
    """Live: each explorer renders a widget. Static: each explorer renders an image instead."""
    res = executed[(path.stem, mode)]
    for i, cell in enumerate(res.nb.cells):
        if cell.cell_type != "code" or "interactive_plot(" not in cell.source:
            continue
        kinds = {k for o in cell.get("outputs", []) for k in o.get("data", {})}
        if mode == "live":
            views = sum(WIDGET_MIME in o.get("data", {}) for o in cell.get("outputs", []))
            calls = cell.source.count("interactive_plot(")
            assert views == calls, f"cell {i}: {views} widget views for {calls} explorers"
        else:
            assert any(k.startswith("image/") for k in kinds), f"cell {i}: no static figure"
            assert WIDGET_MIME not in kinds, f"cell {i}: a widget in static mode"


@pytest.mark.slow
@pytest.mark.parametrize("path", LECTURES, ids=IDS)
def test_live_runs_repeat_without_a_hang(executed, path):
    """A student's run, three times in a row: no cell may hang (jupyter/nbclient#312) or fail."""
    repeats = sorted(mode for stem, mode in executed if stem == path.stem and "#" in mode)
    assert repeats == ["live#2", "live#3"], f"expected two repeated live runs, got {repeats}"
    for run in repeats:
        res = executed[(path.stem, run)]
        assert res.error is None, f"live run {run}: {res.error}"
        assert not res.stderr, f"live run {run} wrote to stderr:\n" + "\n".join(res.stderr)[:2000]
