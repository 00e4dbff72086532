"""A class through the nbgrader exchange on one machine, with the real CLI and a home per student.

One module-scoped class (assignment hw1_derivatives, temporary course, exchange and homes):

    instructor  classroom release            generate_assignment + release_assignment
    students    nbgrader fetch_assignment    correct (the source solution), partial, blank
                edit, nbgrader submit
    more        the submissions in tests/workflow/ (malformed ones, hangs, crashes, floods)
                are dropped into the exchange's inbound folder as `submit` leaves them
    instructor  classroom grade --student <hangs> --timeout 5      (collect + the hangs)
                classroom grade                                    (everybody else)
                classroom grade --student partial --force          (the same submission again)
                classroom feedback                                 (generate + release)
    students    nbgrader fetch_feedback
    instructor  python -m coursetools.classroom export             (grades.csv)

Each test below checks one outcome of that run. Students other than the three in the exchange
flow skip fetch/submit (each nbgrader call costs seconds of start-up); the exchange itself is
exercised by the three, and between real Unix users by tests/test_deploy.py.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import csv
import html
import io
import json
import os
import re
import runpy
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest

from coursetools import classroom
from coursetools.grading_specs import Submission, build_submission
from coursetools.nbgrader_io import bin_dir, graded_points, nbgrader_env

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "workflow"
HW = "hw1_derivatives"
COURSE = "optml"
MAIN = ["correct", "partial", "blank"]


SOURCE = nbformat.read(ROOT / "source" / HW / f"{HW}.ipynb", as_version=4)
MANUAL = graded_points(SOURCE, manual=True)  # {grade_id: points} a person grades
FIXTURE_STUDENTS = sorted(p.stem for p in FIXTURES.glob("*.py"))
HANGS = [s for s in FIXTURE_STUDENTS if runpy.run_path(str(FIXTURES / f"{s}.py")).get("TIMEOUT")]
MALFORMED = [s for s in FIXTURE_STUDENTS if "REASON" in runpy.run_path(str(FIXTURES / f"{s}.py"))]
MALFORMED.append("invalid-json")


def fixture(name: str) -> dict:
    return runpy.run_path(str(FIXTURES / f"{name}.py"))


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def answered(release_nb, spec: dict):
    """The release notebook with a student's answers, as described by a fixture: its
    ``ANSWERS`` (grade_id -> source) on top of the source solutions (``BASE = "solution"``) or
    of the release stubs, built by ``grading_specs.build_submission``; then its ``DUPLICATE``
    cells copied."""
    source = nbformat.read(ROOT / "source" / HW / f"{HW}.ipynb", as_version=4)
    sub = Submission("fixture", "mutant", "a workflow fixture", edit=spec.get("ANSWERS", {}))
    nb = build_submission(sub, release_nb, source,
                          base="solution" if spec.get("BASE") == "solution" else "release")
    cells = []
    for cell in nb.cells:
        gid = grade_id(cell)
        cells.append(cell)
        if gid in spec.get("DUPLICATE", []):
            twin = copy.deepcopy(cell)
            twin.id = f"{cell.id}-copy"
            cells.append(twin)
    nb.cells = cells
    return nb


def student_env(home: Path) -> dict:
    env = nbgrader_env()
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                 "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "JUPYTER_CONFIG_PATH"):
        env.pop(name, None)
    env["HOME"] = str(home)
    return env


def as_student(student: str, home: Path, exchange: Path, *args: str) -> str:
    """Run ``nbgrader ARGS`` as ``student`` (own HOME, own folder); return its log."""
    proc = subprocess.run(
        [str(bin_dir() / "nbgrader"), *args, f"--course={COURSE}", f"--student={student}",
         f"--Exchange.root={exchange}"],
        cwd=home, env=student_env(home), capture_output=True, text=True, timeout=600,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{student}: nbgrader {' '.join(args)} failed:\n{log[-3000:]}"
    return log


def drop_in_inbound(exchange: Path, student: str, files: dict[str, bytes]) -> None:
    """A submission folder in the exchange's inbound as ``nbgrader submit`` names it
    (<student>+<hw>+<timestamp>+<random>/), but without its ``submission_secret.txt``: like a
    submission uploaded by other means, it is graded but gets no feedback through the exchange."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
    token = base64.urlsafe_b64encode(os.urandom(9)).decode()
    folder = exchange / COURSE / "inbound" / f"{student}+{HW}+{stamp}+{token}"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "timestamp.txt").write_text(stamp)


