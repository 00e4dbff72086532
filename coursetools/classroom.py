"""Run a class with the real nbgrader CLI: release, collect + grade, feedback, export.

Commands (the Makefile's ``release``, ``grade``, ``feedback`` and ``export`` targets call them)::

    python -m coursetools.classroom release HW     # generate_assignment + release_assignment
    python -m coursetools.classroom grade HW       # collect, pre-scan, autograde each student
    python -m coursetools.classroom feedback HW    # generate_feedback, leak check, release_feedback
    python -m coursetools.classroom export         # grades.csv

Options: ``--course DIR`` (the course root, default: the repository), ``--exchange DIR``
(``Exchange.root``; default: whatever nbgrader's config says). ``grade`` also takes
``--student ID`` (repeatable), ``--timeout SECONDS`` (per cell, this run only), ``--force``
(regrade students graded before), ``--no-collect`` and ``--workers N``.

``grade`` never lets one submission stop the others. Every submission is first checked
without running it; these are *skipped and reported by name* (nbgrader would crash the batch
on them or score them 0 without a word):

* ``invalid JSON``: the file is not a notebook (a merge conflict, a truncated upload);
* ``duplicate grade_id``: a graded or solution cell copied and pasted (nbgrader #1083);
* ``renamed notebook``: the expected notebook is missing but another ``.ipynb`` is there
  (nbgrader #1302 scores that 0 silently);
* ``missing notebook``: no notebook at all.

The pre-scan also runs the policy check (:mod:`coursetools.policy`) on every cell the student
wrote: each flag is listed in the summary with its cell and line (``policy: minimize line 3:
...``; the grader does not run that cell, so the tests depending on it score 0), and so are
near-copies of ``helpers``' reference implementations (``review: ...``, for the instructor to
look at; they cost no points). ``policy_exceptions.toml`` in the course root lifts flags per
student (:func:`coursetools.policy.load_exceptions`).

Every other student is autograded by the grading workers (:mod:`coursetools.workers`, one
process per core, ``--workers N`` to change it): nbgrader's own ``Autograde`` for one student
at a time, with this course's ``nbgrader_config.py`` (so
:class:`coursetools.classroom_execute.ResilientExecute` in place of nbgrader's ``Execute``: a
cell that kills the kernel scores 0 and the rest is still graded), a fresh kernel per notebook,
the same gradebook rows as ``nbgrader autograde --student``; a worker that dies or hangs is
replaced and its submission graded again alone. Students whose submission
did not change since their last autograde are not graded again unless ``--force``. The
summary lists every student: status, score, seconds, and the graded cells that failed with
their error; then, under ``MANUAL GRADING NEEDED``, every student whose manually graded answers
(written analyses, ``grade: true, solution: true`` cells) still await a person in formgrader,
with those cells and their points (an answer left as released scores 0 and is not listed).
The exit code is non-zero only when something could not be reported (collect failed, a
student nbgrader failed on without producing grades).
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from coursetools import sandbox
from coursetools.nbgrader_io import (
    ROOT,
    cell_errors,
    flatten,
    nbgrader,
    nbgrader_env,
    read_submission,
    split_hidden,
    sqlite_url,
)
from coursetools.workers import GradingPool, Job, Result

_TAG = re.compile(r"<[^>]+>")


# ---------------------------------------------------------------------------------------------
# running nbgrader in the course


@dataclass
class Course:
    """Where the course lives and which exchange it uses."""

    root: Path = ROOT
    exchange: Path | None = None

    def run(self, *args: str, timeout: float = 1800):
        extra = [f"--Exchange.root={self.exchange}"] if self.exchange else []
        return nbgrader([*args, *extra], self.root, timeout=timeout,
                        env=nbgrader_env(course_settings=True))

    def notebooks(self, hw: str) -> list[str]:
        """Notebook names (without .ipynb) of an assignment, from ``release/`` or ``source/``."""
        for folder in ("release", "source"):
            names = sorted(p.stem for p in (self.root / folder / hw).glob("*.ipynb"))
            if names:
                return names
        raise SystemExit(f"no notebooks in {self.root}/release/{hw} or {self.root}/source/{hw}")


def _check(run, what: str) -> None:
    if run.returncode != 0:
        tail = "\n".join(run.log.strip().splitlines()[-15:])
        raise SystemExit(f"nbgrader {what} failed (exit {run.returncode}):\n{tail}")


def release(course: Course, hw: str) -> None:
    """``generate_assignment`` (source -> release) and ``release_assignment`` (-> exchange)."""
    _check(course.run("generate_assignment", hw, "--force"), f"generate_assignment {hw}")
    _check(course.run("release_assignment", hw, "--force"), f"release_assignment {hw}")
    print(f"released {hw}: {', '.join(course.notebooks(hw))}")


# ---------------------------------------------------------------------------------------------
# pre-scan


def prescan(folder: Path, expected: list[str]) -> str | None:
    """Why a submitted folder cannot be autograded (``None``: it can)."""
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    for name in expected:
        path = folder / f"{name}.ipynb"
        if not path.is_file():
            others = [p for p in present if p[:-6] not in expected]
            if others:
                return (f"renamed notebook: expected {name}.ipynb, found {', '.join(others)} "
                        f"(rename it in {folder} and grade again with --student)")
            return f"missing notebook: {name}.ipynb was not submitted"
        try:
            text = path.read_text(encoding="utf-8")
            json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return f"invalid JSON in {name}.ipynb: {exc}"
        try:
            nb = nbformat.reads(text, as_version=4)
        except Exception as exc:  # nbformat's own reader errors
            return f"unreadable notebook {name}.ipynb: {type(exc).__name__}: {exc}"
        where: dict[str, list[int]] = {}
        for i, cell in enumerate(nb.cells):
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid:
                where.setdefault(gid, []).append(i)
        dups = {g: idx for g, idx in where.items() if len(idx) > 1}
        if dups:
            listed = "; ".join(f"'{g}' in cells {', '.join(map(str, i))}" for g, i in dups.items())
            return (f"duplicate grade_id in {name}.ipynb (copied cells): {listed} "
                    "(delete the copies and grade again with --student)")
    return None


def prescan_policy(course_root: Path, folder: Path, hw: str, student: str,
                   names: list[str]) -> list[str]:
    """Policy flags and near-copies in a student's notebooks, as notes for the summary."""
    from coursetools import policy

    try:
        exceptions = policy.load_exceptions(course_root)
    except ValueError as exc:
        return [f"policy exceptions not read: {exc}"]
    notes = []
    for name in names:
        source = course_root / "source" / hw / f"{name}.ipynb"
        reference = nbformat.read(source, as_version=4) if source.is_file() else None
        nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
        notes += policy.scan_notebook(nb, hw, student, exceptions, reference)
    return notes


