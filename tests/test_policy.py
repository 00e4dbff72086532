"""The policy check of students' cells (``coursetools.policy``): what it flags, what it must not.

Fast: no kernel, no nbgrader run (``tests/test_hardening.py`` grades through nbgrader).
"""

from __future__ import annotations

import inspect
import textwrap

import nbformat
import pytest

import helpers
from coursetools import policy
from coursetools.grading_specs import ROOT, assignments, build_submission, load_spec

HW = "hw3_gradient_descent"

#: (source, what the message must say, kind) for every flagged construct.
FLAGGED = [
    ("import os", "import of os", policy.CELL),
    ("import sys\nsys.modules['numpy'] = None", "import of sys", policy.CELL),
    ("from importlib import import_module", "import of importlib", policy.CELL),
    ("import ctypes", "import of ctypes", policy.CELL),
    ("import gc", "import of gc", policy.CELL),
    ("import inspect", "import of inspect", policy.CELL),
    ("import subprocess", "import of subprocess", policy.CELL),
    ("import socket", "import of socket", policy.CELL),
    ("import signal", "import of signal", policy.CELL),
    ("import threading", "import of threading", policy.CELL),
    ("import builtins", "import of builtins", policy.CELL),
    ("import IPython", "import of IPython", policy.CELL),
    ("import optml_grading.integrity", "import of optml_grading", policy.CELL),
    ("import pandas", "import of pandas is not allowed", policy.CELL),
    ("from scipy.optimize import minimize", "scipy.optimize", policy.CELL),
    ("from scipy import optimize", "scipy.optimize", policy.CELL),
    ("import scipy.optimize as so", "scipy.optimize", policy.CELL),
    ("x = exec('1')", "exec", policy.CELL),
    ("x = eval('1 + 1')", "eval", policy.CELL),
    ("c = compile('1', 'f', 'eval')", "compile", policy.CELL),
    ("m = __import__('os')", "__import__", policy.CELL),
    ("g = globals()", "globals", policy.CELL),
    ("v = vars(np)", "vars", policy.CELL),
    ("get_ipython().set_custom_exc((Exception,), None)", "get_ipython", policy.CELL),
    ("print(In[-1])", "In is IPython's history", policy.CELL),
    ("_optml_done()", "_optml_done", policy.CELL),
    ("s = _GUARD", "_GUARD belongs to the grader", policy.CELL),
    ("f = open('x.txt')", "open", policy.CELL),
    ("np.save('x.npy', 1)", "np.save", policy.CELL),
    ("a = np.loadtxt('data.csv')", "np.loadtxt", policy.CELL),
    ("np.zeros(3).tofile('x')", "tofile", policy.CELL),
    ("k = (1).__class__.__subclasses__()", "__class__", policy.CELL),
    ("def f():\n    pass\ng = f.__globals__", "__globals__", policy.CELL),
    ("c = np.sum.__code__", "__code__", policy.CELL),
    ("b = __builtins__", "__builtins__", policy.CELL),
    ("x = getattr(np, 'al' + 'lclose')", "computed attribute name", policy.CELL),
    ("x = getattr(np, 'allclose')", "getattr on the module np", policy.CELL),
    ("name = 'x'\ny = getattr(object(), name)", "computed attribute name", policy.CELL),
    ("g = getattr", "getattr used as a value", policy.CELL),
    ("setattr(np, 'allclose', len)", "setattr", policy.TAMPER),
    ("delattr(helpers, 'newton')", "delattr", policy.TAMPER),
    ("r = np.testing._private.utils", "private part of numpy", policy.CELL),
    ("t = np.lib.npyio", "npyio", policy.CELL),
    ("s = np.testing.sys", "the attribute sys", policy.CELL),
    ("helpers._validation.as_point([1.0])", "private part of helpers",
     policy.CELL),
    ("t = helpers.gradient_descent(f, g, x0)", "helpers.gradient_descent is not allowed",
     policy.CELL),
    ("from helpers import newton", "helpers.newton is not allowed", policy.CELL),
    ("from helpers.optimizers import newton", "import of helpers.optimizers", policy.CELL),
    ("import helpers.optim.linesearch as ls", "import of helpers.optim.linesearch", policy.CELL),
    ("np.allclose = lambda *a, **k: True", "assigning to an attribute of the module np",
     policy.TAMPER),
    ("np.testing.assert_allclose = print", "module np", policy.TAMPER),
    ("helpers.rosenbrock = None", "module helpers", policy.TAMPER),
    ("del np.linalg", "deleting an attribute of the module np", policy.TAMPER),
    ("_integrity.assert_untampered = lambda s: None", "module _integrity", policy.TAMPER),
    ("expect_close = lambda *a, **k: None", "rebinds expect_close", policy.TAMPER),
    ("def expect_close(*a, **k):\n    pass", "rebinds expect_close", policy.TAMPER),
    ("import math as np", "rebinds np", policy.TAMPER),
    ("_GUARD = None", "rebinds _GUARD", policy.TAMPER),
    ("del helpers", "rebinds helpers", policy.TAMPER),
    ("def f():\n    global np\n    np = None", "global np rebinds np", policy.TAMPER),
    ("from numpy import *", "import * rebinds", policy.TAMPER),
    ("print = lambda *a, **k: None", "rebinds the builtin print", policy.CELL),
    ("def len(x):\n    return 0", "rebinds the builtin len", policy.CELL),
    ("%time x = 1", "IPython magics", policy.CELL),
    ("!ls", "IPython magics", policy.CELL),
    ("from . import x", "relative imports", policy.CELL),
    ("breakpoint()", "breakpoint", policy.CELL),
]


