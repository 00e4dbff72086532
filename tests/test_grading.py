"""The grading is tested like code: real nbgrader on declared submissions, per-cell scores checked.

For every assignment in ``source/`` one temporary course is autograded (see
``coursetools/grading.py``); the session-scoped fixture runs all assignments once, two at a
time, and every test below reads from that single run. Submissions are declared in
``tests/grading/<hw>.py`` (format: ``tests/grading/README.md``).

The first tests are fast unit tests of the tamper guard ``optml_grading.integrity``.
"""

from __future__ import annotations

import builtins
import html as html_mod
import json
import re

import nbformat
import numpy as np
import pytest

import helpers
from coursetools import grading
from coursetools.grading_specs import SPEC_DIR, assignments, build_submission, load_spec
from coursetools.nbgrader_io import is_manual, split_hidden
from optml_grading import integrity

ASSIGNMENTS = assignments()
#: Lines every locked setup cell has (tests/grading/README.md, "The tamper guard").
SETUP_LINES = (
    "import numpy as np",
    "import helpers",
    "from optml_grading import integrity as _integrity",
    "from optml_grading.checks import expect_close",
    "_GUARD = _integrity.snapshot(globals())",
)
CASES = [(a, s.id) for a in ASSIGNMENTS for s in load_spec(a)]


# ---------------------------------------------------------------------------------------------
# optml_grading.integrity (fast)


def _saved():
    return (
        np.allclose,
        np.isclose,
        np.testing.assert_allclose,
        builtins.abs,
        helpers.numerical_gradient.__code__,
    )


def _restore(saved):
    (
        np.allclose,
        np.isclose,
        np.testing.assert_allclose,
        builtins.abs,
        helpers.numerical_gradient.__code__,
    ) = saved


def test_untouched_snapshot_passes():
    integrity.assert_untampered(integrity.snapshot())


@pytest.mark.parametrize(
    "patch",
    [
        "np.allclose = lambda *a, **k: True",
        "np.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)",
        "np.testing.assert_allclose = lambda *a, **k: None",
        "builtins.abs = lambda value: 0",
        "helpers.numerical_gradient.__code__ = (lambda f, x, h=None, method=None: x).__code__",
    ],
)
def test_tampering_is_detected(patch):
    snap, saved = integrity.snapshot(), _saved()
    try:
        exec(patch, {"np": np, "builtins": builtins, "helpers": helpers})
        with pytest.raises(integrity.TamperingError, match="tampering detected"):
            integrity.assert_untampered(snap)
    finally:
        _restore(saved)
    integrity.assert_untampered(snap)


def test_replacement_before_the_snapshot_is_detected():
    saved = _saved()
    try:
        np.allclose = lambda *a, **k: True
        snap = integrity.snapshot()  # taken too late: the fresh reference still disagrees
        with pytest.raises(integrity.TamperingError, match="numpy.allclose differs"):
            integrity.assert_untampered(snap)
    finally:
        _restore(saved)


def test_no_delegation_catches_aliases_and_profiler_removal():
    alias = helpers.numerical_gradient
    with pytest.raises(integrity.DelegationError, match="numerical_gradient"):
        with integrity.no_delegation(helpers.gradcheck):
            try:
                alias(lambda x: x @ x, np.ones(2))
            except NotImplementedError:  # still a stub while engineer A works on it
                pass
    import sys

    with pytest.raises(integrity.DelegationError, match="profiler"):
        with integrity.no_delegation(helpers.gradcheck):
            sys.setprofile(None)
    with integrity.no_delegation(helpers.gradcheck):
        np.sum(np.ones(3))  # numpy is not forbidden


