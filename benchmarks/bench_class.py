"""A class of K synthetic students for one assignment: grading workers vs nbgrader's batch.

Builds a temporary course (``generate_assignment``) and K students who submit a mix of the
submissions of ``tests/grading/<hw>.py``: correct (the source solution and the alternative
solutions), partial (the mutants), blank (the untouched release), hanging (an infinite loop,
interrupted after ``--hang-timeout`` seconds) and crashing (a solution cell that kills its
kernel: ``ResilientExecute`` fails that cell and grades the rest). Then it grades the class

* with the grading workers (:mod:`coursetools.workers`), once with each ``--workers`` count
  (default 1 and 2);
* with the plain ``nbgrader autograde <hw> --force`` batch (one process for the whole class),
  the anchor;

every run with ``--Execute.timeout=<hang timeout>`` for every student, so that all runs do the
same work and give the same grades (checked: per-cell scores of every run equal those of the
batch). It reports wall time, submissions per second, the mean seconds per correct submission
against the nbclient floor (:func:`coursetools.notebooks.execute_notebook` of the source
notebook with ``NBGRADER_EXECUTION`` set: one kernel, no nbgrader, as in
``bench_autograde.py``), the speed-up from 1 to 2 workers, and the load average before and
after each run (the machine may be shared).

Usage::

    python benchmarks/bench_class.py [-a hw3_gradient_descent] [-k 24] [--workers 1 2]
                                     [--prefetch on|off|both]

Prints a Markdown section (``main()`` returns it). It is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from coursetools.grading import make_course, nbgrader, read_grades
from coursetools.grading_specs import Submission, build_submission, load_spec
from coursetools.notebooks import execute_notebook
from coursetools.workers import GradingPool, Job

ROOT = Path(__file__).resolve().parents[1]
#: one "class period" of twelve students: what each kind is built from
MIX = ["correct", "partial", "correct", "blank", "partial", "hanging", "correct", "partial",
       "crashing", "partial", "correct", "blank"]


def load() -> str:
    try:
        return "/".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def crashing(hw_subs: list[Submission], source: nbformat.NotebookNode) -> Submission:
    """The source solution with its first solution cell replaced by one that kills the kernel."""
    gid = next(c.metadata.nbgrader.grade_id for c in source.cells
               if c.get("metadata", {}).get("nbgrader", {}).get("solution"))
    return Submission("crash", "cheat", "kills its kernel",
                      replace={gid: "import os\nos.kill(os.getpid(), 9)\n"}, lose=[])


def build_class(hw: str, k: int, course: Path) -> dict[str, tuple[str, Submission]]:
    """``k`` students in ``course/submitted``: {student: (kind, submission spec)}."""
    make_course(course, [hw])
    release = nbformat.read(course / "release" / hw / f"{hw}.ipynb", as_version=4)
    source = nbformat.read(ROOT / "source" / hw / f"{hw}.ipynb", as_version=4)
    specs = load_spec(hw)
    pools = {
        "correct": [s for s in specs if s.kind in ("solution", "alternative")],
        "partial": [s for s in specs if s.kind == "mutant"],
        "blank": [s for s in specs if s.kind == "release"],
        "hanging": [s for s in specs if s.timeout is not None],
        "crashing": [crashing(specs, source)],
    }
    students, used = {}, dict.fromkeys(pools, 0)
    for i in range(k):
        kind = MIX[i % len(MIX)]
        if not pools[kind]:
            kind = "correct"
        spec = pools[kind][used[kind] % len(pools[kind])]
        used[kind] += 1
        student = f"s{i:04d}_{kind}"
        target = course / "submitted" / student / hw / f"{hw}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(build_submission(spec, release, source), target)
        students[student] = (kind, spec)
    return students


def run_workers(course: Path, hw: str, students: list[str], n: int, timeout: int,
                prefetch: bool = True) -> dict:
    before = load()
    start = time.monotonic()
    with GradingPool(course, workers=n, args=[f"--Execute.timeout={timeout}"],
                     prefetch=prefetch) as pool:
        results = pool.grade([Job(hw, s) for s in students])
    wall = time.monotonic() - start
    return dict(wall=wall, load=f"{before} -> {load()}", results={r.student: r for r in results})


def run_batch(course: Path, hw: str, students: list[str], timeout: int) -> dict:
    before = load()
    run = nbgrader(["autograde", hw, "--force", f"--Execute.timeout={timeout}"], course,
                   timeout=7200)
    if run.returncode != 0:
        raise RuntimeError(f"nbgrader autograde {hw} failed:\n{run.log[-3000:]}")
    return dict(wall=run.seconds, load=f"{before} -> {load()}",
                grades=read_grades(course, hw, students))


def floor_seconds(hw: str, repeat: int = 2) -> float:
    path = ROOT / "source" / hw / f"{hw}.ipynb"
    best = float("inf")
    for _ in range(repeat):
        res = execute_notebook(path, extra_env={"NBGRADER_EXECUTION": "autograde"})
        if res.error:
            raise RuntimeError(f"{hw} does not run under nbclient: {res.error}")
        best = min(best, res.seconds)
    return best


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-a", "--assignment", default="hw3_gradient_descent")
    parser.add_argument("-k", "--students", type=int, default=24)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--hang-timeout", type=int, default=10,
                        help="Execute.timeout (s) of every run: what a hanging cell costs")
    parser.add_argument("--no-batch", action="store_true", help="skip the nbgrader batch anchor")
    parser.add_argument("--prefetch", choices=["on", "off", "both"], default="on",
                        help="kernels started ahead (coursetools.kernel_prefetch): on, off, or "
                        "both (each worker count twice)")
    args = parser.parse_args(argv)
    if args.students < 1 or any(n < 1 for n in args.workers):
        parser.error("--students and --workers must be positive")
    hw, k = args.assignment, args.students
    tmp = Path(tempfile.mkdtemp(prefix="optml-bench-class-"))
    try:
        course = tmp / hw
        klass = build_class(hw, k, course)
        students = sorted(klass)
        kinds = {kind: sum(v[0] == kind for v in klass.values()) for kind in dict.fromkeys(MIX)}
        floor_before = floor_seconds(hw)
        runs = {}
        modes = {"on": [True], "off": [False], "both": [False, True]}[args.prefetch]
        for n in args.workers:
            for ahead in modes:
                runs[n, ahead] = run_workers(course, hw, students, n, args.hang_timeout, ahead)
                print(f"{n} worker(s), kernels ahead {ahead}: {runs[n, ahead]['wall']:.1f} s "
                      f"(load {runs[n, ahead]['load']})", file=sys.stderr, flush=True)
        batch = None if args.no_batch else run_batch(course, hw, students, args.hang_timeout)
        floor = min(floor_before, floor_seconds(hw))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    first = next(iter(runs.values()))
    reference = batch["grades"] if batch else {s: first["results"][s].cells for s in students}
    rows = [
        "| grader | wall (s) | submissions/s | mean s per correct submission | / nbclient floor "
        "| speed-up vs 1 worker | grades = batch | load (1/5/15 min) before -> after |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    differ = []
    for (n, ahead), r in runs.items():
        one = runs.get((1, ahead))
        res = r["results"]
        correct = [res[s].seconds for s in students if klass[s][0] == "correct" and res[s].ok]
        mean = statistics.fmean(correct) if correct else float("nan")
        wrong = [s for s in students if not (res[s].ok and res[s].cells == reference[s])]
        same = not wrong
        differ += [f"{n} worker(s), {s}: {res[s].cells if res[s].ok else res[s].error} vs "
                   f"{reference[s]}" for s in wrong]
        speedup = f"{one['wall'] / r['wall']:.2f}x" if one else "-"
        label = f"{n} worker{'s' if n > 1 else ''}" + (", kernels ahead" if ahead else
                                                        ", kernels in place")
        rows.append(
            f"| {label} | {r['wall']:.1f} | {k / r['wall']:.2f} | "
            f"{mean:.2f} | {mean / floor:.2f}x | {speedup} | "
            f"{'yes' if same else 'NO'} | {r['load']} |"
        )
    if batch:
        rows.append(f"| `nbgrader autograde {hw}` (batch) | {batch['wall']:.1f} | "
                    f"{k / batch['wall']:.2f} | - | - | - | (anchor) | {batch['load']} |")
    mix = ", ".join(f"{n} {kind}" for kind, n in kinds.items() if n)
    lines = [
        f"## Class of {k} (`benchmarks/bench_class.py`)",
        "",
        f"Assignment {hw}, {k} synthetic students ({mix}); every run with "
        f"`--Execute.timeout={args.hang_timeout}` (a hanging cell costs that much). nbclient "
        f"floor of one submission: {floor:.2f} s. {os.cpu_count()} cores.",
        "",
        *rows,
    ]
    if differ:
        lines += ["", "Grades that differ from the batch's:", *[f"- {d}" for d in differ]]
    ahead = modes[-1]
    one, two = runs.get((1, ahead)), runs.get((2, ahead))
    if one:
        per_core = k / one["wall"]
        lines += [
            "",
            f"One worker grades {per_core:.2f} submissions/s (per core, this mix, this load); "
            f"1000 students on 16 cores at that rate and the measured 2-worker efficiency "
            f"would take about "
            + (
                f"{1000 / (per_core * 16 * (one['wall'] / two['wall']) / 2) / 60:.1f} min"
                if two else f"{1000 / (per_core * 16) / 60:.1f} min"
            )
            + " (assumes: 16 real cores, the same mix and load per core, one worker per core, "
            "a gradebook that keeps up, enough memory for 16 kernels).",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main())
