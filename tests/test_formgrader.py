"""The instructor's manual-grading path, for real: formgrader in JupyterLab (Chromium).

A temporary nbgrader course holds hw3_gradient_descent and a small class: every student submits
the source solution with their own written analysis in the hand-graded answer cell
``rate_analysis`` (10 points). ``classroom.grade`` (what ``make grade`` runs) autogrades them and
its summary lists every student under ``MANUAL GRADING NEEDED``. Then, in Chromium, the grader
opens the first submission in formgrader and goes on with the page's *Next* link; on every page
but the last it types points into the cell's score box and presses Tab, clicks the comment field,
types a comment and presses Tab, as a person does; the test waits for formgrader's two PUT
requests (a save is sent on the input's ``change`` event, i.e. when it loses focus). Afterwards:

- the gradebook (:func:`coursetools.nbgrader_io.read_submission` and nbgrader's API) holds the
  score and the comment, and the submission's total rose by the points;
- ``make grade``'s summary no longer lists the graded students, still lists the last one;
- ``generate_feedback`` (as ``make feedback`` runs it) gives the graded student an HTML page
  with the comment and the points, and none of the hidden-test lines
  (:func:`coursetools.classroom.leaks`), no hidden-test marker, no model-answer/rubric line.

No network: nbgrader's formgrade page asks cdnjs.cloudflare.com for MathJax (the default of
nbconvert's ``mathjax`` template macro); every request that is not to the test server is
aborted and recorded, and the test checks that this MathJax script is the only one. Without
MathJax, formgrader's ``init`` stops at ``configureScrolling`` (``MathJax is not defined``)
after it has loaded the grades and comments but before it registers its keyboard shortcuts, so
Tab is the browser's own (focus moves on, the field's ``change`` fires and saves) and formulas
in the student's answer show as TeX source. The test asserts that this is the only page error.

The seconds per submission (page load to both saves answered) are printed: machine time of the
UI round trip, not a grader's reading time. ``OPTML_FORMGRADER_CLASS=N`` (default 2) sets the
class size for measuring (docs/instructors.md); at least 2.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import nbformat
import pytest
from browser_util import chromium, running_lab

from coursetools import classroom, grading
from coursetools.grading_specs import ROOT, Submission, build_submission
from coursetools.nbgrader_io import flatten, read_submission, sqlite_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HW = "hw3_gradient_descent"
MANUAL = "rate_analysis"
N_STUDENTS = int(os.environ.get("OPTML_FORMGRADER_CLASS", "2"))
STUDENTS = [f"student{i:02d}" for i in range(1, N_STUDENTS + 1)]
ANSWER = ("My run gives rates {r} against (kappa-1)/(kappa+1); the steps to gain 1e-6 grow "
          "linearly in kappa, twice as many with the safe step.")
COMMENT = ("(a) 3/3; (b) 2/3: no reason why the measured rate is a little lower; (c) 2/2; "
           "(d) {d}/2. Student {s}.")
LOCAL = re.compile(r"^(https?|wss?)://127\.0\.0\.1[:/]")
MATHJAX = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/"


def points_for(i: int) -> int:
    return 7 + i % 3  # 7, 8, 9, ...: each student a different total


def _gradebook(course: Path, student: str) -> dict:
    """The manual cell's score/comment and the submission's total, from nbgrader's API."""
    from nbgrader.api import Gradebook

    with Gradebook(sqlite_url(course)) as gb:
        grade = gb.find_grade(MANUAL, HW, HW, student)
        comment = gb.find_comment(MANUAL, HW, HW, student)
        return {
            "id": gb.find_submission_notebook(HW, HW, student).id,
            "manual_score": grade.manual_score,
            "needs_manual_grade": grade.needs_manual_grade,
            "comment": comment.manual_comment,
            "total": gb.find_submission(HW, student).score,
        }


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """A course with ``STUDENTS`` submitted and autograded as ``make grade`` does."""
    root = tmp_path_factory.mktemp("formgrader") / "course"
    grading.make_course(root, [HW])
    source = nbformat.read(ROOT / "source" / HW / f"{HW}.ipynb", as_version=4)
    release = nbformat.read(root / "release" / HW / f"{HW}.ipynb", as_version=4)
    for i, student in enumerate(STUDENTS):
        sub = Submission(id=student, kind="alternative", about="solution + own analysis",
                         replace={MANUAL: ANSWER.format(r=f"0.81{i}")})
        target = root / "submitted" / student / HW / f"{HW}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(build_submission(sub, release, source), target)
    course = classroom.Course(root)
    results, problems = classroom.grade(course, HW, collect=False)
    summary = classroom.format_summary(HW, results, problems)
    assert not problems and all(r.status == "graded" for r in results), summary
    return course, summary


