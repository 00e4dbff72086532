"""The grading sandbox (coursetools.sandbox): every grading kernel runs inside bubblewrap.

A tiny assignment made here (two solution cells, two graded test cells of 5 points each, one of
them with a hidden block) is graded with the real nbgrader CLI and the course's own
``nbgrader_config.py`` in a temporary course. Each attacking submission puts its attack in the
function the first test cell calls, so the attack runs during grading and its error is what that
cell reports; the second answer is honest, which shows the rest of the notebook is still graded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from coursetools import classroom, grading, sandbox

ROOT = Path(__file__).resolve().parents[1]
HW = "sbx"
ON = sandbox.enabled()
needs_sandbox = pytest.mark.skipif(not ON, reason=f"sandbox unavailable: {sandbox.unavailable()}")


def _meta(grade_id: str, *, points: int | None = None) -> dict:
    graded = points is not None
    meta = {"grade": graded, "solution": not graded, "locked": graded, "grade_id": grade_id,
            "schema_version": 3, "task": False}
    if graded:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook() -> nbformat.NotebookNode:
    """The instructor notebook of the test assignment."""
    cells = [
        new_markdown_cell("# Sandbox test assignment"),
        new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n"
                      "    ### END SOLUTION", metadata=_meta("answer_double")),
        new_code_cell("assert double(3) == 6\n### BEGIN HIDDEN TESTS\nassert double(-2) == -4\n"
                      "### END HIDDEN TESTS", metadata=_meta("test_double", points=5)),
        new_code_cell("def total(xs):\n    ### BEGIN SOLUTION\n    return sum(xs)\n"
                      "    ### END SOLUTION", metadata=_meta("answer_total")),
        new_code_cell("assert total([1, 2]) == 3", metadata=_meta("test_total", points=5)),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def attacks(course: Path, port: int) -> dict[str, tuple[str, str]]:
    """student -> (code run inside ``double`` before it answers, error the cell must show)."""
    return {
        "reads_source": (f"open({str(course / 'source' / HW / (HW + '.ipynb'))!r}).read()",
                         "FileNotFoundError"),
        "walks_up": (f"open('../../../source/{HW}/{HW}.ipynb').read()", "FileNotFoundError"),
        "writes_gradebook": (f"open({str(course / 'gradebook.db')!r}, 'ab').write(b'PWNED')",
                             "FileNotFoundError"),
        "writes_other": (
            f"open({str(course / 'submitted' / 'honest' / HW / (HW + '.ipynb'))!r}, 'w')"
            ".write('PWNED')", "FileNotFoundError"),
        "opens_socket": (f"__import__('socket').create_connection(('127.0.0.1', {port}), 2)",
                         "ConnectionRefusedError"),
        "fork_bomb": ("import os, time\n    while True:\n        if os.fork() == 0:\n"
                      "            while True:\n                time.sleep(1)", "BlockingIOError"),
        "allocates_10gb": ("import numpy; big = numpy.ones(10 * 2**30 // 8)", "MemoryError"),
    }


def submission(attack: str | None, probe: Path | None = None) -> nbformat.NotebookNode:
    nb = source_notebook()
    body = "    return 2 * x"
    if attack:
        body = f"    {attack}\n{body}"
    nb.cells[1].source = f"def double(x):\n{body}"
    if probe:  # prints what the kernel sees, in an ungraded place (the solution cell)
        nb.cells[1].source += (
            "\nimport os\nprint('PROBE', os.getuid(), os.getpid(), os.getcwd(), "
            f"os.path.exists({str(probe)!r}), os.environ.get('MPLBACKEND'), "
            "os.environ.get('NBGRADER_EXECUTION'), sep='|')"
        )
    nb.cells[3].source = "def total(xs):\n    return sum(xs)"
    return nb


def make_course(base: Path, students: dict[str, nbformat.NotebookNode]) -> Path:
    course = base / "course"
    (course / "source" / HW).mkdir(parents=True)
    nbformat.write(source_notebook(), course / "source" / HW / f"{HW}.ipynb")
    # The course's own config, minus the policy check of solution cells: it would stop these
    # attacks before they run, and here the sandbox alone must stop them (defence in depth).
    config = (ROOT / "nbgrader_config.py").read_text() + (
        "\nc.Autograde.autograde_preprocessors = [p for p in c.Autograde.autograde_preprocessors"
        " if p != 'coursetools.policy.PolicyCheck']\n")
    (course / "nbgrader_config.py").write_text(config)
    run = grading.nbgrader(["generate_assignment", HW, "--force"], course)
    assert run.returncode == 0, run.log
    for student, nb in students.items():
        target = course / "submitted" / student / HW / f"{HW}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
    return course


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sandbox_processes(uid: int | None = None, token: str | None = None) -> list[int]:
    """PIDs running under a sandbox uid (this ``uid`` only, if given) right now, or only those
    whose environment has ``OPTML_SANDBOX_TEST=<token>`` (other gradings may run meanwhile)."""
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            line = next(ln for ln in status.read_text().splitlines() if ln.startswith("Uid:"))
            real = int(line.split()[1])
            if not sandbox.UID_BASE <= real < sandbox.UID_BASE + 100_000:
                continue
            if uid is not None and real != uid:
                continue
            if token is not None and f"OPTML_SANDBOX_TEST={token}".encode() not in (
                    status.parent / "environ").read_bytes().split(b"\0"):
                continue
        except (OSError, StopIteration):
            continue
        out.append(int(status.parent.name))
    return out


def probe_line(course: Path, student: str) -> list[str]:
    nb = nbformat.read(course / "autograded" / student / HW / f"{HW}.ipynb", as_version=4)
    text = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    line = next(ln for ln in text.splitlines() if ln.startswith("PROBE"))
    return line.split("|")


# ---------------------------------------------------------------------------------------------
# configuration (fast)


def load_config(path: Path) -> Config:
    return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()


def test_config_kernel_manager_class_alone_would_be_ignored():
    """Why the config uses sandboxed(): nbgrader's Execute overrides kernel_manager_class."""
    from nbgrader.preprocessors import Execute

    c = Config()
    c.Execute.kernel_manager_class = "coursetools.sandbox.SandboxKernelManager"
    assert Execute(config=c).kernel_manager_class is not sandbox.SandboxKernelManager
    assert sandbox.sandboxed(Execute)(config=c).kernel_manager_class is sandbox.SandboxKernelManager


