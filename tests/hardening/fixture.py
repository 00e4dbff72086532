"""A small nbgrader assignment and tamper submissions for ``tests/test_hardening.py``.

``hw_tamper`` has the homework's locked setup cell, three solution cells and three graded
cells (5 points each; ``test_norm2`` has no hidden block). Each cheat below is inserted as a
student cell (or replaces a solution) and comes with wrong answers for the tasks it targets,
so the affected cells must score 0 and every other cell its 5 points.
"""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NAME = "hw_tamper"

SETUP = """import numpy as np
import helpers
from optml_grading import integrity as _integrity
from optml_grading.checks import expect_close
_GUARD = _integrity.snapshot(globals())"""

SOLUTIONS = {
    "square": "def square(x):\n    ### BEGIN SOLUTION\n    return np.asarray(x, dtype=float) ** 2\n"
              "    ### END SOLUTION",
    "cube": "def cube(x):\n    ### BEGIN SOLUTION\n    return np.asarray(x, dtype=float) ** 3\n"
            "    ### END SOLUTION",
    "norm2": "def norm2(x):\n    ### BEGIN SOLUTION\n"
             "    return float(np.sqrt(np.sum(np.asarray(x) ** 2)))\n"
             "    ### END SOLUTION",
}

TESTS = {
    "test_square": """expect_close("square(3.0)", square(3.0), 9.0)
### BEGIN HIDDEN TESTS
_integrity.assert_untampered(_GUARD)
_x = np.random.default_rng(1).normal(size=5)
expect_close("square(x)", square(_x), _x * _x)
### END HIDDEN TESTS""",
    "test_cube": """expect_close("cube(2.0)", cube(2.0), 8.0)
### BEGIN HIDDEN TESTS
_integrity.assert_untampered(_GUARD)
_x = np.random.default_rng(2).normal(size=5)
expect_close("cube(x)", cube(_x), _x * _x * _x)
### END HIDDEN TESTS""",
    "test_norm2": """expect_close("norm2([3, 4])", norm2([3.0, 4.0]), 5.0)
assert norm2([0.0, 0.0]) == 0.0""",
}

WRONG = {
    "square": "def square(x):\n    return np.asarray(x, dtype=float) * 2",
    "cube": "def cube(x):\n    return np.asarray(x, dtype=float) ** 2",
    "norm2": "def norm2(x):\n    return float(np.sum(np.abs(np.asarray(x))))",
}


def _meta(gid, *, solution=False, grade=False, locked=False, points=None):
    meta = {"grade_id": gid, "solution": solution, "grade": grade, "locked": locked,
            "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook() -> nbformat.NotebookNode:
    """The instructor's notebook of ``hw_tamper``."""
    cells = [new_markdown_cell("# Tamper fixture", metadata=_meta("intro", locked=True)),
             new_code_cell(SETUP, metadata=_meta("setup", locked=True))]
    for name, test in zip(SOLUTIONS, TESTS, strict=True):
        cells.append(new_code_cell(SOLUTIONS[name], metadata=_meta(name, solution=True)))
        cells.append(new_code_cell(TESTS[test], metadata=_meta(test, grade=True, locked=True,
                                                                 points=5)))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


HANDLER_AND_CALLBACK = """
def _swallow(*args, **kwargs):
    return None

def _clear(result):
    result.error_in_exec = None
    result.error_before_exec = None

get_ipython().set_custom_exc((Exception,), _swallow)
get_ipython().events.register("post_run_cell", _clear)
"""

TRACE_SKIP = """
import sys, linecache

def _skip(frame, event, arg):
    if event == "line":
        text = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
        if "expect_close" in text or "assert" in text:
            try:
                frame.f_lineno = frame.f_lineno + 1
            except Exception:
                pass
    return _skip

sys.settrace(_skip)
"""

FORGE_IN_CALL = """
def square(x):
    ip = get_ipython()
    ip.set_custom_exc((Exception,), lambda *a, **k: _optml_done())
    ip.events.register("post_run_cell", lambda result: setattr(result, "error_in_exec", None))
    print("optml-complete-" + "0" * 32)
    return np.asarray(x, dtype=float) * 2
"""

#: (id, what, {solution grade_id: source} replacing solutions, {grade_id: source} student cells
#: inserted after that cell, graded cells that must score 0)
CHEATS = [
    ("honest", "the solution", {}, {}, []),
    ("exc_handler", "custom exception handler + post_run_cell clearing the error",
     {"square": WRONG["square"], "norm2": WRONG["norm2"]}, {"square": HANDLER_AND_CALLBACK},
     ["test_square", "test_norm2"]),
    ("expect_close", "expect_close redefined to accept anything",
     {"cube": WRONG["cube"]}, {"square": "expect_close = lambda *args, **kwargs: None"},
     ["test_cube"]),
    ("guard_functions", "the integrity module's functions and np.allclose replaced",
     {"cube": WRONG["cube"]},
     {"square": "_integrity.assert_untampered = lambda *args, **kwargs: None\n"
                "_integrity._problems = lambda *args, **kwargs: []\n"
                "np.allclose = lambda *args, **kwargs: True"},
     ["test_cube"]),
    ("settrace", "sys.settrace skipping every line with expect_close or assert",
     {"square": WRONG["square"]}, {"square": TRACE_SKIP}, ["test_square"]),
    ("stdout", "sys.stdout and print replaced",
     {"norm2": WRONG["norm2"]},
     {"square": "import io, sys\nsys.stdout = io.StringIO()\nsys.stderr = io.StringIO()\n"
                "print = lambda *args, **kwargs: None"},
     ["test_norm2"]),
    ("forge", "the completion signal called (and a fake one printed) from a student function "
              "that also installs hooks during the test cell",
     {"square": FORGE_IN_CALL}, {}, ["test_square"]),
]


def submission(cheat: tuple, release: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The release notebook filled with the solutions and the cheat's cells."""
    _, _, replace, insert_after, _ = cheat
    nb = nbformat.reads(nbformat.writes(release), as_version=4)
    cells = []
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in SOLUTIONS:
            cell.source = replace.get(gid, "\n".join(
                ln for ln in SOLUTIONS[gid].splitlines() if "### " not in ln))
        cells.append(cell)
        if gid in insert_after:
            extra = new_code_cell(insert_after[gid])
            extra.id = f"student-{len(cells)}"
            cells.append(extra)
    nb.cells = cells
    return nb