def _manual_block(summary: str) -> str:
    assert "MANUAL GRADING NEEDED" in summary, summary
    return summary.split("MANUAL GRADING NEEDED", 1)[1].split("\nNOT GRADED", 1)[0]


def test_grade_summary_lists_pending_manual_cells(klass):
    course, summary = klass
    block = _manual_block(summary)
    assert f"({len(STUDENTS)} students, {10 * len(STUDENTS)} points" in block, block
    for student in STUDENTS:
        assert f"  {student}: {MANUAL} (10 points)" in block, block
        cells = flatten(read_submission(sqlite_url(course.root), HW, student))
        assert cells[MANUAL].pending and cells[MANUAL].manual
        assert sum(c.score for c in cells.values() if c.score is not None) == 90


def _answer(student: str) -> str:
    return ANSWER.format(r=f"0.81{STUDENTS.index(student)}")


def _comment(student: str, points: int) -> str:
    return COMMENT.format(d=points - 6, s=student)


def _wait_ready(page, nb_id: str) -> None:
    """Wait until formgrader's page of submission ``nb_id`` can take grades."""
    page.wait_for_url(re.compile(rf".*/formgrader/submissions/{nb_id}/?(\?.*)?$"),
                      wait_until="load", timeout=60_000)
    # formgrader.init (on window load) fetches the grades and comments, then binds the inputs
    page.wait_for_function(
        "window.formgrader && formgrader.grades && formgrader.grades.loaded"
        " && formgrader.comments && formgrader.comments.loaded", timeout=60_000, polling=100)


def _enter_grade(page, points: int, comment: str) -> None:
    """Type points and a comment into the manual cell as a grader does; wait for both saves."""
    score_box = page.locator(f"input.score#{MANUAL}")
    comment_box = page.locator(f"textarea#{MANUAL}-comment")
    assert score_box.input_value() == "", "the cell already has a manual score"

    def saved(kind):
        return lambda r: (r.request.method == "PUT" and f"/formgrader/api/{kind}/" in r.url)

    score_box.click()
    page.keyboard.type(str(points))
    with page.expect_response(saved("grade"), timeout=30_000) as put:
        page.keyboard.press("Tab")  # leaving the field fires `change`: formgrader saves
    assert put.value.ok, f"saving the score: HTTP {put.value.status}"
    comment_box.click()
    page.keyboard.type(comment)
    with page.expect_response(saved("comment"), timeout=30_000) as put:
        page.keyboard.press("Tab")
    assert put.value.ok, f"saving the comment: HTTP {put.value.status}"