def test_autograde_list_is_nbgraders_default_with_the_sandboxed_resilient_execute():
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    from coursetools.classroom_execute import ResilientExecute

    ours = load_config(ROOT / "nbgrader_config.py").Autograde.autograde_preprocessors
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    execute = [p for p in ours if isinstance(p, type) and issubclass(p, ResilientExecute)]
    assert len(execute) == 1
    assert execute[0](config=Config()).kernel_manager_class is sandbox.SandboxKernelManager
    rest = [p for p in ours if p is not execute[0] and p != "coursetools.policy.PolicyCheck"]
    assert rest == [p for p in default if p is not Execute]
    assert ours.index(execute[0]) == default.index(Execute) + (
        importlib.util.find_spec("coursetools.policy") is not None)
    if "coursetools.policy.PolicyCheck" in ours:
        assert ours.index("coursetools.policy.PolicyCheck") < ours.index(execute[0])


def test_deploy_config_grades_with_the_same_execute_settings():
    ours, deploy = (load_config(p) for p in (ROOT / "nbgrader_config.py",
                                            ROOT / "deploy" / "nbgrader_config.py"))
    assert [getattr(p, "__name__", p) for p in ours.Autograde.autograde_preprocessors] == [
        getattr(p, "__name__", p) for p in deploy.Autograde.autograde_preprocessors]
    for key in ("timeout", "interrupt_on_timeout", "startup_timeout"):
        assert ours.Execute[key] == deploy.Execute[key]


