"""Run every grading kernel in a bubblewrap sandbox.

nbgrader's ``Execute`` starts one IPython kernel per notebook, and by default that kernel runs as
the instructor with the whole course root readable and writable. Here every grading kernel is
started by :class:`SandboxKernelManager` inside ``bwrap`` (bubblewrap, Debian package
``bubblewrap``). ``nbgrader_config.py`` wires it in once, through :func:`sandboxed`, so the plain
``nbgrader autograde`` CLI, ``make grade`` (:mod:`coursetools.classroom`), selfgrade and the
pipeline tests (:mod:`coursetools.grading`), the formgrader's autograde button and any in-process
worker that uses nbgrader's ``Autograde`` with that config all get the same sandbox.

Why a subclass of ``Execute`` and not ``c.Execute.kernel_manager_class``: nbgrader 0.9.6's
``Execute.__init__`` passes ``kernel_manager_class=AsyncKernelManager`` as a keyword argument, and
traitlets lets constructor keywords win over configuration, so that setting is silently ignored
(``tests/test_sandbox.py`` checks both facts).

What the kernel sees (a fresh mount namespace; nothing else of the host exists in it)
    read-only: ``/usr`` (with the merged-``/usr`` symlinks ``/bin``, ``/lib``, ...), a few files of
    ``/etc`` (dynamic linker cache, fonts, time zone; not passwd/group), the Python environment
    (``sys.prefix`` and the base interpreter it links to, e.g. ``/root/.pyenv/versions/3.11.7``,
    whose parent ``/root`` is mode 0700 on the host and a plain 0755 directory in the sandbox), and
    the source folders of the project's editable packages (``helpers``, ``coursetools``,
    ``optml_grading``: :data:`PACKAGES`);
    writable: ``/home/student/<folder>``, a scratch *copy* of this one submission's folder (the
    kernel's working directory; the notebooks themselves are left out, because the copy nbgrader
    executes holds the hidden tests), ``$HOME=/home/student``, ``/tmp`` (also scratch), and the
    folder with this kernel's IPC sockets and connection file;
    absent: ``source/``, the gradebook, other students' folders, the exchange, the instructor's
    home, the rest of the course root.

Isolation and limits
    * ``--unshare-net``: a network namespace with only its own loopback, so no TCP/UDP to the
      host or the internet (``127.0.0.1`` is the sandbox's own). The kernel talks to nbgrader over
      ZeroMQ ``ipc`` (Unix socket files in the bind-mounted folder), never TCP.
    * ``--unshare-pid`` (the kernel sees only its own processes), ``--unshare-ipc``,
      ``--unshare-uts``, ``--unshare-cgroup-try``, ``--new-session``, ``--die-with-parent``;
      environment cleared (``--clearenv``), only a short allowlist passed (no tokens, no
      instructor paths).
    * An unprivileged uid: the kernel runs as a uid picked per kernel from
      ``UID_BASE .. UID_BASE + 99999`` (no passwd entry needed), with no capabilities, no
      supplementary groups and ``no_new_privs`` (``setpriv``). This matters for the process limit:
      the kernel refuses ``RLIMIT_NPROC`` for root (uid 0 is exempt even without capabilities), and
      the limit counts all processes *of the uid*, so a uid of its own makes it a per-kernel limit.
      The cgroup v1 ``pids`` controller would also work as root, but it needs a writable
      ``/sys/fs/cgroup`` (absent in many containers and on cgroup v2 hosts without delegation);
      rlimits need nothing.
    * Resource limits (``prlimit``, inherited by every child): address space
      :attr:`SandboxKernelManager.memory_mb` (a 10 GB allocation raises ``MemoryError``), CPU time
      :attr:`~SandboxKernelManager.cpu_seconds` per process (``SIGXCPU`` ends a runaway kernel;
      :class:`coursetools.classroom_execute.ResilientExecute` restarts it and grades the rest),
      :attr:`~SandboxKernelManager.max_processes` processes/threads (a fork bomb gets
      ``BlockingIOError``), files up to :attr:`~SandboxKernelManager.max_file_mb`, no core files.
    * Process tree: the kernel is PID 2 of its PID namespace; when the kernel exits or nbgrader
      kills ``bwrap`` (shutdown, restart), the namespace's init dies and the kernel kills every
      process left in it; :meth:`SandboxKernelManager.cleanup_resources` also kills anything still
      running under the sandbox uid and deletes the scratch folder.
    * Interrupts (``Execute.interrupt_on_timeout``) go as ``interrupt_request`` messages on the
      control channel, because a signal to the process group would only reach ``bwrap``.

The kernel process is ``python -m coursetools.grading_kernel -f <connection file>`` (in-kernel
protections installed before any student code runs) when that module exists, else
``python -m ipykernel_launcher`` (``OPTML_GRADING_KERNEL=<module>`` overrides it, for debugging).
Restarts (``ResilientExecute``) go through the same sandbox with a
fresh scratch copy.

Rootless (not root: the hub's formgrader runs as the course's grader account)
    ``bwrap --unshare-user --disable-userns``: the same mounts, namespaces and limits, but the
    kernel keeps the account's uid (mapped to itself in a user namespace; it can still write
    nothing outside its scratch folders, which are all it sees writable). ``RLIMIT_NPROC`` then
    counts all of the account's processes, so the limit is set to what the account runs at start
    plus :attr:`~SandboxKernelManager.max_processes` (approximate), and there is no uid to sweep
    at shutdown (the PID namespace still takes every process with it). Needs unprivileged user
    namespaces (``/proc/sys/user/max_user_namespaces`` > 0). ``OPTML_SANDBOX=rootless`` selects
    this mode as root too (the tests use it).

Without the sandbox
    Where ``bwrap``, ``prlimit`` or (as root) ``setpriv`` is missing, where bwrap cannot make its
    namespaces, on a non-Linux system, or with ``OPTML_SANDBOX=off`` in the environment (for
    debugging), grading still works:
    the kernel runs directly as the instructor. :func:`status` then returns a banner starting with
    ``SANDBOX OFF``, which ``python -m coursetools.classroom grade`` and ``python -m
    coursetools.grading`` print in their summaries, and every kernel start logs it as a warning.

The matplotlib backend for grading kernels (``MPLBACKEND``, inline) is put into the kernel's
environment here; loading ``nbgrader_config.py`` does not change ``os.environ``.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import weakref
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer

#: environment variable that switches the sandbox off (``off``, ``0``, ``no``, ``false``)
SWITCH = "OPTML_SANDBOX"
#: first uid handed to sandboxed kernels (uids UID_BASE .. UID_BASE + 99999 are used)
UID_BASE = 1_900_000
#: working directory of the kernel inside the sandbox
HOME = "/home/student"
#: matplotlib backend of grading kernels (unless the caller's environment sets one)
MPLBACKEND = "module://matplotlib_inline.backend_inline"
#: environment variables passed from nbgrader's environment into the sandbox
PASS_ENV = ("NBGRADER_EXECUTION", "MPLBACKEND", "PYTHONHASHSEED", "OMP_NUM_THREADS",
            "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "LANG", "LC_ALL", "TZ")
PASS_PREFIX = ("OPTML_",)
#: files of /etc the kernel may read (bound only if present)
#: (not passwd/group: on a hub they list every student's account)
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "fonts", "localtime", "timezone",
             "nsswitch.conf", "hosts", "mime.types", "matplotlibrc")
#: packages whose source folders are bound read-only (editable installs live outside sys.prefix;
#: the packages pyproject.toml installs, checked by tests/test_sandbox.py)
PACKAGES = ("helpers", "coursetools", "optml_grading")

_OFF_VALUES = {"off", "0", "no", "false"}


def _tool(name: str) -> str | None:
    return shutil.which(name)


@functools.cache
def _probe(bwrap: str, rootless: bool) -> str | None:
    """Why ``bwrap`` cannot build our sandbox here (``None``: it can). Cached per process."""
    user = ["--unshare-user", "--disable-userns"] if rootless else []
    try:
        run = subprocess.run(
            [bwrap, *user, "--unshare-pid", "--unshare-net", "--die-with-parent", "--ro-bind",
             "/", "/", "--proc", "/proc", "--dev", "/dev", "true"],
            capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bwrap does not run: {exc}"
    if run.returncode != 0:
        return f"bwrap failed: {run.stderr.strip()[:200]}"
    return None


def rootless() -> bool:
    """True when the sandbox runs without root: not root, or ``OPTML_SANDBOX=rootless``."""
    return os.geteuid() != 0 or os.environ.get(SWITCH, "").strip().lower() == "rootless"


def unavailable() -> str | None:
    """Why grading kernels run unsandboxed, or ``None`` when the sandbox is on."""
    if os.environ.get(SWITCH, "").strip().lower() in _OFF_VALUES:
        return f"switched off by {SWITCH}={os.environ[SWITCH]}"
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux (this is {sys.platform})"
    tools = ("bwrap", "prlimit") if rootless() else ("bwrap", "prlimit", "setpriv")
    missing = [t for t in tools if _tool(t) is None]
    if missing:
        return (f"{', '.join(missing)} not found (apt-get install bubblewrap util-linux)")
    return _probe(_tool("bwrap"), rootless())


def enabled() -> bool:
    """True when grading kernels run in the sandbox."""
    return unavailable() is None


def status() -> str:
    """One-line banner for summaries and reports: is the grading sandbox on?"""
    why = unavailable()
    if why is None:
        t = SandboxKernelManager.class_traits()
        if rootless():
            return (
                "sandbox: ON, rootless (bubblewrap: no network, no course root, user and PID "
                f"namespace; memory {t['memory_mb'].default_value} MB, CPU "
                f"{t['cpu_seconds'].default_value} s; the process limit counts all of this "
                "account's processes)"
            )
        return (
            "sandbox: ON (bubblewrap: no network, no course root, own uid and PID namespace; "
            f"memory {t['memory_mb'].default_value} MB, CPU {t['cpu_seconds'].default_value} s, "
            f"{t['max_processes'].default_value} processes per kernel)"
        )
    return (f"SANDBOX OFF: grading kernels run unsandboxed with the instructor's rights "
            f"({why}); student code can read source/ and change grades")


def _free_uid() -> int:
    """A uid in UID_BASE .. UID_BASE + 99999 that no process uses."""
    used = set()
    for status_file in Path("/proc").glob("[0-9]*/status"):
        try:
            for line in status_file.read_text().splitlines():
                if line.startswith("Uid:"):
                    used.add(int(line.split()[1]))
                    break
        except (OSError, ValueError, IndexError):
            continue
    rng = random.SystemRandom()
    while True:
        uid = UID_BASE + rng.randrange(100_000)
        if uid not in used:
            return uid


def kill_uid(uid: int) -> int:
    """SIGKILL every process whose real uid is ``uid``; return how many were signalled."""
    if uid < UID_BASE:
        raise ValueError(f"refusing to kill processes of uid {uid} (not a sandbox uid)")
    killed = 0
    for status_file in Path("/proc").glob("[0-9]*/status"):
        try:
            line = next(ln for ln in status_file.read_text().splitlines() if ln.startswith("Uid:"))
            if int(line.split()[1]) == uid:
                os.kill(int(status_file.parent.name), signal.SIGKILL)
                killed += 1
        except (OSError, ValueError, StopIteration):
            continue
    return killed


def _count_uid_tasks(uid: int) -> int:
    """Threads (what RLIMIT_NPROC counts) of all processes whose real uid is ``uid``."""
    n = 0
    for status_file in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status_file.read_text().splitlines()
            if int(next(ln for ln in lines if ln.startswith("Uid:")).split()[1]) == uid:
                n += int(next(ln for ln in lines if ln.startswith("Threads:")).split()[1])
        except (OSError, ValueError, StopIteration):
            continue
    return n


def _package_dirs() -> list[str]:
    """Source folders of :data:`PACKAGES`: where this process imports them from, and where the
    editable install maps them (what the kernel uses: its environment has no ``PYTHONPATH``)."""
    out = []
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        out += [os.path.realpath(p) for p in ((spec.submodule_search_locations or []) if spec
                                              else [])]
    for finder in sys.meta_path:
        mapping = getattr(sys.modules.get(getattr(finder, "__module__", "")), "MAPPING", None)
        if isinstance(mapping, dict):
            out += [os.path.realpath(p) for n, p in mapping.items() if n in PACKAGES]
    return sorted({p for p in out if os.path.isdir(p)})


def kernel_module() -> str:
    """``coursetools.grading_kernel`` when it exists, else ``ipykernel_launcher``.

    ``OPTML_GRADING_KERNEL=<module>`` in the environment overrides it (debugging).
    """
    if os.environ.get("OPTML_GRADING_KERNEL"):
        return os.environ["OPTML_GRADING_KERNEL"]
    try:
        found = importlib.util.find_spec("coursetools.grading_kernel") is not None
    except (ImportError, ValueError):
        found = False
    return "coursetools.grading_kernel" if found else "ipykernel_launcher"


def _mpl_font_cache() -> list[Path]:
    """matplotlib's font list files of the host (copied so kernels skip the font scan)."""
    base = os.environ.get("MPLCONFIGDIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "matplotlib"
    )
    return sorted(Path(base).glob("fontlist-v*.json"))


class SandboxKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` that starts the kernel inside bubblewrap (see module docstring).

    The kernel talks over ZeroMQ ``ipc`` sockets in a private folder. When the sandbox is
    unavailable (:func:`unavailable`), the same kernel command runs unsandboxed and a warning
    says so.
    """

    memory_mb = Integer(4096, help="address-space limit of each kernel process (MB)").tag(
        config=True
    )
    cpu_seconds = Integer(600, help="CPU-time limit of each kernel process (s)").tag(config=True)
    max_processes = Integer(
        96, help="processes and threads the kernel's uid may have (RLIMIT_NPROC)"
    ).tag(config=True)
    max_file_mb = Integer(512, help="largest file the kernel may write (MB)").tag(config=True)

    def __init__(self, **kwargs):
        self._dir = Path(tempfile.mkdtemp(prefix="optml-sandbox-"))
        os.chmod(self._dir, 0o711)
        (self._dir / "ipc").mkdir()
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("ip", str(self._dir / "ipc" / "kernel"))
        kwargs.setdefault("connection_file", str(self._dir / "ipc" / "kernel.json"))
        super().__init__(**kwargs)
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self._dir), True)
        self.sandbox_uid: int | None = None
        self.sandbox_off = unavailable()
        self.sandbox_args: list[str] = []

    # -- launching ---------------------------------------------------------------------------

    def format_kernel_cmd(self, extra_arguments=None):
        """``python -m <kernel module> -f <connection file> [extra arguments]``."""
        return [sys.executable, "-m", kernel_module(), "-f", self.connection_file,
                *(extra_arguments or [])]

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if self.sandbox_uid is not None:
            os.chown(self.connection_file, self.sandbox_uid, self.sandbox_uid)

    async def _async_pre_start_kernel(self, **kw):
        self.sandbox_off = unavailable()
        self.rootless = rootless()
        if self.sandbox_off is None and self.sandbox_uid is None and not self.rootless:
            self.sandbox_uid = _free_uid()
            os.chown(self._dir / "ipc", self.sandbox_uid, self.sandbox_uid)
        cwd = kw.get("cwd")
        env = dict(kw.get("env") or os.environ)
        env.setdefault("MPLBACKEND", MPLBACKEND)
        kw["env"] = env
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        if self.sandbox_off is not None:
            self.log.warning("SANDBOX OFF: grading kernel runs unsandboxed (%s)", self.sandbox_off)
            return cmd, kw
        self.kernel_spec.interrupt_mode = "message"
        inner = self._scratch(Path(cwd) if cwd else None)
        self.sandbox_args = self._bwrap_args(inner, kw["env"])
        kw["env"] = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
        kw["cwd"] = str(self._dir)
        self.log.info(
            "sandboxed kernel (uid %s, memory %d MB, CPU %d s, %d processes) in %s",
            "rootless" if self.rootless else self.sandbox_uid, self.memory_mb, self.cpu_seconds,
            self.max_processes, cwd,
        )
        return self.sandbox_args + self._limits() + cmd, kw

    def _scratch(self, cwd: Path | None) -> str:
        """Fresh writable copies of the submission folder, home and /tmp; the work path inside.

        Nothing is copied from a folder that looks like a course root (it has a gradebook,
        ``source/`` or ``nbgrader_config.py``) or when no working directory was given.
        """
        uid = self.sandbox_uid
        for name in ("home", "tmp"):
            shutil.rmtree(self._dir / name, ignore_errors=True)
        home = self._dir / "home"
        work = home / ((cwd.name if cwd else "") or "work")
        course_like = cwd is not None and any(
            (cwd / n).exists() for n in ("gradebook.db", "source", "nbgrader_config.py"))
        if course_like:
            self.log.warning("sandbox: %s looks like a course root; the kernel starts in an "
                             "empty folder instead of a copy of it", cwd)
        if cwd is not None and cwd.is_dir() and not course_like:
            shutil.copytree(cwd, work, symlinks=True,
                            ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        else:
            work.mkdir(parents=True)
        mpl = home / ".cache" / "matplotlib"
        mpl.mkdir(parents=True)
        for f in _mpl_font_cache():
            shutil.copy(f, mpl / f.name)
        (self._dir / "tmp").mkdir()
        # Owned by the sandbox uid; folders 0755 because bwrap enters the working directory
        # before it drops to that uid, as a root without CAP_DAC_OVERRIDE.
        for root in (home, self._dir / "tmp"):
            for dirpath, _dirs, filenames in os.walk(root):
                os.chmod(dirpath, 0o755)
                if uid is None:  # rootless: the kernel keeps this account's uid
                    continue
                os.chown(dirpath, uid, uid)
                for n in filenames:
                    os.lchown(os.path.join(dirpath, n), uid, uid)
        return f"{HOME}/{work.name}"

    def _bwrap_args(self, workdir: str, env: dict[str, str]) -> list[str]:
        args = [
            _tool("bwrap"),
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--hostname", "grading-sandbox",
        ]
        if self.rootless:
            # a user namespace (this account's uid mapped to itself) and no nested ones
            args += ["--unshare-user", "--disable-userns"]
            if os.geteuid() == 0:
                args += ["--cap-drop", "ALL"]
        else:
            # setpriv needs these three to drop to the sandbox uid; it then drops every capability
            args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                     "--cap-add", "CAP_SETPCAP"]
        binds: list[tuple[str, str, str]] = [("--ro-bind", "/usr", "/usr")]
        for top in ("bin", "lib", "lib32", "lib64", "libx32", "sbin"):
            host = Path("/") / top
            if host.is_symlink():
                args += ["--symlink", os.readlink(host), str(host)]
            elif host.is_dir():
                binds.append(("--ro-bind", str(host), str(host)))
        for name in ETC_FILES:
            if os.path.exists(f"/etc/{name}"):
                binds.append(("--ro-bind", f"/etc/{name}", f"/etc/{name}"))
        # The scratch home and /tmp before the code: a later mount hides what lies under its
        # mount point, and the course's environment may itself live under /tmp (a CI clone).
        binds += [
            ("--bind", str(self._dir / "home"), HOME),
            ("--bind", str(self._dir / "tmp"), "/tmp"),
        ]
        python = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  str(Path(os.path.realpath(sys.executable)).parent.parent)}
        for p in sorted(python) + _package_dirs():
            if not any(p == q or p.startswith(q.rstrip("/") + "/") for q in ("/usr",)):
                binds.append(("--ro-bind", p, p))
        binds.append(("--bind", str(self._dir / "ipc"), str(self._dir / "ipc")))
        # Parents of mount points, made just before each mount (a later mount may hide earlier
        # ones): bwrap would create them mode 0700, which the sandbox uid cannot traverse (e.g.
        # /root of /root/.pyenv).
        for kind, host, dest in binds:
            parents = []
            parent = Path(dest).parent
            while str(parent) != "/":
                parents.append(str(parent))
                parent = parent.parent
            for d in reversed(parents):
                args += ["--perms", "0755", "--dir", d]
            args += [kind, host, dest]
        args += ["--proc", "/proc", "--dev", "/dev", "--chdir", workdir, "--clearenv"]
        inner = {
            "PATH": f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin",
            "HOME": HOME, "TMPDIR": "/tmp", "USER": "student", "LANG": "C.UTF-8",
            "MPLCONFIGDIR": f"{HOME}/.cache/matplotlib", "IPYTHONDIR": f"{HOME}/.ipython",
            "JUPYTER_PLATFORM_DIRS": "1", "PYTHONNOUSERSITE": "1",
            # the kernel's parent is the namespace's init (PID 1): no parent poller, and no
            # "Ctrl-C will not work" banner on nbgrader's console
            "JPY_PARENT_PID": "1",
        }
        if os.environ.get("VIRTUAL_ENV") or sys.prefix != sys.base_prefix:
            inner["VIRTUAL_ENV"] = sys.prefix
        for k, v in env.items():
            if k in PASS_ENV or k.startswith(PASS_PREFIX):
                inner[k] = v
        inner["OPTML_SANDBOX"] = "on"
        for k, v in sorted(inner.items()):
            args += ["--setenv", k, v]
        return args + ["--"]

    def _limits(self) -> list[str]:
        nproc = self.max_processes
        if self.rootless:
            # RLIMIT_NPROC counts every process of the account: allow what it runs now + ours
            nproc += _count_uid_tasks(os.getuid())
        limits = [
            _tool("prlimit"),
            f"--as={self.memory_mb * 2**20}",
            f"--cpu={self.cpu_seconds}",
            f"--nproc={nproc}",
            f"--fsize={self.max_file_mb * 2**20}",
            "--core=0",
            "--",
        ]
        if self.rootless:
            return limits
        uid = str(self.sandbox_uid)
        return limits + [
            _tool("setpriv"),
            f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
            "--",
        ]

    # -- shutting down -----------------------------------------------------------------------

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self.sandbox_uid is not None:
            kill_uid(self.sandbox_uid)
        if not restart:
            self._finalizer()

    cleanup_resources = _async_cleanup_resources


def sandboxed(execute_class: type) -> type:
    """A subclass of an nbgrader ``Execute`` class whose kernels start in the sandbox.

    Parameters
    ----------
    execute_class : type
        ``nbgrader.preprocessors.Execute`` or a subclass of it (e.g. ``ResilientExecute``). Its
        configuration sections (``c.Execute``, ``c.ResilientExecute``) still apply.

    Returns
    -------
    type
        ``Sandboxed<Name>``: the same preprocessor with
        ``kernel_manager_class = SandboxKernelManager``.
    """
    from nbgrader.preprocessors import Execute

    if not (isinstance(execute_class, type) and issubclass(execute_class, Execute)):
        raise TypeError(f"sandboxed() needs an nbgrader Execute class, got {execute_class!r}")

    def __init__(self, *args, **kwargs):
        # Execute.__init__ sets kernel_manager_class=AsyncKernelManager as a keyword, which
        # beats any configuration; ours is set first, so its setdefault leaves it alone.
        kwargs.setdefault("kernel_manager_class", SandboxKernelManager)
        execute_class.__init__(self, *args, **kwargs)
        if self.kernel_manager_class is not SandboxKernelManager:
            raise RuntimeError("the grading kernel manager is not the sandbox's")
        why = unavailable()
        if why is not None:
            self.log.warning("SANDBOX OFF: grading kernels run unsandboxed (%s)", why)

    name = f"Sandboxed{execute_class.__name__}"
    return type(name, (execute_class,), {"__init__": __init__, "__module__": __name__,
                                         "__qualname__": name, "__doc__": execute_class.__doc__})