# ---------------------------------------------------------------------------------------------
# grading


@dataclass
class StudentResult:
    student: str
    status: str  # graded | unchanged | skipped | failed
    score: float | None = None
    max_score: float | None = None
    seconds: float | None = None
    notes: list[str] = field(default_factory=list)
    cells: dict[str, float] = field(default_factory=dict)  # autograded and graded by hand
    pending: dict[str, float] = field(default_factory=dict)  # awaits manual grading: points


def _timestamp(folder: Path) -> str | None:
    path = folder / "timestamp.txt"
    return path.read_text().strip() if path.is_file() else None


def _up_to_date(course: Course, hw: str, student: str, names: list[str]) -> bool:
    sub = course.root / "submitted" / student / hw
    auto = course.root / "autograded" / student / hw
    if not all((auto / f"{n}.ipynb").is_file() for n in names):
        return False
    if _timestamp(sub) is None:  # not collected from the exchange: compare file times
        return all((sub / f"{n}.ipynb").stat().st_mtime <= (auto / f"{n}.ipynb").stat().st_mtime
                   for n in names)
    return _timestamp(sub) == _timestamp(auto)


def read_scores(
    course: Course, hw: str, student: str
) -> tuple[dict[str, float], float, dict[str, float]] | None:
    """({grade_id: score}, max score, {grade_id: points awaiting manual grading}) of a
    student's autograded submission (from the course's SQLite gradebook), or None."""
    db = course.root / "gradebook.db"
    if not db.is_file():
        return None
    grades = read_submission(sqlite_url(course.root), hw, student)
    if grades is None:
        return None
    cells = flatten(grades)
    return ({g: c.score for g, c in cells.items() if c.score is not None},
            sum(c.max_score for c in cells.values()),
            {g: c.max_score for g, c in cells.items() if c.pending})


