"""Shared fixtures, built once per test session and reused by several test modules: the lectures
executed (``executed``) and every assignment autograded by the grading pipeline (``grading_run``,
read by tests/test_grading.py and, for the release folders it generated, tests/test_release.py)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

from coursetools.notebooks import execute_notebook, lecture_paths

LECTURES = lecture_paths()


#: live (student) runs per lecture: a widget hang that strikes one run in three is still caught
LIVE_RUNS = 3


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
    jobs = [
        (p, static, run)
        for p in _selected_lectures(request.session)
        for static, runs in ((False, LIVE_RUNS), (True, 1))
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
def grading_run(tmp_path_factory):
    """{assignment: coursetools.grading.AssignmentResult}: every assignment of
    ``coursetools.grading_specs.assignments()`` autograded once per session."""
    from coursetools import grading
    from coursetools.grading_specs import assignments

    return grading.grade_all(assignments(), tmp_path_factory.mktemp("grading"), jobs=2)
