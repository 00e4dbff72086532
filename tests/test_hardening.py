"""Test cells student code cannot neutralize: tamper submissions graded by the real nbgrader CLI.

A small assignment (``tests/hardening/fixture.py``: setup cell, three tasks, three graded cells
of 5 points) is autograded in a temporary course with the repository's ``nbgrader_config.py``.
Each cheat (IPython hooks, ``expect_close`` or the guard's functions replaced, a trace function
that skips asserts, ``sys.stdout``/``print`` replaced, the completion signal forged) comes with
wrong answers; the affected cells must score 0 and every other cell its 5 points.

The kernel-side defenses (``coursetools.classroom_execute``, ``coursetools.grading_kernel``) are
tested with the policy check switched off (``--PolicyCheck.enabled=False``), so that the cheats
really run; a second batch runs with the policy on, through the config alone.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from coursetools import grading, policy
from coursetools.grading_specs import ROOT

sys.path.insert(0, str(Path(__file__).parent))
from hardening import fixture  # noqa: E402

pytestmark = pytest.mark.slow

POINTS = {"test_square": 5.0, "test_cube": 5.0, "test_norm2": 5.0}


def _course(tmp_path: Path) -> tuple[Path, nbformat.NotebookNode]:
    root = tmp_path / "repo"
    (root / "source" / fixture.NAME).mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    nbformat.write(fixture.source_notebook(),
                   root / "source" / fixture.NAME / f"{fixture.NAME}.ipynb")
    course = tmp_path / "course"
    grading.make_course(course, [fixture.NAME], root=root)
    release = nbformat.read(course / "release" / fixture.NAME / f"{fixture.NAME}.ipynb",
                            as_version=4)
    return course, release


def _submit(course: Path, student: str, nb: nbformat.NotebookNode) -> None:
    target = course / "submitted" / student / fixture.NAME / f"{fixture.NAME}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def _autograde(course: Path, *extra: str) -> grading.Run:
    run = grading.nbgrader(["autograde", fixture.NAME, "--force", *extra], course)
    assert run.returncode == 0, run.log[-3000:]
    return run


def _expected(lose: list[str]) -> dict[str, float]:
    return {gid: (0.0 if gid in lose else pts) for gid, pts in POINTS.items()}


@pytest.fixture(scope="module")
def kernel_layer(tmp_path_factory):
    """Every cheat, graded with the policy check off (the kernel-side defenses alone)."""
    course, release = _course(tmp_path_factory.mktemp("hardening"))
    for cheat in fixture.CHEATS:
        _submit(course, cheat[0], fixture.submission(cheat, release))
    run = _autograde(course, "--PolicyCheck.enabled=False")
    grades = grading.read_grades(course, fixture.NAME, [c[0] for c in fixture.CHEATS])
    return course, run, grades


@pytest.mark.parametrize("cheat", fixture.CHEATS, ids=[c[0] for c in fixture.CHEATS])
def test_cheat_scores_zero_on_affected_cells_only(kernel_layer, cheat):
    course, run, grades = kernel_layer
    student, about, _, _, lose = cheat
    assert grades[student] == _expected(lose), (about, grading.cell_errors(
        course / "autograded" / student / fixture.NAME / f"{fixture.NAME}.ipynb"))


def test_completion_token_is_stripped_and_sources_unchanged(kernel_layer):
    course, run, _ = kernel_layer
    path = course / "autograded" / "honest" / fixture.NAME / f"{fixture.NAME}.ipynb"
    nb = nbformat.read(path, as_version=4)
    text = nbformat.writes(nb)
    assert "optml-complete-" not in text and "_optml_done" not in text
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for gid, source in fixture.TESTS.items():
        assert by_id[gid].source == source


def test_the_log_names_what_was_put_back(kernel_layer):
    _, run, _ = kernel_layer
    assert "custom exception handler" in run.log and "event callbacks" in run.log
    assert "completion signal was called from student code" in run.log
    assert "grading kernel" in run.log  # strong mode, or the warning of the weaker one


def test_policy_flags_through_the_config_and_the_exceptions_file(tmp_path):
    """With nbgrader_config.py alone: flagged cells are not run; a lifted flag is."""
    course, release = _course(tmp_path)
    cheat = next(c for c in fixture.CHEATS if c[0] == "exc_handler")
    _submit(course, "hooks", fixture.submission(cheat, release))
    scipy_cube = ("honest", "", {"cube": "import scipy.optimize\n" + fixture.SOLUTIONS["cube"]},
                  {}, [])
    for student in ("alice", "bob"):
        _submit(course, student, fixture.submission(scipy_cube, release))
    (course / policy.EXCEPTIONS_FILE).write_text(textwrap.dedent(f"""\
        # alice was allowed to import scipy.optimize in the cube cell
        [alice]
        {fixture.NAME} = ["cube"]
        """))
    run = _autograde(course)
    grades = grading.read_grades(course, fixture.NAME, ["hooks", "alice", "bob"])
    assert grades["hooks"] == _expected(["test_square", "test_norm2"])
    assert grades["alice"] == _expected([])
    assert grades["bob"] == _expected(["test_cube"])
    errors = grading.cell_errors(course / "autograded" / "bob" / fixture.NAME /
                                 f"{fixture.NAME}.ipynb")
    assert "PolicyViolation" in errors["test_cube"] or "NameError" in errors["test_cube"]
    bob = nbformat.read(course / "autograded" / "bob" / fixture.NAME / f"{fixture.NAME}.ipynb",
                        as_version=4)
    cube = next(c for c in bob.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "cube")
    assert any("line 1: scipy.optimize" in o.get("evalue", "") for o in cube.outputs)
    assert "policy:" in run.log and "lifted" in run.log


@pytest.mark.parametrize("cheat", [c for c in fixture.CHEATS if c[0] in
                                   ("honest", "exc_handler", "forge", "stdout")],
                         ids=lambda c: c[0])
def test_plain_kernel_is_restored_too_and_the_log_says_weaker(cheat, caplog):
    """Without coursetools.grading_kernel (a plain python3 kernel) the restoration still works."""
    import logging

    from coursetools.classroom_execute import ResilientExecute

    nb = fixture.submission(cheat, fixture.source_notebook())
    execute = ResilientExecute(timeout=60)
    with caplog.at_level(logging.WARNING):
        execute.log.addHandler(caplog.handler)
        try:
            execute.preprocess(nb, {"metadata": {"path": str(ROOT)}})
        finally:
            execute.log.removeHandler(caplog.handler)
    failed = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells
              if c.metadata.get("nbgrader", {}).get("grade")
              and any(o.output_type == "error" for o in c.outputs)}
    assert failed == set(cheat[4])
    assert "not started through coursetools.grading_kernel" in caplog.text
    assert "weaker" in caplog.text


AUDIT_CASES = {
    # a refused hook is silently not added (PEP 578): show that it never sees an event
    "addaudithook": "import sys\nseen = []\nsys.addaudithook(lambda e, a: seen.append(e))\n"
                    "open('/dev/null').close()\n"
                    "if not seen:\n"
                    "    raise RuntimeError('the grading kernel refuses sys.addaudithook')",
    "settrace": "import sys\nsys.settrace(lambda *a: None)",
    "exec": "exec('x = 1')",
    "gc": "import gc\ngc.get_referrers(object())",
    "code swap": "import optml_grading.checks as c\n"
                 "c.expect_close.__code__ = (lambda *a, **k: None).__code__",
}


@pytest.mark.parametrize("what", AUDIT_CASES)
def test_audit_hook_refuses_from_a_cell(what):
    """Code compiled as an ipykernel cell file hits the grading kernel's audit hook."""
    import subprocess

    program = textwrap.dedent(f"""
        import sys
        from coursetools import grading_kernel
        grading_kernel.install_audit_hook()
        import dataclasses  # libraries keep working (dataclasses calls exec)
        @dataclasses.dataclass
        class P:
            x: int = 0
        cell = compile({AUDIT_CASES[what]!r}, "/tmp/ipykernel_1/123.py", "exec")
        try:
            exec(cell, {{}})
        except RuntimeError as err:
            print("refused:", err)
        """)
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert "refused: the grading kernel refuses" in out.stdout, out.stdout + out.stderr