@pytest.mark.parametrize("source, message, kind", FLAGGED, ids=[s for s, _, _ in FLAGGED])
def test_flagged_constructs(source, message, kind):
    flags = policy.check_source(source, HW)
    assert flags, f"not flagged: {source!r}"
    assert any(message in f.message for f in flags), [str(f) for f in flags]
    assert any(f.kind == kind for f in flags if message in f.message), [f.kind for f in flags]
    assert all(f.line >= 1 for f in flags)


HONEST = [
    "def f(x):\n    x = np.asarray(x, dtype=float)\n    return x[..., 0] * np.exp(-x @ x)",
    "import numpy as np\nimport math\nfrom functools import reduce\nfrom itertools import count",
    "from collections import deque\nfrom typing import Callable\nimport warnings",
    "from dataclasses import dataclass\n\n@dataclass\nclass State:\n    x: float = 0.0",
    "class Step:\n    def __init__(self, lr):\n        self.lr = lr\n        self._cache = {}\n"
    "    def __call__(self, g):\n        return -self.lr * g",
    "def minimize(x0, f, grad, lr=0.1, maxiter=100):\n    xs = [np.array(x0, float)]\n"
    "    for _ in range(maxiter):\n        g = grad(xs[-1])\n"
    "        if np.linalg.norm(g) <= 1e-4:\n"
    "            break\n        xs.append(xs[-1] - lr * g)\n"
    "    return xs[-1], xs, [f(x) for x in xs]",
    "with np.errstate(divide='ignore', invalid='ignore'):\n    r = np.where(n > 0, 1 / n, 0)",
    "w = np.lib.stride_tricks.sliding_window_view(np.arange(5), 2)",
    "rng = np.random.default_rng(0)\nx = rng.normal(size=3)\ny = getattr(x, 'shape')",
    "s = f'{np.pi:.3f}'\nname = minimize.__name__",
    "def g(x):\n    sum = 0.0\n    for v in x:\n        sum += v\n    return sum",
    "lam = np.linalg.eigvalsh(A)\nstep = 2 / (lam.min() + lam.max())",
    "def f(x, *, h=1e-6):\n    '''Docstring with open( and exec( in it.'''\n    return x",
    "import numpy.linalg as la\nv = la.norm([3, 4])",
    "_ = np.zeros(2)\n_x, _y = 1, 2",
    "if SHOW_PLOTS:\n    fig, ax = plt.subplots()\n    helpers.plot_contours(p, ax=ax)",
]


