"""Grading workers: nbgrader's own ``Autograde`` converter, started once, many submissions each.

``nbgrader autograde --student ID`` pays two seconds of Python start-up, imports and
configuration for every student. A worker is a Python process that pays them once: it loads
the course's ``nbgrader_config.py`` exactly as the ``nbgrader autograde`` command does
(:class:`nbgrader.apps.AutogradeApp`, run in the course root, with the same command-line
overrides) and then, for every submission it is given, runs nbgrader's
:class:`nbgrader.converters.Autograde` for that one student, the way nbgrader's own API
(:meth:`nbgrader.apps.api.NbGraderAPI.autograde`, used by the formgrader's autograde button)
does. Whatever the configuration selects (preprocessors, ``Execute`` and its kernel manager,
timeouts, the gradebook URL) therefore applies unchanged, and the gradebook receives the same
rows as from the command line.

Isolation stays per student:

* every notebook runs in a fresh kernel, started by nbgrader's ``Execute`` and shut down after
  it, as in the command;
* one converter per submission (nothing of one student's run is reused for the next but the
  imported modules and the loaded configuration);
* a worker that dies (a student's code killed it, a crash) or stops answering (no reply within
  ``deadline`` seconds: it is killed with its kernels) is replaced by a fresh process, and the
  submission it held is graded again *alone*, first in a fresh process; if that fails too it is
  reported as failed with the reason, and its half-written autograded notebooks are removed
  (as nbgrader removes those of a failed student);
* a failure nbgrader reports for one student (``NbGraderException``) fails that student only.

Parallel: :class:`GradingPool` runs ``workers`` processes (default: the number of cores) on a
queue of submissions. SQLite gradebooks are shared by the workers as they are by concurrent
``nbgrader`` commands: every connection waits up to :data:`SQLITE_BUSY_SECONDS` for the write
lock (``PRAGMA busy_timeout``), and a submission whose grading still failed with "database is
locked" is graded again (up to :data:`LOCK_RETRIES` times), so a busy gradebook delays
grading but never fails it. A PostgreSQL gradebook (``OPTML_GRADEBOOK`` or
``--CourseDirectory.db_url=postgresql+psycopg://...``, driver ``psycopg``) needs nothing
special: the server serializes the writes.

Kernels are started ahead: each job the pool sends names the worker's next submission, and
the worker starts that submission's kernel on a thread of its own while nbgrader grades the
current one (:mod:`coursetools.kernel_prefetch`: the same ``Execute`` class, configuration,
environment and sandbox as in place; only where the result is indistinguishable). The
course's ``ResilientExecute`` then takes it instead of starting its own. ``prefetch=False``
(``--no-prefetch``) turns this off.

Usage from Python::

    from coursetools.workers import GradingPool, Job
    with GradingPool(course_root, args=["--Execute.timeout=30"]) as pool:
        results = pool.grade([Job("hw3_gradient_descent", s) for s in students])

The protocol between :class:`GradingPool` and a worker (``python -m coursetools.workers
--serve``) is one JSON object per line on the worker's stdin (jobs) and on a private copy of
its stdout (replies); everything the worker or nbgrader prints goes to its stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: seconds an SQLite connection waits for the gradebook's write lock before "database is locked"
SQLITE_BUSY_SECONDS = 120.0
#: how often a submission that failed with "database is locked" is graded again
LOCK_RETRIES = 3
#: default seconds a worker may take for one submission before it is killed and replaced
DEFAULT_DEADLINE = 1800.0
#: default seconds a new worker may take to import nbgrader and load the configuration
STARTUP_TIMEOUT = 120.0
_LOCKED = "database is locked"


def default_workers() -> int:
    """The number of cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Job:
    """One submission to autograde: ``submitted/<student>/<assignment>/``.

    ``args`` are nbgrader command-line settings for this submission only (for example
    ``("--Execute.timeout=5",)``), applied on top of the pool's; ``deadline`` replaces the
    pool's deadline for this submission.
    """

    assignment: str
    student: str
    args: tuple[str, ...] = ()
    deadline: float | None = None  # seconds for this submission (default: the pool's)


