"""Manually graded answers and partial credit in the grading pipeline, on a small synthetic
assignment (``hw0_manual``, built here; the course's own notebooks are not touched).

The assignment has one function ``square`` checked by two split test cells (3 + 2 points:
partial credit), an experiment cell without a test, a manually graded markdown answer
(``analysis``, 4 points) and a manually graded code answer (``derivation``, 1 point).
Conventions: ``/work/coord/grading_infra.md`` and :mod:`coursetools.nbgrader_io`.
"""

from __future__ import annotations

import html as html_mod
import re
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.utils import determine_grade

from coursetools import classroom, grading, nbgrader_io
from coursetools.classroom_execute import no_output_grades
from coursetools.grading_specs import Submission, common_cheats

HW = "hw0_manual"
MANUAL = {"analysis": 4.0, "derivation": 1.0}
AUTO = {"test_square_scalar": 3.0, "test_square_array": 2.0}

SETUP = """\
import numpy as np
import helpers
from optml_grading import integrity as _integrity
from optml_grading.checks import expect_close
from optml_grading.checks import quiet
_GUARD = _integrity.snapshot(globals())"""

SPEC = '''
SUBMISSIONS = [
    dict(id="mutant_scalar_only", kind="mutant", about="arrays come back unsquared",
         replace={"square": "def square(x):\\n    x = np.asarray(x, dtype=float)\\n"
                            "    return x * x if x.ndim == 0 else x\\n"},
         lose=["test_square_array"]),
    dict(id="cheat_displayhook", kind="cheat",
         about="wrong, and shows the number 2 from inside the test (numeric-output credit)",
         replace={"square": "import sys\\n\\n\\ndef square(x):\\n    sys.displayhook(2.0)\\n"
                            "    return None\\n"},
         lose=["test_square_scalar", "test_square_array"]),
    dict(id="alternative_own_words", kind="alternative", about="own code, own analysis",
         replace={"square": "def square(x):\\n    return np.asarray(x, dtype=float) ** 2\\n",
                  "analysis": "The values grow like k squared."}),
]
'''


def _meta(gid: str, **flags) -> dict:
    meta = {"grade": False, "solution": False, "locked": False, "grade_id": gid,
            "schema_version": 3}
    meta.update(flags)
    return {"nbgrader": meta}


