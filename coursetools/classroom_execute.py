"""nbgrader's ``Execute`` preprocessor, made to survive a kernel that dies in a student cell.

nbgrader 0.9 gives up on the whole submission when the kernel dies (``os.kill(os.getpid(), 9)``,
``os._exit``, a segfault in a C extension, the out-of-memory killer): nbclient raises
``DeadKernelError``, nbgrader logs "There was an error processing assignment" and the student
gets no grade at all. :class:`ResilientExecute` instead

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
"""

from __future__ import annotations

import copy

from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

_NOT_REPLAYED = {"DeadKernelError", "CellTimeoutError"}


class ResilientExecute(Execute):
    """Execute every cell; when the kernel dies, fail that cell, restart, replay, continue."""

    max_kernel_restarts = Integer(
        3, help="kernel deaths tolerated per notebook before giving up on it"
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._restarts = 0
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        try:
            return super().preprocess_cell(cell, resources, index)
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

    def _restart_and_replay(self, index: int) -> None:
        assert self.km is not None and self.kc is not None
        run_sync(self.km.restart_kernel)(now=True)
        self.kc.stop_channels()
        run_sync(self.async_start_new_kernel_client)()
        for i, earlier in enumerate(self.nb.cells[:index]):
            if earlier.cell_type != "code" or not earlier.source.strip():
                continue
            if any(o.get("ename") in _NOT_REPLAYED for o in earlier.get("outputs", [])):
                continue
            self.execute_cell(copy.deepcopy(earlier), i, store_history=False)
