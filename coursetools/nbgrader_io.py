"""The course's one nbgrader I/O layer: cell kinds, hidden tests, the gradebook, the CLI runner.

Everything in ``coursetools`` that reads or runs nbgrader goes through this module: the build
(``coursetools.grading release``), the classroom commands (:mod:`coursetools.classroom`), the
grading workers (:mod:`coursetools.workers`), the grading harness (:mod:`coursetools.grading`)
and the tests. It has no state.

Cell kinds (nbgrader schema 3 metadata ``metadata.nbgrader``):

========================  ========================================  =========================
kind                      metadata                                  scored by
========================  ========================================  =========================
autograded test           ``grade: true``, code, not ``solution``   the autograder (0 or all)
manually graded answer    ``grade: true, solution: true`` (markdown  the instructor in
                          or code), or a markdown ``grade: true``    formgrader
                          task cell
autograded answer         ``solution: true`` only                   (the tests after it)
========================  ========================================  =========================

A manually graded answer left as released (its checksum unchanged) scores 0 automatically;
any other answer has no score (``None``) until the instructor grades it: it *awaits manual
grading*.

Numeric-output partial credit is not used in this course: nbgrader would take the points of a
test cell from the first ``execute_result`` number it shows (:func:`nbgrader.utils.
determine_grade`), before looking for a later error, and code called by the test can emit one.
:class:`coursetools.classroom_execute.ResilientExecute` turns every ``execute_result`` of a test
cell into a plain ``display_data`` (shown, never scored). Partial credit comes from split test
cells, one per separable part.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

#: the repository root (the course folder of an instructor working in the repository)
ROOT = Path(__file__).resolve().parents[1]
#: ``CourseDirectory.course_id`` in ``nbgrader_config.py``
COURSE_ID = "optml"
#: nbgrader's delimiters (``ClearSolutions``, ``ClearHiddenTests`` in ``nbgrader_config.py``)
SOLUTION_DELIMITERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_DELIMITERS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
#: the instructor's course settings (nbgrader_config.py reads them): kept for a real class
COURSE_SETTINGS = ("OPTML_GRADEBOOK", "OPTML_CELL_TIMEOUT")
_SANITIZING = re.compile(r"Sanitizing .*[/\\]submitted[/\\]([^/\\]+)[/\\]")


# ---------------------------------------------------------------------------------------------
# cells


def nbgrader_meta(cell) -> dict:
    """``cell.metadata.nbgrader`` (empty dict when absent)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell) -> str | None:
    """The cell's nbgrader ``grade_id`` (``None`` for an unmarked cell)."""
    return nbgrader_meta(cell).get("grade_id")


def is_manual(cell) -> bool:
    """A graded cell that a person grades (manually graded answer or markdown task cell)."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and (
        bool(meta.get("solution")) or cell.get("cell_type") != "code"
    )


def is_autograded_test(cell) -> bool:
    """A graded code cell that is not an answer: the autograder scores it."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not is_manual(cell)


def graded_points(nb, manual: bool | None = None) -> dict[str, float]:
    """``{grade_id: points}`` of the graded cells of ``nb``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An nbgrader notebook (source, release or submission).
    manual : bool or None
        ``None``: every graded cell; ``True``: the manually graded ones only; ``False``: the
        autograded test cells only.
    """
    out = {}
    for cell in nb.cells:
        if not nbgrader_meta(cell).get("grade"):
            continue
        if manual is None or manual == is_manual(cell):
            out[grade_id(cell)] = float(nbgrader_meta(cell)["points"])
    return out


def hidden_blocks(source: str) -> list[list[str]]:
    """The lines between each ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` pair."""
    blocks, inside = [], None
    for line in source.splitlines():
        if HIDDEN_DELIMITERS[0] in line:
            inside = []
        elif HIDDEN_DELIMITERS[1] in line and inside is not None:
            blocks.append(inside)
            inside = None
        elif inside is not None:
            inside.append(line)
    return blocks


def split_regions(
    source: str, delimiters: tuple[tuple[str, str], ...] = (HIDDEN_DELIMITERS,)
) -> tuple[list[str], list[str]]:
    """(lines outside, lines inside) the delimited regions of a cell's source.

    ``delimiters``: ``(begin, end)`` marker pairs (default: the hidden tests; add
    ``SOLUTION_DELIMITERS`` for the solution regions too). Delimiter lines are in neither list.
    """
    outside, inside, depth = [], [], 0
    for line in source.splitlines():
        if any(begin in line for begin, _ in delimiters):
            depth += 1
        elif depth and any(end in line for _, end in delimiters):
            depth -= 1
        else:
            (inside if depth else outside).append(line)
    return outside, inside


def split_hidden(source: str) -> tuple[list[str], list[str]]:
    """(visible lines, hidden-test lines) of a cell's source; delimiter lines in neither."""
    return split_regions(source)