# ---------------------------------------------------------------------------------------------
# specs (fast)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_assignment_layout_and_points(assignment):
    nb = nbformat.read(f"source/{assignment}/{assignment}.ipynb", as_version=4)
    points = grading.max_scores_of(nb)
    assert len(points) >= 4, f"{assignment}: only {len(points)} graded cells; split the 100 points"
    assert sum(points.values()) == 100, f"{assignment}: points add up to {sum(points.values())}"
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    ids = [i for i in ids if i]
    assert len(ids) == len(set(ids)), f"{assignment}: duplicate grade_id"
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code.metadata["nbgrader"]["locked"], "the first code cell must be locked"
    setup = first_code.source
    for line in SETUP_LINES:
        assert line in setup.splitlines(), f"{assignment}: the setup cell lacks {line!r}"
    lines = setup.splitlines()
    assert lines.index(SETUP_LINES[-1]) > max(lines.index(ln) for ln in SETUP_LINES[:-1]), (
        f"{assignment}: take the snapshot after the imports it records"
    )
    assert "def expect_close" not in setup, f"{assignment}: expect_close comes from optml_grading"
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        assert meta.get("schema_version") in (None, 3)
        if is_manual(cell):  # a manually graded answer: the student writes it, a person grades
            assert meta.get("solution"), f"{meta['grade_id']}: a manual cell is an answer cell"
            assert not meta.get("locked"), f"{meta['grade_id']}: the student must edit it"
            assert "BEGIN HIDDEN TESTS" not in cell.source, f"{meta['grade_id']}: hidden tests"
            assert float(meta.get("points", 0)) > 0, f"{meta['grade_id']}: no points"
            continue
        if meta.get("grade"):
            assert meta["locked"], f"{meta['grade_id']} is graded but not locked"
            hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)
            assert len(hidden) == 2, f"{meta['grade_id']} has no hidden tests"
            first = hidden[1].strip().splitlines()[0]
            assert first == "_integrity.assert_untampered(_GUARD)", (
                f"{meta['grade_id']}: hidden tests must start with the tamper check, not {first!r}"
            )
            assert "\nwith quiet():\n" in hidden[1], (
                f"{meta['grade_id']}: call student code inside `with quiet():` (warnings must "
                "not cost points)"
            )
        if meta.get("solution") and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_spec_covers_the_required_cases(assignment):
    assert (SPEC_DIR / f"{assignment}.py").is_file(), f"no spec tests/grading/{assignment}.py"
    subs = load_spec(assignment)
    by_kind = {k: [s for s in subs if s.kind == k] for k in ("mutant", "alternative", "cheat")}
    assert len(by_kind["mutant"]) >= 6, "at least 6 mutants"
    assert len(by_kind["alternative"]) >= 2, "at least 2 alternative correct solutions"
    cheats = by_kind["cheat"]
    text = [" ".join(list(s.replace.values()) + list(s.insert_after.values())) for s in cheats]
    assert any(s.id.startswith("cheat_hardcoded") for s in cheats), "a hard-coded-output cheat"
    assert any(re.search(r"np\.(allclose|isclose|testing\.\w+) =", t) for t in text)
    assert any(re.search(r"helpers(\.\w+)+ =", t) for t in text), "a cheat patching helpers"
    assert any(s.edit for s in cheats), "a cheat editing a test cell"
    assert any(s.delete for s in cheats), "a cheat deleting a test cell"
    assert any(s.timeout for s in cheats), "an infinite-loop cheat (with a short timeout)"

    def has_syntax_error(sub):
        for src in sub.replace.values():
            try:
                compile(src, sub.id, "exec")
            except SyntaxError:
                return True
        return False

    assert any(has_syntax_error(s) for s in cheats), "a cheat with a syntax error"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_submissions_are_built_from_the_release(assignment, tmp_path):
    source = nbformat.read(f"source/{assignment}/{assignment}.ipynb", as_version=4)
    release = nbformat.read(f"release/{assignment}/{assignment}.ipynb", as_version=4)
    for sub in load_spec(assignment):
        nb = build_submission(sub, release, source)
        text = json.dumps(nb.cells)
        assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
        if sub.kind == "release":
            assert nb == release


# ---------------------------------------------------------------------------------------------
# the pipeline (slow: real nbgrader)


@pytest.fixture(scope="session")
def graded(grading_run):
    """All assignments autograded once per session (tests/conftest.py); table saved to build/."""
    results = grading_run
    table = grading.format_table(results)
    print("\n" + table)
    out = grading.ROOT / "build" / "grading-report.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(table + "\n")
    return results


