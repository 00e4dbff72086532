"""nbgrader's ``Execute``, made to survive a dying kernel and to hold against student code.

**Kernel deaths.** nbgrader 0.9 gives up on the whole submission when the kernel dies
(``os.kill(os.getpid(), 9)``, ``os._exit``, a segfault in a C extension, the out-of-memory
killer): nbclient raises ``DeadKernelError``, nbgrader logs "There was an error processing
assignment" and the student gets no grade at all. :class:`ResilientExecute` instead

1. records an error output in the cell that was running (``DeadKernelError: the kernel died
   while running this cell ...``), so a graded cell scores 0 like any failing test;
2. starts a new kernel and re-runs every code cell before it (their new outputs are thrown away;
   cells that timed out or killed the kernel are not re-run), which restores the state the next
   cells expect;
3. continues with the next cell.

After ``max_kernel_restarts`` deaths in one notebook it gives up as nbgrader does. All settings of
``Execute`` (``Execute.timeout``, ``interrupt_on_timeout``, ...) apply unchanged, because this is a
subclass. ``nbgrader_config.py`` puts it in place of ``nbgrader.preprocessors.Execute`` in
``Autograde.autograde_preprocessors`` (derived from nbgrader's own default list), so every grading
path (the plain CLI, ``make grade``, the pipeline tests, the formgrader) uses it.

**Test cells student code cannot neutralize** (``restore_state``, on by default).

* Right after the kernel starts, before the notebook's first cell, the grader calls
  :func:`coursetools.grading_kernel.capture_session` in the kernel: pristine references to
  builtins, ``sys`` hooks, signal handlers, numpy, ``math``, ``helpers``, ``optml_grading``,
  IPython's shell, kernel and session objects (and their classes), event callbacks, input and
  AST transformers, the custom exception handler, ``sys.stdout``/``stderr``/``displayhook``.
  After each locked cell it records the names that cell bound which the tests use.
* Before each graded test cell (``grade: true``) the grader calls
  :func:`coursetools.grading_kernel.restore`, a silent request of its own: everything above is
  put back (custom exception handlers, ``pre/post_run_cell`` and ``pre/post_execute``
  callbacks, input/AST transformers, display and exception hooks, ``showtraceback`` and other
  instance-level method overrides, trace/profile functions of ``sys`` and ``threading``,
  signal handlers, the signal mask and pending alarms/itimers, builtins, ``sys.modules``
  entries and attributes of numpy, ``numpy.linalg``, ``numpy.testing``, ``math``, ``helpers``
  and ``optml_grading``, swapped ``__code__``/defaults, ``sys.meta_path``/``path_hooks``,
  warnings filters), and ``np``, ``helpers``, ``_integrity``, ``expect_close`` and the other
  recorded locked names are rebound from the pristine modules; the guard module is verified
  against a fresh compile of its own file. What was put back is logged.
* **Completion signal.** For each graded cell the grader draws a fresh random token
  (:func:`secrets.token_hex`, 128 bits), hands it to the kernel only inside the restore request
  (it is bound in a closure, ``_optml_done``, that writes to the ``sys.stdout`` captured before
  any student code), and appends one line, ``_optml_done()``, to the code it sends for the
  cell, after the hidden block. The cell scores only if the reply is ``ok``, there is no error
  output, and the token is in the cell's stdout exactly once; otherwise the grader adds an
  error output (``IncompleteTestError``), so nbgrader scores the cell 0. The token is removed
  from the saved output, and the cell's source is never changed (checksums and feedback are
  unaffected).

Why student code cannot forge it: to score, a cell whose hidden block failed or was cut short
would have to (a) emit the token and (b) end without error. (a) The token is not in the cell's
code, history (``In``), ``linecache`` or any frame; it exists only in the closure bound to
``_optml_done``, and a new one is drawn per cell, so it can neither be read beforehand nor
replayed. Calling ``_optml_done`` early (to get the token printed, then skip the rest) gives a
cell that still runs the rest of its code: skipping it needs (b). (b) Ending a cell early without
an error (or hiding the error) needs an IPython hook, a trace function, a signal handler,
patched kernel/shell/stream methods or rebinding a name the cell uses; every one of these is
put back right before the cell, by the grader's own request, with no student code running in
between (a callback cannot run between the restore request and the cell because the restore
itself clears them). Tokens printed twice fail the cell.

Assumptions: (1) the policy check (:mod:`coursetools.policy`) has replaced every student cell
that uses the tools an attacker needs during the cell (``get_ipython``, ``sys``, ``gc``,
``inspect``, ``ctypes``, ``globals``/``vars``, ``In``/``Out``, dunder and frame attributes,
names starting with ``_optml``, ``getattr`` with computed names, imports outside the
allowlist); (2) in the grading kernel (:mod:`coursetools.grading_kernel`) an audit hook
refuses new audit hooks, trace/profile functions except the guard's, ``gc`` referrer walks,
``ctypes`` memory reads and ``__code__`` swaps of library functions, so a miss in (1) still
cannot reach the captured references cheaply; (3) the kernel process is sandboxed
(:mod:`coursetools.sandbox`), so it cannot read the grader's memory or its files. In a plain
kernel (not started through :mod:`coursetools.grading_kernel`) the same restoration runs, but
the audit hook is installed only when the grader first calls in (still before any student
code), after ipykernel's start-up; the log says so.
"""