def test_loading_the_config_leaves_the_environment_alone(monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)
    before = dict(os.environ)
    load_config(ROOT / "nbgrader_config.py")
    load_config(ROOT / "deploy" / "nbgrader_config.py")
    assert dict(os.environ) == before


def test_status_says_loudly_when_the_sandbox_is_off(monkeypatch):
    monkeypatch.setenv("OPTML_SANDBOX", "off")
    assert sandbox.status().startswith("SANDBOX OFF") and "OPTML_SANDBOX=off" in sandbox.status()
    monkeypatch.delenv("OPTML_SANDBOX")
    monkeypatch.setenv("PATH", "/nonexistent")
    assert sandbox.status().startswith("SANDBOX OFF") and "bwrap" in sandbox.status()
    assert not sandbox.enabled()


def test_summaries_print_the_banner(monkeypatch):
    monkeypatch.setenv("OPTML_SANDBOX", "off")
    assert "SANDBOX OFF" in classroom.format_summary(HW, [], [])
    assert "SANDBOX OFF" in grading.format_table({})


@needs_sandbox
def test_status_on_here():
    assert sandbox.status().startswith("sandbox: ON")


def test_the_sandbox_binds_every_package_the_project_installs():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = project["tool"]["setuptools"]["packages"]["find"]["include"]
    assert sorted(p.rstrip("*") for p in include) == sorted(sandbox.PACKAGES)


def test_code_is_mounted_after_the_scratch_tmp(tmp_path):
    """A course environment under /tmp (a CI clone) must not be hidden by the scratch /tmp."""
    km = sandbox.SandboxKernelManager(kernel_name="python3")
    km.rootless = False
    try:
        args = km._bwrap_args(str(tmp_path), {})
    finally:
        shutil.rmtree(km._dir, ignore_errors=True)
    mounts = [(args[i], args[i + 2]) for i, a in enumerate(args) if a in ("--bind", "--ro-bind")]
    tmp_at = mounts.index(("--bind", "/tmp"))
    code = [i for i, (kind, dest) in enumerate(mounts) if kind == "--ro-bind" and dest in (
        sys.prefix, str(ROOT / "helpers"), str(ROOT / "coursetools"))]
    assert code and min(code) > tmp_at, mounts


def test_sandboxed_rejects_what_is_not_an_execute():
    with pytest.raises(TypeError):
        sandbox.sandboxed(dict)


def test_kill_uid_refuses_ordinary_uids():
    with pytest.raises(ValueError):
        sandbox.kill_uid(0)


# ---------------------------------------------------------------------------------------------
# the kernel manager on its own (needs bwrap)


@needs_sandbox
def test_kernel_restarts_inside_the_sandbox_and_shutdown_kills_its_process_tree(tmp_path):
    from jupyter_client.asynchronous import AsyncKernelClient  # noqa: F401  (client class)
    from jupyter_core.utils import run_sync

    (tmp_path / "data.txt").write_text("42")
    km = sandbox.SandboxKernelManager(kernel_name="python3")
    run_sync(km.start_kernel)(cwd=str(tmp_path))

    def run(code: str) -> str:
        kc = km.client()
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=60)
            out = []
            reply = run_sync(kc.execute_interactive)(
                code, timeout=30, output_hook=lambda m: out.append(m["content"].get("text", "")))
            assert reply["content"]["status"] == "ok", reply["content"]
            return "".join(out)
        finally:
            kc.stop_channels()

    try:
        first = run("import os, subprocess\nprint(os.getuid(), open('data.txt').read())\n"
                    "subprocess.Popen(['sleep', '600'], start_new_session=True)")
        assert int(first.split()[0]) >= sandbox.UID_BASE and first.split()[1] == "42"
        assert sandbox_processes(uid=km.sandbox_uid)
        run_sync(km.restart_kernel)(now=True)
        again = run("import os\nprint(os.getuid(), os.getpid(), open('data.txt').read())")
        uid, pid, data = again.split()
        assert int(uid) == km.sandbox_uid and int(pid) <= 3 and data == "42"
    finally:
        run_sync(km.shutdown_kernel)(now=True)
        run_sync(km.cleanup_resources)()
    time.sleep(0.5)
    assert sandbox_processes(uid=km.sandbox_uid) == []
    assert not km._dir.exists()