@dataclass
class Result:
    """What grading one submission produced.

    Attributes
    ----------
    ok : bool
        nbgrader graded the submission (its grades are in the gradebook).
    scores, max_scores : dict
        ``{notebook: {grade_id: points}}`` read back from the gradebook after grading; a
        manually graded cell that awaits a person has the score ``None``.
    manual : dict
        ``{notebook: [grade_id, ...]}``: the manually graded cells (answers a person grades).
    seconds : float
        Wall time of the submission in the worker (of the last attempt).
    log : str
        nbgrader's log of the submission (``[LEVEL] message`` lines, as the formgrader shows).
    error : str or None
        Why it was not graded (``None`` when ``ok``).
    notes : list of str
        Retries and replaced workers, for the report.
    attempts : int
        How many times the submission was given to a worker.
    """

    job: Job
    ok: bool
    scores: dict[str, dict[str, float | None]] = field(default_factory=dict)
    max_scores: dict[str, dict[str, float]] = field(default_factory=dict)
    manual: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = float("nan")
    log: str = ""
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    attempts: int = 1
    worker_pid: int | None = None

    @property
    def student(self) -> str:
        return self.job.student

    def _is_manual(self, notebook: str, gid: str) -> bool:
        return gid in self.manual.get(notebook, ())

    @property
    def cells(self) -> dict[str, float]:
        """``{grade_id: points}`` of the autograded cells over all notebooks (grade ids are
        unique in an assignment)."""
        return {g: s for nb, cells in self.scores.items() for g, s in cells.items()
                if not self._is_manual(nb, g)}

    @property
    def manual_cells(self) -> dict[str, float | None]:
        """``{grade_id: points or None}`` of the manually graded cells (None: not graded yet)."""
        return {g: s for nb, cells in self.scores.items() for g, s in cells.items()
                if self._is_manual(nb, g)}

    @property
    def pending(self) -> dict[str, float]:
        """``{grade_id: max points}`` of the manually graded cells that await a person."""
        return {g: self.max_scores[nb][g] for nb, cells in self.scores.items()
                for g, s in cells.items() if s is None}

    @property
    def score(self) -> float | None:
        """Points so far (autograded plus any manual grades already given)."""
        if not self.ok:
            return None
        return sum(s for cells in self.scores.values() for s in cells.values() if s is not None)

    @property
    def max_score(self) -> float | None:
        return sum(s for nb in self.max_scores.values() for s in nb.values()) if self.ok else None


# ---------------------------------------------------------------------------------------------
# the worker process


