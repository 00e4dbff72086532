"""Grading workers (coursetools.workers): the same grades as ``nbgrader autograde --student``.

One small temporary course (hw1_derivatives, five submissions from its grading spec) is graded
first by the serial path, one ``nbgrader autograde --student`` process per student, then by two
workers, then again by two workers while another process holds the SQLite gradebook's write
lock for longer than SQLite's default wait: per-cell scores must agree bit for bit every time.
Other tests kill a worker in the middle of a submission, make one miss its deadline, and grade
into a PostgreSQL gradebook on a server the test starts itself (Debian's postgresql 15).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import queue
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from coursetools import workers
from coursetools.grading import make_course, nbgrader, nbgrader_env
from coursetools.grading_specs import ROOT, Submission, build_submission, load_spec
from coursetools.nbgrader_io import (
    flatten,
    grade_id,
    graded_points,
    is_manual,
    nbgrader_meta,
    read_submission,
    sqlite_url,
)
from coursetools.workers import GradingPool, Job, grade_submissions

HW = "hw1_derivatives"
PG_BIN = Path("/usr/lib/postgresql/15/bin")


# ---------------------------------------------------------------------------------------------
# fast


def test_pool_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="not a course root"):
        GradingPool(tmp_path)
    (tmp_path / "nbgrader_config.py").write_text("")
    with pytest.raises(ValueError, match="positive integer"):
        GradingPool(tmp_path, workers=0)
    with pytest.raises(ValueError, match="deadline"):
        GradingPool(tmp_path, deadline=0)
    with GradingPool(tmp_path, workers=1) as pool, pytest.raises(TypeError, match="Job"):
        pool.grade([("hw", "alice")])
    assert workers.default_workers() >= 1


def test_worker_connections_wait_for_the_sqlite_lock():
    """In a worker process every SQLite connection (nbgrader's Gradebook uses SQLAlchemy)
    waits SQLITE_BUSY_SECONDS for a lock instead of pysqlite's 5 s."""
    code = (
        "from coursetools.workers import _sqlite_busy_timeout\n"
        "from sqlalchemy import create_engine, text\n"
        "_sqlite_busy_timeout()\n"
        "with create_engine('sqlite://').connect() as c:\n"
        "    print(c.execute(text('PRAGMA busy_timeout')).scalar())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) == int(workers.SQLITE_BUSY_SECONDS * 1000)


class _FakeClient:
    """A kernel client whose IOPub delivers this request's status messages only when ``plan``
    says so (ZeroMQ's slow joiner drops what is published before the subscription)."""

    def __init__(self, plan, alive=True):
        self.plan, self.alive, self.requests, self.handled = list(plan), alive, [], None
        self._shell, self._iopub = [], []
        self.shell_channel = SimpleNamespace(get_msg=self._getter(self._shell))
        self.iopub_channel = SimpleNamespace(get_msg=self._getter(self._iopub))

    @staticmethod
    def _getter(box):
        async def get_msg(timeout=None):
            if not box:
                raise queue.Empty
            return box.pop(0)
        return get_msg

    @staticmethod
    def _status(parent, state):
        return {"parent_header": {"msg_id": parent}, "msg_type": "status",
                "content": {"execution_state": state}}

    def kernel_info(self):
        msg_id = f"req{len(self.requests)}"
        self.requests.append(msg_id)
        self._shell.append({"parent_header": {"msg_id": msg_id}, "msg_type": "kernel_info_reply",
                            "content": {"status": "ok"}})
        if self.plan.pop(0):  # another request's idle first: it proves nothing about this one
            self._iopub += [self._status("other", "idle"), self._status(msg_id, "busy"),
                            self._status(msg_id, "idle")]
        return msg_id

    async def _async_is_alive(self):
        return self.alive

    def _handle_kernel_info_reply(self, msg):
        self.handled = msg


def test_client_start_waits_for_its_own_idle_status_on_iopub():
    """The quicker readiness check of a kernel started ahead returns only once IOPub has
    delivered the idle status of its own kernel_info request (asking again while it has not)."""
    import asyncio

    from coursetools.classroom_execute import _wait_until_ready

    kc = _FakeClient([False, False, True])
    asyncio.run(_wait_until_ready(kc, timeout=60))
    assert kc.requests == ["req0", "req1", "req2"]
    assert kc.handled["parent_header"]["msg_id"] == "req2"
    only_others = _FakeClient([False] * 1000)
    only_others._iopub.append(_FakeClient._status("other", "idle"))
    with pytest.raises(RuntimeError, match="didn't respond"):
        asyncio.run(_wait_until_ready(only_others, timeout=0))
    with pytest.raises(RuntimeError, match="died"):
        asyncio.run(_wait_until_ready(_FakeClient([False], alive=False), timeout=60))


# ---------------------------------------------------------------------------------------------
# a small class (slow: real nbgrader)


def _submissions() -> list[Submission]:
    subs = load_spec(HW)
    pick = [s for s in subs if s.kind in ("solution", "release")]
    pick += [s for s in subs if s.kind == "mutant"][:1]
    pick += [s for s in subs if s.kind == "alternative"][:1]
    pick += [s for s in subs if s.kind == "cheat" and s.timeout is None][:1]
    return pick


def _course(base: Path, subs, db_url: str | None = None) -> Path:
    course = base / HW
    make_course(course, [])
    shutil.copytree(ROOT / "source" / HW, course / "source" / HW,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    extra = [f"--CourseDirectory.db_url={db_url}"] if db_url else []
    run = nbgrader(["generate_assignment", HW, "--force", *extra], course)
    assert run.returncode == 0, run.log
    release = nbformat.read(course / "release" / HW / f"{HW}.ipynb", as_version=4)
    source = nbformat.read(ROOT / "source" / HW / f"{HW}.ipynb", as_version=4)
    for sub in subs:
        target = course / "submitted" / sub.id / HW / f"{HW}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(build_submission(sub, release, source), target)
    return course


def _gradebook_cells(course: Path, students) -> dict[str, dict[str, float | None]]:
    """{student: {grade_id: score}} from the gradebook; None: awaits manual grading."""
    return {s: {g: c.score for g, c in flatten(
        read_submission(sqlite_url(course), HW, s)).items()} for s in students}


def _all_cells(res) -> dict[str, float | None]:
    """A worker result's scores, autograded and manual cells together."""
    return {**res.cells, **res.manual_cells}


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    subs = _submissions()
    ids = [s.id for s in subs]
    course = _course(tmp_path_factory.mktemp("workers"), subs)
    timings = {}
    t = time.monotonic()
    serial_runs = {s: nbgrader(["autograde", HW, f"--student={s}", "--force"], course) for s in ids}
    timings["serial"] = time.monotonic() - t
    serial = _gradebook_cells(course, ids)
    t = time.monotonic()
    first = grade_submissions(course, HW, ids, workers=2)
    timings["workers"] = time.monotonic() - t
    first_db = _gradebook_cells(course, ids)

    # regrade while another process holds the gradebook's write lock for longer than pysqlite's
    # default 5 s wait: the workers wait for it
    locked = threading.Event()

    def hold_lock():
        con = sqlite3.connect(course / "gradebook.db", isolation_level=None)
        con.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(7)
        con.execute("COMMIT")
        con.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    locked.wait()
    t = time.monotonic()
    again = grade_submissions(course, HW, ids, workers=2)
    timings["regrade"] = time.monotonic() - t
    holder.join()
    print("seconds:", {k: round(v, 1) for k, v in timings.items()})
    return dict(course=course, subs=subs, ids=ids, serial=serial, serial_runs=serial_runs,
                first=first, first_db=first_db, again=again, again_db=_gradebook_cells(course, ids))


@pytest.mark.slow
def test_kernels_started_ahead_are_used(klass):
    """Each worker's next kernel boots while it grades (coursetools.kernel_prefetch); the
    grades above are still the serial ones bit for bit."""
    for run in ("first", "again"):
        ahead = [s for s, r in klass[run].items() if "kernel started ahead" in r.log]
        # 5 submissions on 2 workers: every worker's 2nd (and 3rd) submission
        assert len(ahead) >= 2, (run, {s: r.log[-1500:] for s, r in klass[run].items()})
        # the tamper guard's capture of the pristine state ran ahead too, before any student code
        captured = [s for s in ahead if "pristine state captured ahead" in klass[run][s].log]
        assert captured == ahead, (run, {s: klass[run][s].log[-1500:] for s in ahead})


def test_kernel_prefetch_only_where_indistinguishable(tmp_path, monkeypatch):
    from coursetools import kernel_prefetch, sandbox

    prefetch = kernel_prefetch.KernelPrefetch()
    try:
        folder = tmp_path / "submitted" / "alice" / HW
        folder.mkdir(parents=True)
        (folder / f"{HW}.ipynb").write_text("{}")
        (folder / "timestamp.txt").write_text("2026-01-01 00:00:00")
        monkeypatch.setattr(sandbox, "unavailable", lambda: None)
        assert prefetch.eligible(folder, ["*.pyc"]) is None
        (folder / "cache.pyc").write_text("")
        assert "not copied" in prefetch.eligible(folder, ["*.pyc"])
        (folder / "cache.pyc").unlink()
        (folder / "data").mkdir()
        assert "not a plain file" in prefetch.eligible(folder)
        (folder / "data").rmdir()
        (folder / "second.ipynb").write_text("{}")
        assert "2 notebooks" in prefetch.eligible(folder)
        monkeypatch.setattr(sandbox, "unavailable", lambda: "no bwrap")
        assert "sandbox off" in prefetch.eligible(folder)
        assert kernel_prefetch.key_for(folder) == ("alice", HW)
        assert prefetch.take(tmp_path / "autograded" / "bob" / HW) is None
    finally:
        prefetch.close()


@pytest.mark.slow
def test_workers_give_the_serial_grades(klass):
    assert all(r.returncode == 0 for r in klass["serial_runs"].values())
    for student in klass["ids"]:
        res = klass["first"][student]
        assert res.ok, f"{student}: {res.error}\n{res.log[-2000:]}"
        assert _all_cells(res) == klass["serial"][student], student  # bit for bit
        assert klass["first_db"][student] == klass["serial"][student], student
        assert not res.notes, res.notes
        assert f"Autograding {klass['course']}" in res.log or "Autograding" in res.log


@pytest.mark.slow
def test_grades_are_the_declared_ones(klass):
    source = nbformat.read(ROOT / "source" / HW / f"{HW}.ipynb", as_version=4)
    maxima = graded_points(source, manual=False)  # the autograded cells
    for sub in klass["subs"]:
        res = klass["first"][sub.id]
        assert res.cells == sub.expected_scores(maxima), sub.id
        assert res.max_score == 100


@pytest.mark.slow
def test_regrade_under_a_locked_gradebook_gives_identical_scores(klass):
    for student in klass["ids"]:
        res = klass["again"][student]
        assert res.ok, f"{student}: {res.error}\n{res.log[-2000:]}"
        assert _all_cells(res) == klass["serial"][student], student
        assert klass["again_db"][student] == klass["serial"][student], student
    assert all("database is locked" not in r.log for r in klass["again"].values())


def _worker_pids() -> list[int]:
    out = []
    for pid in workers._descendants(os.getpid()):
        with contextlib.suppress(OSError):
            if b"coursetools.workers" in Path(f"/proc/{pid}/cmdline").read_bytes():
                out.append(pid)
    return out


@pytest.mark.slow
def test_a_killed_worker_is_replaced_and_its_submission_graded_alone(klass):
    """The worker dies in the middle of a submission (SIGKILL from outside, as the out-of-memory
    killer would): that submission is graded again alone in a fresh process with the same
    scores, and the next one is graded as usual."""
    course, ids = klass["course"], klass["ids"]
    victim, others = ids[2], [ids[0]]
    marker = course / "autograded" / victim / HW
    shutil.rmtree(marker, ignore_errors=True)
    killed: list[int] = []

    def killer():
        deadline = time.monotonic() + 300
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in _worker_pids():
            os.kill(pid, 9)
            killed.append(pid)

    thread = threading.Thread(target=killer)
    thread.start()
    order = [victim, *others]
    results = grade_submissions(course, HW, order, workers=1)
    thread.join()
    assert killed, "the test did not catch the worker"
    res = results[victim]
    assert res.ok and res.attempts == 2, (res.error, res.notes)
    assert "graded again alone in a fresh worker" in res.notes[0]
    assert _all_cells(res) == klass["serial"][victim]
    for student in others:
        assert results[student].ok and _all_cells(results[student]) == klass["serial"][student]
    assert not _worker_pids(), "workers left running after the pool closed"


@pytest.mark.slow
def test_a_submission_past_its_deadline_is_reported_and_others_graded(klass):
    course = klass["course"]
    release = nbformat.read(course / "release" / HW / f"{HW}.ipynb", as_version=4)
    source = nbformat.read(ROOT / "source" / HW / f"{HW}.ipynb", as_version=4)
    answer = next(grade_id(c) for c in source.cells
                  if nbgrader_meta(c).get("solution") and not is_manual(c))
    spec = Submission("hangs_worker", "cheat", "a loop the cell timeout does not catch in time",
                      replace={answer: "while True:\n    pass\n"}, lose=[])
    target = course / "submitted" / spec.id / HW / f"{HW}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(build_submission(spec, release, source), target)
    jobs = [Job(HW, spec.id, ("--Execute.timeout=600",), deadline=4), Job(HW, "solution")]
    with GradingPool(course, workers=2) as pool:
        results = {r.student: r for r in pool.grade(jobs)}
    hung = results[spec.id]
    assert not hung.ok and hung.attempts == 2
    assert "lost twice" in hung.error and "no answer within 4 s" in hung.error
    assert not list((course / "autograded" / spec.id / HW).glob("*.ipynb"))
    assert results["solution"].ok and _all_cells(results["solution"]) == klass["serial"]["solution"]
    assert not _worker_pids()


# ---------------------------------------------------------------------------------------------
# PostgreSQL


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL 15 server on a free port of 127.0.0.1 in a temporary folder (stopped and
    removed at the end); yields an SQLAlchemy URL of an empty database."""
    if not (PG_BIN / "initdb").is_file():
        pytest.skip("PostgreSQL 15 is not installed (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="optml-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = folder / "data"
    started = False
    try:
        subprocess.run([*prefix, str(PG_BIN / "initdb"), "-D", str(data), "-U", "grader",
                        "--auth=trust", "-E", "UTF8", "--no-sync"],
                       check=True, capture_output=True, timeout=120)
        subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-l",
                        str(folder / "server.log"), "-w", "-t", "60",
                        "-o", f"-h 127.0.0.1 -p {port} -k {folder} -F", "start"],
                       check=True, capture_output=True, timeout=120)
        started = True
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={port} user=grader dbname=postgres",
                             autocommit=True) as con:
            con.execute("CREATE DATABASE gradebook")
        yield f"postgresql+psycopg://grader@127.0.0.1:{port}/gradebook"
    finally:
        if started:
            subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast",
                            "-w", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
def test_workers_grade_into_postgresql(postgres, tmp_path):
    """OPTML_GRADEBOOK selects the gradebook (nbgrader_config.py reads it): two workers write
    concurrently into PostgreSQL, and the course folder gets no SQLite gradebook."""
    from nbgrader.api import Gradebook

    subs = [s for s in _submissions() if s.kind in ("solution", "release", "mutant")]
    course = _course(tmp_path, subs, db_url=postgres)
    env = {**nbgrader_env(), "OPTML_GRADEBOOK": postgres}
    results = grade_submissions(course, HW, [s.id for s in subs], workers=2, env=env)
    source = nbformat.read(ROOT / "source" / HW / f"{HW}.ipynb", as_version=4)
    maxima = graded_points(source, manual=False)  # the autograded cells
    with Gradebook(postgres, course_id="optml"):
        for sub in subs:
            res = results[sub.id]
            assert res.ok, f"{sub.id}: {res.error}\n{res.log[-2000:]}"
            assert res.cells == sub.expected_scores(maxima), sub.id
            stored = {g: c.score for g, c in flatten(
                read_submission(postgres, HW, sub.id)).items()}
            assert stored == _all_cells(res)
    assert not (course / "gradebook.db").exists()