@needs_sandbox
def test_the_scratch_copy_leaves_out_notebooks_and_never_copies_a_course_root(tmp_path):
    km = sandbox.SandboxKernelManager(kernel_name="python3")
    km.sandbox_uid = sandbox.UID_BASE + 99_999
    try:
        sub = tmp_path / "hw"
        sub.mkdir()
        (sub / "hw.ipynb").write_text("{}")  # nbgrader's copy, with the hidden tests
        (sub / "data.csv").write_text("1,2")
        assert km._scratch(sub) == f"{sandbox.HOME}/hw"
        work = km._dir / "home" / "hw"
        assert sorted(p.name for p in work.iterdir()) == ["data.csv"]
        assert work.stat().st_uid == km.sandbox_uid
        (tmp_path / "source").mkdir()
        km._scratch(tmp_path)
        assert list((km._dir / "home" / tmp_path.name).iterdir()) == []
    finally:
        km._finalizer()
    assert not km._dir.exists()


@needs_sandbox
def test_rootless_mode_isolates_too(tmp_path, monkeypatch):
    """The mode of a non-root account (the hub's formgrader), forced here as root."""
    from jupyter_core.utils import run_sync

    monkeypatch.setenv("OPTML_SANDBOX", "rootless")
    if sandbox.unavailable():
        pytest.skip(f"no unprivileged user namespaces: {sandbox.unavailable()}")
    assert sandbox.status().startswith("sandbox: ON, rootless")
    token = os.urandom(8).hex()
    monkeypatch.setenv("OPTML_SANDBOX_TEST", token)
    km = sandbox.SandboxKernelManager(kernel_name="python3")
    run_sync(km.start_kernel)(cwd=str(tmp_path))
    kc = km.client()
    kc.start_channels()
    out = []
    try:
        run_sync(kc.wait_for_ready)(timeout=60)
        code = ("import os, socket, subprocess\n"
                "subprocess.Popen(['sleep', '600'])\n"
                f"print(os.getpid(), os.path.exists({str(tmp_path.parent)!r}), "
                "os.path.exists('/etc/shadow'))\n"
                "try:\n    socket.create_connection(('1.1.1.1', 80), 2)\n"
                "except OSError as e:\n    print(type(e).__name__)")
        reply = run_sync(kc.execute_interactive)(
            code, timeout=30, output_hook=lambda m: out.append(m["content"].get("text", "")))
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()
        run_sync(km.shutdown_kernel)(now=True)
        run_sync(km.cleanup_resources)()
    pid, sees_host, shadow, net = "".join(out).split()
    assert int(pid) <= 3 and sees_host == shadow == "False" and net == "OSError"
    time.sleep(0.5)
    assert not [p for p in Path("/proc").glob("[0-9]*/environ")
                if f"OPTML_SANDBOX_TEST={token}".encode() in _read(p).split(b"\0")]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


# ---------------------------------------------------------------------------------------------
# the real nbgrader CLI (slow)