def grade(
    course: Course,
    hw: str,
    students: list[str] | None = None,
    timeout: int | None = None,
    force: bool = False,
    collect: bool = True,
    n_workers: int | None = None,
) -> tuple[list[StudentResult], list[str]]:
    """Collect, pre-scan and autograde; return per-student results and run-level problems.

    The submissions to grade are autograded by ``n_workers`` grading workers (default: one per
    core; :mod:`coursetools.workers`).
    """
    problems: list[str] = []
    if collect:
        args = ["collect", hw, "--update"]
        run = course.run(*args)
        if run.returncode != 0:
            problems.append("nbgrader collect failed: " + run.log.strip().splitlines()[-1])
    names = course.notebooks(hw)
    submitted = course.root / "submitted"
    found = sorted(p.parent.name for p in submitted.glob(f"*/{hw}") if p.is_dir())
    if students:
        unknown = sorted(set(students) - set(found))
        for s in unknown:
            problems.append(f"{s}: no submission of {hw} in {submitted}")
        found = [s for s in found if s in students]
    results = []
    pending: list[StudentResult] = []
    for student in found:
        folder = submitted / student / hw
        why = prescan(folder, names)
        if why:
            res = StudentResult(student, "skipped", notes=[why])
            if (course.root / "autograded" / student / hw).is_dir():
                res.notes.append("the grade of an earlier submission is still in the gradebook")
            results.append(res)
            continue
        res = StudentResult(student, "graded", notes=prescan_policy(
            course.root, folder, hw, student, names))
        results.append(res)
        if not force and _up_to_date(course, hw, student, names):
            res.status = "unchanged"
            res.notes.append("graded before, submission unchanged (--force to regrade)")
        pending.append(res)

    # every submission to grade goes to the grading workers (nbgrader's Autograde in-process,
    # this course's nbgrader_config.py, a fresh kernel per notebook; see coursetools.workers)
    todo = [r for r in pending if r.status == "graded"]
    graded: dict[str, Result] = {}
    if todo:
        args = [f"--Execute.timeout={int(timeout)}"] if timeout else []
        done = [0]

        def progress(r: Result) -> None:
            done[0] += 1
            what = f"{r.score:g}/{r.max_score:g}" if r.ok else "FAILED"
            print(f"[{done[0]}/{len(todo)}] {r.student}: {what} ({r.seconds:.1f} s)",
                  file=sys.stderr, flush=True)

        with GradingPool(course.root, workers=n_workers, args=args,
                         env=nbgrader_env(course_settings=True)) as pool:
            jobs = [Job(hw, r.student) for r in todo]
            graded = {r.student: r for r in pool.grade(jobs, on_result=progress)}
    for res in pending:
        student = res.student
        run = graded.get(student)
        if run is not None:
            res.seconds = run.seconds
            res.notes += run.notes
            if not run.ok:
                errors = [ln for ln in run.log.splitlines() if "ERROR" in ln]
                res.status = "failed"
                res.notes.append(f"nbgrader autograde failed: {run.error}"
                                 + (f" ({errors[0]})" if errors else ""))
        scores = read_scores(course, hw, student)
        if run is not None and run.ok:
            scores = ({g: v for g, v in {**run.cells, **run.manual_cells}.items()
                       if v is not None}, run.max_score, run.pending)
        if scores is None or not all(
            (course.root / "autograded" / student / hw / f"{n}.ipynb").is_file() for n in names
        ):
            if res.status != "failed":
                res.status = "failed"
                res.notes.append("no grades recorded")
        else:
            res.cells, res.max_score, res.pending = scores
            res.score = sum(res.cells.values())
            if res.pending:
                res.notes.append("to grade by hand: " + ", ".join(
                    f"{g} ({p:g} points)" for g, p in sorted(res.pending.items())))
            for n in names:
                errs = cell_errors(course.root / "autograded" / student / hw / f"{n}.ipynb")
                for gid, err in errs.items():
                    if gid in res.cells and res.cells[gid] == 0:
                        res.notes.append(f"{gid}: {err}")
    return results, problems