@pytest.mark.parametrize("source", HONEST)
def test_honest_code_is_not_flagged(source):
    assert policy.check_source(source, HW) == []


def test_syntax_errors_are_left_to_the_kernel():
    assert policy.check_source("def f(:\n", HW) == []


def test_check_source_rejects_non_strings():
    with pytest.raises(TypeError, match="source must be a str"):
        policy.check_source(None, HW)
    with pytest.raises(TypeError, match="assignment"):
        policy.rules_text(3)


def test_every_honest_submission_passes_and_delegation_cheats_are_flagged():
    """No source solution or alternative is flagged; every delegation cheat is."""
    for hw in assignments():
        src = nbformat.read(ROOT / "source" / hw / f"{hw}.ipynb", as_version=4)
        rel = nbformat.read(ROOT / "release" / hw / f"{hw}.ipynb", as_version=4)
        for sub in load_spec(hw):
            notes = [n for n in policy.scan_notebook(build_submission(sub, rel, src), hw)
                     if n.startswith("policy:")]
            if sub.kind in ("solution", "alternative", "mutant", "release"):
                assert notes == [], f"{hw}/{sub.id} ({sub.kind}) flagged: {notes}"
            if sub.id == "cheat_delegate_to_helpers":
                assert notes, f"{hw}/{sub.id} not flagged"


def test_instructor_cells_of_the_homework_pass():
    """Unmarked demo cells of the source notebooks are checked too (students may edit them)."""
    for hw in assignments():
        nb = nbformat.read(ROOT / "source" / hw / f"{hw}.ipynb", as_version=4)
        assert policy.check_notebook(nb, hw) == {}, hw


def test_protected_names_come_from_the_locked_cells():
    nb = nbformat.read(ROOT / "source" / "hw4_sgd" / "hw4_sgd.ipynb", as_version=4)
    names, modules = policy.protected_names(nb)
    assert {"np", "helpers", "expect_close", "_GUARD", "_integrity"} <= names
    assert {"recording_dloss", "sum_of_squares"} <= names  # test helpers the graded cells use
    assert "xs_data" not in names  # data the tests do not use stays free
    assert modules["np"] == "numpy"


@pytest.mark.parametrize("hw", assignments())
def test_rules_text_names_the_checked_constructs(hw):
    text = policy.rules_text(hw)
    for word in ("`exec`", "`get_ipython`", "`scipy.optimize`", "`os`", "files", "`np`",
                 "`expect_close`", "`_GUARD`"):
        assert word in text, (hw, word)
    for name in sorted(policy.policy_of(hw).helpers - {"static_mode"}):
        assert f"`{name}`" in text


def test_rules_text_lists_the_extra_protected_names():
    assert "`recording_dloss`" in policy.rules_text("hw4_sgd", ["recording_dloss", "np"])


def _notebook(student_cells: dict[str, str]) -> nbformat.NotebookNode:
    def meta(gid, **kw):
        return {"nbgrader": {"grade_id": gid, "schema_version": 3, "solution": False,
                             "grade": False, "locked": False, **kw}}

    cells = [nbformat.v4.new_code_cell("import numpy as np\nimport helpers\n"
                                       "from optml_grading import integrity as _integrity\n"
                                       "from optml_grading.checks import expect_close\n"
                                       "_GUARD = _integrity.snapshot(globals())",
                                       metadata=meta("setup", locked=True))]
    for gid, source in student_cells.items():
        cells.append(nbformat.v4.new_code_cell(source, metadata=meta(gid, solution=True)))
        cells.append(nbformat.v4.new_code_cell(f"expect_close('x', {gid}(1.0), 1.0)",
                                               metadata=meta(f"test_{gid}", grade=True,
                                                             locked=True, points=1)))
    return nbformat.v4.new_notebook(cells=cells)


