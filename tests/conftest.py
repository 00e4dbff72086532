"""Shared fixtures: the lectures are executed once per test session and reused by several tests."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

from coursetools.notebooks import execute_notebook, lecture_paths

LECTURES = lecture_paths()


def _run(args):
    path, static = args
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
    """{(stem, mode): ExecutionResult}, mode "live" or "static", computed once per session."""
    jobs = [(p, static) for p in _selected_lectures(request.session) for static in (False, True)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_run, jobs))
    return {
        (path.stem, "static" if static else "live"): res
        for (path, static), res in zip(jobs, results, strict=True)
    }
