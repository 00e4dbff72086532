"""Submission specs: mutants, alternatives and cheats declared as data, built into notebooks.

Every assignment ``source/<hw>/<hw>.ipynb`` may have a spec ``tests/grading/<hw>.py`` that
defines ``SUBMISSIONS``, a list of dicts (see ``tests/grading/README.md`` for the full format)::

    dict(
        id="mutant_grad_sign",                  # student id in the temporary course
        kind="mutant",                          # mutant | alternative | cheat
        about="sign error in the e^{-x1} term",  # one line for the report
        replace={"grad_f": "def grad_f(x): ..."},  # solution cell grade_id -> new source
        lose=["test_grad_f"],                   # graded cells that must score 0 (others: full)
    )

Optional keys: ``edit`` (grade_id of any cell -> new source, e.g. an edited test cell),
``delete`` (grade_ids of cells removed from the submission), ``insert_after`` (grade_id ->
source of a new, unmarked student cell placed after it), ``keep`` (instead of ``lose``: the only
cells that keep their points), ``timeout`` (per-cell seconds for this submission; it is then
graded on its own). Every solution cell a spec does not replace gets the source solution.

Two submissions are always added: ``solution`` (the source solution; expects 100) and
``release`` (the untouched release notebook; expects 0).
"""

from __future__ import annotations

import copy
import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from coursetools.nbgrader_io import (  # noqa: F401  (SOLUTION_DELIMITERS: used by the tests)
    ROOT,
    SOLUTION_DELIMITERS,
    is_autograded_test,
    is_manual,
    strip_solution,
)
from coursetools.nbgrader_io import (
    grade_id as _grade_id,
)

SPEC_DIR = ROOT / "tests" / "grading"
KINDS = ("solution", "release", "mutant", "alternative", "cheat")
_ALLOWED_KEYS = {
    "id",
    "kind",
    "about",
    "replace",
    "edit",
    "delete",
    "insert_after",
    "lose",
    "keep",
    "timeout",
    "requires",
}

#: The sentence every Rules paragraph ends with (nbgrader would give 0 to a test cell with any
#: stderr output; the tests run student code inside ``optml_grading.checks.quiet``).
RULES_WARNINGS = (
    "Warnings (a `RuntimeWarning` from a division by zero, say) never cost points: only the"
    " checks decide."
)

#: The Rules paragraph used while ``coursetools.policy`` (which states its own list) is missing.
RULES_NOT_ALLOWED = (
    "**Not allowed in your cells** (the grader checks every solution cell; a cell that breaks"
    " one of these rules scores 0): imports other than `numpy`, `math` and harmless"
    " standard-library modules such as `functools` or `itertools`; `exec`, `eval`, `compile`,"
    " `__import__`, `importlib`; `getattr` or `setattr` with a computed name, and `__dunder__`"
    " attributes; `get_ipython`, `sys`, `builtins`, `ctypes`, `gc`, `inspect`, `os`,"
    " `subprocess`, `socket`, `signal`, `threading`; opening or reading files;"
    " `scipy.optimize` (the methods are the task); assigning to `np`, `helpers`,"
    " `expect_close`, `quiet`, `_GUARD` or `_integrity`, or to attributes of numpy or `helpers`."
)


def rules_paragraph(assignment: str, source_nb) -> str:
    """What the release notebook of ``assignment`` says is not allowed (one markdown paragraph).

    The policy check's own :func:`coursetools.policy.rules_text` (with the notebook's protected
    names) when that module is there, else :data:`RULES_NOT_ALLOWED`; then
    :data:`RULES_WARNINGS`. ``tests/test_release.py`` checks that every release notebook says it.
    """
    try:
        from coursetools import policy
    except ImportError:
        return f"{RULES_NOT_ALLOWED} {RULES_WARNINGS}"
    protected = policy.protected_names(source_nb)[0]
    return f"{policy.rules_text(assignment, protected)} {RULES_WARNINGS}"


@dataclass
class Submission:
    """One submission to autograde: how to build it and which cells must score 0."""

    id: str
    kind: str
    about: str
    replace: dict = field(default_factory=dict)
    edit: dict = field(default_factory=dict)
    delete: list = field(default_factory=list)
    insert_after: dict = field(default_factory=dict)
    lose: list | None = None
    keep: list | None = None
    timeout: int | None = None
    requires: tuple = ()

    def expected_scores(
        self, max_scores: dict[str, float], manual: dict[str, float] | None = None
    ) -> dict[str, float]:
        """grade_id -> expected points, given grade_id -> max points of the autograded cells.

        ``manual``: the manually graded cells (``grade_id -> points``); a spec cannot expect
        scores of them (a person grades them), so naming one in ``lose``/``keep`` is an error.
        """
        named = set(self.lose or []) | set(self.keep or [])
        by_hand = sorted(named & set(manual or {}))
        if by_hand:
            raise ValueError(
                f"submission {self.id!r} names manually graded cells {by_hand} in lose/keep; "
                "specs cover autograded cells only (a person grades the others)"
            )
        unknown = named - set(max_scores)
        if unknown:
            raise ValueError(
                f"submission {self.id!r} names graded cells {sorted(unknown)} that the notebook "
                f"does not have; graded cells: {sorted(max_scores)}"
            )
        if self.keep is not None:
            return {gid: (pts if gid in self.keep else 0.0) for gid, pts in max_scores.items()}
        lose = set(self.lose or [])
        return {gid: (0.0 if gid in lose else pts) for gid, pts in max_scores.items()}