def _sqlite_busy_timeout(seconds: float = SQLITE_BUSY_SECONDS) -> None:
    """Make every SQLite connection of this process wait for locks (``PRAGMA busy_timeout``)."""
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def on_connect(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    if not getattr(_sqlite_busy_timeout, "installed", False):
        event.listen(Engine, "connect", on_connect)
        _sqlite_busy_timeout.installed = True


class _CachedJsonschema:
    """``jsonschema`` for nbgrader's cell-metadata check, with the validator built once.

    nbgrader validates every cell's ``metadata.nbgrader`` twice per submission with
    ``jsonschema.validate(meta, schema)``, which checks the (constant) schema itself and builds
    a validator each time: a tenth of a worker's time per submission. :meth:`validate` does
    exactly what ``jsonschema.validate`` does (same validator class, same ``best_match``
    error) with the schema checked and the validator built once per schema.
    """

    def __init__(self):
        import jsonschema

        self._jsonschema = jsonschema
        self._validators: dict[int, tuple[object, object]] = {}

    def validate(self, instance, schema, *args, **kwargs):
        if args or kwargs:  # not nbgrader's call: the library's own
            return self._jsonschema.validate(instance, schema, *args, **kwargs)
        entry = self._validators.get(id(schema))
        if entry is None or entry[0] is not schema:
            cls = self._jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            entry = (schema, cls(schema))  # the schema is kept, so its id stays its own
            self._validators[id(schema)] = entry
        error = self._jsonschema.exceptions.best_match(entry[1].iter_errors(instance))
        if error is not None:
            raise error

    def __getattr__(self, name):
        return getattr(self._jsonschema, name)


def _fast_metadata_checks() -> None:
    """Let nbgrader's cell-metadata validation reuse its validator (:class:`_CachedJsonschema`)."""
    from nbgrader.nbgraderformat import common

    if not isinstance(common.jsonschema, _CachedJsonschema):
        common.jsonschema = _CachedJsonschema()


class _Grader:
    """The in-process side: one :class:`AutogradeApp` per distinct argument list, reused."""

    def __init__(self, root: Path, base_args: Sequence[str]):
        from nbgrader.apps import AutogradeApp  # noqa: F401  (import once, at start-up)

        self.root = root
        self.base_args = list(base_args)
        self.apps: dict[tuple[str, ...], object] = {}
        _sqlite_busy_timeout()
        _fast_metadata_checks()
        self.app(())  # load the configuration now: errors in it show at start-up

    def app(self, extra: Sequence[str]):
        key = tuple(extra)
        if key not in self.apps:
            from nbgrader.apps import AutogradeApp

            app = AutogradeApp()
            app.initialize([*self.base_args, *extra])
            self.apps[key] = app
        return self.apps[key]

    def execute_class(self, app):
        """The ``Execute`` preprocessor of the app's ``Autograde`` if it can take a kernel
        started ahead (a :class:`~coursetools.classroom_execute.ResilientExecute`), else None."""
        from nbgrader.preprocessors import Execute
        from traitlets.utils.importstring import import_item

        from coursetools.classroom_execute import ResilientExecute

        for step in app.config.Autograde.get("autograde_preprocessors", []):
            cls = import_item(step) if isinstance(step, str) else step
            if isinstance(cls, type) and issubclass(cls, Execute):
                return cls if issubclass(cls, ResilientExecute) else None
        return None

    def start_ahead(self, job: dict, upcoming: dict | None) -> None:
        """Ask the kernel prefetch to start the kernel of the worker's next submission
        (``upcoming``); kernels started ahead for others than it and ``job`` are shut down."""
        from coursetools import kernel_prefetch

        if kernel_prefetch.ACTIVE is None:
            return
        keep = {(job["student"], job["assignment"])}
        if upcoming is not None:
            keep.add((upcoming["student"], upcoming["assignment"]))
        kernel_prefetch.ACTIVE.retain(keep)
        if upcoming is None:
            return
        try:
            app = self.app(upcoming.get("args", []))
            cls = self.execute_class(app)
            if cls is not None:
                folder = (Path(app.coursedir.root) / app.coursedir.submitted_directory
                          / upcoming["student"] / upcoming["assignment"])
                kernel_prefetch.ACTIVE.request(folder, cls, app.config, app.coursedir.ignore)
        except Exception as exc:  # never let a start ahead cost the current submission
            logging.getLogger("coursetools.kernel_prefetch").warning(
                "no kernel ahead for %s: %s: %s", upcoming.get("student"),
                type(exc).__name__, exc)

    def grade(self, job: dict) -> dict:
        from nbgrader.converters import Autograde, NbGraderException
        from nbgrader.utils import temp_attrs

        assignment, student = job["assignment"], job["student"]
        start = time.monotonic()
        self.start_ahead(job, job.get("next"))
        buffer = io.StringIO()
        handler = logging.StreamHandler(buffer)
        handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
        reply: dict = {"id": job["id"], "ok": False, "error": None}
        app = None
        try:
            app = self.app(job.get("args", []))
            app.log.addHandler(handler)
            with temp_attrs(app.coursedir, assignment_id=assignment, student_id=student):
                converter = Autograde(coursedir=app.coursedir, parent=app)
                converter.force = True
                converter.start()
            reply["ok"] = True
        except NbGraderException as exc:
            reply["error"] = f"nbgrader: {exc}"
        except SystemExit as exc:  # a configuration error makes nbgrader's app exit
            reply["error"] = f"nbgrader exited ({exc.code}) while configuring"
        except Exception as exc:  # anything else nbgrader let through: this student only
            import traceback

            reply["error"] = f"{type(exc).__name__}: {exc}"
            buffer.write(traceback.format_exc())
        finally:
            if app is not None:
                app.log.removeHandler(handler)
        reply["seconds"] = time.monotonic() - start
        reply["log"] = buffer.getvalue()
        if reply["ok"]:
            try:
                reply.update(self.read_scores(app, assignment, student))
            except Exception as exc:
                reply.update(ok=False, error=f"grades not readable: {type(exc).__name__}: {exc}")
        return reply

    @staticmethod
    def read_scores(app, assignment: str, student: str) -> dict:
        """``scores``, ``max_scores`` and ``manual`` of a submission, from the gradebook."""
        from coursetools.nbgrader_io import read_submission

        grades = read_submission(app.coursedir.db_url, assignment, student,
                                 app.coursedir.course_id)
        if grades is None:
            raise LookupError(f"no submission of {assignment} by {student} in the gradebook")
        return {
            "scores": {nb: {g: c.score for g, c in cells.items()} for nb, cells in grades.items()},
            "max_scores": {nb: {g: c.max_score for g, c in cells.items()}
                           for nb, cells in grades.items()},
            "manual": {nb: sorted(g for g, c in cells.items() if c.manual)
                       for nb, cells in grades.items()},
        }


def serve(root: Path, base_args: Sequence[str], prefetch: bool = True) -> int:
    """Worker main loop: read jobs from stdin, write one reply line per job to the protocol fd.

    ``prefetch``: start each next submission's kernel ahead (:mod:`coursetools.kernel_prefetch`)
    when a job names it (``"next"``).
    """
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # anything printed by nbgrader, preprocessors or hooks goes to stderr
    sys.stdout = sys.stderr
    # Signal dispositions stay as in the `nbgrader` command: kernels inherit them (an ignored
    # SIGINT would stay ignored in every kernel). Ctrl-C does not reach a worker anyway: it runs
    # in a session of its own, and the pool stops it.
    os.chdir(root)  # where `nbgrader autograde` runs: it loads ./nbgrader_config.py
    try:
        grader = _Grader(root, base_args)
    except BaseException as exc:  # noqa: BLE001  (report any start-up failure, then exit)
        protocol.write(json.dumps({"ready": False, "error": f"{type(exc).__name__}: {exc}"}) + "\n")
        return 1
    from coursetools import kernel_prefetch

    if prefetch:
        kernel_prefetch.ACTIVE = kernel_prefetch.KernelPrefetch()
    protocol.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            reply = grader.grade(json.loads(line))
            protocol.write(json.dumps(reply) + "\n")
    finally:
        if kernel_prefetch.ACTIVE is not None:
            kernel_prefetch.ACTIVE.close()
            kernel_prefetch.ACTIVE = None
    return 0


# ---------------------------------------------------------------------------------------------
# the pool (parent side)


def _descendants(pid: int) -> list[int]:
    """Process ids below ``pid`` (Linux ``/proc``; empty elsewhere)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
            out += kids
            todo += kids
    return out


def _kill_tree(proc: subprocess.Popen, known: Iterable[int] = ()) -> None:
    """Kill a worker and everything it started (its kernels run in sessions of their own).

    ``known``: processes seen below it earlier (a kernel whose worker already died is no
    longer its descendant)."""
    victims = set(_descendants(proc.pid)) | set(known)
    for pid in [proc.pid, *sorted(victims)]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


class _Lost(Exception):
    """The worker died or did not answer in time."""


class _WorkerProcess:
    """One ``python -m coursetools.workers --serve`` child and a thread reading its replies."""

    def __init__(self, root: Path, args: Sequence[str], env: dict[str, str], logdir: Path,
                 prefetch: bool = True):
        self.logfile = logdir / f"worker-{time.monotonic_ns()}.log"
        self._err = open(self.logfile, "wb")  # noqa: SIM115  (closed in stop())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coursetools.workers", "--serve", "--course", str(root),
             *([] if prefetch else ["--no-prefetch"]), "--", *args],
            cwd=root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._err,
            text=True, encoding="utf-8", bufsize=1, start_new_session=True,
        )
        self.replies: queue.Queue = queue.Queue()
        self.jobs = 0
        self.known: set[int] = set()  # processes seen below the worker (its kernels)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with contextlib.suppress(json.JSONDecodeError):
                self.replies.put(json.loads(line))
        self.replies.put(None)  # end of file: the worker is gone

    def wait_reply(self, timeout: float) -> dict:
        """The next reply; meanwhile note the worker's kernels, to kill them if it dies."""
        end = time.monotonic() + timeout
        while True:
            try:
                reply = self.replies.get(timeout=max(0.0, min(1.0, end - time.monotonic())))
                break
            except queue.Empty:
                if time.monotonic() >= end:
                    raise _Lost(f"no answer within {timeout:.0f} s (killed)") from None
                self.known.update(_descendants(self.proc.pid))
        if reply is None:
            self.proc.wait()
            raise _Lost(f"the worker process died (exit code {self.proc.returncode})")
        return reply

    def start(self, timeout: float) -> None:
        reply = self.wait_reply(timeout)
        if not reply.get("ready"):
            raise RuntimeError(f"grading worker did not start: {reply.get('error')}\n"
                               + self.tail())

    def send(self, message: dict) -> None:
        self.known = set()  # only this submission's kernels: older pids may be reused
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise _Lost(f"the worker process died ({exc})") from None
        self.jobs += 1

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, kill: bool = False) -> None:
        if not kill and self.proc.poll() is None:
            with contextlib.suppress(OSError):
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                kill = True
        if kill or self.proc.poll() is None:
            _kill_tree(self.proc, self.known)
        self._err.close()
        with contextlib.suppress(OSError):
            self.logfile.unlink()


