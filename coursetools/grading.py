"""Grade the graders: run the real nbgrader CLI on declared submissions and compare scores.

Commands (the Makefile targets ``release-all``, ``selfgrade`` and ``grading-report`` call them)::

    python -m coursetools.grading release      # regenerate release/ for every assignment
    python -m coursetools.grading selfgrade    # autograde each source solution; expect 100
    python -m coursetools.grading report       # assignment x submission: expected vs actual

``report`` builds, for every assignment in ``source/``, one temporary nbgrader course holding
all its submissions (the source solution, the untouched release, and the mutants, alternative
solutions and cheats declared in ``tests/grading/<hw>.py``) as different student ids, and runs
``generate_assignment``, ``autograde``, ``generate_feedback`` and ``export`` there with the
virtualenv's ``bin`` first on ``PATH``. Submissions are autograded by the grading workers
(:mod:`coursetools.workers`: nbgrader's own ``Autograde``, in-process, one student at a time per
worker, with the course's ``nbgrader_config.py``), the cores shared between the assignments
that run at the same time; a submission that needs its own settings (a short cell timeout for
the infinite-loop cheat) gets them for itself, and one bad submission never stops the others.
Two assignments run in parallel (``--jobs``). The exit code is non-zero if any graded cell
scores other than its declared expectation.

Per-cell scores are read from the gradebook with :class:`nbgrader.api.Gradebook`; the seconds
per submission are the worker's wall time for that student (sanitize, execute, save grades).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from coursetools import sandbox
from coursetools.grading_specs import (
    KINDS,
    ROOT,
    SPEC_DIR,
    Submission,
    assignments,
    build_submission,
    load_spec,
)
from coursetools.workers import GradingPool, Job, default_workers

COURSE_ID = "optml"
_SANITIZING = re.compile(r"Sanitizing .*[/\\]submitted[/\\]([^/\\]+)[/\\]")


# ---------------------------------------------------------------------------------------------
# running nbgrader


def bin_dir() -> Path:
    """The virtualenv ``bin`` with ``nbgrader`` and ``alembic`` (this interpreter's, or .venv)."""
    here = Path(sys.executable).parent
    return here if (here / "nbgrader").exists() else ROOT / ".venv" / "bin"


#: the instructor's course settings (nbgrader_config.py reads them): kept for a real class
COURSE_SETTINGS = ("OPTML_GRADEBOOK", "OPTML_CELL_TIMEOUT")


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
            lines.append(f"coursetools.grading: killed after {timeout} s\n")
            break
    returncode = proc.wait()
    end = time.monotonic()
    per_student = {}
    for i, (student, t) in enumerate(marks):
        t_next = marks[i + 1][1] if i + 1 < len(marks) else end
        t_prev = start if i == 0 else t
        per_student[student] = per_student.get(student, 0.0) + (t_next - t_prev)
    return Run(list(args), returncode, "".join(lines), end - start, per_student)


def make_course(course: Path, names: list[str], root: Path = ROOT) -> list[Run]:
    """A fresh nbgrader course in ``course`` with ``names`` copied from ``root/source`` and
    generated into ``course/release`` (which also registers them in the course's gradebook)."""
    course.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "nbgrader_config.py", course / "nbgrader_config.py")
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")
    runs = []
    for name in names:
        shutil.copytree(root / "source" / name, course / "source" / name, ignore=ignore)
        run = nbgrader(["generate_assignment", name, "--force"], course)
        if run.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment {name} failed:\n{run.log}")
        runs.append(run)
    return runs


def generate_release(dest: Path, names: list[str] | None = None, root: Path = ROOT) -> None:
    """Regenerate ``dest/<name>/`` with ``nbgrader generate_assignment`` for each assignment."""
    names = names or assignments(root)
    with tempfile.TemporaryDirectory(prefix="optml-release-") as tmp:
        course = Path(tmp)
        make_course(course, names, root)
        for name in names:
            target = dest / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(course / "release" / name, target)


# ---------------------------------------------------------------------------------------------
# grading one assignment


@dataclass
class SubmissionResult:
    """Expected and actual per-cell points of one submission."""

    assignment: str
    submission: Submission
    max_scores: dict[str, float]
    expected: dict[str, float]
    actual: dict[str, float] | None  # None: nbgrader produced no grades for it
    seconds: float
    notes: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # grade_id -> "Error: message"

    @property
    def expected_total(self) -> float:
        return sum(self.expected.values())

    @property
    def actual_total(self) -> float | None:
        return None if self.actual is None else sum(self.actual.values())

    @property
    def ok(self) -> bool:
        if self.actual is None or set(self.actual) != set(self.expected):
            return False
        return all(abs(self.actual[k] - self.expected[k]) < 1e-9 for k in self.expected)

    def mismatches(self) -> list[str]:
        if self.actual is None:
            return ["no grades recorded"]
        out = []
        for gid in sorted(set(self.expected) | set(self.actual)):
            exp, act = self.expected.get(gid), self.actual.get(gid)
            if exp is None or act is None or abs(exp - act) > 1e-9:
                why = f" ({self.errors[gid]})" if gid in self.errors else ""
                out.append(f"{gid}: expected {exp}, got {act}{why}")
        return out