from __future__ import annotations

import ast
import copy
import secrets
import time
from queue import Empty

from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

from coursetools import policy
from coursetools.notebooks import QuietOutputWidget

_NOT_REPLAYED = {"DeadKernelError", "CellTimeoutError"}

#: How the grader reaches its own code in the kernel (a module import: no notebook name needed).
_KERNEL_MODULE = "__import__('coursetools.grading_kernel', fromlist=['restore'])"


#: The grader's first request to a fresh kernel, before any code of the submission runs.
CAPTURE_SESSION = "capture_session(get_ipython())"


def send_grader_call(kc, call: str) -> str:
    """Send ``<grading_kernel>.<call>`` to the kernel silently (no history, no execution count,
    no output); return the request's message id. ``kc``: a (blocking or async) kernel client."""
    code = f"{_KERNEL_MODULE}._STATE.__setitem__('last', {_KERNEL_MODULE}.{call})"
    return kc.execute(
        code, silent=True, store_history=False, allow_stdin=False,
        user_expressions={"r": f"{_KERNEL_MODULE}._STATE.get('last')"},
    )


def read_grader_reply(reply: dict | None) -> tuple[bool, object]:
    """``(ok, value or error text)`` from the execute reply to :func:`send_grader_call`."""
    if reply is None:
        return False, "no reply from the kernel"
    content = reply["content"]
    if content.get("status") != "ok":
        return False, f"{content.get('ename')}: {content.get('evalue')}"
    result = content.get("user_expressions", {}).get("r", {})
    if result.get("status") != "ok":
        return False, f"{result.get('ename')}: {result.get('evalue')}"
    try:
        return True, ast.literal_eval(result["data"]["text/plain"])
    except (KeyError, ValueError, SyntaxError):
        return False, f"unreadable reply {result!r:.200}"


