"""helpers.exercises.check, and the three-cell exercise convention in every lecture."""

from pathlib import Path

import nbformat
import numpy as np
import pytest

from helpers.exercises import check

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _stub():
    raise NotImplementedError("write f(x) = 2 x")


def test_unfinished_exercise_prints_the_stub_message_and_does_not_raise(capsys):
    result = check(lambda: _stub(), hint="multiply by two")
    out = capsys.readouterr().out
    assert result.status == "not done" and not result
    assert "Not done yet: write f(x) = 2 x" in out and "Hint: multiply by two" in out


def test_wrong_answer_reports_the_assertion_message(capsys):
    def test():
        got = 3.0
        assert np.isclose(got, 4.0), f"expected 4.0, got {got}"

    result = check(test)
    assert result.status == "wrong"
    assert "Not quite: expected 4.0, got 3.0" in capsys.readouterr().out


def test_other_exceptions_are_reported_with_their_line(capsys):
    def test():
        return np.zeros(2) @ np.zeros(3)

    result = check(test)
    out = capsys.readouterr().out
    assert result.status == "error" and "ValueError" in out and "line" in out


def test_passing_check_prints_success(capsys):
    result = check(lambda: None, success="Right: f(2) = 4.")
    assert result and result.status == "correct"
    assert capsys.readouterr().out.strip() == "Right: f(2) = 4."


def test_must_pass_raises_for_a_wrong_solution():
    with pytest.raises(AssertionError, match="does not pass its own check"):
        check(lambda: _stub(), must_pass=True)


def test_check_rejects_a_non_callable():
    with pytest.raises(TypeError, match="function with no arguments, got int"):
        check(3)


def _tags(cell):
    return set(cell.metadata.get("tags", []))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercises_follow_stub_check_solution(path):
    """Each `exercise` stub is followed by its `exercise-check` and a collapsed `solution` cell."""
    cells = nbformat.read(path, as_version=4).cells
    problems = []
    for i, cell in enumerate(cells):
        if "exercise" not in _tags(cell):
            continue
        code = [j for j in range(i + 1, len(cells)) if cells[j].cell_type == "code"][:2]
        if (
            len(code) < 2
            or "exercise-check" not in _tags(cells[code[0]])
            or "solution" not in _tags(cells[code[1]])
        ):
            problems.append(f"cell {i}: stub not followed by a check and a solution cell")
            continue
        stub, chk, sol = cell, cells[code[0]], cells[code[1]]
        if "NotImplementedError" not in stub.source:
            problems.append(f"cell {i}: the stub does not raise NotImplementedError")
        if "check(" not in chk.source or "must_pass" in chk.source:
            problems.append(f"cell {code[0]}: the check should call check(...) without must_pass")
        if "must_pass=True" not in sol.source:
            problems.append(f"cell {code[1]}: the solution needs check(..., must_pass=True)")
        if not sol.metadata.get("jupyter", {}).get("source_hidden"):
            problems.append(f"cell {code[1]}: the solution input is not collapsed")
    assert not problems, problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_your_turn_is_an_active_exercise(path):
    """A "Your turn" task is followed by an `exercise` stub before the next markdown heading."""
    cells = nbformat.read(path, as_version=4).cells
    missing = []
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown" or "your turn" not in cell.source.lower():
            continue
        following = []
        for nxt in cells[i + 1 :]:
            if nxt.cell_type == "markdown" and nxt.source.lstrip().startswith("#"):
                break
            following.append(nxt)
        if not any("exercise" in _tags(c) for c in following):
            missing.append(i)
    assert not missing, f"'Your turn' cells without an exercise stub after them: {missing}"