@dataclass
class AssignmentResult:
    """Everything one assignment's pipeline run produced."""

    name: str
    course: Path
    results: dict[str, SubmissionResult]
    runs: list[Run]
    feedback: dict[str, Path | None]
    exported: dict[str, float]
    seconds: float

    def log(self) -> str:
        return "\n".join(f"$ nbgrader {' '.join(r.args)}\n{r.log}" for r in self.runs)


def max_scores_of(nb: nbformat.NotebookNode) -> dict[str, float]:
    """grade_id -> points for every graded cell of an nbgrader notebook."""
    out = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            out[meta["grade_id"]] = float(meta["points"])
    return out


def read_grades(course: Path, name: str, students: list[str]) -> dict[str, dict[str, float] | None]:
    """student -> {grade_id: score} from the course gradebook (None if not graded)."""
    from nbgrader.api import Gradebook, MissingEntry

    out: dict[str, dict[str, float] | None] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        for student in students:
            try:
                snb = gb.find_submission_notebook(name, name, student)
            except MissingEntry:
                out[student] = None
                continue
            if not (course / "autograded" / student / name / f"{name}.ipynb").is_file():
                out[student] = None
                continue
            out[student] = {g.name: float(g.score) for g in snb.grades}
    return out


def cell_errors(notebook: Path) -> dict[str, str]:
    """grade_id -> first line of the error each graded cell of an autograded notebook raised."""
    if not notebook.is_file():
        return {}
    nb = nbformat.read(notebook, as_version=4)
    out = {}
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        for output in cell.get("outputs", []):
            if gid and output.get("output_type") == "error":
                message = (output.get("evalue") or "").strip().splitlines()
                out[gid] = f"{output.get('ename')}: {message[0][:160] if message else ''}"
    return out


def grade_assignment(
    name: str,
    workdir: Path,
    kinds: tuple[str, ...] = KINDS,
    spec_dir: Path = SPEC_DIR,
    root: Path = ROOT,
    feedback: bool = True,
    n_workers: int | None = None,
) -> AssignmentResult:
    """Autograde every declared submission of ``name`` in a fresh course under ``workdir``.

    The submissions are graded by ``n_workers`` grading workers (default: one per core).
    """
    start = time.monotonic()
    subs = [s for s in load_spec(name, spec_dir) if s.kind in kinds]
    course = workdir / name
    runs = make_course(course, [name], root)
    release_nb = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
    source_nb = nbformat.read(root / "source" / name / f"{name}.ipynb", as_version=4)
    max_scores = max_scores_of(source_nb)
    for sub in subs:
        target = course / "submitted" / sub.id / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(build_submission(sub, release_nb, source_nb), target)

    seconds: dict[str, float] = {}
    notes: dict[str, list[str]] = {s.id: [] for s in subs}
    jobs = [
        Job(name, s.id, () if s.timeout is None else (f"--Execute.timeout={int(s.timeout)}",))
        for s in subs
    ]
    t0 = time.monotonic()
    with GradingPool(course, workers=n_workers) as pool:
        graded = pool.grade(jobs)
        log = [f"graded by {pool.workers} coursetools.workers processes "
               "(nbgrader's Autograde in-process, one student at a time)\n"]
    for r in graded:
        seconds[r.student] = r.seconds
        notes[r.student] += r.notes
        if not r.ok:
            notes[r.student].append(f"not graded: {r.error}")
        log.append(f"--- {r.student} ({r.seconds:.1f} s)\n{r.log}")
    failed = any(not r.ok for r in graded)
    runs.append(Run(["autograde", name, "--force"], int(failed), "".join(log),
                    time.monotonic() - t0, per_student=seconds))
    grades = read_grades(course, name, [s.id for s in subs])

    fb: dict[str, Path | None] = {}
    exported: dict[str, float] = {}
    if feedback:
        runs.append(nbgrader(["generate_feedback", name, "--force"], course))
        for sub in subs:
            html = course / "feedback" / sub.id / name / f"{name}.html"
            fb[sub.id] = html if html.is_file() else None
        runs.append(nbgrader(["export", f"--assignment={name}"], course))
        csv_path = course / "grades.csv"
        if csv_path.is_file():
            with open(csv_path, newline="") as handle:
                for row in csv.DictReader(handle):
                    if row["assignment"] == name:
                        exported[row["student_id"]] = float(row["score"])

    results = {
        sub.id: SubmissionResult(
            assignment=name,
            submission=sub,
            max_scores=max_scores,
            expected=sub.expected_scores(max_scores),
            actual=grades[sub.id],
            seconds=seconds.get(sub.id, float("nan")),
            notes=notes[sub.id],
            errors=cell_errors(course / "autograded" / sub.id / name / f"{name}.ipynb"),
        )
        for sub in subs
    }
    return AssignmentResult(
        name, course, results, runs, fb, exported, seconds=time.monotonic() - start
    )