def test_formgrader_manual_grade_comment_and_feedback(klass):
    from playwright.sync_api import sync_playwright

    course, _ = klass
    before = {s: _gradebook(course.root, s) for s in STUDENTS}
    for s, gb in before.items():
        assert gb["manual_score"] is None and gb["needs_manual_grade"], (s, gb)
        assert gb["total"] == 90, (s, gb)
    # formgrader's Next link goes through the submissions in the order of their ids
    order = sorted(STUDENTS, key=lambda s: before[s]["id"])
    to_grade, ungraded = order[:-1], order[-1]
    points = {s: points_for(i) for i, s in enumerate(to_grade)}

    external, errors, seconds = [], [], {}
    with running_lab(course.root) as server, sync_playwright() as p, chromium(p) as browser:
        page = browser.new_page()

        def route(r):
            if LOCAL.match(r.request.url):
                r.continue_()
            else:
                external.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        # log in as the instructor does (the token URL sets the login and _xsrf cookies), then
        # the first submission; the others through the page's "Next" link
        page.goto(f"{server.base}/formgrader?token={server.token}", wait_until="load",
                  timeout=120_000)
        start = time.monotonic()
        page.goto(f"{server.base}/formgrader/submissions/{before[order[0]]['id']}/")
        for student in to_grade:
            _wait_ready(page, before[student]["id"])
            ready = time.monotonic()
            # the student's own answer is what the grader reads
            assert page.locator("a.name-shown").first.text_content().strip() == student
            assert _answer(student)[:40] in page.content(), f"{student}'s answer not shown"
            _enter_grade(page, points[student], _comment(student, points[student]))
            seconds[student] = (ready - start, time.monotonic() - ready)
            start = time.monotonic()
            page.locator("li.next a").click()
        _wait_ready(page, before[ungraded]["id"])
        page.close()
    for what, k in (("Next/open until the page is ready", 0),
                    ("type points + comment, both saved", 1)):
        times = sorted(t[k] for t in seconds.values())
        print(f"\nformgrader, {what}, per submission ({len(times)}): "
              + ", ".join(f"{t:.2f}" for t in times) + f" s; median {times[len(times) // 2]:.2f} s")
    print(f"external requests aborted: {sorted(set(external))}")
    print(f"page errors: {sorted(set(errors))}")

    assert external and all(u.startswith(MATHJAX) for u in external), external
    unexpected = [e for e in errors if "MathJax" not in e and "ERR_FAILED" not in e]
    assert not unexpected, unexpected

    for student in to_grade:
        gb = _gradebook(course.root, student)
        assert gb["manual_score"] == points[student], gb
        assert gb["comment"] == _comment(student, points[student]), gb
        assert gb["total"] == 90 + points[student], gb
        cells = flatten(read_submission(sqlite_url(course.root), HW, student))
        assert cells[MANUAL].score == points[student] and not cells[MANUAL].pending
    last = _gradebook(course.root, ungraded)
    assert last["manual_score"] is None and last["total"] == 90, last

    # make grade again (submissions unchanged): graded students leave the to-do list
    results, problems = classroom.grade(course, HW, collect=False)
    summary = classroom.format_summary(HW, results, problems)
    block = _manual_block(summary)
    assert f"  {ungraded}: {MANUAL} (10 points)" in block, summary
    for student in to_grade:
        assert f"  {student}:" not in block, summary
        row = next(ln for ln in summary.splitlines() if ln.startswith(student))
        assert f"{90 + points[student]}/100" in row and "unchanged" in row, row

    student = to_grade[0]
    run = course.run("generate_feedback", HW, "--student", student, "--force")
    assert run.returncode == 0, run.log[-3000:]
    page_path = course.root / "feedback" / student / HW / f"{HW}.html"
    assert page_path.is_file(), "no feedback HTML"
    text = "\n".join(sorted(classroom.html_text_lines(page_path)))
    html = page_path.read_text(encoding="utf-8")
    assert _comment(student, points[student]) in text, "the comment is not in the feedback"
    p = points[student]
    assert re.search(rf"Written response \(Score: {p}(\.0)? / 10(\.0)?\)", text), (
        "the manual points are not in the feedback")
    assert re.search(rf"\(Score: {90 + p}(\.0)? / 100(\.0)?\)", text), "total not in feedback"
    assert classroom.hidden_lines(course, HW), "no hidden-test line to look for"
    assert classroom.leaks(course, HW) == {}, "feedback shows hidden-test lines"
    assert "BEGIN HIDDEN TESTS" not in html and "END HIDDEN TESTS" not in html
    source = nbformat.read(ROOT / "source" / HW / f"{HW}.ipynb", as_version=4)
    model = next(c for c in source.cells
                 if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == MANUAL)
    shown = [ln for ln in model.source.splitlines() if len(ln.strip()) > 20 and ln.strip() in text]
    assert not shown, f"model answer/rubric lines in the feedback: {shown[:3]}"
