"""Shared fixtures, built once per test session and reused by several test modules: the lectures
executed (``executed``) and the assignments autograded by the grading pipeline (``grading_run``,
read by tests/test_grading.py and, for the release folders it generated, tests/test_release.py).

Depth: ``make test`` (``pytest -m "not exhaustive"``, under 10 minutes on 2 cores) runs every test
once at a sample depth; ``make test-exhaustive`` (``pytest -m exhaustive``) runs the rest, and CI
runs both. :func:`pytest_collection_modifyitems` marks as ``exhaustive``:

- the grading-pipeline tests (those using ``grading_run``) and the regenerated-release checks of
  every assignment except :data:`SAMPLE_ASSIGNMENT`, and the per-submission cases of
  :data:`SAMPLE_ASSIGNMENT` beyond :func:`sample_submissions` (its solution, its release, every
  cheat, and the first few mutants and alternative solutions of its spec);
- for every lecture except :data:`SAMPLE_LECTURE`: its explorer sweep, the checks of its static
  (build-mode) run and of the offline deck made from it (``make course`` runs every lecture in
  static mode and fails on any error or stderr; the live runs of every lecture stay in
  ``make test``);
- the tests named in :data:`EXHAUSTIVE_TESTS` (axe on every page and slide, the repeated live
  runs of every lecture, the live deck walk in JupyterLab, the JupyterHub class, the exchange
  between Unix users, grading into PostgreSQL).

The session fixtures compute only what the selected tests use, so neither half pays for the other.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

from coursetools.notebooks import execute_notebook, lecture_paths

LECTURES = lecture_paths()

#: the assignment whose graded submissions and regenerated release ``make test`` checks
SAMPLE_ASSIGNMENT = "hw3_gradient_descent"
#: how many mutants and alternative solutions of SAMPLE_ASSIGNMENT ``make test`` grades (the
#: first ones of its spec; every cheat, the solution and the release are always graded)
SAMPLE_DEPTH = {"mutant": 6, "alternative": 2}
#: the lecture whose explorers ``make test`` sweeps
SAMPLE_LECTURE = "03_gradient_descent"
#: tests that run only in ``make test-exhaustive`` (module file name, test function name)
EXHAUSTIVE_TESTS = {
    ("test_accessibility.py", "test_axe_finds_no_serious_violation_on_pages_and_decks"),
    ("test_lectures.py", "test_live_runs_repeat_without_a_hang"),
    ("test_hub.py", None),  # every test of the module
    # the live deck walk in JupyterLab (make test keeps the explorer and the Run All there,
    # and the offline deck of SAMPLE_LECTURE)
    ("test_browser_lab.py", "test_live_deck_explorer_and_animation"),
    # deployment infrastructure, like the hub: real Unix users, a PostgreSQL server
    ("test_deploy.py", "test_exchange_between_unix_users"),
    ("test_workers.py", "test_workers_grade_into_postgresql"),
}


#: live (student) runs per lecture: a widget hang that strikes one run in three is still caught
LIVE_RUNS = 3


def sample_submissions() -> set[str]:
    """The ids of the SAMPLE_ASSIGNMENT submissions that ``make test`` grades."""
    from coursetools.grading_specs import load_spec

    taken: dict[str, int] = {}
    ids = set()
    for sub in load_spec(SAMPLE_ASSIGNMENT):
        taken[sub.kind] = taken.get(sub.kind, 0) + 1
        if taken[sub.kind] <= SAMPLE_DEPTH.get(sub.kind, float("inf")):
            ids.add(sub.id)
    return ids


def _is_exhaustive(item, sample: set[str]) -> bool:
    params = getattr(getattr(item, "callspec", None), "params", {})
    fixtures = set(getattr(item, "fixturenames", ()))
    module = item.path.name
    if (module, None) in EXHAUSTIVE_TESTS or (module, item.originalname) in EXHAUSTIVE_TESTS:
        return True
    if fixtures & {"grading_run", "regenerated"} and params.get("assignment") not in (
            None, SAMPLE_ASSIGNMENT):
        return True
    if ("grading_run" in fixtures and params.get("assignment") == SAMPLE_ASSIGNMENT
            and "student" in params and params["student"] not in sample):
        return True
    path = params.get("path")
    if path is None or path.stem == SAMPLE_LECTURE:
        return False
    # the other lectures' explorer sweeps, static (build-mode) runs and the decks made from them
    # (`make course` executes every lecture in static mode and fails on any error or stderr)
    return "sweeps" in fixtures or ("executed" in fixtures and (
        params.get("mode") == "static" or "decks" in fixtures))


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(config, items):
    """Mark the exhaustive part of the suite (see the module docstring)."""
    sample = sample_submissions()
    for item in items:
        if _is_exhaustive(item, sample):
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


def _execute_lectures(jobs: list) -> dict:
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_run, jobs))
    return {
        (path.stem, ("static" if static else "live") + (f"#{run}" if run > 1 else "")): res
        for (path, static, run), res in zip(jobs, results, strict=True)
    }


def _needed_runs(session) -> dict:
    """{lecture path: {"live", "static"}}: the runs the selected tests read from ``executed``.

    A test parametrized by ``path`` and ``mode`` reads that run; one that uses the ``decks``
    fixture, the static run of its ``path``; one with a ``path`` only, both runs of that
    lecture; one without a ``path``, both runs of every lecture.
    """
    need: dict = {}
    for item in session.items:
        fixtures = getattr(item, "fixturenames", ())
        if "executed" not in fixtures:
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        paths = [params["path"]] if "path" in params else LECTURES
        if "decks" in fixtures:
            modes = {"static"}
        else:
            modes = {params["mode"]} if "mode" in params else {"live", "static"}
        for path in paths:
            need.setdefault(path, set()).update(modes)
    return need


def _lecture_jobs(session) -> list:
    repeats = any(getattr(item, "originalname", "") == "test_live_runs_repeat_without_a_hang"
                  for item in session.items)
    need = _needed_runs(session)
    return [
        (p, static, run)
        for p in LECTURES if p in need
        for static, runs in ((False, LIVE_RUNS if repeats else 1), (True, 1))
        if ("static" if static else "live") in need[p]
        for run in range(1, runs + 1)
    ]


def _grading_selection(session) -> tuple[list[str], dict[str, list[str]]]:
    """The assignments the selected tests that use ``grading_run`` ask for, and for each
    assignment whose per-submission cases are not all selected, the submissions they name
    (plus the solution and the release, which the other pipeline tests read)."""
    from coursetools.grading_specs import assignments, load_spec

    wanted = selected_params(session, "grading_run", "assignment")
    names = [a for a in assignments() if wanted is None or a in wanted]
    students: dict[str, set] = {}
    for item in session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "grading_run" in getattr(item, "fixturenames", ()) and "student" in params:
            students.setdefault(params["assignment"], set()).add(params["student"])
    only = {}
    for name in names:
        spec = load_spec(name)
        chosen = students.get(name, set()) | {s.id for s in spec
                                                 if s.kind in ("solution", "release")}
        if any(s.id not in chosen for s in spec):
            only[name] = [s.id for s in spec if s.id in chosen]
    return names, only


@pytest.fixture(scope="session")
def executed(request):
    """{(stem, mode): ExecutionResult}, computed once per session.

    mode is "static" (one run, as the build runs it) or "live" (the first of :data:`LIVE_RUNS`
    student runs); the later live runs are under "live#2", "live#3", ...
    """
    return _execute_lectures(_lecture_jobs(request.session))


def uses_fixture(session, name: str) -> bool:
    """Whether any collected test of this session requests the fixture ``name``."""
    return any(name in getattr(item, "fixturenames", ()) for item in session.items)


@pytest.fixture(scope="session")
def grading_run(request, tmp_path_factory):
    """{assignment: coursetools.grading.AssignmentResult}: the assignments of
    ``coursetools.grading_specs.assignments()`` that the selected tests ask for (and of each, the
    submissions they ask for), autograded once per session."""
    from coursetools import grading

    names, only = _grading_selection(request.session)
    return grading.grade_all(names, tmp_path_factory.mktemp("grading"), jobs=2, only=only)