class GradingPool:
    """``workers`` grading processes for one course; :meth:`grade` runs a list of jobs on them.

    Parameters
    ----------
    root : path-like
        The course root (the folder with ``nbgrader_config.py``, ``submitted/``, ...).
    workers : int, optional
        Number of worker processes (default: the number of cores).
    args : sequence of str
        nbgrader command-line settings for every submission, as given to
        ``nbgrader autograde`` (e.g. ``["--Execute.timeout=30"]``).
    env : dict, optional
        Environment of the workers (and so of nbgrader and, through it, of the kernels).
        Default: :func:`coursetools.nbgrader_io.nbgrader_env`, the environment of the
        ``nbgrader`` commands.
    deadline : float
        Seconds a worker may spend on one submission before it is killed and replaced.
    max_jobs : int
        A worker is replaced by a fresh one after this many submissions.
    prefetch : bool
        Start the kernel of each worker's next submission while it grades the current one
        (:mod:`coursetools.kernel_prefetch`; default True).
    cores : threading.Semaphore, optional
        Shared by several pools that grade at the same time (one per assignment, see
        :func:`coursetools.grading.grade_all`): a worker holds it while it grades one
        submission, so together the pools never grade more submissions at once than its
        count, and a pool alone (the others busy with generate_feedback, or done) uses all.
    """

    def __init__(
        self,
        root: os.PathLike | str,
        workers: int | None = None,
        args: Sequence[str] = (),
        env: dict[str, str] | None = None,
        deadline: float = DEFAULT_DEADLINE,
        max_jobs: int = 200,
        startup_timeout: float = STARTUP_TIMEOUT,
        prefetch: bool = True,
        cores: threading.Semaphore | None = None,
    ):
        if workers is not None and (not isinstance(workers, int) or workers < 1):
            raise ValueError(f"workers must be a positive integer, got {workers!r}")
        if deadline <= 0:
            raise ValueError(f"deadline must be positive seconds, got {deadline!r}")
        self.root = Path(root).resolve()
        if not (self.root / "nbgrader_config.py").is_file():
            raise ValueError(f"{self.root} is not a course root (no nbgrader_config.py)")
        self.workers = workers or default_workers()
        self.args = list(args)
        if env is None:
            from coursetools.nbgrader_io import nbgrader_env

            env = nbgrader_env()
        self.env = dict(env)
        self.deadline = float(deadline)
        self.max_jobs = int(max_jobs)
        self.startup_timeout = float(startup_timeout)
        self.prefetch = bool(prefetch)
        self.cores = cores
        self._logdir = Path(tempfile.mkdtemp(prefix="optml-workers-"))
        self._idle: list[_WorkerProcess] = []
        self._lock = threading.Lock()

    # -- worker life cycle

    def _new_worker(self) -> _WorkerProcess:
        worker = _WorkerProcess(self.root, self.args, self.env, self._logdir, self.prefetch)
        try:
            worker.start(self.startup_timeout)
        except BaseException:
            worker.stop(kill=True)
            raise
        return worker

    def _take_worker(self) -> _WorkerProcess:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.proc.poll() is None:
                    return worker
                worker.stop(kill=True)
        return self._new_worker()

    def _give_back(self, worker: _WorkerProcess) -> None:
        if worker.jobs >= self.max_jobs or worker.proc.poll() is not None:
            worker.stop()
            return
        with self._lock:
            self._idle.append(worker)

    def close(self) -> None:
        """Stop every idle worker (busy ones are stopped by :meth:`grade` itself)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()
        shutil.rmtree(self._logdir, ignore_errors=True)

    def __enter__(self) -> GradingPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- grading

    def _run_one(self, worker: _WorkerProcess, job: Job, number: int,
                 upcoming: Job | None = None) -> dict:
        message = {"id": number, "assignment": job.assignment, "student": job.student,
                   "args": list(job.args)}
        if upcoming is not None and worker.jobs + 1 < self.max_jobs:
            message["next"] = {"assignment": upcoming.assignment, "student": upcoming.student,
                               "args": list(upcoming.args)}
        worker.send(message)
        return worker.wait_reply(job.deadline or self.deadline)

    def _grade_job(self, job: Job, number: int, holder: list,
                   upcoming: Job | None = None) -> Result:
        """Grade one job on a worker from the pool; replace lost workers; retry as documented."""
        notes: list[str] = []
        attempts = 0
        lost_before = False
        while True:
            attempts += 1
            worker = self._new_worker() if lost_before else self._take_worker()
            holder[0] = worker
            try:
                # a submission graded again alone gets no kernel ahead for the next one
                reply = self._run_one(worker, job, number, None if lost_before else upcoming)
            except _Lost as why:
                tail = worker.tail()
                worker.stop(kill=True)
                holder[0] = None
                if lost_before:
                    notes.append(f"graded again alone in a fresh worker: {why}")
                    self._remove_partial(job)
                    return Result(job, ok=False, error=f"grading worker lost twice: {why}",
                                  notes=notes, attempts=attempts, log=tail)
                notes.append(f"worker {worker.proc.pid} lost while grading it ({why}); "
                             "graded again alone in a fresh worker")
                lost_before = True
                continue
            holder[0] = None
            self._give_back(worker)
            locked = not reply["ok"] and _LOCKED in (reply.get("log", "") + str(reply["error"]))
            if locked and attempts <= LOCK_RETRIES:
                notes.append(f"gradebook busy ({_LOCKED}); graded again")
                continue
            return Result(
                job, ok=reply["ok"], scores=reply.get("scores", {}),
                max_scores=reply.get("max_scores", {}), manual=reply.get("manual", {}),
                seconds=reply["seconds"],
                log=reply.get("log", ""), error=reply.get("error"), notes=notes,
                attempts=attempts, worker_pid=worker.proc.pid,
            )

    def _remove_partial(self, job: Job) -> None:
        """Remove autograded notebooks a lost worker left half-written (nbgrader's own rule)."""
        folder = self.root / "autograded" / job.student / job.assignment
        for path in folder.glob("*.ipynb"):
            with contextlib.suppress(OSError):
                path.unlink()

    def grade(self, jobs: Iterable[Job], on_result=None) -> list[Result]:
        """Grade ``jobs`` on up to ``workers`` processes; results in the order of ``jobs``.

        ``on_result(result)`` (optional) is called as each submission finishes, from a
        worker thread.
        """
        jobs = list(jobs)
        for job in jobs:
            if not isinstance(job, Job):
                raise TypeError(f"expected coursetools.workers.Job, got {type(job).__name__}")
        results: list[Result | None] = [None] * len(jobs)
        todo: queue.Queue = queue.Queue()
        for i in range(len(jobs)):
            todo.put(i)
        failures: list[BaseException] = []
        busy: list[list] = []

        def take() -> int | None:
            try:
                return todo.get_nowait()
            except queue.Empty:
                return None

        def slot() -> None:
            holder: list = [None]
            busy.append(holder)
            upcoming = take()  # each slot reserves its next job: its kernel starts ahead
            while not failures and upcoming is not None:
                i, upcoming = upcoming, take()
                try:
                    with self.cores or contextlib.nullcontext():
                        results[i] = self._grade_job(
                            jobs[i], i, holder, None if upcoming is None else jobs[upcoming])
                except BaseException as exc:  # a worker that cannot start: stop the run
                    failures.append(exc)
                    return
                if on_result is not None:
                    on_result(results[i])

        threads = [threading.Thread(target=slot, daemon=True)
                   for _ in range(min(self.workers, len(jobs)))]
        try:
            for t in threads:
                t.start()
            for t in threads:
                while t.is_alive():
                    t.join(0.2)
        finally:
            for holder in busy:  # interrupted (Ctrl-C) or failed: stop what is still running
                if holder[0] is not None:
                    holder[0].stop(kill=True)
        if failures:
            raise failures[0]
        return [r for r in results if r is not None]


def grade_submissions(
    root: os.PathLike | str,
    assignment: str,
    students: Iterable[str],
    *,
    args: Sequence[str] = (),
    student_args: dict[str, Sequence[str]] | None = None,
    workers: int | None = None,
    env: dict[str, str] | None = None,
    deadline: float = DEFAULT_DEADLINE,
    on_result=None,
) -> dict[str, Result]:
    """Autograde ``students``' submissions of ``assignment`` in ``root`` on a :class:`GradingPool`.

    ``student_args`` gives extra nbgrader settings for some students (``{"bob":
    ["--Execute.timeout=5"]}``). Returns ``{student: Result}``.
    """
    student_args = student_args or {}
    jobs = [Job(assignment, s, tuple(student_args.get(s, ()))) for s in students]
    with GradingPool(root, workers=workers, args=args, env=env, deadline=deadline) as pool:
        return {r.student: r for r in pool.grade(jobs, on_result=on_result)}


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursetools.workers",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help="run as a worker (internal)")
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="course root")
    parser.add_argument("--no-prefetch", action="store_true",
                        help="start every kernel in place (no kernel started ahead)")
    parser.add_argument("nbgrader_args", nargs="*", help="nbgrader settings after --")
    args = parser.parse_args(argv)
    if not args.serve:
        parser.error("this module is run by coursetools.workers.GradingPool (--serve)")
    return serve(args.course.resolve(), args.nbgrader_args, prefetch=not args.no_prefetch)


if __name__ == "__main__":
    sys.exit(_main())