def _run_policy(nb, tmp_path, student="alice", **config):
    check = policy.PolicyCheck(course_root=str(tmp_path), **config)
    resources = {"nbgrader": {"assignment": HW, "student": student}}
    return check.preprocess(nb, resources)[0]


def test_policy_check_replaces_flagged_cells_and_blocks_later_tests(tmp_path):
    nb = _notebook({
        "a": "def a(x):\n    return x",
        "b": "import scipy.optimize\ndef b(x):\n    return x",
        "c": "def c(x):\n    return x\nnp.allclose = lambda *args, **kw: True",
        "d": "def d(x):\n    return x",
    })
    out = _run_policy(nb, tmp_path)
    sources = {c.metadata["nbgrader"]["grade_id"]: c for c in out.cells}
    assert sources["a"].source.startswith("def a")
    assert "raise PolicyViolation" in sources["b"].source
    assert "line 1: scipy.optimize" in sources["b"].source
    assert "line 3: assigning to an attribute of the module np" in sources["c"].source
    assert "optml_policy_blocked" not in sources["test_b"].metadata  # only its own cell
    assert "optml_policy_blocked" not in sources["test_a"].metadata
    assert "optml_policy_blocked" in sources["test_c"].metadata  # tampering: every later test
    assert "optml_policy_blocked" in sources["test_d"].metadata
    exec(compile(sources["a"].source, "a", "exec"), {})
    with pytest.raises(Exception, match="did not run this cell") as err:
        exec(compile(sources["b"].source, "b", "exec"), {})
    assert type(err.value).__name__ == "PolicyViolation"


def test_exceptions_file_lifts_a_flag_for_one_student(tmp_path):
    (tmp_path / policy.EXCEPTIONS_FILE).write_text(textwrap.dedent(f"""\
        # alice may keep scipy.optimize in b
        [alice]
        {HW} = ["b"]
        """))
    cells = {"b": "import scipy.optimize\ndef b(x):\n    return x"}
    lifted = _run_policy(_notebook(cells), tmp_path, student="alice")
    assert lifted.cells[1].source.startswith("import scipy.optimize")
    other = _run_policy(_notebook(cells), tmp_path, student="bob")
    assert "raise PolicyViolation" in other.cells[1].source
    by_config = _run_policy(_notebook(cells), tmp_path, student="bob", lifted=[f"bob/{HW}/*"])
    assert by_config.cells[1].source.startswith("import scipy.optimize")
    assert policy.load_exceptions(tmp_path) == {"alice": {HW: ["b"]}}
    notes = policy.scan_notebook(_notebook(cells), HW, "alice", policy.load_exceptions(tmp_path))
    assert notes and "lifted by the instructor" in notes[0]