def assignments(root: Path = ROOT) -> list[str]:
    """Names of the assignments in ``root/source`` (folders holding ``<name>/<name>.ipynb``).

    The environment variable ``OPTML_ASSIGNMENTS`` (comma-separated names) restricts the list,
    e.g. to run the grading tests for one assignment while writing it.
    """
    source = root / "source"
    found = sorted(p.name for p in source.iterdir() if (p / f"{p.name}.ipynb").is_file())
    only = [n.strip() for n in os.environ.get("OPTML_ASSIGNMENTS", "").split(",") if n.strip()]
    unknown = set(only) - set(found)
    if unknown:
        raise ValueError(f"OPTML_ASSIGNMENTS names unknown assignments {sorted(unknown)}: {found}")
    return [n for n in found if n in only] if only else found


def load_spec(assignment: str, spec_dir: Path = SPEC_DIR, root: Path = ROOT) -> list[Submission]:
    """The built-in submissions, those declared in ``spec_dir/<assignment>.py``, and the
    cheats common to every assignment (:func:`common_cheats` of the source notebook)."""
    subs = [
        Submission("solution", "solution", "the source solution, submitted as a student", lose=[]),
        Submission("release", "release", "the release notebook, untouched", keep=[]),
    ]
    path = spec_dir / f"{assignment}.py"
    if not path.is_file():
        return subs
    module_spec = importlib.util.spec_from_file_location(f"_grading_spec_{assignment}", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    seen = {s.id for s in subs}
    for entry in module.SUBMISSIONS:
        extra = set(entry) - _ALLOWED_KEYS
        if extra:
            raise ValueError(f"{path.name}: unknown keys {sorted(extra)} in {entry.get('id')!r}")
        sub = Submission(**entry)
        if sub.kind not in KINDS[2:]:
            raise ValueError(f"{path.name}: {sub.id!r} has kind {sub.kind!r}; use {KINDS[2:]}")
        if sub.id in seen:
            raise ValueError(f"{path.name}: duplicate submission id {sub.id!r}")
        if (sub.lose is None) == (sub.keep is None) and sub.kind != "alternative":
            raise ValueError(f"{path.name}: {sub.id!r} must give exactly one of 'lose' or 'keep'")
        if sub.kind == "alternative" and (sub.lose or sub.keep is not None):
            raise ValueError(f"{path.name}: alternative {sub.id!r} must score 100 (no lose/keep)")
        if sub.kind == "alternative":
            sub.lose = []
        seen.add(sub.id)
        subs.append(sub)
    source = root / "source" / assignment / f"{assignment}.ipynb"
    if source.is_file():
        for sub in common_cheats(assignment, nbformat.read(source, as_version=4), root):
            if sub.id in seen:
                raise ValueError(f"{path.name}: {sub.id!r} is a generated common cheat; drop it")
            seen.add(sub.id)
            subs.append(sub)
    return subs


def build_submission(
    sub: Submission,
    release_nb: nbformat.NotebookNode,
    source_nb: nbformat.NotebookNode,
    base: str = "solution",
) -> nbformat.NotebookNode:
    """The notebook a student with submission ``sub`` hands in (built from the release copy).

    Parameters
    ----------
    sub : Submission
        What the student changed (``replace``, ``edit``, ``delete``, ``insert_after``).
    release_nb, source_nb : nbformat.NotebookNode
        The release notebook (the starting point) and the source notebook (its solutions).
    base : {"solution", "release"}
        What every solution cell that ``sub`` does not replace holds: the source solution
        (the specs' convention) or the release stub (a student who answered only some cells).
    """
    if base not in ("solution", "release"):
        raise ValueError(f"base must be 'solution' or 'release', got {base!r}")
    nb = copy.deepcopy(release_nb)
    if sub.kind == "release":
        return nb
    solutions = {
        _grade_id(c): strip_solution(c.source)
        for c in source_nb.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
    }
    by_id = {_grade_id(c): c for c in nb.cells if _grade_id(c)}
    for gid in list(sub.replace) + list(sub.edit) + list(sub.delete) + list(sub.insert_after):
        if gid not in by_id:
            raise ValueError(f"submission {sub.id!r}: no cell with grade_id {gid!r}")
    for gid in sub.replace:
        if gid not in solutions:
            raise ValueError(f"submission {sub.id!r}: {gid!r} is not a solution cell")
    for cell in nb.cells:
        gid = _grade_id(cell)
        if gid in sub.replace:
            cell.source = sub.replace[gid]
        elif gid in solutions and base == "solution":
            cell.source = solutions[gid]
        if gid in sub.edit:
            cell.source = sub.edit[gid]
    new_cells = []
    for cell in nb.cells:
        gid = _grade_id(cell)
        if gid in sub.delete:
            continue
        new_cells.append(cell)
        if gid in sub.insert_after:
            extra = nbformat.v4.new_code_cell(sub.insert_after[gid])
            extra.id = f"student-{len(new_cells)}"
            new_cells.append(extra)
    nb.cells = new_cells
    return nb


# ---------------------------------------------------------------------------------------------
# cheats common to every assignment, generated from the notebook's cell ids

#: Grading mechanisms a generated cheat may need (``Submission.requires``), and how to see that
#: the grading pipeline has them: each maps to a check of the files that wire it in.
MECHANISMS = ("integrity", "state_restore", "policy", "sandbox")


def mechanisms_present(root: Path = ROOT) -> frozenset:
    """The grading mechanisms of :data:`MECHANISMS` that the pipeline in ``root`` has.

    * ``integrity``: ``optml_grading.integrity.snapshot(globals())`` records the setup names;
    * ``state_restore``: ``nbgrader_config.py`` grades with ``ResilientExecute``, which restores
      the kernel (IPython hooks, the guard, the setup names) before every graded cell;
    * ``policy``: ``nbgrader_config.py`` runs ``coursetools.policy.PolicyCheck``;
    * ``sandbox``: ``coursetools/sandbox.py`` is wired in and ``bwrap`` is installed.
    """
    import shutil

    def text(rel: str) -> str:
        path = root / rel
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    config, execute = text("nbgrader_config.py"), text("coursetools/classroom_execute.py")
    found = set()
    if "def snapshot(namespace" in text("optml_grading/integrity.py"):
        found.add("integrity")
    if "ResilientExecute" in config and "restore_state" in execute:
        found.add("state_restore")
    if "PolicyCheck" in config and "def check_notebook" in text("coursetools/policy.py"):
        found.add("policy")
    if "sandboxed(" in config and shutil.which("bwrap"):
        found.add("sandbox")
    return frozenset(found)


def _stub(name: str) -> str:
    """A wrong solution: defines the function, returns None."""
    return f"def {name}(*args, **kwargs):\n    return None\n"


_PATCH_NUMPY = """
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
"""

_REPLACE_INTEGRITY = """
import contextlib
_integrity.assert_untampered = lambda *args, **kwargs: None
_integrity.no_delegation = lambda *args, **kwargs: contextlib.nullcontext()
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
"""

_IPYTHON_HOOKS = """
_shell = get_ipython()
_shell.set_custom_exc((BaseException,), lambda shell, etype, value, tb, tb_offset=None: None)


def _forget_errors(result):
    result.error_in_exec = None
    result.error_before_exec = None


_shell.events.register("post_run_cell", _forget_errors)
"""

_EXEC_SOURCE = """
import json
import pathlib

_here = pathlib.Path.cwd().resolve()
for _folder in [_here, *_here.parents]:
    _nb = _folder / "source" / "{hw}" / "{hw}.ipynb"
    if _nb.is_file():
        for _cell in json.loads(_nb.read_text())["cells"]:
            _meta = _cell.get("metadata", {{}}).get("nbgrader", {{}})
            if _meta.get("solution") and _cell["cell_type"] == "code":
                exec("".join(_cell["source"]), globals())
        break
"""


def common_cheats(assignment: str, source_nb, root: Path = ROOT) -> list[Submission]:
    """Cheats that apply to every assignment, built from the notebook's graded cell ids.

    Every cheat that tries to beat the grader at large is combined with wrong solutions (stubs
    that return ``None``), so its expectation holds whichever mechanism stops it (the tamper
    guard, the grader's state restoration before each test cell, the policy check): the cells
    it would rescue score 0. A cheat whose ``requires`` names a mechanism that
    :func:`mechanisms_present` does not find is left out, never expected to pass.

    Parameters
    ----------
    assignment : str
        The assignment name (``source/<assignment>/<assignment>.ipynb``).
    source_nb : nbformat.NotebookNode
        Its source notebook: solution cells (``grade_id`` = function name) and graded cells.
    root : Path, optional
        The course root whose pipeline is checked for the mechanisms.

    Returns
    -------
    list of Submission
        Ids ``cheat_common_*``, kind ``"cheat"``.
    """
    answers, graded, owner = [], [], {}
    for cell in source_nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if is_manual(cell):  # graded by a person: no cheat can be expected to change it
            continue
        if meta.get("solution") and cell.cell_type == "code":
            answers.append(meta["grade_id"])
        elif is_autograded_test(cell):
            graded.append(meta["grade_id"])
            if answers:
                owner[meta["grade_id"]] = answers[-1]
    solutions = answers
    # the last answer cell that a test cell checks (an experiment cell feeding a written
    # answer has no test of its own)
    checked = [a for a in answers if a in owner.values()]
    if not checked or not graded:
        return []
    first, last = solutions[0], checked[-1]
    cells_of_last = [g for g in graded if owner.get(g) == last]
    all_stubs = {name: _stub(name) for name in solutions}
    have = mechanisms_present(root)
    cheats = [
        Submission(
            "cheat_common_edit_test_cell", "cheat",
            f"{last} wrong and its test cells edited to `pass` (nbgrader restores them)",
            replace={last: _stub(last)}, edit={g: "pass\n" for g in cells_of_last},
            lose=cells_of_last,
        ),
        Submission(
            "cheat_common_delete_test_cell", "cheat",
            f"{last} wrong and its test cells deleted (nbgrader restores them)",
            replace={last: _stub(last)}, delete=list(cells_of_last), lose=cells_of_last,
        ),
        Submission(
            "cheat_common_patch_numpy", "cheat",
            "every answer wrong; np.allclose, np.isclose, np.array_equal, "
            "np.testing.assert_allclose replaced after the first solution",
            replace=all_stubs, insert_after={first: _PATCH_NUMPY}, keep=[],
            requires=("integrity",),
        ),
        Submission(
            "cheat_common_redefine_expect_close", "cheat",
            "every answer wrong; the visible-test helper expect_close redefined to accept all",
            replace=all_stubs,
            insert_after={first: "def expect_close(*args, **kwargs):\n    return None\n"},
            keep=[], requires=("integrity",),
        ),
        Submission(
            "cheat_common_patch_helpers", "cheat",
            f"{last} wrong; helpers.numerical_gradient replaced after it",
            replace={last: _stub(last)},
            insert_after={last: "helpers.numerical_gradient = lambda *args, **kwargs: None\n"},
            lose=cells_of_last,
        ),
        Submission(
            "cheat_common_replace_integrity", "cheat",
            "every answer wrong; the guard's own functions replaced, then np.allclose",
            replace=all_stubs, insert_after={first: _REPLACE_INTEGRITY}, keep=[],
            requires=("state_restore",),
        ),
        Submission(
            "cheat_common_ipython_hooks", "cheat",
            "every answer wrong; a custom exception handler and a post_run_cell callback that "
            "clears the error",
            replace=all_stubs, insert_after={first: _IPYTHON_HOOKS}, keep=[],
            requires=("state_restore",),
        ),
        Submission(
            "cheat_common_exec_source", "cheat",
            f"own answers wrong; walks up to source/{assignment}/{assignment}.ipynb and execs "
            "the instructor's solutions",
            replace=all_stubs, insert_after={last: _EXEC_SOURCE.format(hw=assignment)}, keep=[],
            requires=("policy",),
        ),
        Submission(
            "cheat_common_infinite_loop", "cheat", f"{last} never returns",
            replace={last: f"def {last}(*args, **kwargs):\n    while True:\n        pass\n"},
            lose=cells_of_last, timeout=5,
        ),
        Submission(
            "cheat_common_syntax_error", "cheat", f"a syntax error in the {last} cell",
            replace={last: f"def {last}(*args, **kwargs:\n    return None\n"},
            lose=cells_of_last,
        ),
    ]
    source_of = {
        c.metadata["nbgrader"]["grade_id"]: strip_solution(c.source)
        for c in source_nb.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
    }
    cheats += [
        Submission(
            "cheat_common_scipy_optimize", "cheat",
            f"{last}: the right answer, but the cell imports scipy.optimize (not allowed)",
            replace={last: "from scipy import optimize as _optimize\n\n" + source_of[last]},
            lose=cells_of_last, requires=("policy",),
        ),
        Submission(
            "cheat_common_private_helpers", "cheat",
            f"{last}: the right answer, but the cell imports a private helpers module",
            replace={last: "from helpers import _validation as _v\n\n" + source_of[last]},
            lose=cells_of_last, requires=("policy",),
        ),
    ]
    # Not generated (assignment-specific, in the specs): hard-coded answers and delegation to
    # the helpers function that does the task. Pasted copies of helpers' reference code are
    # reported by coursetools.policy.near_copies for the instructor's review, not zeroed, so no
    # score can be expected of them here.
    return [c for c in cheats if set(c.requires) <= have]