class Listener:
    """A TCP server on 127.0.0.1 that records whether anyone connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self):
        self._stop = True
        self.thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """``classroom grade`` (= ``make grade``) of one honest student and every attack."""
    if not ON:
        pytest.skip(f"sandbox unavailable: {sandbox.unavailable()}")
    listener = Listener()
    base = tmp_path_factory.mktemp("sandbox")
    course = base / "course"
    cases = attacks(course, listener.port)
    students = {"honest": submission(None)}
    students.update({name: submission(code) for name, (code, _) in cases.items()})
    make_course(base, students)
    protected = [course / "source" / HW / f"{HW}.ipynb",
                 course / "submitted" / "honest" / HW / f"{HW}.ipynb"]
    before = {p: digest(p) for p in protected}
    start = time.monotonic()
    token = os.urandom(8).hex()  # reaches every kernel of this batch (OPTML_* are passed on)
    os.environ["OPTML_SANDBOX_TEST"] = token
    try:
        results, problems = classroom.grade(classroom.Course(root=course), HW, collect=False,
                                            force=True)
    finally:
        listener.close()
        del os.environ["OPTML_SANDBOX_TEST"]
    summary = classroom.format_summary(HW, results, problems)
    print(summary, f"\n({time.monotonic() - start:.1f} s)")
    return dict(course=course, cases=cases, results={r.student: r for r in results},
                summary=summary, before=before, listener=listener, token=token)


@pytest.mark.slow
def test_the_honest_student_keeps_full_marks(attacked):
    honest = attacked["results"]["honest"]
    assert honest.status == "graded" and honest.score == 10 and honest.max_score == 10
    assert "sandbox: ON" in attacked["summary"]


@pytest.mark.slow
@pytest.mark.parametrize("student", list(attacks(Path("/c"), 1)))
def test_each_attack_is_stopped_and_named_in_the_summary(attacked, student):
    res = attacked["results"][student]
    error = attacked["cases"][student][1]
    assert res.status == "graded", res.notes
    assert res.cells == {"test_double": 0, "test_total": 5}, res.notes
    row = next(ln for ln in attacked["summary"].splitlines() if ln.startswith(student + " "))
    assert f"test_double: {error}" in row, row


@pytest.mark.slow
def test_the_host_is_unchanged(attacked):
    for path, digest_before in attacked["before"].items():
        assert digest(path) == digest_before, path
    assert b"PWNED" not in (attacked["course"] / "gradebook.db").read_bytes()
    assert attacked["listener"].connections == 0
    assert sandbox_processes(token=attacked["token"]) == []


def _plain_autograde(tmp_path: Path):
    course = tmp_path / "course"
    make_course(tmp_path, {"honest": submission(None), "probe": submission(None, probe=course)})
    run = grading.nbgrader(["autograde", HW, "--force"], course)
    assert run.returncode == 0, run.log
    grades = grading.read_grades(course, HW, ["honest", "probe"])
    assert grades == {s: {"test_double": 5.0, "test_total": 5.0} for s in ("honest", "probe")}
    return course, run


@pytest.mark.slow
@needs_sandbox
def test_plain_nbgrader_autograde_runs_kernels_in_the_sandbox(tmp_path):
    course, run = _plain_autograde(tmp_path)
    _, uid, pid, cwd, sees_course, backend, execution = probe_line(course, "probe")
    assert int(uid) >= sandbox.UID_BASE and int(pid) <= 3
    assert cwd == f"{sandbox.HOME}/{HW}" and sees_course == "False"
    assert backend == sandbox.MPLBACKEND and execution == "autograde"
    assert "SANDBOX OFF" not in run.log


@pytest.mark.slow
def test_grading_works_with_the_sandbox_off_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTML_SANDBOX", "off")
    course, run = _plain_autograde(tmp_path)
    _, uid, _, cwd, sees_course, *_ = probe_line(course, "probe")
    assert int(uid) == os.getuid() and sees_course == "True"
    assert Path(cwd) == course / "autograded" / "probe" / HW
    assert "SANDBOX OFF" in run.log
    results, problems = classroom.grade(classroom.Course(root=course), HW, students=["honest"],
                                        collect=False, force=True)
    summary = classroom.format_summary(HW, results, problems)
    assert "SANDBOX OFF" in summary and results[0].score == 10