def test_bad_exceptions_file_is_a_clear_error(tmp_path):
    (tmp_path / policy.EXCEPTIONS_FILE).write_text("[alice]\nhw3 = 'minimize'\n")
    with pytest.raises(ValueError, match="lists of cell ids"):
        policy.load_exceptions(tmp_path)
    (tmp_path / policy.EXCEPTIONS_FILE).write_text("[alice\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        policy.load_exceptions(tmp_path)
    with pytest.raises(ValueError, match="student/assignment/cell"):
        policy._merge_lifted({}, ["alice-hw3"])


def test_policy_check_can_be_disabled(tmp_path):
    nb = _notebook({"b": "import os\ndef b(x):\n    return x"})
    assert _run_policy(nb, tmp_path, enabled=False).cells[1].source.startswith("import os")


# ---------------------------------------------------------------------------------------------
# near-copies of helpers' reference implementations


def _renamed_copy(func) -> str:
    """``func``'s source with every local name, the docstring and the messages changed."""
    import ast

    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    node = tree.body[0]
    node.name = "pasted_fn"
    if ast.get_docstring(node):
        node.body = node.body[1:]
    renames = {a.arg: f"v{i}" for i, a in enumerate(
        [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs])}
    for sub in ast.walk(node):
        if isinstance(sub, ast.arg) and sub.arg in renames:
            sub.arg = renames[sub.arg]
        elif isinstance(sub, ast.Name) and sub.id in renames:
            sub.id = renames[sub.id]
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            sub.value = "something else"
    return ast.unparse(tree)


@pytest.mark.parametrize("func", [helpers.numerical_gradient, helpers.project_ball])
def test_near_copy_of_a_helpers_function_is_reported(func):
    pasted = _renamed_copy(func)
    assert pasted.startswith("def pasted_fn(")
    hits = policy.near_copies(pasted)
    assert hits, "a renamed copy was not recognised"
    assert hits[0][1] == "pasted_fn"
    assert hits[0][2].endswith("." + func.__name__), hits


def test_near_copies_are_reported_for_review_not_flagged():
    nb = _notebook({"a": _renamed_copy(helpers.numerical_gradient)})
    notes = policy.scan_notebook(nb, HW)
    assert any(n.startswith("review: a line 1") and "numerical_gradient" in n for n in notes)
    assert not any(n.startswith("policy:") for n in notes)


def test_independent_solutions_are_not_near_copies():
    for hw in assignments():
        src = nbformat.read(ROOT / "source" / hw / f"{hw}.ipynb", as_version=4)
        rel = nbformat.read(ROOT / "release" / hw / f"{hw}.ipynb", as_version=4)
        for sub in load_spec(hw):
            if sub.kind in ("solution", "alternative"):
                nb = build_submission(sub, rel, src)
                notes = [n for n in policy.scan_notebook(nb, hw) if n.startswith("review:")]
                assert notes == [], f"{hw}/{sub.id}: {notes}"


def test_classroom_prescan_names_the_flagged_line_and_near_copies(tmp_path):
    from coursetools import classroom

    hw, name = HW, HW
    (tmp_path / "source" / hw).mkdir(parents=True)
    nbformat.write(_notebook({"a": "def a(x):\n    return x"}),
                   tmp_path / "source" / hw / f"{name}.ipynb")
    folder = tmp_path / "submitted" / "carol" / hw
    folder.mkdir(parents=True)
    nbformat.write(_notebook({"a": "def a(x):\n    return x\nimport os",
                              "b": _renamed_copy(helpers.numerical_gradient)}),
                   folder / f"{name}.ipynb")
    notes = classroom.prescan_policy(tmp_path, folder, hw, "carol", [name])
    assert any(n.startswith("policy: a line 3: import of os") for n in notes), notes
    assert any(n.startswith("review: b line 1") for n in notes), notes
    result = classroom.StudentResult("carol", "graded", score=0, max_score=2, notes=notes)
    assert "policy: a line 3" in classroom.format_summary(hw, [result], [])
    (tmp_path / policy.EXCEPTIONS_FILE).write_text(f'[carol]\n{hw} = ["a"]\n')
    notes = classroom.prescan_policy(tmp_path, folder, hw, "carol", [name])
    assert any("lifted by the instructor" in n for n in notes), notes


@pytest.mark.parametrize("hw", assignments())
def test_each_notebook_states_its_policy(hw):
    """The source (and so the release) notebook says exactly what the policy check flags."""
    nb = nbformat.read(ROOT / "source" / hw / f"{hw}.ipynb", as_version=4)
    text = policy.rules_text(hw, policy.protected_names(nb)[0])
    markdown = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert text in markdown, f"{hw}: the Rules do not say:\n{text}"