def grade_all(
    names: list[str] | None = None,
    workdir: Path | None = None,
    kinds: tuple[str, ...] = KINDS,
    jobs: int = 2,
    feedback: bool = True,
) -> dict[str, AssignmentResult]:
    """:func:`grade_assignment` for every assignment, ``jobs`` at a time (each with
    ``cores // jobs`` grading workers)."""
    names = names or assignments()
    workdir = Path(workdir or tempfile.mkdtemp(prefix="optml-grading-"))
    jobs = max(1, jobs)
    # the cores are shared by the assignments graded at the same time
    n_workers = max(1, default_workers() // min(jobs, len(names) or 1))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {
            n: pool.submit(grade_assignment, n, workdir, kinds, feedback=feedback,
                           n_workers=n_workers)
            for n in names
        }
        return {n: f.result() for n, f in futures.items()}


_SESSION: dict[tuple[str, ...], dict[str, AssignmentResult]] = {}


def grade_all_cached(names: list[str], workdir: Path, jobs: int = 2) -> dict[str, AssignmentResult]:
    """:func:`grade_all` once per process (a pytest session) for a given list of assignments."""
    key = tuple(names)
    if key not in _SESSION:
        _SESSION[key] = grade_all(names, workdir, jobs=jobs)
    return _SESSION[key]


def cached_release(name: str) -> Path | None:
    """``release/<name>`` generated by a cached :func:`grade_all` run in this process, if any."""
    for results in _SESSION.values():
        if name in results:
            return results[name].course / "release" / name
    return None


# ---------------------------------------------------------------------------------------------
# reporting


def format_table(results: dict[str, AssignmentResult]) -> str:
    """The grading table: assignment x submission -> expected vs actual points and seconds."""
    header = (
        f"{'assignment':<22} {'submission':<30} {'kind':<11} {'expected':>8} {'actual':>7} "
        f"{'seconds':>7}  status"
    )
    lines = [sandbox.status(), header, "-" * len(header)]
    for name, res in results.items():
        order = sorted(res.results.values(), key=lambda r: (KINDS.index(r.submission.kind),))
        for r in order:
            actual = "-" if r.actual_total is None else f"{r.actual_total:g}"
            status = "ok" if r.ok else "MISMATCH " + "; ".join(r.mismatches())
            if r.notes:
                status += "  (" + "; ".join(r.notes) + ")"
            lines.append(
                f"{name:<22} {r.submission.id:<30} {r.submission.kind:<11} "
                f"{r.expected_total:>8g} {actual:>7} {r.seconds:>7.1f}  {status}"
            )
        graded = [r.seconds for r in res.results.values() if r.seconds == r.seconds]
        mean = sum(graded) / len(graded) if graded else float("nan")
        lines.append(
            f"{name:<22} {len(res.results)} submissions, {res.seconds:.1f} s in total "
            f"(mean autograde {mean:.1f} s per submission)"
        )
    return "\n".join(lines)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursetools.grading", description=__doc__)
    parser.add_argument("command", choices=["release", "selfgrade", "report"])
    parser.add_argument("-a", "--assignment", action="append", help="only this assignment")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="assignments in parallel")
    parser.add_argument("--keep", action="store_true", help="keep the temporary course folders")
    args = parser.parse_args(argv)
    names = args.assignment or assignments()
    start = time.monotonic()
    if args.command == "release":
        generate_release(ROOT / "release", names)
        print(f"regenerated release/ for {', '.join(names)} in {time.monotonic() - start:.1f} s")
        return 0
    kinds = ("solution",) if args.command == "selfgrade" else KINDS
    workdir = Path(tempfile.mkdtemp(prefix="optml-grading-"))
    try:
        results = grade_all(
            names, workdir, kinds=kinds, jobs=args.jobs, feedback=args.command == "report"
        )
        print(format_table(results))
        bad = [r for res in results.values() for r in res.results.values() if not r.ok]
        print(f"\ntotal pipeline time {time.monotonic() - start:.1f} s with {args.jobs} workers")
        for res in results.values():
            missing = [s for s, p in res.feedback.items() if p is None]
            if args.command == "report" and missing:
                print(f"{res.name}: no feedback HTML for {missing}")
                bad.append(missing)
            wrong = [
                s
                for s, r in res.results.items()
                if args.command == "report"
                and r.actual_total is not None
                and abs(res.exported.get(s, -1.0) - r.actual_total) > 1e-9
            ]
            if wrong:
                print(f"{res.name}: grades.csv disagrees with the gradebook for {wrong}")
                bad.append(wrong)
        if bad:
            print(f"FAILED: {len(bad)} mismatch(es)")
            return 1
        return 0
    finally:
        if args.keep:
            print(f"course folders kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(_main())