def strip_solution(source: str) -> str:
    """A source solution cell as a student would write it: delimiter lines removed."""
    lines = [ln for ln in source.splitlines() if ln.strip() not in SOLUTION_DELIMITERS]
    return "\n".join(lines)


def cell_errors(notebook: Path) -> dict[str, str]:
    """grade_id -> first line of the error each graded cell of an autograded notebook raised."""
    if not Path(notebook).is_file():
        return {}
    nb = nbformat.read(notebook, as_version=4)
    out = {}
    for cell in nb.cells:
        gid = grade_id(cell)
        for output in cell.get("outputs", []):
            if gid and output.get("output_type") == "error":
                message = (output.get("evalue") or "").strip().splitlines()
                out[gid] = f"{output.get('ename')}: {message[0][:160] if message else ''}"
    return out


# ---------------------------------------------------------------------------------------------
# the gradebook


@dataclass
class CellGrade:
    """One graded cell of a submission in the gradebook.

    ``score`` is ``None`` while the cell awaits manual grading.
    """

    score: float | None
    max_score: float
    manual: bool  # graded by a person (no score until then, unless left unanswered)

    @property
    def pending(self) -> bool:
        return self.score is None


def sqlite_url(course: Path) -> str:
    """The default gradebook of a course folder (``nbgrader_config.py`` without
    ``OPTML_GRADEBOOK``)."""
    return f"sqlite:///{Path(course) / 'gradebook.db'}"


def read_submission(
    db_url: str, assignment: str, student: str, course_id: str = COURSE_ID
) -> dict[str, dict[str, CellGrade]] | None:
    """``{notebook: {grade_id: CellGrade}}`` of one submission, ``None`` if it has none."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id=course_id) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return None
        out: dict[str, dict[str, CellGrade]] = {}
        for snb in submission.notebooks:
            answers = {c.name for c in snb.notebook.solution_cells}
            out[snb.name] = {
                g.name: CellGrade(
                    # nbgrader's Grade.score is 0.0 when neither score is set: awaiting a person
                    None if g.auto_score is None and g.manual_score is None else float(g.score),
                    float(g.max_score),
                    g.name in answers or g.cell.cell_type != "code",
                )
                for g in snb.grades
            }
        return out


def flatten(grades: dict[str, dict[str, CellGrade]]) -> dict[str, CellGrade]:
    """``{grade_id: CellGrade}`` over all notebooks (grade ids are unique in an assignment)."""
    return {g: c for nb in grades.values() for g, c in nb.items()}


# ---------------------------------------------------------------------------------------------
# running the nbgrader command


def bin_dir() -> Path:
    """The virtualenv ``bin`` with ``nbgrader`` and ``alembic`` (this interpreter's, or .venv)."""
    here = Path(sys.executable).parent
    return here if (here / "nbgrader").exists() else ROOT / ".venv" / "bin"


def nbgrader_env(course_settings: bool = False) -> dict[str, str]:
    """Environment for nbgrader: venv first on PATH, no inherited notebook switches.

    Parameters
    ----------
    course_settings : bool
        Keep the instructor's :data:`COURSE_SETTINGS` (a PostgreSQL gradebook in
        ``OPTML_GRADEBOOK``, a cell timeout): the classroom commands grade a real class with
        them. The grading pipeline of the test suite drops them, so that its temporary courses
        never write into an instructor's gradebook.
    """
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir()}{os.pathsep}{env.get('PATH', '')}"
    dropped = ("NBGRADER_EXECUTION", "OPTML_STATIC")
    if not course_settings:
        dropped += COURSE_SETTINGS
    for name in dropped:
        env.pop(name, None)
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    return env


@dataclass
class Run:
    """One nbgrader invocation: arguments, exit code, log, wall time, seconds per student."""

    args: list[str]
    returncode: int
    log: str
    seconds: float
    per_student: dict[str, float] = field(default_factory=dict)


def nbgrader(
    args: list[str], cwd: Path, timeout: float = 1800, env: dict[str, str] | None = None
) -> Run:
    """Run ``nbgrader *args`` in ``cwd``; stream its log to time each student it processes.

    ``env`` defaults to :func:`nbgrader_env` (the pipeline's, without course settings).
    """
    start = time.monotonic()
    proc = subprocess.Popen(
        [str(bin_dir() / "nbgrader"), *args],
        cwd=cwd,
        env=nbgrader_env() if env is None else env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines, marks = [], []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        match = _SANITIZING.search(line)
        if match:
            marks.append((match.group(1), time.monotonic()))
        if time.monotonic() - start > timeout:
            proc.kill()
            lines.append(f"coursetools.nbgrader_io: killed after {timeout} s\n")
            break
    returncode = proc.wait()
    end = time.monotonic()
    per_student = {}
    for i, (student, t) in enumerate(marks):
        t_next = marks[i + 1][1] if i + 1 < len(marks) else end
        t_prev = start if i == 0 else t
        per_student[student] = per_student.get(student, 0.0) + (t_next - t_prev)
    return Run(list(args), returncode, "".join(lines), end - start, per_student)