def synthetic_notebook() -> nbformat.NotebookNode:
    """The source notebook of ``hw0_manual``."""
    cells = [
        new_markdown_cell("# hw0: squares\n\n**Rules.** Write `square`.",
                          metadata=_meta("intro", locked=True)),
        new_code_cell(SETUP, metadata=_meta("setup", locked=True)),
        new_code_cell(
            'def square(x):\n    """x squared, elementwise."""\n    ### BEGIN SOLUTION\n'
            "    return np.asarray(x, dtype=float) ** 2\n    ### END SOLUTION\n",
            metadata=_meta("square", solution=True)),
        new_code_cell(
            'with quiet():\n    got = square(3.0)\nexpect_close("square(3.0)", got, 9.0)\n'
            "### BEGIN HIDDEN TESTS\n_integrity.assert_untampered(_GUARD)\n"
            "with quiet():\n    _hidden_scalar_value = square(-1.5)\n"
            'expect_close("square(-1.5) (hidden scalar check)", _hidden_scalar_value, 2.25)\n'
            "### END HIDDEN TESTS",
            metadata=_meta("test_square_scalar", grade=True, locked=True, points=3)),
        new_code_cell(
            "### BEGIN HIDDEN TESTS\n_integrity.assert_untampered(_GUARD)\n"
            "with quiet():\n    _hidden_array_value = square(np.array([1.0, -2.0, 0.5]))\n"
            'expect_close("square of an array (hidden array check)", _hidden_array_value,\n'
            "             np.array([1.0, 4.0, 0.25]))\n### END HIDDEN TESTS",
            metadata=_meta("test_square_array", grade=True, locked=True, points=2)),
        new_code_cell("### BEGIN SOLUTION\nvalues = [float(square(k)) for k in range(4)]\n"
                      "### END SOLUTION", metadata=_meta("experiment", solution=True)),
        new_markdown_cell("How do `values` grow with k? (4 points)",
                          metadata=_meta("question", locked=True)),
        new_markdown_cell(
            "**Model answer.** Quadratically: each value is k squared.\n\n"
            "**Rubric (4 points).** 2: says quadratic growth; 2: relates it to `values`.",
            metadata=_meta("analysis", solution=True, grade=True, points=4)),
        new_code_cell("### BEGIN SOLUTION\nderivative_of_square_at_3 = 6.0\n### END SOLUTION",
                      metadata=_meta("derivation", solution=True, grade=True, points=1)),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


@pytest.fixture(scope="module")
def synthetic_root(tmp_path_factory):
    """A course root holding only ``source/hw0_manual`` (+ its spec and a policy exception:
    the displayhook cheat must reach the grader, so its ``import sys`` is let through)."""
    root = tmp_path_factory.mktemp("synthetic-root")
    shutil.copy(grading.ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    (root / "source" / HW).mkdir(parents=True)
    nbformat.write(synthetic_notebook(), root / "source" / HW / f"{HW}.ipynb")
    (root / "specs").mkdir()
    (root / "specs" / f"{HW}.py").write_text(SPEC)
    (root / "policy_exceptions.toml").write_text(f'[cheat_displayhook]\n{HW} = ["*"]\n')
    return root


# ---------------------------------------------------------------------------------------------
# fast


def test_cell_kinds():
    nb = synthetic_notebook()
    assert nbgrader_io.graded_points(nb, manual=True) == MANUAL
    assert nbgrader_io.graded_points(nb, manual=False) == AUTO
    assert nbgrader_io.graded_points(nb) == {**AUTO, **MANUAL}
    assert grading.max_scores_of(nb) == {**AUTO, **MANUAL}


def test_specs_cannot_expect_manual_scores():
    sub = Submission("s", "mutant", "x", lose=["analysis"])
    with pytest.raises(ValueError, match="manually graded cells"):
        sub.expected_scores(AUTO, manual=MANUAL)
    assert Submission("t", "mutant", "x", lose=["test_square_array"]).expected_scores(
        AUTO, manual=MANUAL) == {"test_square_scalar": 3.0, "test_square_array": 0.0}


def test_common_cheats_leave_manual_cells_alone(synthetic_root):
    cheats = common_cheats(HW, synthetic_notebook(), synthetic_root)
    assert cheats
    for sub in cheats:
        touched = set(sub.replace) | set(sub.edit) | set(sub.delete) | set(sub.lose or [])
        assert not touched & set(MANUAL), sub.id
    # the last answer with a test is `square`, not the experiment cell after it
    deleted = next(s for s in cheats if s.id == "cheat_common_delete_test_cell")
    assert deleted.delete == list(AUTO) and set(deleted.replace) == {"square"}


def test_a_number_shown_by_a_test_cell_does_not_set_its_score():
    """nbgrader's numeric-output partial credit takes the first execute_result, even before an
    error: code called by the test could set the score. The grader shows it as display_data."""
    cell = new_code_cell("check()", metadata=_meta("t", grade=True, locked=True, points=3))
    cell.outputs = [
        new_output("execute_result", data={"text/plain": "3"}, execution_count=1),
        new_output("error", ename="AssertionError", evalue="wrong", traceback=["wrong"]),
    ]
    assert determine_grade(cell)[0] == 3.0  # what plain nbgrader gives: full points
    assert no_output_grades(cell) == 1
    assert cell.outputs[0].output_type == "display_data"
    assert cell.outputs[0].data == {"text/plain": "3"}
    assert determine_grade(cell)[0] == 0
    nbformat.validate(new_notebook(cells=[cell]))


# ---------------------------------------------------------------------------------------------
# the pipeline on the synthetic assignment (slow: real nbgrader)


@pytest.fixture(scope="module")
def synthetic(synthetic_root, tmp_path_factory):
    return grading.grade_assignment(
        HW, tmp_path_factory.mktemp("synthetic-grading"), spec_dir=synthetic_root / "specs",
        root=synthetic_root,
        only=["solution", "release", "mutant_scalar_only", "cheat_displayhook",
              "alternative_own_words"],
    )


@pytest.mark.slow
def test_every_submission_scores_as_declared(synthetic):
    bad = {s: r.mismatches() for s, r in synthetic.results.items() if not r.ok}
    assert not bad, f"{bad}\n{synthetic.log()[-3000:]}"
    # graded by the workers, each next kernel started ahead (coursetools.kernel_prefetch)
    assert "kernel started ahead for this submission" in synthetic.log()


@pytest.mark.slow
def test_solution_scores_every_autograded_point_and_awaits_manual_grading(synthetic):
    sol = synthetic.results["solution"]
    assert sol.actual == AUTO
    assert sol.pending == MANUAL
    rel = synthetic.results["release"]
    assert rel.actual_total == 0 and rel.pending == {}
    assert rel.manual == {"analysis": 0.0, "derivation": 0.0}  # unanswered: 0, nothing to grade
    alt = synthetic.results["alternative_own_words"]
    assert alt.actual == AUTO and alt.pending == MANUAL
    summary = grading.selfgrade_summary({HW: synthetic})
    assert (f"{HW}: the solution scores 5 of 5 autograded points; 5 of 5 points await manual "
            "grading (5 points in 2 cells: analysis, derivation)") in summary
    table = grading.format_table({HW: synthetic})
    assert "5 autograded points, 5 graded by hand" in table
    assert "await manual grading" in table


@pytest.mark.slow
def test_split_test_cells_give_partial_credit(synthetic):
    mutant = synthetic.results["mutant_scalar_only"]
    assert mutant.actual == {"test_square_scalar": 3.0, "test_square_array": 0.0}


@pytest.mark.slow
def test_numeric_output_from_student_code_gives_no_points(synthetic):
    cheat = synthetic.results["cheat_displayhook"]
    assert cheat.actual == {"test_square_scalar": 0.0, "test_square_array": 0.0}
    nb = nbformat.read(synthetic.course / "autograded" / "cheat_displayhook" / HW / f"{HW}.ipynb",
                       as_version=4)
    cell = next(c for c in nb.cells if nbgrader_io.grade_id(c) == "test_square_scalar")
    kinds = [o.output_type for o in cell.outputs]
    assert "execute_result" not in kinds
    shown = [o for o in cell.outputs if o.output_type == "display_data"]
    assert any(o.data.get("text/plain") == "2.0" for o in shown), kinds  # the cheat did fire


@pytest.mark.slow
def test_feedback_with_pending_manual_cells_and_no_hidden_tests(synthetic):
    hidden = {ln.strip() for c in synthetic_notebook().cells
              for block in nbgrader_io.hidden_blocks(c.source) for ln in block
              if len(ln.strip()) > 20}
    assert hidden
    for student, path in synthetic.feedback.items():
        assert path is not None, f"no feedback HTML for {student}"
        text = html_mod.unescape(re.sub(r"<[^>]+>", "", path.read_text()))
        leaked = [ln for ln in hidden if ln in text]
        assert not leaked, f"{student}: {leaked}"
    assert set(synthetic.exported) == set(synthetic.results)
    for student, r in synthetic.results.items():
        assert synthetic.exported[student] == pytest.approx(r.actual_total), student


@pytest.mark.slow
def test_classroom_summary_lists_manual_grading_then_the_grade(synthetic):
    """`make grade`'s summary names what awaits a person; a manual grade then counts."""
    from nbgrader.api import Gradebook

    course = classroom.Course(synthetic.course)
    results, problems = classroom.grade(course, HW, collect=False)
    assert not problems
    by_student = {r.student: r for r in results}
    assert by_student["solution"].status == "unchanged"
    assert by_student["solution"].pending == MANUAL
    assert by_student["release"].pending == {}
    summary = classroom.format_summary(HW, results, problems)
    block = summary.split("MANUAL GRADING NEEDED", 1)[1]
    assert "solution: analysis (4 points), derivation (1 points)" in block
    assert "release:" not in block
    with Gradebook(nbgrader_io.sqlite_url(synthetic.course), course_id="optml") as gb:
        grade = gb.find_grade("analysis", HW, HW, "solution")
        grade.manual_score = 3.0
        gb.db.commit()
    cells, max_score, pending = classroom.read_scores(course, HW, "solution")
    assert pending == {"derivation": 1.0}
    assert cells["analysis"] == 3.0 and max_score == 10.0
    assert sum(cells.values()) == 8.0


@pytest.mark.slow
def test_rubric_not_in_release(synthetic):
    nb = nbformat.read(synthetic.course / "release" / HW / f"{HW}.ipynb", as_version=4)
    analysis = next(c for c in nb.cells if nbgrader_io.grade_id(c) == "analysis")
    assert analysis.source == "YOUR ANSWER HERE"
    text = "\n".join(c.source for c in nb.cells)
    assert "Rubric" not in text and "Model answer" not in text
    assert "derivative_of_square_at_3" not in text
