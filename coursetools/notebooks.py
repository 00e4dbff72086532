"""Execute and inspect notebooks with nbclient (shared by the build and the tests).

The kernel inherits the environment given to :func:`execute_notebook`, so the same notebook can be
run as a student runs it (live widgets) or as the build runs it (``OPTML_STATIC=1``: static
figures).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbclient.output_widget import OutputWidget

from coursetools.nbgrader_io import ROOT  # noqa: F401  (re-exported: coursetools.build)

# Cell ``metadata.slideshow.slide_type`` values allowed in lectures. A cell without one continues
# the current slide (nbconvert and jupyterlab-slideshow agree on that); the literal "-" means the
# same to nbconvert, but jupyterlab-slideshow drops such cells from the live deck, so it is refused.
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes"}


def lecture_paths(root: Path = ROOT) -> list[Path]:
    """Return the lecture notebooks ``notebooks/NN_*.ipynb``, sorted by number."""
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


class LocalKernelManager(AsyncKernelManager):
    """Kernel on IPC sockets (files ``optml-kernel-<id>-<port>`` in the temporary folder).

    Over TCP, ipykernel >= 7 warns on stderr that traffic is unencrypted; local sockets are the
    right transport for a kernel that never leaves this machine anyway. jupyter_client removes
    the socket files when the kernel shuts down.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault(
            "ip", os.path.join(tempfile.gettempdir(), f"optml-kernel-{uuid.uuid4().hex[:12]}")
        )
        super().__init__(**kwargs)


class QuietOutputWidget(OutputWidget):
    """nbclient's front-end mimic of an ``Output`` widget, minus the messages it sends back.

    nbclient's mimic records what a kernel-side ``Output`` captures (so ``clear_output`` inside
    an explorer clears the explorer's output area, not the whole cell), and after every captured
    output it also sends a ``comm_msg`` state update on the *shell* channel, from the coroutine
    that reads IOPub, while another coroutine waits on that channel for the cell's
    ``execute_reply``. That reply can then be lost and the cell waits until its timeout although
    the kernel is idle (jupyter/nbclient#312; seen on the lectures' explorer cells in live mode).
    Nothing in the kernel needs those updates (a real front end sends them to sync its view),
    so this mimic keeps the recording and sends nothing.
    """

    def send(self, data=None, metadata=None, buffers=None) -> None:
        """Send nothing (see the class docstring)."""


def notebook_client(nb: nbformat.NotebookNode, **kwargs) -> NotebookClient:
    """An nbclient ``NotebookClient`` on local IPC sockets with :class:`QuietOutputWidget`.

    Every place the course executes notebooks with nbclient (build, lecture tests, benchmarks)
    goes through here, so none can hang on jupyter/nbclient#312.
    """
    kwargs.setdefault("kernel_name", "python3")
    kwargs.setdefault("kernel_manager_class", LocalKernelManager)
    client = NotebookClient(nb, **kwargs)
    client.widget_registry["@jupyter-widgets/output"]["OutputModel"] = QuietOutputWidget
    return client


@dataclass
class ExecutionResult:
    """What running one notebook produced."""

    path: Path
    nb: nbformat.NotebookNode
    seconds: float
    error: str | None = None
    stderr: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.stderr

    def images(self) -> int:
        """Number of image outputs (png or svg) in the executed notebook."""
        return sum(
            1
            for c in self.nb.cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
            if any(k.startswith("image/") for k in o.get("data", {}))
        )


def execute_notebook(
    path: os.PathLike | str,
    *,
    static: bool = False,
    timeout: int = 60,
    extra_env: dict | None = None,
) -> ExecutionResult:
    """Execute a notebook top to bottom in a fresh ``python3`` kernel.

    Parameters
    ----------
    path : path-like
        The notebook. It runs with its own folder as working directory.
    static : bool
        Set ``OPTML_STATIC=1`` in the kernel's environment (static figures instead of live widgets).
    timeout : int
        Seconds allowed per cell.
    extra_env : dict, optional
        More environment variables for the kernel.

    Returns
    -------
    ExecutionResult
        The executed notebook, wall time, the first error (``None`` if none) and every text the
        notebook wrote to stderr (warnings included).
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ)
    env.pop("OPTML_STATIC", None)
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    if static:
        env["OPTML_STATIC"] = "1"
    env.update(extra_env or {})
    resources = {"metadata": {"path": str(path.parent)}}
    client = notebook_client(nb, timeout=timeout, resources=resources)
    error = None
    start = time.perf_counter()
    try:
        client.execute(env=env)
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        error = f"{type(exc).__name__}: {str(exc)[-2000:]}"
    seconds = time.perf_counter() - start
    stderr = [
        "".join(o.get("text", ""))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    ]
    return ExecutionResult(path=path, nb=nb, seconds=seconds, error=error, stderr=stderr)


def metadata_problems(path: os.PathLike | str) -> list[str]:
    """Static checks of a committed lecture notebook: slide metadata, no outputs, kernelspec.

    A cell's ``metadata.slideshow.slide_type`` is one of :data:`SLIDE_TYPES` or absent (the cell
    continues the current slide); ``"-"`` is refused. ``metadata.jupyter.source_hidden`` (code
    hidden on slides, collapsed in JupyterLab) is a boolean and only on code cells.
    Returns one message per problem, empty if none.
    """
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel != "python3":
        problems.append(f"kernelspec name is {kernel!r}, expected 'python3'")
    for i, cell in enumerate(nb["cells"]):
        slideshow = cell.get("metadata", {}).get("slideshow", {})
        if "slide_type" in slideshow and slideshow["slide_type"] not in SLIDE_TYPES:
            hint = (" (leave slide_type unset to continue the slide: the live deck drops '-' cells)"
                    if slideshow["slide_type"] == "-" else "")
            problems.append(f"cell {i}: slideshow.slide_type is {slideshow['slide_type']!r}{hint}")
        hidden = cell.get("metadata", {}).get("jupyter", {}).get("source_hidden", False)
        if hidden not in (True, False):
            problems.append(f"cell {i}: jupyter.source_hidden is {hidden!r}, expected true/false")
        elif hidden and cell["cell_type"] != "code":
            problems.append(f"cell {i}: jupyter.source_hidden on a {cell['cell_type']} cell "
                            "(only code input is hidden on slides)")
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problems.append(f"cell {i}: committed with outputs or an execution count")
    return problems


def empty_notebook_seconds() -> float:
    """Wall time of a notebook that only imports numpy, matplotlib and helpers (the floor)."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import numpy as np\nimport matplotlib.pyplot as plt\nimport helpers"
        )
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    start = time.perf_counter()
    notebook_client(nb, timeout=60).execute()
    return time.perf_counter() - start
