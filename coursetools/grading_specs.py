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

ROOT = Path(__file__).resolve().parents[1]
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
}
SOLUTION_DELIMITERS = ("### BEGIN SOLUTION", "### END SOLUTION")


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

    def expected_scores(self, max_scores: dict[str, float]) -> dict[str, float]:
        """grade_id -> expected points, given grade_id -> max points of the assignment."""
        unknown = set(self.lose or []) | set(self.keep or [])
        unknown -= set(max_scores)
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


def load_spec(assignment: str, spec_dir: Path = SPEC_DIR) -> list[Submission]:
    """The built-in submissions plus those declared in ``spec_dir/<assignment>.py``."""
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
    return subs


def strip_solution(source: str) -> str:
    """A source solution cell as a student would write it: delimiter lines removed."""
    lines = [ln for ln in source.splitlines() if ln.strip() not in SOLUTION_DELIMITERS]
    return "\n".join(lines)


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def build_submission(
    sub: Submission, release_nb: nbformat.NotebookNode, source_nb: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """The notebook a student with submission ``sub`` hands in (built from the release copy)."""
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
        if gid in solutions:
            cell.source = sub.replace.get(gid, solutions[gid])
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