def format_summary(hw: str, results: list[StudentResult], problems: list[str]) -> str:
    header = f"{'student':<24} {'status':<10} {'score':>9} {'seconds':>7}  notes"
    lines = [f"## {hw}", sandbox.status(), header, "-" * len(header)]
    for r in results:
        score = "-" if r.score is None else f"{r.score:g}/{r.max_score:g}"
        secs = "-" if r.seconds is None else f"{r.seconds:.1f}"
        lines.append(f"{r.student:<24} {r.status:<10} {score:>9} {secs:>7}  "
                     + ("; ".join(r.notes) if r.notes else ""))
    counts = {s: sum(r.status == s for r in results) for s in
              ("graded", "unchanged", "skipped", "failed")}
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items()))
    by_hand = [r for r in results if r.pending]
    if by_hand:
        total = sum(sum(r.pending.values()) for r in by_hand)
        lines.append(f"MANUAL GRADING NEEDED ({len(by_hand)} students, {total:g} points; "
                     "formgrader: Manual Grading):")
        lines += [f"  {r.student}: " + ", ".join(f"{g} ({p:g} points)"
                                               for g, p in sorted(r.pending.items()))
                  for r in by_hand]
    skipped = [r for r in results if r.status in ("skipped", "failed")]
    if skipped:
        lines.append("NOT GRADED (fix and run again with --student ID):")
        lines += [f"  {r.student}: {'; '.join(r.notes)}" for r in skipped]
    lines += [f"PROBLEM: {p}" for p in problems]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# feedback


