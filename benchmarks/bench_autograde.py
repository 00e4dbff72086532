"""Autograde seconds per submission vs the floor of executing the same notebook with nbclient.

For every assignment in ``source/``: a temporary course (``generate_assignment``), the source
solution submitted as one student, then

* **autograde**: wall time of ``nbgrader autograde <hw> --student=solution --force`` exactly as
  ``python -m coursetools.classroom grade`` runs it (ResilientExecute), split into nbgrader's
  start-up (process start, imports, gradebook; up to the "Sanitizing" log line) and the rest
  (sanitize, execute, save grades);
* **floor**: :func:`coursetools.notebooks.execute_notebook` on the source notebook (solutions
  and hidden tests, what autograde executes) with ``NBGRADER_EXECUTION`` set, so demos are
  skipped as in autograding: one fresh kernel, no nbgrader;
* **with demos**: the same without ``NBGRADER_EXECUTION`` (what a student waits for on
  *Restart & Run All*), to show what skipping the demos saves.

Each measurement is the minimum over ``--repeat`` runs. Usage::

    python benchmarks/bench_autograde.py [--repeat 2] [-a hw1_derivatives ...]

Prints a Markdown table (``main()`` returns it). It is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from coursetools.grading import bin_dir, make_course, nbgrader_env
from coursetools.grading_specs import Submission, assignments, build_submission
from coursetools.notebooks import execute_notebook

ROOT = Path(__file__).resolve().parents[1]


def autograde_seconds(course: Path, hw: str) -> tuple[float, float]:
    """(wall seconds, seconds before the 'Sanitizing' line) of one autograde call."""
    args = [str(bin_dir() / "nbgrader"), "autograde", hw, "--student=solution", "--force"]
    start = time.monotonic()
    proc = subprocess.Popen(args, cwd=course, env=nbgrader_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    startup = None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if startup is None and "Sanitizing" in line:
            startup = time.monotonic() - start
    if proc.wait() != 0:
        raise RuntimeError(f"autograde {hw} failed:\n{''.join(lines)[-3000:]}")
    return time.monotonic() - start, startup if startup is not None else float("nan")


def measure(hw: str, workdir: Path, repeat: int) -> dict[str, float]:
    course = workdir / hw
    make_course(course, [hw])
    release = nbformat.read(course / "release" / hw / f"{hw}.ipynb", as_version=4)
    source_path = ROOT / "source" / hw / f"{hw}.ipynb"
    source = nbformat.read(source_path, as_version=4)
    target = course / "submitted" / "solution" / hw / f"{hw}.ipynb"
    target.parent.mkdir(parents=True)
    sub = Submission("solution", "solution", "source solution", lose=[])
    nbformat.write(build_submission(sub, release, source), target)
    walls, startups, floors, demos = [], [], [], []
    for _ in range(repeat):
        wall, startup = autograde_seconds(course, hw)
        walls.append(wall)
        startups.append(startup)
        res = execute_notebook(source_path, extra_env={"NBGRADER_EXECUTION": "autograde"})
        if res.error:
            raise RuntimeError(f"{hw} does not run under nbclient: {res.error}")
        floors.append(res.seconds)
        demos.append(execute_notebook(source_path).seconds)
    best = min(range(repeat), key=lambda i: walls[i])
    return dict(wall=walls[best], startup=startups[best], floor=min(floors), demos=min(demos))


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("-a", "--assignment", action="append")
    args = parser.parse_args(argv)
    names = args.assignment or assignments()
    rows = [
        "| assignment | autograde wall (s) | nbgrader start-up (s) | autograde after start-up (s) "
        "| nbclient floor (s) | wall / floor | with demos, nbclient (s) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory(prefix="optml-bench-autograde-") as tmp:
        for hw in names:
            m = measure(hw, Path(tmp), args.repeat)
            rows.append(
                f"| {hw} | {m['wall']:.1f} | {m['startup']:.1f} | {m['wall'] - m['startup']:.1f} "
                f"| {m['floor']:.1f} | {m['wall'] / m['floor']:.1f} | {m['demos']:.1f} |"
            )
            print(rows[-1], file=sys.stderr, flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    text = "\n".join(rows) + (
        f"\n\nOne submission (the source solution) per assignment; minimum of {args.repeat} "
        f"run(s); load average {load:.1f} on {os.cpu_count()} cores when it finished.\n"
    )
    return text


if __name__ == "__main__":
    print(main())