def run_classroom(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = classroom.main(list(args))
    print(out.getvalue())
    return code, out.getvalue()


def summary_rows(text: str) -> dict[str, dict]:
    """student -> {status, score, notes} from a ``classroom grade`` summary table."""
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^(\S+)\s+(graded|unchanged|skipped|failed)\s+(\S+)\s+(\S+)\s+(.*)$", line)
        if m:
            rows[m.group(1)] = dict(status=m.group(2), score=m.group(3), notes=m.group(5))
    return rows


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    course, exchange = base / "course", base / "exchange"
    homes = {s: base / "home" / s for s in MAIN}
    for home in homes.values():
        home.mkdir(parents=True)
    shutil.copytree(ROOT / "source" / HW, course / "source" / HW)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    where = ["--course", str(course), "--exchange", str(exchange)]
    timings = {}
    start = time.monotonic()

    code, _ = run_classroom("release", HW, *where)
    assert code == 0
    assert (exchange / COURSE / "outbound" / HW / f"{HW}.ipynb").is_file()
    timings["release"] = time.monotonic() - start

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda s: as_student(s, homes[s], exchange, "fetch_assignment", HW), MAIN))
    release_nb = nbformat.read(homes["blank"] / HW / f"{HW}.ipynb", as_version=4)
    for student, spec in (("correct", {"BASE": "solution"}), ("partial", fixture("partial"))):
        nbformat.write(answered(release_nb, spec), homes[student] / HW / f"{HW}.ipynb")
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda s: as_student(s, homes[s], exchange, "submit", HW), MAIN))
    timings["fetch+submit"] = time.monotonic() - start - timings["release"]

    for student in [s for s in FIXTURE_STUDENTS if s != "partial"]:
        spec = fixture(student)
        if spec.get("MISSING"):
            files = {k: v.encode() for k, v in spec.get("EXTRA_FILES", {}).items()}
        else:
            name = spec.get("FILENAME", f"{HW}.ipynb")
            files = {name: nbformat.writes(answered(release_nb, spec)).encode()}
        drop_in_inbound(exchange, student, files)
    drop_in_inbound(exchange, "invalid-json",
                    {f"{HW}.ipynb": (FIXTURES / "invalid-json.txt").read_bytes()})

    t = time.monotonic()
    hang_args = [a for s in HANGS for a in ("--student", s)]
    limit = max(fixture(s)["TIMEOUT"] for s in HANGS)
    code_hangs, out_hangs = run_classroom("grade", HW, *where, *hang_args, "--timeout", str(limit))
    timings["grade hangs"] = time.monotonic() - t
    t = time.monotonic()
    code_all, out_all = run_classroom("grade", HW, *where)
    timings["grade all"] = time.monotonic() - t
    first = classroom.read_scores(classroom.Course(course), HW, "partial")
    t = time.monotonic()
    code_again, out_again = run_classroom("grade", HW, *where, "--student", "partial", "--force")
    timings["regrade"] = time.monotonic() - t
    again = classroom.read_scores(classroom.Course(course), HW, "partial")

    t = time.monotonic()
    code_fb, out_fb = run_classroom("feedback", HW, *where)
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda s: as_student(s, homes[s], exchange, "fetch_feedback", HW), MAIN))
    timings["feedback"] = time.monotonic() - t
    t = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "coursetools.classroom", "export", *where],
                          capture_output=True, text=True, env=nbgrader_env(), timeout=600)
    timings["export"] = time.monotonic() - t
    timings["total"] = time.monotonic() - start
    print("seconds:", {k: round(v, 1) for k, v in timings.items()})
    return dict(
        course=course, exchange=exchange, homes=homes,
        grade_codes=(code_hangs, code_all, code_again), feedback_code=code_fb,
        out_hangs=out_hangs, out_all=out_all, out_again=out_again, out_feedback=out_fb,
        rows={**summary_rows(out_all), **summary_rows(out_hangs)},
        first=first, again=again, export=proc,
    )


def grades_csv(klass) -> dict[str, float]:
    with open(klass["course"] / "grades.csv", newline="") as handle:
        return {r["student_id"]: float(r["score"]) for r in csv.DictReader(handle)
                if r["assignment"] == HW}


