"""Shared fixtures, built once per test session and reused by several test modules: the lectures
executed (``executed``) and the assignments autograded by the grading pipeline (``grading_run``,
read by tests/test_grading.py and, for the release folders it generated, tests/test_release.py).

Depth: ``make test`` (``pytest -m "not exhaustive"``, under 10 minutes on 2 cores) runs every test
once at a sample depth; ``make test-exhaustive`` (``pytest -m exhaustive``) runs the rest, and CI
runs both. :func:`pytest_collection_modifyitems` marks as ``exhaustive``:

- the grading-pipeline tests (those using ``grading_run``) and the regenerated-release checks of
  every assignment except :data:`SAMPLE_ASSIGNMENT`;
- the explorer sweeps of every lecture except :data:`SAMPLE_LECTURE`;
- the tests named in :data:`EXHAUSTIVE_TESTS` (axe on every page and slide, the repeated live
  runs of every lecture, the JupyterHub class).

The session fixtures compute only what the selected tests use, so neither half pays for the other.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

from coursetools.notebooks import execute_notebook, lecture_paths

LECTURES = lecture_paths()

#: the assignment whose graded submissions and regenerated release ``make test`` checks
SAMPLE_ASSIGNMENT = "hw3_gradient_descent"
#: the lecture whose explorers ``make test`` sweeps
SAMPLE_LECTURE = "03_gradient_descent"
#: tests that run only in ``make test-exhaustive`` (module file name, test function name)
EXHAUSTIVE_TESTS = {
    ("test_accessibility.py", "test_axe_finds_no_serious_violation_on_pages_and_decks"),
    ("test_lectures.py", "test_live_runs_repeat_without_a_hang"),
    ("test_hub.py", None),  # every test of the module
}


#: live (student) runs per lecture: a widget hang that strikes one run in three is still caught
LIVE_RUNS = 3


def _is_exhaustive(item) -> bool:
    params = getattr(getattr(item, "callspec", None), "params", {})
    fixtures = set(getattr(item, "fixturenames", ()))
    module = item.path.name
    if (module, None) in EXHAUSTIVE_TESTS or (module, item.originalname) in EXHAUSTIVE_TESTS:
        return True
    if fixtures & {"grading_run", "regenerated"} and params.get("assignment") not in (
            None, SAMPLE_ASSIGNMENT):
        return True
    path = params.get("path")
    return "sweeps" in fixtures and path is not None and path.stem != SAMPLE_LECTURE


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(config, items):
    """Mark the exhaustive part of the suite (see the module docstring)."""
    for item in items:
        if _is_exhaustive(item):
            item.add_marker(pytest.mark.exhaustive)


def selected_params(session, fixture: str, name: str) -> set | None:
    """Values of parameter ``name`` over the selected tests that use ``fixture``.

    None when one of them is not parametrized by ``name`` (it needs every value).
    """
    values = set()
    for item in session.items:
        if fixture not in getattr(item, "fixturenames", ()):
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        if name not in params:
            return None
        values.add(params[name])
    return values


def _run(args):
    path, static, _ = args
    return execute_notebook(path, static=static)


def _selected_lectures(session) -> list:
    """The lectures the collected tests that use `executed` are parametrized with.

    So `pytest -k 03_` executes lecture 3 only, not all seven. A test that uses `executed`
    without a `path` parameter gets every lecture.
    """
    wanted = set()
    for item in session.items:
        if "executed" not in getattr(item, "fixturenames", ()):
            continue
        path = getattr(getattr(item, "callspec", None), "params", {}).get("path")
        if path is None:
            return LECTURES
        wanted.add(path)
    return [p for p in LECTURES if p in wanted]


@pytest.fixture(scope="session")
def executed(request):
    """{(stem, mode): ExecutionResult}, computed once per session.

    mode is "static" (one run, as the build runs it) or "live" (the first of :data:`LIVE_RUNS`
    student runs); the later live runs are under "live#2", "live#3", ...
    """
    repeats = any(getattr(item, "originalname", "") == "test_live_runs_repeat_without_a_hang"
                  for item in request.session.items)
    jobs = [
        (p, static, run)
        for p in _selected_lectures(request.session)
        for static, runs in ((False, LIVE_RUNS if repeats else 1), (True, 1))
        for run in range(1, runs + 1)
    ]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_run, jobs))
    return {
        (path.stem, ("static" if static else "live") + (f"#{run}" if run > 1 else "")): res
        for (path, static, run), res in zip(jobs, results, strict=True)
    }


def uses_fixture(session, name: str) -> bool:
    """Whether any collected test of this session requests the fixture ``name``."""
    return any(name in getattr(item, "fixturenames", ()) for item in session.items)


@pytest.fixture(scope="session")
def grading_run(request, tmp_path_factory):
    """{assignment: coursetools.grading.AssignmentResult}: the assignments of
    ``coursetools.grading_specs.assignments()`` that the selected tests ask for, autograded once
    per session."""
    from coursetools import grading
    from coursetools.grading_specs import assignments

    wanted = selected_params(request.session, "grading_run", "assignment")
    names = [a for a in assignments() if wanted is None or a in wanted]
    return grading.grade_all(names, tmp_path_factory.mktemp("grading"), jobs=2)
