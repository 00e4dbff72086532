"""Grade the graders: run the real nbgrader CLI on declared submissions and compare scores.

Commands (the Makefile targets ``release-all``, ``selfgrade`` and ``grading-report`` call them)::

    python -m coursetools.grading release      # regenerate release/ for every assignment
    python -m coursetools.grading selfgrade    # autograde each source solution: every autograded
                                               # point; says what awaits manual grading
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

Manually graded cells (``grade: true, solution: true``, or markdown task cells; see
:mod:`coursetools.nbgrader_io`) are not in the specs' expectations: the table lists, per
submission, the points that await a person, and a submission fails the check only if
autograding gave such a cell points (the source solution's answers must await grading, the
release's unanswered ones score 0).

Per-cell scores are read from the gradebook with :class:`nbgrader.api.Gradebook`; the seconds
per submission are the worker's wall time for that student (sanitize, execute, save grades).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from coursetools import sandbox
from coursetools.grading_specs import (
    KINDS,
    SPEC_DIR,
    Submission,
    assignments,
    build_submission,
    load_spec,
)
from coursetools.nbgrader_io import (  # noqa: F401  (re-exported for the tests and benchmarks)
    COURSE_ID,
    ROOT,
    Run,
    bin_dir,
    cell_errors,
    graded_points,
    nbgrader,
    nbgrader_env,
    read_submission,
    sqlite_url,
)
from coursetools.workers import GradingPool, Job, default_workers

# ---------------------------------------------------------------------------------------------
# courses


def make_course(course: Path, names: list[str], root: Path = ROOT) -> list[Run]:
    """A fresh nbgrader course in ``course`` with ``names`` copied from ``root/source`` and
    generated into ``course/release`` (which also registers them in the course's gradebook)."""
    course.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "nbgrader_config.py", course / "nbgrader_config.py")
    exceptions = root / "policy_exceptions.toml"  # flags the instructor lifted, if any
    if exceptions.is_file():
        shutil.copy(exceptions, course / exceptions.name)
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
    """Expected and actual per-cell points of one submission.

    ``expected`` and ``actual`` cover the autograded test cells only; the manually graded
    cells are in ``manual_max`` (their points) and ``manual`` (their score after autograding:
    ``None`` while a person still has to grade the answer, 0 for an answer left as released).
    """

    assignment: str
    submission: Submission
    max_scores: dict[str, float]  # autograded test cells
    expected: dict[str, float]
    actual: dict[str, float] | None  # None: nbgrader produced no grades for it
    seconds: float
    notes: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # grade_id -> "Error: message"
    manual_max: dict[str, float] = field(default_factory=dict)
    manual: dict[str, float | None] = field(default_factory=dict)

    @property
    def expected_total(self) -> float:
        return sum(self.expected.values())

    @property
    def actual_total(self) -> float | None:
        """Autograded points (manually graded cells not included)."""
        return None if self.actual is None else sum(self.actual.values())

    @property
    def pending(self) -> dict[str, float]:
        """``{grade_id: points}`` of the manually graded cells that await a person."""
        return {g: self.manual_max[g] for g, s in self.manual.items() if s is None}

    def _manual_mismatches(self) -> list[str]:
        if set(self.manual) != set(self.manual_max):
            return [f"manual cells {sorted(self.manual_max)} not all in the gradebook "
                    f"({sorted(self.manual)})"]
        out = []
        for gid, score in sorted(self.manual.items()):
            if self.submission.kind == "solution" and score is not None:
                out.append(f"{gid}: the model answer should await manual grading, got {score}")
            elif self.submission.kind == "release" and score != 0:
                out.append(f"{gid}: an unanswered manual cell should score 0, got {score}")
            elif score not in (None, 0):
                out.append(f"{gid}: autograding gave a manual cell {score} points")
        return out

    @property
    def ok(self) -> bool:
        if self.actual is None or set(self.actual) != set(self.expected):
            return False
        if self._manual_mismatches():
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
        return out + self._manual_mismatches()


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
    """grade_id -> points for every graded cell of an nbgrader notebook (manual ones too)."""
    return graded_points(nb)


def read_grades(
    course: Path, name: str, students: list[str], manual: bool = False
) -> dict[str, dict[str, float | None] | None]:
    """student -> {grade_id: score} from the course gradebook (None if not graded).

    ``manual=False``: the autograded test cells; ``manual=True``: the manually graded cells,
    whose score is ``None`` while they await grading.
    """
    out: dict[str, dict[str, float | None] | None] = {}
    for student in students:
        grades = read_submission(sqlite_url(course), name, student)
        notebook = course / "autograded" / student / name / f"{name}.ipynb"
        if grades is None or name not in grades or not notebook.is_file():
            out[student] = None
            continue
        out[student] = {g: c.score for g, c in grades[name].items() if c.manual == manual}
    return out