@pytest.mark.slow
@pytest.mark.parametrize(("assignment", "student"), CASES, ids=[f"{a}-{s}" for a, s in CASES])
def test_per_cell_scores(graded, assignment, student):
    res = graded[assignment].results[student]
    assert res.actual is not None, (
        f"{assignment}/{student} was not graded:\n{graded[assignment].log()[-3000:]}"
    )
    assert res.ok, f"{assignment}/{student} ({res.submission.about}): " + "; ".join(
        res.mismatches()
    )


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_100_release_0(graded, assignment):
    """The solution scores every autograded point, and its manually graded answers await a
    person (the 100 points are both together); the release scores 0 with nothing to grade."""
    results = graded[assignment].results
    solution, release = results["solution"], results["release"]
    assert solution.actual_total == sum(solution.max_scores.values())
    assert solution.pending == solution.manual_max
    assert solution.actual_total + sum(solution.pending.values()) == 100
    assert release.actual_total == 0
    assert release.pending == {}


def _hidden_and_public_lines(source) -> tuple[set[str], set[str]]:
    hidden, public = set(), set()
    for cell in source.cells:
        visible, secret = split_hidden(cell.source)
        hidden |= {ln.strip() for ln in secret if len(ln.strip()) > 20}
        public |= {ln.strip() for ln in visible}
    return hidden, public


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_html_without_hidden_tests(graded, assignment):
    res = graded[assignment]
    source = nbformat.read(f"source/{assignment}/{assignment}.ipynb", as_version=4)
    hidden, public = _hidden_and_public_lines(source)
    assert hidden
    for student, path in res.feedback.items():
        assert path is not None, f"no feedback HTML for {assignment}/{student}"
        html = path.read_text()
        assert "<html" in html.lower()
        text = html_mod.unescape(re.sub(r"<[^>]+>", "", html))
        # a hidden line that the student's own code or the visible part also contains
        # (`if np.linalg.norm(g) <= 1e-4:`) is no leak
        submitted = nbformat.read(
            res.course / "submitted" / student / assignment / f"{assignment}.ipynb", as_version=4
        )
        own = {ln.strip() for c in submitted.cells for ln in c.source.splitlines()}
        # nor is one that is part of a public line (the visible test calls the same function)
        secret = {ln for ln in hidden - public - own if not any(ln in p for p in public)}
        leaked = [ln for ln in secret if ln in text.splitlines() or f" {ln}" in text]
        assert not leaked, f"feedback of {student} shows hidden test lines: {leaked[:3]}"
        assert "BEGIN HIDDEN TESTS" not in text


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_export_matches_gradebook(graded, assignment):
    res = graded[assignment]
    assert set(res.exported) == set(res.results), "grades.csv must list every student"
    for student, r in res.results.items():
        assert res.exported[student] == pytest.approx(r.actual_total), student


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_autograde_skips_plots(graded, assignment):
    res = graded[assignment]
    nb = nbformat.read(
        res.course / "autograded" / "solution" / assignment / f"{assignment}.ipynb", as_version=4
    )
    images = [
        c.id for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert not images, f"plots drawn while autograding in cells {images}"
    errors = [c.id for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"the solution raised errors while autograding in {errors}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_nbgrader_call_succeeds(graded, assignment):
    """No declared submission (stub, cheat, infinite loop, syntax error) makes nbgrader fail."""
    res = graded[assignment]
    failed = [f"nbgrader {' '.join(r.args)}: exit {r.returncode}" for r in res.runs if r.returncode]
    assert not failed, "\n".join(failed) + "\n" + res.log()[-3000:]
    batch = [
        r
        for r in res.runs
        if r.args[0] == "autograde"
        and "--force" in r.args
        and not any(a.startswith("--student=") for a in r.args)
    ]
    assert len(batch) == 1, "all ordinary submissions are graded in one autograde call"
    regraded = [s for s, r in res.results.items() if r.notes]
    assert not regraded, f"the batch run did not grade {regraded}"