async def _wait_until_ready(kc, timeout: float) -> None:
    """Until the kernel answers ``kernel_info`` on the shell channel and its ``idle`` status for
    that request arrives on IOPub (then IOPub is subscribed); RuntimeError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        msg_id = kc.kernel_info()
        try:
            reply = await kc.shell_channel.get_msg(timeout=1)
        except Empty:
            reply = None
        if reply is not None and reply.get("parent_header", {}).get("msg_id") == msg_id:
            try:
                while True:  # IOPub not subscribed yet (ZeroMQ slow joiner): ask again
                    msg = await kc.iopub_channel.get_msg(timeout=0.2)
                    if (msg.get("parent_header", {}).get("msg_id") == msg_id
                            and msg["msg_type"] == "status"
                            and msg["content"].get("execution_state") == "idle"):
                        kc._handle_kernel_info_reply(reply)
                        return
            except Empty:
                pass
        if not await kc._async_is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def no_output_grades(cell, log=None) -> int:
    """Turn the ``execute_result`` outputs of a test cell into ``display_data``; return how many.

    nbgrader scores a test cell from the *first* ``execute_result`` it finds, read as a number
    (numeric-output partial credit, :func:`nbgrader.utils.get_partial_grade`), before it looks
    for an error output after it. Code called by the test can emit one (``sys.displayhook(10)``
    from a student's function), which would set the cell's score whatever the tests found. This
    course does not use numeric-output partial credit (split test cells give partial credit),
    so a test cell's value is only shown: the same data as ``display_data``, which nbgrader
    never scores.
    """
    changed = 0
    for i, out in enumerate(cell.get("outputs", [])):
        if out.get("output_type") == "execute_result":
            cell.outputs[i] = NotebookNode(output_type="display_data",
                                           data=out.get("data", {}),
                                           metadata=out.get("metadata", {}))
            changed += 1
    if changed and log is not None:
        log.warning("%s: %d execute_result output(s) shown as display_data (numeric-output "
                    "partial credit is not used)", _meta(cell).get("grade_id"), changed)
    return changed


class ResilientExecute(Execute):
    """Execute every cell; restore the kernel before graded cells and check they ran to the end.

    When the kernel dies: fail that cell, restart, replay, continue (see the module docstring).
    """

    max_kernel_restarts = Integer(
        3, help="kernel deaths tolerated per notebook before giving up on it"
    ).tag(config=True)

    restore_state = Bool(
        True,
        help="restore the kernel's state before each graded cell and require its completion "
        "token (see coursetools.classroom_execute)",
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._restarts = 0
        self._session = None
        # a student's widget must not hang grading: nbclient's Output-widget mimic without the
        # shell messages that can lose the execute reply (jupyter/nbclient#312)
        self.widget_registry["@jupyter-widgets/output"]["OutputModel"] = QuietOutputWidget
        self._protected = policy.protected_names(nb)[0] if self.restore_state else frozenset()
        return super().preprocess(nb, resources, km)

    async def async_start_new_kernel(self, **kwargs):
        """Take the kernel a grading worker started ahead for this notebook, if any
        (:mod:`coursetools.kernel_prefetch`); else start one as nbclient does."""
        from coursetools import kernel_prefetch

        prefetch = kernel_prefetch.ACTIVE
        path = (self.resources or {}).get("metadata", {}).get("path")
        if prefetch is not None and path and not kwargs and self.km is not None \
                and not self.km.has_kernel:
            km = prefetch.take(path)
            if km is not None and getattr(km, "optml_kernel_name", None) == self.kernel_name:
                self.km = km  # nbclient shuts it down after the notebook, as its own
                km.log = self.log
                self.log.info("kernel started ahead for this submission (sandboxed, fresh)")
                ahead = getattr(km, "optml_session", None)  # (ok, info) or None
                if self.restore_state and ahead is not None and ahead[0]:
                    self.log.info("grading kernel: pristine state captured ahead, before any "
                                  "code of this submission")
                    self._set_session(*ahead)
                return
            if km is not None:  # started for another kernel name: not this notebook's
                prefetch._shutdown(km)
        await super().async_start_new_kernel(**kwargs)

    # nbclient's synchronous setup_kernel calls this wrapper, bound to its own coroutine
    start_new_kernel = run_sync(async_start_new_kernel)

    async def async_start_new_kernel_client(self):
        """nbclient's client start, with a quicker readiness check for a kernel started ahead.

        jupyter_client's ``wait_for_ready`` ends by draining IOPub until it has been silent for
        0.2 s. A kernel started ahead is idle and has nothing left to say, so the check here
        ends instead when the kernel's ``idle`` status for this client's own ``kernel_info``
        request arrives on IOPub: the same proof that IOPub is connected (no output of the
        first cell can be lost), without the wait. Any other kernel: nbclient's own start.
        """
        if getattr(self.km, "optml_kernel_name", None) is None:  # not started ahead
            return await super().async_start_new_kernel_client()
        from nbclient.util import ensure_async, run_hook

        self.kc = self.km.client()
        try:
            await ensure_async(self.kc.start_channels())
            await _wait_until_ready(self.kc, self.startup_timeout)
        except Exception as exc:
            self.log.error("Error occurred while starting new kernel client for kernel %s: %s",
                           getattr(self.km, "kernel_id", None), exc)
            await self._async_cleanup_kernel()
            raise
        self.kc.allow_stdin = False
        await run_hook(self.on_notebook_start, notebook=self.nb)
        return self.kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    # -- the grader's own requests to the kernel
    def _grader_call(self, call: str) -> tuple[bool, object]:
        """Run ``<grading_kernel>.<call>`` silently in the kernel: (ok, value or error text)."""
        assert self.kc is not None
        msg_id = send_grader_call(self.kc, call)
        return read_grader_reply(self.wait_for_reply(msg_id))

    def _ensure_session(self) -> None:
        if self._session is not None:
            return
        self._set_session(*self._grader_call(CAPTURE_SESSION))

    def _set_session(self, ok: bool, info) -> None:
        """Record the answer to :data:`CAPTURE_SESSION` (asked here or by a kernel prefetch)."""
        self._session = info if ok else {}
        if not ok:
            self.log.error("grading kernel: could not capture the kernel's state (%s); graded "
                           "cells will fail", info)
        elif not info.get("started_here"):
            self.log.warning(
                "grading kernel: this kernel was not started through coursetools.grading_kernel;"
                " the restoration before graded cells works, but the pristine references were "
                "taken after ipykernel's start-up and the audit hook was installed late "
                "(weaker)")
        else:
            self.log.info("grading kernel: pristine state captured, audit hook on")

    def _record_locked(self, cell) -> None:
        names = policy._top_level_bindings(cell.source)[0] & self._protected
        if names:
            ok, info = self._grader_call(f"record_setup(get_ipython(), {sorted(names)!r})")
            if not ok:
                self.log.error("grading kernel: could not record %s (%s)", sorted(names), info)

    # -- cells
    def preprocess_cell(self, cell, resources, index):
        try:
            if not self.restore_state or cell.cell_type != "code" or not cell.source.strip():
                result = super().preprocess_cell(cell, resources, index)
                if _meta(cell).get("grade") and not _meta(cell).get("solution"):
                    no_output_grades(cell, self.log)
                return result
            self._ensure_session()
            meta = _meta(cell)
            if meta.get("grade") and not meta.get("solution"):
                return self._graded_cell(cell, resources, index)
            result = super().preprocess_cell(cell, resources, index)
            if meta.get("locked"):
                self._record_locked(cell)
            return result
        except DeadKernelError:
            if self._restarts >= self.max_kernel_restarts:
                raise
            self._restarts += 1
            self.log.error(
                "The kernel died in cell %d; it scores 0. Restarting the kernel and re-running "
                "the %d cells before it.", index, index
            )
            cell.outputs.append(
                NotebookNode(
                    output_type="error",
                    ename="DeadKernelError",
                    evalue="the kernel died while running this cell",
                    traceback=[
                        "DeadKernelError: the kernel died while running this cell (os.kill, "
                        "os._exit, a crash in compiled code or running out of memory). "
                        "The grader restarted the kernel and graded the cells after it."
                    ],
                )
            )
            self._restart_and_replay(index)
            return cell, self.resources

    def _graded_cell(self, cell, resources, index):
        gid = _meta(cell).get("grade_id", f"cell {index}")
        blocked = cell.metadata.pop("optml_policy_blocked", None)
        if blocked:
            cell.outputs = [_error("PolicyViolation", blocked)]
            cell.execution_count = None
            self.log.warning("%s: not run (%s)", gid, blocked)
            return cell, self.resources
        token = f"optml-complete-{secrets.token_hex(16)}"
        original = cell.source
        line = original.rstrip().count("\n") + 2  # the line _optml_done() is appended as
        ok, report = self._grader_call(f"restore(get_ipython(), {token!r}, {line})")
        if not ok:
            self.log.error("%s: the grader could not restore the kernel (%s)", gid, report)
            cell.outputs = [_error("GraderRestoreError", "the grader could not restore the "
                                   f"kernel's state before this test cell ({report})")]
            cell.execution_count = None
            return cell, self.resources
        if report:
            self.log.warning("%s: the grader put back %s before the test cell", gid,
                             ", ".join(f"{k} ({v})" for k, v in sorted(report.items())))
        cell.source = original.rstrip() + "\n_optml_done()\n"
        try:
            result = super().preprocess_cell(cell, resources, index)
        finally:
            cell.source = original
        ok, changed = self._grader_call("verify(get_ipython())")
        if not ok:
            changed = [f"the grader could not check the kernel after the cell ({changed})"]
        self._check_completion(cell, token, gid, changed)
        return result

    def _check_completion(self, cell, token: str, gid: str, changed: list) -> None:
        no_output_grades(cell, self.log)
        count = 0
        kept = []
        for out in cell.outputs:
            if out.get("output_type") == "stream":
                text = out.get("text", "")
                n = text.count(token)
                if out.get("name") == "stdout":
                    count += n
                if n:
                    text = text.replace(token + "\n", "").replace(token, "")
                    out["text"] = text
                    if not text:
                        continue
            kept.append(out)
        cell.outputs = kept
        if changed:
            self.log.warning("%s: scores 0: changed during the cell: %s", gid, ", ".join(changed))
            cell.outputs.append(_error(
                "TamperingError",
                "code called by this test cell changed how the grader sees its result ("
                + ", ".join(changed) + "); the cell scores 0"))
            return
        if any(o.get("output_type") == "error" for o in kept):
            return
        if count != 1:
            why = ("its hidden tests did not run to their end" if count == 0 else
                   "the grader's completion signal appeared more than once")
            self.log.warning("%s: scores 0: %s", gid, why)
            cell.outputs.append(_error(
                "IncompleteTestError",
                f"this test cell did not finish: {why} (something in the notebook stopped or "
                "hid the test code)"))

    def _restart_and_replay(self, index: int) -> None:
        assert self.km is not None and self.kc is not None
        run_sync(self.km.restart_kernel)(now=True)
        self.kc.stop_channels()
        run_sync(self.async_start_new_kernel_client)()
        self._session = None
        if self.restore_state:
            self._ensure_session()
        for i, earlier in enumerate(self.nb.cells[:index]):
            if earlier.cell_type != "code" or not earlier.source.strip():
                continue
            if any(o.get("ename") in _NOT_REPLAYED for o in earlier.get("outputs", [])):
                continue
            self.execute_cell(copy.deepcopy(earlier), i, store_history=False)
            if self.restore_state and _meta(earlier).get("locked") and \
                    not _meta(earlier).get("grade"):
                self._record_locked(earlier)