def grade_assignment(
    name: str,
    workdir: Path,
    kinds: tuple[str, ...] = KINDS,
    spec_dir: Path = SPEC_DIR,
    root: Path = ROOT,
    feedback: bool = True,
    n_workers: int | None = None,
    only: list[str] | None = None,
    cores: threading.Semaphore | None = None,
) -> AssignmentResult:
    """Autograde every declared submission of ``name`` in a fresh course under ``workdir``.

    The submissions are graded by ``n_workers`` grading workers (default: one per core);
    ``cores`` (shared with the other assignments graded at the same time) bounds how many
    of all their workers grade at once. ``only``: grade just the submissions with these ids
    (of the selected ``kinds``).
    """
    start = time.monotonic()
    subs = [s for s in load_spec(name, spec_dir, root)
            if s.kind in kinds and (only is None or s.id in only)]
    course = workdir / name
    runs = make_course(course, [name], root)
    release_nb = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
    source_nb = nbformat.read(root / "source" / name / f"{name}.ipynb", as_version=4)
    max_scores = graded_points(source_nb, manual=False)
    manual_max = graded_points(source_nb, manual=True)
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
    with GradingPool(course, workers=n_workers, cores=cores) as pool:
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
    ids = [s.id for s in subs]
    grades = read_grades(course, name, ids)
    manual = read_grades(course, name, ids, manual=True)

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
            expected=sub.expected_scores(max_scores, manual=manual_max),
            actual=grades[sub.id],
            seconds=seconds.get(sub.id, float("nan")),
            notes=notes[sub.id],
            errors=cell_errors(course / "autograded" / sub.id / name / f"{name}.ipynb"),
            manual_max=manual_max,
            manual=manual[sub.id] or {},
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
    only: dict[str, list[str]] | None = None,
) -> dict[str, AssignmentResult]:
    """:func:`grade_assignment` for every assignment, ``jobs`` at a time.

    ``only``: ``{assignment: submission ids}`` to grade just those submissions of an
    assignment (the others: all of theirs).

    Each assignment has one grading worker per core, and all of them share one semaphore of
    that many cores: the workers never grade more submissions at once than there are cores,
    and while one assignment runs nbgrader's generate_assignment, generate_feedback or export,
    or once it is done, the others' workers use its cores. The assignments with the most
    submissions start first (the last one to finish is then a short one).
    """
    names = names or assignments()
    workdir = Path(workdir or tempfile.mkdtemp(prefix="optml-grading-"))
    jobs = max(1, jobs)
    n_cores = default_workers()
    cores = threading.Semaphore(n_cores)
    size = {n: len((only or {}).get(n) or load_spec(n)) for n in names}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {
            n: pool.submit(grade_assignment, n, workdir, kinds, feedback=feedback,
                           n_workers=n_cores, cores=cores, only=(only or {}).get(n))
            for n in sorted(names, key=lambda n: -size[n])
        }
        return {n: futures[n].result() for n in names}


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
            if r.pending:
                status += f"  [{manual_text(r.pending)} await manual grading]"
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
        first = next(iter(res.results.values()), None)
        if first is not None:
            auto, manual = sum(first.max_scores.values()), sum(first.manual_max.values())
            lines.append(
                f"{name:<22} {auto:g} autograded points, {manual:g} graded by hand"
                + (f" ({manual_text(first.manual_max)})" if manual else "")
            )
    return "\n".join(lines)


def manual_text(cells: dict[str, float]) -> str:
    """``"10 points in 1 cell: analysis"`` for ``{grade_id: points}`` of manual cells."""
    n = len(cells)
    return (f"{sum(cells.values()):g} points in {n} cell{'s' if n != 1 else ''}: "
            + ", ".join(sorted(cells)))


def selfgrade_summary(results: dict[str, AssignmentResult]) -> str:
    """One line per assignment: what the source solution scored, what awaits a person."""
    lines = []
    for name, res in results.items():
        sol = res.results.get("solution")
        if sol is None:
            continue
        auto = sum(sol.max_scores.values())
        got = "-" if sol.actual_total is None else f"{sol.actual_total:g}"
        line = f"{name}: the solution scores {got} of {auto:g} autograded points"
        if sol.manual_max:
            line += (f"; {sum(sol.pending.values()):g} of {sum(sol.manual_max.values()):g} "
                     f"points await manual grading ({manual_text(sol.manual_max)})")
        lines.append(line + ("" if sol.ok else "  MISMATCH"))
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
        if args.command == "selfgrade":
            print("\n" + selfgrade_summary(results))
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
