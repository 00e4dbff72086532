"""Grading kernels started ahead: the next submission's kernel boots while this one is graded.

A grading worker (:mod:`coursetools.workers`) knows which submission it grades next. While
nbgrader grades the current one, :class:`KernelPrefetch` starts the next one's kernel on a
thread of its own, exactly as nbgrader's ``Execute`` would start it: the same ``Execute``
class (:func:`coursetools.nbgrader_setup.autograde_preprocessors`: the sandboxed
:class:`~coursetools.classroom_execute.ResilientExecute`) built from the same configuration,
the notebook's kernel name, ``NBGRADER_EXECUTION=autograde`` in its environment (nbgrader
sets it around the execution), a fresh sandbox whose working folder holds the same files.
When ``Execute`` then needs its kernel, :meth:`ResilientExecute.async_start_new_kernel
<coursetools.classroom_execute.ResilientExecute.async_start_new_kernel>` takes the one started
ahead instead of starting its own; nothing else changes (the kernel is still fresh, and it
is shut down after its notebook as before). The only code that has run in it is the grader's
own first request, :func:`coursetools.grading_kernel.capture_session` (the pristine state the
tamper guard restores before each graded cell): ``ResilientExecute`` sends exactly that before
the submission's first cell, and the prefetch sends it right after the kernel's start instead,
so that its imports (numpy, helpers, optml_grading) also happen ahead.

A kernel is started ahead only when the result is indistinguishable from a kernel started
in place:

* the sandbox is on (:func:`coursetools.sandbox.unavailable` is ``None``): inside it the
  working folder is ``~/<assignment>`` for every student, a copy of the submission folder
  without notebooks; without the sandbox the kernel would run in ``submitted/`` instead of
  ``autograded/``;
* the submission folder holds only plain files that nbgrader copies to ``autograded/``
  (no sub-folders, nothing matching ``CourseDirectory.ignore``), so both copies are equal;
* the assignment has a single notebook (one kernel per submission).

Otherwise (and whenever a start ahead fails) ``Execute`` starts its kernel itself. The thread
that starts kernels lives as long as the worker: bubblewrap's ``--die-with-parent`` is tied to
the thread that spawned it.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import queue
import threading
import time
from pathlib import Path

#: the prefetch of this process (set by a grading worker; ``None``: start kernels in place)
ACTIVE: KernelPrefetch | None = None

_log = logging.getLogger("coursetools.kernel_prefetch")


def key_for(path: os.PathLike | str) -> tuple[str, str]:
    """``(student, assignment)`` of ``<course>/{submitted,autograded}/<student>/<assignment>``."""
    path = Path(path)
    return path.parent.name, path.name


class KernelPrefetch:
    """Start kernels ahead for the submissions a worker grades next (see the module docstring).

    ``request(folder, execute_class, config)`` names the submission, the ``Execute``
    preprocessor nbgrader's ``Autograde`` will use for it and the configuration it gets (the
    worker's ``AutogradeApp.config`` for that submission's settings).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._ready: dict[tuple[str, str], object] = {}  # key -> started kernel manager
        self._pending: dict[tuple[str, str], threading.Event] = {}
        self._jobs: queue.Queue = queue.Queue()
        self.started = self.taken = self.failed = 0
        self._thread = threading.Thread(target=self._run, name="kernel-prefetch", daemon=True)
        self._thread.start()

    # -- which submissions qualify

    def eligible(self, folder: Path, ignore=()) -> str | None:
        """Why the submission in ``folder`` gets no kernel ahead (``None``: it does)."""
        from coursetools import sandbox

        why = sandbox.unavailable()
        if why is not None:
            return f"sandbox off ({why})"
        if not folder.is_dir():
            return "no submission folder"
        notebooks = 0
        for entry in folder.iterdir():
            if not entry.is_file() or entry.is_symlink():
                return f"{entry.name} is not a plain file"
            if any(fnmatch.fnmatch(entry.name, p) for p in ignore):
                return f"{entry.name} is not copied to autograded/"
            notebooks += entry.suffix == ".ipynb"
        return None if notebooks == 1 else f"{notebooks} notebooks"

    # -- parent side (the worker's main thread)

    def request(self, folder: os.PathLike | str, execute_class: type, config,
                ignore=()) -> bool:
        """Start the kernel for ``submitted/<student>/<assignment>`` ahead; False if not.

        ``ignore``: the course's ``CourseDirectory.ignore`` patterns.
        """
        folder = Path(folder)
        key = key_for(folder)
        why = self.eligible(folder, ignore)
        if why is not None:
            _log.debug("no kernel ahead for %s: %s", key, why)
            return False
        with self._lock:
            if key in self._ready or key in self._pending:
                return True
            self._pending[key] = threading.Event()
        self._jobs.put((key, folder, execute_class, config))
        return True

    def take(self, path: os.PathLike | str, timeout: float = 120.0):
        """The kernel manager started ahead for the notebook folder ``path``, or ``None``.

        Waits for a start still under way (at most ``timeout`` seconds).
        """
        key = key_for(path)
        with self._lock:
            event = self._pending.get(key)
        if event is not None:
            event.wait(timeout)
        with self._lock:
            km = self._ready.pop(key, None)
        if km is not None:
            self.taken += 1
        return km

    def retain(self, keys) -> None:
        """Shut down the kernels started ahead for any submission not in ``keys``
        (``(student, assignment)`` pairs: the current and the next submission)."""
        keys = set(keys)
        with self._lock:
            stale = [k for k in self._ready if k not in keys]
            kms = [self._ready.pop(k) for k in stale]
        for km in kms:
            self._shutdown(km)

    def close(self) -> None:
        """Shut every kernel started ahead down and stop the thread."""
        self._jobs.put(None)
        self._thread.join(timeout=60)
        with self._lock:
            kms, self._ready = list(self._ready.values()), {}
        for km in kms:
            self._shutdown(km)

    # -- the starting thread

    def _run(self) -> None:
        from jupyter_core.utils import run_sync

        while True:
            item = self._jobs.get()
            if item is None:
                return
            key, folder, execute_class, config = item
            km = None
            try:
                km = self._start(folder, execute_class, config, run_sync)
                self.started += 1
            except Exception as exc:  # the submission's own Execute will start its kernel
                self.failed += 1
                _log.warning("kernel ahead for %s failed (%s: %s); it starts in place",
                             key, type(exc).__name__, exc)
                km = None
            with self._lock:
                if km is not None:
                    self._ready[key] = km
                event = self._pending.pop(key, None)
            if event is not None:
                event.set()

    @staticmethod
    def _start(folder: Path, execute_class: type, config, run_sync):
        import nbformat

        notebook = next(folder.glob("*.ipynb"))
        nb = nbformat.read(notebook, as_version=4)
        ex = execute_class(config=config)
        ex.nb = nb
        ex.log = _log
        ex.resources = {"metadata": {"path": str(folder)}}
        if not ex.kernel_name:
            ex.kernel_name = nb.metadata.get("kernelspec", {}).get("name") or ""
        kwargs = {"config": config, "log": _log}
        if ex.kernel_name:
            kwargs["kernel_name"] = ex.kernel_name
        ex.km = ex.kernel_manager_class(**kwargs)
        env = {**os.environ, "NBGRADER_EXECUTION": "autograde"}
        run_sync(ex.async_start_new_kernel)(env=env)
        km = ex.km
        km.optml_extra_arguments = list(ex.extra_arguments)
        km.optml_kernel_name = ex.kernel_name
        km.optml_session = None
        if getattr(ex, "restore_state", False):
            try:
                km.optml_session = run_sync(KernelPrefetch._capture)(km, 120.0)
            except Exception:  # Execute asks for it itself before the first cell
                _shutdown_quietly(km)
                raise
        return km

    @staticmethod
    async def _capture(km, timeout: float) -> tuple[bool, object]:
        """Ask the fresh kernel for the grader's capture of its pristine state
        (:data:`~coursetools.classroom_execute.CAPTURE_SESSION`), as ``ResilientExecute``
        would before the submission's first cell; ``(ok, info)``. The client used for it is
        closed again (nbclient connects its own)."""
        from coursetools.classroom_execute import (
            CAPTURE_SESSION,
            read_grader_reply,
            send_grader_call,
        )

        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=timeout)
            msg_id = send_grader_call(kc, CAPTURE_SESSION)
            deadline = time.monotonic() + timeout
            while True:
                msg = await kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
                if msg.get("parent_header", {}).get("msg_id") == msg_id:
                    return read_grader_reply(msg)
        finally:
            kc.stop_channels()

    def _shutdown(self, km) -> None:
        _shutdown_quietly(km)


def _shutdown_quietly(km) -> None:
    """Shut a kernel started ahead down now; one already gone is no error."""
    from jupyter_core.utils import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=True)
    except Exception as exc:  # already gone
        _log.debug("kernel ahead: shutdown failed (%s)", exc)
