"""Shared fixtures: the lectures are executed once per test session and reused by several tests."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

from coursetools.notebooks import execute_notebook, lecture_paths

LECTURES = lecture_paths()


def _run(args):
    path, static = args
    return execute_notebook(path, static=static)


@pytest.fixture(scope="session")
def executed():
    """{(stem, mode): ExecutionResult} for every lecture, computed once per test session."""
    jobs = [(p, static) for p in LECTURES for static in (False, True)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_run, jobs))
    return {
        (path.stem, "static" if static else "live"): res
        for (path, static), res in zip(jobs, results, strict=True)
    }