def test_class_workflow_exports_expected_scores(klass):
    proc = klass["export"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    scores = grades_csv(klass)
    # the hand-graded answer cells wait for a person: autograding gives every other point
    assert MANUAL, "hw1 is expected to have a hand-graded answer cell"
    assert scores["correct"] == 100 - sum(MANUAL.values())
    assert scores["partial"] == fixture("partial")["SCORE"]
    assert scores["blank"] == 0
    for student in MAIN:  # every student fetched their feedback into their own home
        fetched = list((klass["homes"][student] / HW / "feedback").glob(f"*/{HW}.html"))
        assert len(fetched) == 1, f"{student}: {fetched}"
        assert "Score" in fetched[0].read_text() or "score" in fetched[0].read_text()
    assert klass["feedback_code"] == 0, klass["out_feedback"]
    # students whose folder came without nbgrader's submission secret are named, not released
    assert "NOT RELEASED: sys-exit" in klass["out_feedback"]
    assert "NOT RELEASED: correct" not in klass["out_feedback"]


def hidden_test_lines() -> set[str]:
    """Lines of the hidden-test blocks that appear nowhere in the release notebook."""
    source = nbformat.read(ROOT / "source" / HW / f"{HW}.ipynb", as_version=4)
    release = nbformat.read(ROOT / "release" / HW / f"{HW}.ipynb", as_version=4)
    visible = {ln.strip() for c in release.cells for ln in c.source.splitlines()}
    hidden = set()
    for cell in source.cells:
        block = re.findall(r"BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S)
        for text in block:
            hidden |= {ln.strip() for ln in text.splitlines() if len(ln.strip()) > 3}
    return hidden - visible


def text_of(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def test_feedback_shows_no_hidden_test_line(klass):
    hidden = hidden_test_lines()
    assert len(hidden) > 10
    # The autograded notebook of the partial student does quote hidden lines in its tracebacks
    # (so the check below looks at something that was there to hide).
    autograded = (klass["course"] / "autograded" / "partial" / HW / f"{HW}.ipynb").read_text()
    quoted = [ln for ln in hidden if any(
        ln in "".join(o.get("traceback", [])) for c in json.loads(autograded)["cells"]
        for o in c.get("outputs", []))]
    assert quoted, "expected hidden-test lines quoted in the partial student's tracebacks"
    pages = list((klass["course"] / "feedback").glob(f"*/{HW}/{HW}.html"))
    pages += [p for h in klass["homes"].values() for p in (h / HW / "feedback").glob("*/*.html")]
    assert len(pages) >= 2 * len(MAIN)
    for page in pages:
        lines = {ln.strip() for ln in text_of(page).splitlines()}
        shown = sorted(hidden & lines)
        assert not shown, f"{page} shows hidden-test lines: {shown[:5]}"


def test_leak_check_refuses_a_leaking_page(klass):
    course = classroom.Course(klass["course"])
    page = klass["course"] / "feedback" / "leaky" / HW / f"{HW}.html"
    page.parent.mkdir(parents=True)
    line = sorted(hidden_test_lines())[0]
    page.write_text(f"<pre><span>{html.escape(line)}</span></pre>")
    try:
        found = classroom.leaks(course, HW)
    finally:
        shutil.rmtree(page.parents[1])
    assert list(found) == [f"feedback/leaky/{HW}/{HW}.html"] and line in found[next(iter(found))]


@pytest.mark.parametrize("student", MALFORMED)
def test_malformed_submission_is_skipped_and_named(klass, student):
    reason = "invalid JSON" if student == "invalid-json" else fixture(student)["REASON"]
    row = klass["rows"][student]
    assert row["status"] == "skipped" and reason in row["notes"], row
    not_graded = klass["out_all"].split("NOT GRADED", 1)[1]
    assert f"  {student}: {reason}" in not_graded
    # graded in the same run (the hand-graded cells still wait for a person)
    assert klass["rows"]["correct"]["score"] == f"{100 - sum(MANUAL.values()):g}/100"
    assert f"WARNING: {student} submitted {HW}" in klass["export"].stdout
    assert student not in grades_csv(klass)


RUNTIME = [s for s in FIXTURE_STUDENTS if "ZERO" in fixture(s)]


@pytest.mark.parametrize("student", RUNTIME)
def test_runtime_failure_costs_only_its_cell(klass, student):
    spec = fixture(student)
    cells, max_score, pending = classroom.read_scores(
        classroom.Course(klass["course"]), HW, student)
    points = graded_points(SOURCE, manual=False)
    expected = {g: (0.0 if g in spec["ZERO"] else p) for g, p in points.items()}
    assert cells == expected
    assert pending == MANUAL
    row = klass["rows"][student]
    assert row["status"] == "graded" and all(z in row["notes"] for z in spec["ZERO"]), row
    notebook = klass["course"] / "autograded" / student / HW / f"{HW}.ipynb"
    if "MAX_NOTEBOOK_BYTES" in spec:
        assert notebook.stat().st_size < spec["MAX_NOTEBOOK_BYTES"]


def test_grading_twice_gives_identical_scores(klass):
    assert klass["first"] is not None and klass["again"] is not None
    assert klass["first"] == klass["again"]
    assert summary_rows(klass["out_again"])["partial"]["status"] == "graded"
    # without --force, a submission graded before and unchanged is not graded again
    for student in HANGS:
        assert summary_rows(klass["out_all"])[student]["status"] == "unchanged"


def test_grade_exit_codes(klass):
    # every student was reported (graded or skipped with a reason): exit 0
    assert klass["grade_codes"] == (0, 0, 0), klass["out_all"]
    rows = klass["rows"]
    expected = set(MAIN) | set(FIXTURE_STUDENTS) | {"invalid-json"}
    assert set(rows) == expected


def test_autograded_notebook_has_no_plots_or_widgets(klass):
    nb = nbformat.read(klass["course"] / "autograded" / "correct" / HW / f"{HW}.ipynb", 4)
    guarded = [c for c in nb.cells if c.cell_type == "code" and "if SHOW_PLOTS:" in c.source]
    assert guarded, "the homework has plot cells guarded by SHOW_PLOTS"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            kinds = set(out.get("data", {}))
            assert not any(k.startswith("image/") for k in kinds), cell.source[:80]
            assert "application/vnd.jupyter.widget-view+json" not in kinds, cell.source[:80]
            assert out.get("output_type") != "error", cell.source[:80]
