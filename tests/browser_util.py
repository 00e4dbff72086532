"""Helpers for the browser tests: a throw-away JupyterLab server and Debian's Chromium.

``running_lab(root)`` starts ``jupyter lab`` on 127.0.0.1 with a random free port and a random
token, serving ``root``, with its own Jupyter config and runtime folders (so no user setting,
workspace or running server of the developer leaks in) while the lab extensions still come from
the virtualenv's ``share/jupyter``. The server runs in its own process group and is always
stopped (SIGTERM, then SIGKILL) together with its kernels.

The notebook helpers below drive JupyterLab through ``window.jupyterapp`` (the server is started
with ``--LabApp.expose_app_in_browser=True``): run cells with the same commands a student's
menu items call, and read outputs from the notebook model rather than from pixels.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VENV_BIN = Path(sys.executable).parent

# JupyterLab user settings for a quiet, deterministic test session: no news/update toast (it
# would cover outputs and try the network), every cell attached to the DOM (no windowing, so
# queries see all outputs), no autosave racing with the test's edits.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    """A running JupyterLab server (see :func:`running_lab`)."""

    root: Path
    port: int
    token: str
    proc: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def lab_url(self, path: str, workspace: str | None = None) -> str:
        """URL opening ``path`` (relative to the server root) in JupyterLab.

        Each page gets its own fresh workspace (a random name unless given), so a notebook
        opened by an earlier page is not restored next to this one.
        """
        workspace = workspace or f"test-{secrets.token_hex(4)}"
        return (f"{self.base}/lab/workspaces/{workspace}/tree/{quote(path)}"
                f"?token={self.token}")

    def api(self, endpoint: str):
        """GET ``/api/<endpoint>`` with the token; return the decoded JSON."""
        req = urllib.request.Request(
            f"{self.base}/api/{endpoint}", headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def log_tail(self, n: int = 40) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])


# Server side of the same: no news feed and no update check (both would try the network).
SERVER_CONFIG = {
    "LabApp": {
        "news_url": None,
        "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
    },
}


def _write_settings(config_dir: Path) -> None:
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(SERVER_CONFIG, indent=2))
    settings_dir = config_dir / "lab" / "user-settings"
    for rel, values in LAB_SETTINGS.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))


def _stop(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM the server's process group (server + kernels), SIGKILL what is left."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    # Kernels are in the same group; make sure none survives the server.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


@contextlib.contextmanager
def running_lab(root: Path, *, startup_timeout: float = 120.0, extra_args=()):
    """Start JupyterLab serving ``root``; yield a :class:`LabServer`; always stop it.

    The Jupyter config and runtime folders are private subfolders of ``root/.jupyter-test``
    (user settings from :data:`LAB_SETTINGS`); the data path is left alone so the extensions in
    the virtualenv's ``share/jupyter`` (widgets, nbgrader, the slide deck) are the ones a student
    gets.
    ``--allow-root`` because CI runs as root.
    """
    root = Path(root)
    state = root / ".jupyter-test"
    config_dir, runtime_dir = state / "config", state / "runtime"
    for d in (config_dir, runtime_dir):
        d.mkdir(parents=True, exist_ok=True)
    _write_settings(config_dir)
    port, token = free_port(), secrets.token_hex(24)
    env = dict(os.environ)
    for var in ("OPTML_STATIC", "NBGRADER_EXECUTION", "JUPYTER_TOKEN", "MPLBACKEND"):
        env.pop(var, None)  # a student's kernel: live widgets, inline figures
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        JUPYTER_CONFIG_DIR=str(config_dir),
        JUPYTER_RUNTIME_DIR=str(runtime_dir),
        JUPYTERLAB_SETTINGS_DIR=str(config_dir / "lab" / "user-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(config_dir / "lab" / "workspaces"),
        IPYTHONDIR=str(state / "ipython"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    log = state / "lab.log"
    cmd = [
        str(VENV_BIN / "jupyter"), "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--allow-root",
        *extra_args,
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stopped with its kernels
        )
    server = LabServer(root=root, port=port, token=token, proc=proc, log=log)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"jupyter lab exited with code {proc.returncode}:\n{server.log_tail()}"
                )
            try:
                server.api("status")
                break
            except (OSError, urllib.error.URLError, ValueError):
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"jupyter lab did not answer within {startup_timeout:.0f} s:\n"
                        f"{server.log_tail()}"
                    ) from None
                time.sleep(0.3)
        yield server
    finally:
        _stop(proc)


@contextlib.contextmanager
def chromium(playwright):
    """Headless Debian Chromium (playwright's own browser download does not work here)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found: apt-get install chromium")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


# ------------------------------------------------------------------------------------------
# driving a notebook in JupyterLab
# ------------------------------------------------------------------------------------------
PANEL = "window.jupyterapp.shell.currentWidget"
KERNEL_IDLE = (
    f"{PANEL} && {PANEL}.sessionContext && {PANEL}.sessionContext.session && "
    f"{PANEL}.sessionContext.session.kernel && "
    f"{PANEL}.sessionContext.session.kernel.status === 'idle'"
)
NO_BUSY_PROMPT = (
    f"![...{PANEL}.node.querySelectorAll('.jp-InputArea-prompt')]"
    ".some(e => e.textContent.includes('*'))"
)


def open_notebook(page, server: LabServer, path: str, timeout: float = 120_000) -> None:
    """Open ``path`` in JupyterLab and wait until its kernel is idle.

    A page that already shows this server's JupyterLab opens the notebook in a new tab (File >
    Open, ``docmanager:open``) instead of loading the whole application again.
    """
    in_lab = page.url.startswith(server.base + "/lab") and page.evaluate("!!window.jupyterapp")
    if in_lab:
        page.evaluate(
            "path => { window.jupyterapp.commands.execute("
            "'docmanager:open', {path, factory: 'Notebook'}); return null; }",
            path,
        )
    else:
        page.goto(server.lab_url(path))
    page.wait_for_function(
        f"window.jupyterapp && {PANEL} && {PANEL}.context && "
        f"{PANEL}.context.path === {json.dumps(path)} && ({KERNEL_IDLE})",
        timeout=timeout,
        polling=250,
    )


def _await_in_page(page, start_js: str, timeout: float) -> object:
    """Start a promise in the page and wait (with a timeout) for its result."""
    page.evaluate(
        "js => { window.__testResult = undefined; window.__testError = undefined;"
        " Promise.resolve(eval(js)).then(r => { window.__testResult = {value: r}; },"
        " e => { window.__testError = String(e && e.stack || e); }); }",
        start_js,
    )
    page.wait_for_function(
        "window.__testResult !== undefined || window.__testError !== undefined",
        timeout=timeout, polling=250,
    )
    err = page.evaluate("window.__testError")
    if err:
        raise RuntimeError(f"in the page: {err}")
    return page.evaluate("window.__testResult.value")


def wait_kernel_done(page, timeout: float = 120_000) -> None:
    """Wait until the kernel is idle and no cell shows the busy prompt ``[*]``."""
    page.wait_for_function(f"({KERNEL_IDLE}) && {NO_BUSY_PROMPT}", timeout=timeout, polling=250)


def run_all(page, timeout: float = 180_000) -> None:
    """Run > Run All Cells, as a student does; wait until every queued cell has finished."""
    _await_in_page(
        page, "window.jupyterapp.commands.execute('notebook:run-all-cells')", timeout
    )
    wait_kernel_done(page, timeout)


def run_each_cell(page, timeout: float = 180_000) -> None:
    """Run every cell one after the other, each to completion, errors or not.

    Run All stops at the first error; a student checking which tests fail runs the cells
    one by one, which is what this does (``notebook:run-cell`` on each cell in turn).
    """
    _await_in_page(
        page,
        f"""(async () => {{
            const panel = {PANEL};
            const n = panel.content.widgets.length;
            for (let i = 0; i < n; i++) {{
                panel.content.activeCellIndex = i;
                await window.jupyterapp.commands.execute('notebook:run-cell');
            }}
            return n;
        }})()""",
        timeout,
    )
    wait_kernel_done(page, timeout)


def restart_kernel(page, timeout: float = 120_000) -> None:
    """Restart the kernel without the confirmation dialog; wait until it is idle."""
    _await_in_page(page, f"{PANEL}.sessionContext.session.kernel.restart()", timeout)
    page.wait_for_function(KERNEL_IDLE, timeout=timeout, polling=250)


def notebook_json(page) -> dict:
    """The notebook as JupyterLab holds it now (nbformat JSON, with the outputs)."""
    return page.evaluate(f"{PANEL}.content.model.toJSON()")


def problem_outputs(nb: dict) -> list[dict]:
    """Errors and stderr text in a notebook's outputs: [{cell, kind, text}]."""
    found = []
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            if out["output_type"] == "error":
                found.append({"cell": i, "kind": "error",
                              "text": f"{out['ename']}: {out['evalue']}"})
            elif out["output_type"] == "stream" and out.get("name") == "stderr":
                text = out["text"] if isinstance(out["text"], str) else "".join(out["text"])
                found.append({"cell": i, "kind": "stderr", "text": text[:500]})
    return found


def rendered_stderr(page) -> list[str]:
    """Text of every rendered error/stderr output area, including inside widget Outputs."""
    return page.evaluate(
        f"[...{PANEL}.node.querySelectorAll("
        "'.jp-OutputArea-output[data-mime-type=\"application/vnd.jupyter.stderr\"]')]"
        ".map(e => e.textContent.slice(0, 500))"
    )


def set_cell_sources(page, sources: dict[int, str]) -> None:
    """Replace the source of cells by index, through the notebook model (as typing would)."""
    page.evaluate(
        f"""sources => {{
            const cells = {PANEL}.content.widgets;
            for (const [i, src] of Object.entries(sources)) {{
                cells[Number(i)].model.sharedModel.setSource(src);
            }}
        }}""",
        {str(k): v for k, v in sources.items()},
    )


def panel_selector(page) -> str:
    """CSS selector of the current notebook panel (scope DOM queries to it)."""
    return "#" + page.evaluate(f"{PANEL}.id")


def cell_locator(page, index: int):
    """Locator of the ``index``-th cell of the current notebook."""
    return page.locator(f"{panel_selector(page)} .jp-Notebook .jp-Cell").nth(index)


def scroll_to_cell(page, index: int) -> None:
    """Scroll cell ``index`` of the current notebook to the top of the view."""
    cell_locator(page, index).evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(400)


# ------------------------------------------------------------------------------------------
# the live deck (jupyterlab-slideshow)
# ------------------------------------------------------------------------------------------
DECK_ON = "document.body.dataset.jpDeckMode === 'presenting'"
# What the deck shows now: the active cell, and for the cells on screen whether one holds an
# ipywidgets slider or a jshtml animation; how far the on-screen content overflows the window.
DECK_STATE_JS = f"""() => {{
  const nb = {PANEL}.content;
  const on = [...nb.node.querySelectorAll('.jp-Cell.jp-deck-mod-onscreen')];
  return {{
    active: nb.activeCellIndex,
    onscreen: on.map(c => [...nb.node.querySelectorAll('.jp-Notebook .jp-Cell')].indexOf(c)),
    slider: on.some(c => c.querySelector('.widget-slider .noUi-handle')),
    animation: on.some(c => c.querySelector('.animation')),
    overflow: nb.node.scrollHeight - nb.node.clientHeight,
    height: window.innerHeight,
  }};
}}"""


#: [active cell index, index of the last cell the deck shows (slide type not skip or notes)]
LAST_SHOWN_JS = f"""() => {{
  const nb = {PANEL}.content;
  let last = -1;
  nb.widgets.forEach((cell, i) => {{
    const type = (cell.model.getMetadata('slideshow') || {{}}).slide_type;
    if (type !== 'skip' && type !== 'notes') last = i;
  }});
  return [nb.activeCellIndex, last];
}}"""


def start_deck(page, timeout: float = 30_000) -> None:
    """Start jupyterlab-slideshow on the current notebook, from its first cell.

    (Started on a cell the deck hides, it once showed a blank slide and threw
    ``Cannot read properties of null (reading 'observe')``: always start at cell 0.)
    """
    page.evaluate(f"{PANEL}.content.activeCellIndex = 0")
    page.evaluate("window.jupyterapp.commands.execute('deck:start')")
    page.wait_for_function(DECK_ON, timeout=timeout)
    page.wait_for_timeout(500)


def deck_state(page) -> dict:
    return page.evaluate(DECK_STATE_JS)


def deck_next(page, timeout: float = 10_000) -> bool:
    """Press Space (next fragment, subslide or slide) as a presenter's clicker does.

    Returns False at the end of the deck (the active cell did not change).
    """
    before, last = page.evaluate(LAST_SHOWN_JS)
    if before >= last:  # on the deck's last shown cell: Space would not move (saves the wait)
        return False
    # The deck's keys work in command mode with the focus in the notebook.
    page.evaluate(f"{PANEL}.content.mode = 'command'; {PANEL}.content.activeCell.node.focus()")
    page.keyboard.press("Space")
    try:
        page.wait_for_function(
            f"i => {PANEL}.content.activeCellIndex !== i", arg=before, timeout=timeout,
            polling=100,
        )
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: the last slide
        return False
    page.wait_for_timeout(250)  # the deck's fade-in
    return True


def stop_deck(page, timeout: float = 10_000) -> None:
    """Escape, as a presenter does; wait until the notebook view is back."""
    page.evaluate(f"{PANEL}.content.mode = 'command'; {PANEL}.content.activeCell.node.focus()")
    page.keyboard.press("Escape")
    page.wait_for_function(f"!({DECK_ON})", timeout=timeout)