def hidden_lines(course: Course, hw: str) -> set[str]:
    """Stripped lines of the hidden-test blocks of ``source/<hw>``, minus lines also visible."""
    hidden, visible = set(), set()
    for path in sorted((course.root / "source" / hw).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            shown, secret = split_hidden(cell.source)
            visible.update(ln.strip() for ln in shown if ln.strip())
            hidden.update(ln.strip() for ln in secret if ln.strip())
    for path in sorted((course.root / "release" / hw).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            visible.update(ln.strip() for ln in cell.source.splitlines())
    return {ln for ln in hidden - visible if len(ln) > 3}


def html_text_lines(path: Path) -> set[str]:
    """Stripped text lines of an HTML file (tags removed, entities decoded)."""
    text = html.unescape(_TAG.sub("", path.read_text(encoding="utf-8")))
    return {ln.strip() for ln in text.splitlines() if ln.strip()}


def leaks(course: Course, hw: str) -> dict[str, list[str]]:
    """{feedback html: hidden-test lines it shows} (a student's own lines are not leaks)."""
    hidden = hidden_lines(course, hw)
    out = {}
    for html_path in sorted((course.root / "feedback").glob(f"*/{hw}/*.html")):
        student = html_path.parents[1].name
        own = set()
        sub = course.root / "submitted" / student / hw / f"{html_path.stem}.ipynb"
        try:
            for cell in nbformat.read(sub, as_version=4).cells:
                own.update(ln.strip() for ln in cell.source.splitlines())
        except Exception:  # no readable submission: nothing of the student's to discount
            pass
        shown = sorted(ln for ln in hidden - own if ln in html_text_lines(html_path))
        if shown:
            out[str(html_path.relative_to(course.root))] = shown
    return out


def feedback(course: Course, hw: str, force: bool = False) -> int:
    args = ["generate_feedback", hw] + (["--force"] if force else [])
    _check(course.run(*args), f"generate_feedback {hw}")
    found = leaks(course, hw)
    if found:
        for path, lines in found.items():
            print(f"LEAK {path}: {lines[:3]}")
        print("feedback NOT released: it shows hidden tests (check GenerateFeedback.preprocessors)")
        return 1
    # release_feedback needs the submission_secret.txt that `nbgrader submit` writes; one
    # submission that did not come through the exchange would abort it for everybody.
    folders = sorted(p.parent for p in (course.root / "feedback").glob(f"*/{hw}/*.html"))
    no_secret = sorted({f.parent.name for f in folders
                        if not (f / "submission_secret.txt").is_file()})
    args = ["release_feedback", hw]
    if no_secret:
        args.append("--CourseDirectory.student_id_exclude=" + ",".join(no_secret))
    _check(course.run(*args), f"release_feedback {hw}")
    released = sorted({f.parent.name for f in folders} - set(no_secret))
    print(f"released feedback for {hw} to {len(released)} students; no hidden-test line in any")
    for student in no_secret:
        print(f"NOT RELEASED: {student} (no submission_secret.txt: not submitted through the "
              f"exchange; send feedback/{student}/{hw}/ by other means)")
    return 0


# ---------------------------------------------------------------------------------------------
# export


def export(course: Course) -> int:
    _check(course.run("export"), "export")
    path = course.root / "grades.csv"
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    print(f"wrote {path} ({len(rows)} rows)")
    graded = {(r["assignment"], r["student_id"]) for r in rows if r.get("timestamp")}
    missing = sorted(
        (p.name, p.parent.name)
        for p in (course.root / "submitted").glob("*/*")
        if p.is_dir() and (p.name, p.parent.name) not in graded
    )
    for hw, student in missing:
        print(f"WARNING: {student} submitted {hw} but has no grade in grades.csv (see grade {hw})")
    return 0


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m coursetools.classroom", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["release", "grade", "feedback", "export"])
    parser.add_argument("assignment", nargs="?", help="e.g. hw1_derivatives")
    parser.add_argument("--course", type=Path, default=ROOT, help="course root (default: repo)")
    parser.add_argument("--exchange", type=Path, help="nbgrader exchange root (Exchange.root)")
    parser.add_argument("--student", action="append", help="only this student (repeatable)")
    parser.add_argument("--timeout", type=int, help="per-cell seconds for this grading run")
    parser.add_argument("--force", action="store_true", help="regrade / regenerate everything")
    parser.add_argument("--no-collect", action="store_true", help="grade what is in submitted/")
    parser.add_argument("--workers", type=int, help="grading processes (default: one per core)")
    args = parser.parse_args(argv)
    course = Course(args.course.resolve(), args.exchange.resolve() if args.exchange else None)
    if args.command != "export" and not args.assignment:
        parser.error(f"{args.command} needs an assignment name")
    start = time.monotonic()
    if args.command == "release":
        release(course, args.assignment)
        return 0
    if args.command == "feedback":
        return feedback(course, args.assignment, force=args.force)
    if args.command == "export":
        return export(course)
    if args.workers is not None and args.workers < 1:
        parser.error(f"--workers must be at least 1, got {args.workers}")
    results, problems = grade(course, args.assignment, args.student, args.timeout,
                              args.force, collect=not args.no_collect, n_workers=args.workers)
    print(format_summary(args.assignment, results, problems))
    print(f"({time.monotonic() - start:.1f} s)")
    unreported = [r for r in results if r.status == "failed" and r.score is None]
    return 1 if problems or unreported else 0


if __name__ == "__main__":
    sys.exit(main())
